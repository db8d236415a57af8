/* cmd_list.c — knowctl list: records held, one line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Prints one listing line: id, node, project, title. */
static void
print_line(const msgpack_object *e)
{
	char	*id = cli_field(e, "id"), *node = cli_field(e, "node_name");
	char	*project = cli_field(e, "project"), *title = cli_field(e, "title");

	printf("%-26s  %-22s  %-30s  %s\n", id, node,
	    *project != '\0' ? project : "-", title);
	free(id);
	free(node);
	free(project);
	free(title);
}

int
cmd_list(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS, CLI_FILTER_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	int			 ch, r;

	cli_request(&req, CTL_LIST);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_filter_opt(&req, ch, optarg))
			continue;
		if ((r = cli_common_opt(cli, cmd, ch)) != 0) {
			ctl_request_clear(&req);
			return r - 1;
		}
	}
	if (optind != argc) {
		ctl_request_clear(&req);
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	}
	return cli_run(cli, &req, print_line, NULL);
}
