/* cmd_id.c — knowctl id: this node's did:key. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int
cmd_id(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	char			*id;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	cli_request(&req, "id");
	if ((r = cli_call(cli, &req, &rep)) == 0) {
		if (cli->json)
			cli_json(stdout, rep.data);
		else {
			id = cli_field(rep.data, "id");
			puts(id);
			free(id);
		}
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(&req);
	return r;
}
