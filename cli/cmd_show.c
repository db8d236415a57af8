/* cmd_show.c — knowctl show: one record, as its file text or as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int
cmd_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "node", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	char			*text;
	int			 ch, r;

	cli_request(&req, CTL_SHOW);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'n')
			ctl_set(&req, "node", optarg, strlen(optarg), 0);
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0) {
			ctl_request_clear(&req);
			return r - 1;
		}
	}
	if (argc - optind != 1) {
		ctl_request_clear(&req);
		return cli_usage(cmd, _("give exactly one record id"));
	}
	ctl_set(&req, "id", argv[optind], strlen(argv[optind]), 0);
	if ((r = cli_call(cli, &req, &rep)) == 0) {
		if (cli->json)
			cli_json(stdout, rep.data);
		else {
			text = cli_field(rep.data, "text");
			fputs(text, stdout);
			free(text);
		}
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(&req);
	return r;
}
