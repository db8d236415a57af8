/*
 * packcheck.c — what a received pack may hold: only objects reachable from
 * the heads it brings, each a commit or tree that git fsck --strict takes
 * (fsck.c) or a blob. Anything else refuses the whole pack, so nothing a
 * peer sends stays unreferenced or breaks `git fsck --strict` here.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"
#include "util.h"

/* One object of the quarantined pack. */
struct pc_obj {
	git_oid		 id;
	int		 reached;
};

/* The pack's objects, and the walk over them. */
struct pack_objects {
	struct pc_obj	*obj;
	size_t		 n, cap;
	struct hmap	*by_id;		/* oid → struct pc_obj */
	git_oid		*stack;
	size_t		 depth, stack_cap;
};

/* git_odb_foreach callback: lists one quarantined object. */
static int
pc_list_cb(const git_oid *id, void *arg)
{
	struct pack_objects	*pc = arg;

	if (pc->n == pc->cap) {
		pc->cap = pc->cap == 0 ? 256 : pc->cap * 2;
		pc->obj = xreallocarray(pc->obj, pc->cap, sizeof *pc->obj);
	}
	git_oid_cpy(&pc->obj[pc->n].id, id);
	pc->obj[pc->n++].reached = 0;
	return 0;
}

/* Pushes id for the walk. */
static void
pc_push(struct pack_objects *pc, const git_oid *id)
{
	if (pc->depth == pc->stack_cap) {
		pc->stack_cap = pc->stack_cap == 0 ? 256 : pc->stack_cap * 2;
		pc->stack = xreallocarray(pc->stack, pc->stack_cap,
		    sizeof *pc->stack);
	}
	git_oid_cpy(&pc->stack[pc->depth++], id);
}

/* Pushes the tree and parents a (checked) commit names: the lines before its author. */
static void
pc_commit_links(struct pack_objects *pc, const char *p, const char *end)
{
	git_oid		 id;

	while (p < end && *p != '\n' && strncmp(p, "author ", 7) != 0) {
		if ((strncmp(p, "tree ", 5) == 0 &&
		    git_oid_fromstrn(&id, p + 5, GIT_OID_HEXSZ) == 0) ||
		    (strncmp(p, "parent ", 7) == 0 &&
		    git_oid_fromstrn(&id, p + 7, GIT_OID_HEXSZ) == 0))
			pc_push(pc, &id);
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return;
		p++;
	}
}

/* Pushes every entry of a (checked) tree. */
static void
pc_tree_links(struct pack_objects *pc, const char *p, const char *end)
{
	git_oid		 id;
	const char	*nul;

	while (p < end && (nul = memchr(p, '\0', (size_t)(end - p))) != NULL &&
	    end - nul - 1 >= GIT_OID_RAWSZ) {
		git_oid_fromraw(&id, (const unsigned char *)nul + 1);
		pc_push(pc, &id);
		p = nul + 1 + GIT_OID_RAWSZ;
	}
}

/*
 * Reads one pack object; with pc NULL checks it as git fsck --strict would,
 * else (it passed) pushes the objects it names.
 */
static int
pc_visit(struct pack_objects *pc, git_odb *odb, const git_oid *id, char **cause)
{
	git_odb_object	*o;
	const char	*data;
	size_t		 len;
	char		*why = NULL;
	git_object_t	 type;
	int		 rv = 0;

	/* A blob is neither checked nor followed: not even read. */
	if (git_odb_read_header(&len, &type, odb, id) == 0 &&
	    type == GIT_OBJECT_BLOB)
		return 0;
	if (git_odb_read(&o, odb, id) != 0)
		return set_cause(cause, "pack object %s: %s", git_oid_tostr_s(id),
		    store_git_error());
	data = git_odb_object_data(o);
	len = git_odb_object_size(o);
	switch (git_odb_object_type(o)) {
	case GIT_OBJECT_COMMIT:
		if (pc != NULL)
			pc_commit_links(pc, data, data + len);
		else
			rv = fsck_commit(data, len, &why);
		break;
	case GIT_OBJECT_TREE:
		if (pc != NULL)
			pc_tree_links(pc, data, data + len);
		else
			rv = fsck_tree(data, len, &why);
		break;
	case GIT_OBJECT_BLOB:
		break;
	default:
		rv = set_cause(&why, "a %s, which no origin branch holds",
		    git_object_type2string(git_odb_object_type(o)));
	}
	if (rv != 0) {
		set_cause(cause, "pack object %s (%s): %s", git_oid_tostr_s(id),
		    git_object_type2string(git_odb_object_type(o)), why);
		free(why);
	}
	git_odb_object_free(o);
	return rv;
}

/* Walks from every head the pack brought, marking each pack object reached. */
int
pack_objects_reach(struct pack_objects *pc, git_odb *odb, const struct pack_update *u,
    size_t n, char **cause)
{
	struct pc_obj	*o;
	git_oid		 id;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (!u[i].absent)
			pc_push(pc, &u[i].new);
	while (pc->depth > 0) {
		git_oid_cpy(&id, &pc->stack[--pc->depth]);
		/* An object the repository had before ends the walk there. */
		o = hmap_get(pc->by_id, id.id, GIT_OID_RAWSZ);
		if (o == NULL || o->reached)
			continue;
		o->reached = 1;
		if (pc_visit(pc, odb, &id, cause) != 0)
			return -1;
	}
	for (i = 0; i < pc->n; i++)
		if (!pc->obj[i].reached)
			return set_cause(cause, "pack object %s is not reachable "
			    "from the heads asked for", git_oid_tostr_s(
			    &pc->obj[i].id));
	return 0;
}

int
pack_objects_load(git_odb *odb, const char *quarantine, struct pack_objects **out,
    char **cause)
{
	struct pack_objects	*pc = xcalloc(1, sizeof *pc);
	git_odb		*q = NULL;
	size_t		 i;
	int		 rv = -1;

	*out = pc;
	pc->by_id = hmap_new();
	if (git_odb_new(&q) != 0 ||
	    git_odb_add_disk_alternate(q, quarantine) != 0 ||
	    git_odb_foreach(q, pc_list_cb, pc) != 0) {
		set_cause(cause, "%s", store_git_error());
		goto out;
	}
	for (i = 0; i < pc->n; i++)
		hmap_put(pc->by_id, pc->obj[i].id.id, GIT_OID_RAWSZ, &pc->obj[i]);
	for (i = 0; i < pc->n; i++)
		if (pc_visit(NULL, odb, &pc->obj[i].id, cause) != 0)
			goto out;
	rv = 0;
out:
	git_odb_free(q);
	return rv;
}

void
pack_objects_free(struct pack_objects *pc)
{
	if (pc == NULL)
		return;
	hmap_free(pc->by_id);
	free(pc->obj);
	free(pc->stack);
	free(pc);
}
