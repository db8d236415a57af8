/* cmd_audit.c — knowctl audit: the desk's audit log, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* Prints one entry: time, account, action, record, detail. */
static void
print_entry(const msgpack_object *e)
{
	char	*who = cli_field(e, "who"), *action = cli_field(e, "action");
	char	*rec = cli_field(e, "record"), *detail = cli_field(e, "detail");
	char	 t[32];

	time_iso((time_t)ctl_obj_uint(ctl_obj_get(e, "time")), t);
	printf("%s  %-16s  %-13s  %-26s  %s\n", t, who, action,
	    *rec != '\0' ? rec : "-", detail);
	free(who);
	free(action);
	free(rec);
	free(detail);
}

int
cmd_audit(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	unsigned long		 limit = 100;
	char			*end;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'l') {
			limit = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || limit == 0 ||
			    limit > 100000)
				return cli_usage(cmd, "%s", _("--limit: 1 to 100000"));
		} else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (optind != argc)
		return cli_usage(cmd, "%s", _("takes no arguments"));
	cli_request(&req, CTL_AUDIT);
	ctl_set(&req, "limit", NULL, 0, limit);
	return cli_run(cli, &req, print_entry, NULL);
}
