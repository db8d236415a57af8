/* cmd_backup.c — knowctl backup FILE: a consistent snapshot of the node home. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

int
cmd_backup(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "with-key", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	char			*why = NULL;
	int			 ch, r, with_key = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'k')
			with_key = 1;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind != 1)
		return cli_usage(cmd, "give the file to write");
	cli_request(&req, "backup");
	if (with_key)
		ctl_set(&req, "with_key", NULL, 0, 1);
	if ((r = cli_call(cli, &req, &rep)) == 0) {
		if (rep.data->type != MSGPACK_OBJECT_BIN)
			r = 1;
		else if (write_file_atomic(argv[optind], rep.data->via.bin.ptr,
		    rep.data->via.bin.size, with_key ? 0600 : 0640, &why) != 0) {
			fprintf(stderr, "knowctl backup: %s\n", why);
			free(why);
			r = 1;
		} else if (!cli->json)
			fprintf(stderr, "knowctl backup: wrote %s (%u bytes%s); "
			    "restore with: mkdir HOME && tar -xf %s -C HOME\n",
			    argv[optind], rep.data->via.bin.size, with_key ?
			    ", with the secret key" : ", without the secret key",
			    argv[optind]);
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(&req);
	return r;
}
