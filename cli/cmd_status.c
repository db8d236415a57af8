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

	printf(_("peers    %llu connected\n"),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "peers")));
	printf(_("known    %llu nodes\n"),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "known")));
	if (ctl_obj_uint(ctl_obj_get(d, "pending")) > 0)
		printf(_("pending  %llu nodes not admitted (knowctl "
		    "pending)\n"),
		    (unsigned long long)ctl_obj_uint(ctl_obj_get(d,
		    "pending")));
	if (ctl_obj_uint(ctl_obj_get(d, "contacts")) > 0)
		printf(_("contacts %llu nodes' card sets held (knowctl "
		    "contact)\n"),
		    (unsigned long long)ctl_obj_uint(ctl_obj_get(d,
		    "contacts")));
	if ((a = ctl_obj_get(d, "lagging")) != NULL &&
	    a->type == MSGPACK_OBJECT_ARRAY)
		for (i = 0; i < a->via.array.size; i++) {
			id = cli_field(&a->via.array.ptr[i], "id");
			printf(_("lagging  %s: seq %llu held, %llu "
			    "announced\n"), id,
			    (unsigned long long)ctl_obj_uint(ctl_obj_get(
			    &a->via.array.ptr[i], "seq")),
			    (unsigned long long)ctl_obj_uint(ctl_obj_get(
			    &a->via.array.ptr[i], "announced")));
			free(id);
		}
	if (a != NULL && a->type == MSGPACK_OBJECT_ARRAY &&
	    ctl_obj_uint(ctl_obj_get(d, "lagging_total")) > a->via.array.size)
		printf(_("lagging  … %llu branches in all (knowctl "
		    "status --branches)\n"),
		    (unsigned long long)ctl_obj_uint(ctl_obj_get(d,
		    "lagging_total")));
	if ((a = ctl_obj_get(d, "forks")) != NULL &&
	    a->type == MSGPACK_OBJECT_ARRAY)
		for (i = 0; i < a->via.array.size; i++) {
			char *head = cli_field(&a->via.array.ptr[i], "head");

			id = cli_field(&a->via.array.ptr[i], "id");
			printf(_("FORK     %s: head %s kept as proof\n"), id,
			    head);
			free(id);
			free(head);
		}
}

/* Prints the search index line: a rebuild, records, segments, a merge running, an erasure's clean-up. */
static void
print_index(const msgpack_object *ix)
{
	const msgpack_object *m;

	if (ix == NULL || ix->type != MSGPACK_OBJECT_MAP) {
		fputs(_("index    off\n"), stdout);
		return;
	}
	m = ctl_obj_get(ix, "rebuilding");
	if (m != NULL && m->type == MSGPACK_OBJECT_BOOLEAN && m->via.boolean)
		fputs(_("index    damaged, being rebuilt from the "
		    "branches: "), stdout);
	else
		fputs(_("index    "), stdout);
	m = ctl_obj_get(ix, "merging");
	printf(_("%llu records, %llu segments%s"),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(ix, "records")),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(ix, "segments")),
	    m != NULL && m->type == MSGPACK_OBJECT_BOOLEAN && m->via.boolean ?
	    _(" (merging)") : "");
	if (ctl_obj_uint(ctl_obj_get(ix, "lagging")) > 0)
		printf(_(", %llu branches still to index"),
		    (unsigned long long)ctl_obj_uint(ctl_obj_get(ix, "lagging")));
	m = ctl_obj_get(ix, "forgetting");
	if (m != NULL && m->type == MSGPACK_OBJECT_BOOLEAN && m->via.boolean)
		fputs(_(", erased text still being removed"), stdout);
	putchar('\n');
}

/*
 * Prints the status object as text.
 * TRANSLATORS: the status lines begin with a label padded to one width;
 * keep the labels of all of them aligned.
 */
static void
print_status(const msgpack_object *d)
{
	const msgpack_object *nodes = ctl_obj_get(d, "nodes"), *n;
	char	*id = cli_field(d, "id"), *name = cli_field(d, "name");
	char	*view = cli_field(d, "view"), *home = cli_field(d, "home");
	char	*nid, *nname, *head;
	uint32_t i;

	printf(_("node     %s (%s)\nhome     %s\nseq      %llu\nview     "
	    "%s\n"),
	    name, id, home,
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "seq")), view);
	print_index(ctl_obj_get(d, "index"));
	if ((nodes = ctl_obj_get(d, "repository")) != NULL &&
	    nodes->type == MSGPACK_OBJECT_MAP)
		printf(_("repo     %llu packs, about %llu loose objects, "
		    "%llu open files\n"), (unsigned long long)ctl_obj_uint(ctl_obj_get(
		    nodes, "packs")), (unsigned long long)ctl_obj_uint(
		    ctl_obj_get(nodes, "loose")), (unsigned long long)
		    ctl_obj_uint(ctl_obj_get(nodes, "fds")));
	nodes = ctl_obj_get(d, "nodes");
	printf(_("branches %llu, %llu lessons and projects\n"),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "branches")),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "records")));
	if (nodes != NULL && nodes->type == MSGPACK_OBJECT_ARRAY) {
		for (i = 0; i < nodes->via.array.size; i++) {
			n = &nodes->via.array.ptr[i];
			nid = cli_field(n, "id");
			nname = cli_field(n, "name");
			head = cli_field(n, "head");
			printf(_("  %-56s  seq %-5llu %.12s  %llu records  %s\n"),
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
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "branches", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	int			 ch, r;

	cli_request(&req, CTL_STATUS);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'b')
			ctl_set(&req, "branches", NULL, 0, 1);
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0) {
			ctl_request_clear(&req);
			return r - 1;
		}
	}
	if (optind != argc) {
		ctl_request_clear(&req);
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	}
	return cli_run(cli, &req, NULL, print_status);
}
