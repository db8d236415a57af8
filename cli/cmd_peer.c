/* cmd_peer.c — knowctl peers, peer add, peer remove. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Prints one connection line. */
static void
print_peer(const msgpack_object *e)
{
	char	*id = cli_field(e, "id"), *name = cli_field(e, "name");
	char	*addr = cli_field(e, "address"), *dir = cli_field(e, "direction");
	char	*since = cli_field(e, "since"), *state = cli_field(e, "state");

	printf("%-56s  %-22s  %-21s  %-3s  %-9s  %s  in %llu  out %llu\n",
	    *id != '\0' ? id : "-", *name != '\0' ? name : "-", addr, dir,
	    state, since,
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(e, "bytes_in")),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(e, "bytes_out")));
	free(id);
	free(name);
	free(addr);
	free(dir);
	free(since);
	free(state);
}

int
cmd_peers(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_plain(cli, cmd, argc, argv, CTL_PEERS, print_peer, NULL);
}

int
cmd_peer(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct ctl_request	 req;
	int			 r;

	if ((r = cli_common_only(cli, cmd, argc, argv)) != 0)
		return r - 1;
	if (argc - optind != 2 || (strcmp(argv[optind], "add") != 0 &&
	    strcmp(argv[optind], "remove") != 0))
		return cli_usage(cmd, _("expected add or remove and an address"));
	cli_request(&req, strcmp(argv[optind], "add") == 0 ? CTL_PEER_ADD :
	    CTL_PEER_REMOVE);
	ctl_set(&req, "address", argv[optind + 1], strlen(argv[optind + 1]), 0);
	return cli_simple(cli, &req);
}
