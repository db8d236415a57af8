/* cmd_new.c — knowctl new: print the lesson template (no daemon needed). */
#include <stdio.h>

#include "cli.h"
#include "record.h"

int
cmd_new(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	int	 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	fputs(record_template(), stdout);
	return ferror(stdout) ? 1 : 0;
}
