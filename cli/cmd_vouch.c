/* cmd_vouch.c — knowctl vouch and unvouch: this node's signed word for another node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * Asks knowd what withdrawing the vouch for id would drop and says it; 0
 * when the operator confirmed (--yes, or "j" at a terminal), else the exit
 * status.
 */
static int
unvouch_confirm(struct cli *cli, const char *id, int yes)
{
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	char			 answer[16];
	uint64_t		 lessons, nodes;
	int			 r;

	cli_request(&req, CTL_UNVOUCH_IMPACT);
	ctl_set(&req, "id", id, strlen(id), 0);
	r = cli_call(cli, &req, &rep);
	ctl_request_clear(&req);
	if (r != 0) {
		ctl_reply_clear(&rep);
		return r;
	}
	lessons = ctl_obj_uint(ctl_obj_get(rep.data, "lessons"));
	nodes = ctl_obj_uint(ctl_obj_get(rep.data, "nodes"));
	ctl_reply_clear(&rep);
	fprintf(stderr, _("Without this vouch, nodes that trust this one drop "
	    "%llu lesson(s) of %llu node(s) (the vouched one and those vouched "
	    "for only through it, as far as this node sees).\n"),
	    (unsigned long long)lessons, (unsigned long long)nodes);
	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s", _("knowctl unvouch: not confirmed, "
		    "nothing changed: give --yes (no question without a "
		    "terminal)\n"));
		return 1;
	}
	/* TRANSLATORS: j/J and y/Y both answer yes. */
	fprintf(stderr, "%s", _("Withdraw the vouch? [y/N] "));
	if (fgets(answer, sizeof answer, stdin) == NULL ||
	    (answer[0] != 'j' && answer[0] != 'J' && answer[0] != 'y' &&
	    answer[0] != 'Y')) {
		fprintf(stderr, "%s", _("knowctl unvouch: cancelled, nothing "
		    "changed\n"));
		return 1;
	}
	return 0;
}

int
cmd_unvouch(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	int			 ch, r, yes = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'y')
			yes = 1;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind != 1)
		return cli_usage(cmd, _("give exactly one node id"));
	if ((r = unvouch_confirm(cli, argv[optind], yes)) != 0)
		return r;
	cli_request(&req, CTL_UNVOUCH);
	ctl_set(&req, "id", argv[optind], strlen(argv[optind]), 0);
	return cli_simple(cli, &req);
}
