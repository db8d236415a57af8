/* cmd_id.c — knowctl id: this node's did:key. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* Prints the node's did:key. */
static void
print_id(const msgpack_object *d)
{
	char	*id = cli_field(d, "id");

	puts(id);
	free(id);
}

int
cmd_id(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	struct ctl_request	 req;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	cli_request(&req, "id");
	return cli_run(cli, &req, NULL, print_id);
}
