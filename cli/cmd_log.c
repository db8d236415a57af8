/* cmd_log.c — knowctl log: the history of an origin branch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Prints one commit line: seq, short commit id, time, subject. */
static void
print_commit(const msgpack_object *e)
{
	char	*commit = cli_field(e, "commit"), *when = cli_field(e, "time");
	char	*subject = cli_field(e, "subject");

	printf("%5llu  %.12s  %s  %s\n",
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(e, "seq")), commit,
	    when, subject);
	free(commit);
	free(when);
	free(subject);
}

int
cmd_log(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "node", required_argument, NULL, 'n' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	char			*end;
	unsigned long		 limit;
	int			 ch, r;

	cli_request(&req, CTL_LOG);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'n')
			ctl_set(&req, "node", optarg, strlen(optarg), 0);
		else if (ch == 'l') {
			limit = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || limit > 1000000) {
				ctl_request_clear(&req);
				return cli_usage(cmd, _("--limit: \"%s\" is not a "
				    "number up to 1000000"), optarg);
			}
			ctl_set(&req, "limit", NULL, 0, limit);
		} else if ((r = cli_common_opt(cli, cmd, ch)) != 0) {
			ctl_request_clear(&req);
			return r - 1;
		}
	}
	if (optind != argc) {
		ctl_request_clear(&req);
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	}
	return cli_run(cli, &req, print_commit, NULL);
}
