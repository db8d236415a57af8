/* cmd_publish.c — knowctl publish, retract and erase: change this node's records. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "util.h"

/* Prints a publish or retract result: the record id. */
static void
print_result(const msgpack_object *d)
{
	char	*id = cli_field(d, "id");

	puts(id);
	free(id);
}

int
cmd_publish(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	char			*text;
	size_t			 len;
	int			 ch, r, force = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'f')
			force = 1;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind > 1)
		return cli_usage(cmd, "one file at a time");
	if (cli_read_input("publish", optind < argc ? argv[optind] : "-",
	    RECORD_MAX_BYTES, "a record", &text, &len) != 0)
		return 1;
	cli_request(&req, CTL_PUBLISH);
	ctl_set(&req, "body", text, len, 0);
	if (force)
		ctl_set(&req, "force", NULL, 0, 1);
	free(text);
	return cli_run(cli, &req, NULL, print_result);
}

int
cmd_retract(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_one_id(cli, cmd, argc, argv, CTL_RETRACT, "record id",
	    print_result);
}

int
cmd_erase(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "commit", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	const char		*commit = NULL;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'c')
			commit = optarg;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind != 1)
		return cli_usage(cmd, "give exactly one record id");
	cli_request(&req, CTL_ERASE);
	ctl_set(&req, "id", argv[optind], strlen(argv[optind]), 0);
	if (commit != NULL)
		ctl_set(&req, "commit", commit, strlen(commit), 0);
	return cli_run(cli, &req, NULL, print_result);
}
