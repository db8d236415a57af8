/* cmd_new.c — knowctl new: print the lesson template (no daemon needed). */
#include <stdio.h>

#include "cli.h"
#include "record.h"

int
cmd_new(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	int	 r;

	if ((r = cli_common_only(cli, cmd, argc, argv)) != 0)
		return r - 1;
	if (optind != argc)
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	fputs(record_template(), stdout);
	return ferror(stdout) ? 1 : 0;
}
