/* cmd_vouch.c — knowctl vouch and unvouch: this node's signed word for another node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int
cmd_vouch(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "name", required_argument, NULL, 'n' },
		{ "ags", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	const char		*name = NULL, *ags = NULL;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'n')
			name = optarg;
		else if (ch == 'a')
			ags = optarg;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind != 1)
		return cli_usage(cmd, _("give exactly one node id"));
	if (name == NULL)
		return cli_usage(cmd, _("--name is required"));
	cli_request(&req, CTL_VOUCH);
	ctl_set(&req, "id", argv[optind], strlen(argv[optind]), 0);
	ctl_set(&req, "name", name, strlen(name), 0);
	if (ags != NULL)
		ctl_set(&req, "ags", ags, strlen(ags), 0);
	return cli_simple(cli, &req);
}

int
cmd_unvouch(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_one_id(cli, cmd, argc, argv, CTL_UNVOUCH, N_("node id"), NULL);
}
