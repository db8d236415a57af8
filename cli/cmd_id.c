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
	return cli_plain(cli, cmd, argc, argv, CTL_ID, NULL, print_id);
}
