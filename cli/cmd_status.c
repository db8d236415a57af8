/* cmd_status.c — knowctl status: this node, its view and the branches it holds. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* Prints the network part of status: peers, known nodes, lagging branches, forks. */
static void
print_network(const msgpack_object *d)
{
	const msgpack_object *a;
	char	*id;
	uint32_t i;

	printf("peers    %llu connected\n",
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "peers")));
	if ((a = ctl_obj_get(d, "known")) != NULL &&
	    a->type == MSGPACK_OBJECT_ARRAY)
		printf("known    %u nodes\n", a->via.array.size);
	if ((a = ctl_obj_get(d, "lagging")) != NULL &&
	    a->type == MSGPACK_OBJECT_ARRAY)
		for (i = 0; i < a->via.array.size; i++) {
			id = cli_field(&a->via.array.ptr[i], "id");
			printf("lagging  %s: seq %llu held, %llu announced\n", id,
			    (unsigned long long)ctl_obj_uint(ctl_obj_get(
			    &a->via.array.ptr[i], "seq")),
			    (unsigned long long)ctl_obj_uint(ctl_obj_get(
			    &a->via.array.ptr[i], "announced")));
			free(id);
		}
	if ((a = ctl_obj_get(d, "forks")) != NULL &&
	    a->type == MSGPACK_OBJECT_ARRAY)
		for (i = 0; i < a->via.array.size; i++) {
			char *head = cli_field(&a->via.array.ptr[i], "head");

			id = cli_field(&a->via.array.ptr[i], "id");
			printf("FORK     %s: head %s kept as proof\n", id, head);
			free(id);
			free(head);
		}
}

/* Prints the search index line: records, segments, a merge running. */
static void
print_index(const msgpack_object *ix)
{
	const msgpack_object *m;

	if (ix == NULL || ix->type != MSGPACK_OBJECT_MAP) {
		printf("index    off\n");
		return;
	}
	m = ctl_obj_get(ix, "merging");
	printf("index    %llu records, %llu segments%s\n",
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(ix, "records")),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(ix, "segments")),
	    m != NULL && m->type == MSGPACK_OBJECT_BOOLEAN && m->via.boolean ?
	    " (merging)" : "");
}

/* Prints the status object as text. */
static void
print_status(const msgpack_object *d)
{
	const msgpack_object *nodes = ctl_obj_get(d, "nodes"), *n;
	char	*id = cli_field(d, "id"), *name = cli_field(d, "name");
	char	*view = cli_field(d, "view"), *home = cli_field(d, "home");
	char	*nid, *nname, *head;
	uint32_t i;

	printf("node     %s (%s)\nhome     %s\nseq      %llu\nview     %s\n",
	    name, id, home,
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "seq")), view);
	print_index(ctl_obj_get(d, "index"));
	if (nodes != NULL && nodes->type == MSGPACK_OBJECT_ARRAY) {
		printf("branches %u\n", nodes->via.array.size);
		for (i = 0; i < nodes->via.array.size; i++) {
			n = &nodes->via.array.ptr[i];
			nid = cli_field(n, "id");
			nname = cli_field(n, "name");
			head = cli_field(n, "head");
			printf("  %-56s  seq %-5llu %.12s  %llu records  %s\n",
			    nid, (unsigned long long)ctl_obj_uint(ctl_obj_get(n,
			    "seq")), head, (unsigned long long)ctl_obj_uint(
			    ctl_obj_get(n, "records")), nname);
			free(nid);
			free(nname);
			free(head);
		}
	}
	print_network(d);
	free(id);
	free(name);
	free(view);
	free(home);
}

int
cmd_status(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_plain(cli, cmd, argc, argv, CTL_STATUS, NULL, print_status);
}
