/* cmd_admit.c — knowctl pending, admit, deny: which strangers this node serves. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* Prints one pending node. */
static void
print_pending(const msgpack_object *e)
{
	char	*id = cli_field(e, "id"), *name = cli_field(e, "name");
	char	*addr = cli_field(e, "address"), *via = cli_field(e, "introduced_by");
	char	*first = cli_field(e, "first_seen"), *last = cli_field(e, "last_seen");

	printf("%-56s  %-22s  %-21s  first %s  last %s  via %s\n", id,
	    *name != '\0' ? name : "-", *addr != '\0' ? addr : "-", first, last,
	    *via != '\0' ? via : "-");
	free(id);
	free(name);
	free(addr);
	free(via);
	free(first);
	free(last);
}

int
cmd_pending(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_plain(cli, cmd, argc, argv, CTL_PENDING, print_pending, NULL);
}

int
cmd_admit(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_one_id(cli, cmd, argc, argv, CTL_ADMIT, N_("node id"), NULL);
}

int
cmd_deny(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_one_id(cli, cmd, argc, argv, CTL_DENY, N_("node id"), NULL);
}
