/*
 * view.c — the network view refs/heads/main (doc/DESIGN.md §3).
 *
 * Its tree is a pure function of the origin heads held:
 * nodes/<xx>/<nid>/ holds each origin branch's tree, where xx is the first
 * byte of the node's public key in two lowercase hex digits. The fan-out
 * keeps one update's cost independent of the number of nodes: a move
 * rewrites one bucket of about N/256 entries, the 256-entry nodes/ tree and
 * the root. Two nodes holding the same heads have the same view tree id,
 * whatever order the heads arrived in, which is how tests prove convergence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "util.h"

#define VIEW_MAX_PARENTS	32	/* changed heads a rebuilt view names as parents */

/* The previous view commit and the trees under it (NULL when absent). */
struct view_prev {
	git_commit	*commit;
	git_tree	*root, *nodes;
};

/* Loads the previous view, when there is one. */
static int
view_prev_load(git_repository *repo, struct view_prev *vp)
{
	git_tree_entry	*e = NULL;
	git_oid		 id;
	int		 r;

	memset(vp, 0, sizeof *vp);
	r = git_reference_name_to_id(&id, repo, STORE_VIEW_REF);
	if (r == GIT_ENOTFOUND)
		return 0;
	if (r != 0 || git_commit_lookup(&vp->commit, repo, &id) != 0 ||
	    git_commit_tree(&vp->root, vp->commit) != 0)
		return -1;
	if (git_tree_entry_bypath(&e, vp->root, "nodes") == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&vp->nodes, repo, git_tree_entry_id(e)) != 0)
		r = -1;
	git_tree_entry_free(e);
	return r == 0 ? 0 : -1;
}

static void
view_prev_free(struct view_prev *vp)
{
	git_tree_free(vp->nodes);
	git_tree_free(vp->root);
	git_commit_free(vp->commit);
}

/* Writes a root tree holding nodes (or an empty root when nodes is NULL). */
static int
view_root(git_repository *repo, const git_oid *nodes, git_oid *out)
{
	git_treebuilder	*tb;
	int		 rv = -1;

	if (git_treebuilder_new(&tb, repo, NULL) != 0)
		return -1;
	if ((nodes == NULL || git_treebuilder_insert(NULL, tb, "nodes", nodes,
	    GIT_FILEMODE_TREE) == 0) && git_treebuilder_write(out, tb) == 0)
		rv = 0;
	git_treebuilder_free(tb);
	return rv;
}

/*
 * Writes the view commit (parents: the previous view, then heads) and moves
 * the ref: by compare-and-swap from the previous view, or (no previous
 * view could be read) over whatever it holds.
 */
static int
view_commit(git_repository *repo, const git_oid *treeid,
    const struct view_prev *vp, const git_oid *heads, size_t nheads,
    char **cause)
{
	git_signature	 *sig = NULL;
	git_tree	 *tree = NULL;
	git_reference	 *ref = NULL;
	const git_commit **parents;
	git_oid		  id;
	size_t		  i, n = 0;
	int		  rv = -1, r;

	parents = xcalloc(nheads + 1, sizeof *parents);
	if (vp->commit != NULL)
		parents[n++] = vp->commit;
	for (i = 0; i < nheads; i++, n++)
		if (git_commit_lookup((git_commit **)&parents[n], repo,
		    &heads[i]) != 0)
			goto out;
	if (git_signature_now(&sig, "knowd", "knowd@knowd.invalid") != 0 ||
	    git_tree_lookup(&tree, repo, treeid) != 0 ||
	    git_commit_create(&id, repo, NULL, sig, sig, NULL,
	    "knowd: network view\n", tree, n, parents) != 0)
		goto out;
	if (vp->commit != NULL)
		r = git_reference_create_matching(&ref, repo, STORE_VIEW_REF,
		    &id, 1, git_commit_id(vp->commit), "knowd: view");
	else
		r = git_reference_create(&ref, repo, STORE_VIEW_REF, &id, 1,
		    "knowd: view");
	rv = r == 0 ? 0 : -1;
out:
	if (rv != 0)
		set_cause(cause, "view: %s", store_git_error());
	for (i = vp->commit != NULL ? 1 : 0; i < n; i++)
		git_commit_free((git_commit *)parents[i]);
	free(parents);
	git_reference_free(ref);
	git_tree_free(tree);
	git_signature_free(sig);
	return rv;
}

/* Commits root unless it is the previous view's tree. */
static int
view_finish(git_repository *repo, const git_oid *root,
    const struct view_prev *vp, const git_oid *heads, size_t nheads,
    char **cause)
{
	if (vp->root != NULL && git_oid_equal(git_tree_id(vp->root), root))
		return 0;		/* unchanged */
	return view_commit(repo, root, vp, heads, nheads, cause);
}

/* The buckets a batch touches: each a builder on a copy of the previous bucket. */
struct view_touch {
	git_treebuilder	*bucket[256];
};

/* Puts nid's tree (or nothing, when b is NULL) into its bucket's builder. */
static int
view_touch(git_repository *repo, const struct view_prev *vp,
    struct view_touch *vt, const char *nid, const struct store_branch *b,
    unsigned int x)
{
	const git_tree_entry *e;
	git_tree	*old = NULL;
	char		 xx[3];
	int		 rv;

	if (vt->bucket[x] == NULL) {
		snprintf(xx, sizeof xx, "%02x", x);
		if (vp->nodes != NULL && (e = git_tree_entry_byname(vp->nodes,
		    xx)) != NULL && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&old, repo, git_tree_entry_id(e)) != 0)
			return -1;
		rv = git_treebuilder_new(&vt->bucket[x], repo, old);
		git_tree_free(old);
		if (rv != 0)
			return -1;
	}
	if (b != NULL)
		return git_treebuilder_insert(NULL, vt->bucket[x], nid, &b->tree,
		    GIT_FILEMODE_TREE);
	if (git_treebuilder_get(vt->bucket[x], nid) != NULL)
		return git_treebuilder_remove(vt->bucket[x], nid);
	return 0;
}

/* Writes the touched buckets into a copy of the previous nodes/; *empty when none is left. */
static int
view_nodes(git_repository *repo, const struct view_prev *vp,
    struct view_touch *vt, git_oid *out, int *empty)
{
	git_treebuilder	*nodes;
	git_oid		 id;
	char		 xx[3];
	unsigned int	 x;
	int		 rv = -1;

	if (git_treebuilder_new(&nodes, repo, vp->nodes) != 0)
		return -1;
	for (x = 0; x < 256; x++) {
		if (vt->bucket[x] == NULL)
			continue;
		snprintf(xx, sizeof xx, "%02x", x);
		if (git_treebuilder_entrycount(vt->bucket[x]) == 0) {
			if (git_treebuilder_get(nodes, xx) != NULL &&
			    git_treebuilder_remove(nodes, xx) != 0)
				goto out;
		} else if (git_treebuilder_write(&id, vt->bucket[x]) != 0 ||
		    git_treebuilder_insert(NULL, nodes, xx, &id,
		    GIT_FILEMODE_TREE) != 0)
			goto out;
	}
	*empty = git_treebuilder_entrycount(nodes) == 0;
	rv = *empty ? 0 : git_treebuilder_write(out, nodes);
out:
	git_treebuilder_free(nodes);
	return rv;
}

/* The key byte of nid (its bucket), from the table or from the nid itself. */
static int
view_key_byte(const struct store_branch *b, const char *nid, unsigned int *x)
{
	uint8_t	 pk[KEYS_PK_LEN];

	if (b != NULL) {
		*x = b->pk[0];
		return 0;
	}
	if (keys_did_decode(nid, pk, NULL) != 0)
		return -1;
	*x = pk[0];
	return 0;
}

int
view_update_some(struct store *st, const char *const *nids, size_t n,
    git_oid *out, char **cause)
{
	const struct store_branch *b;
	struct view_touch vt;
	struct view_prev vp;
	git_oid		*heads, nodes;
	size_t		 i, nheads = 0;
	unsigned int	 x;
	int		 empty, rv = -1;

	memset(&vt, 0, sizeof vt);
	heads = xcalloc(n + 1, sizeof *heads);
	if (view_prev_load(st->bulk, &vp) != 0) {
		view_prev_free(&vp);
		free(heads);
		return view_update(st, out, cause);	/* it rebuilds */
	}
	for (i = 0; i < n; i++) {
		b = store_branch(st, nids[i]);
		if (view_key_byte(b, nids[i], &x) != 0) {
			set_cause(cause, "view: %s is not a node id", nids[i]);
			goto out;
		}
		if (view_touch(st->bulk, &vp, &vt, nids[i], b, x) != 0)
			goto fail;
		if (b != NULL && nheads <= VIEW_MAX_PARENTS)
			git_oid_cpy(&heads[nheads++], &b->head);
	}
	if (view_nodes(st->bulk, &vp, &vt, &nodes, &empty) != 0 ||
	    view_root(st->bulk, empty ? NULL : &nodes, out) != 0)
		goto fail;
	rv = view_finish(st->bulk, out, &vp, heads, nheads > VIEW_MAX_PARENTS ?
	    0 : nheads, cause);
	goto out;
fail:
	/* A bucket unreadable (not fsynced, a crash): build the view anew. */
	log_warnx("view: %s; building it anew", store_git_error());
	rv = -2;
out:
	for (x = 0; x < 256; x++)
		git_treebuilder_free(vt.bucket[x]);
	view_prev_free(&vp);
	free(heads);
	return rv == -2 ? view_update(st, out, cause) : rv;
}

int
view_update_one(struct store *st, const char *nid, git_oid *out,
    char **cause)
{
	return view_update_some(st, &nid, 1, out, cause);
}

/* One bucket of nodes/ being built by view_update, and the previous view's. */
struct view_bk {
	git_treebuilder	*tb;
	git_tree	*old;		/* NULL when the previous view had none */
};

/* Builds every bucket from the table; notes the heads the previous view lacks. */
static int
view_buckets(struct store *st, const struct view_prev *vp,
    struct view_bk *bk, git_oid *heads, size_t *nheads)
{
	const struct store_branch *b;
	const git_tree_entry *e;
	char		 xx[3];
	size_t		 it = 0;
	unsigned int	 x;

	/* The previous buckets, each read once (not one path lookup a branch). */
	for (x = 0; vp->nodes != NULL && x < 256; x++) {
		snprintf(xx, sizeof xx, "%02x", x);
		if ((e = git_tree_entry_byname(vp->nodes, xx)) != NULL &&
		    git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&bk[x].old, st->bulk, git_tree_entry_id(e)) != 0)
			return -1;
	}
	*nheads = 0;
	while ((b = store_branch_next(st, &it)) != NULL) {
		x = b->pk[0];
		if (bk[x].tb == NULL &&
		    git_treebuilder_new(&bk[x].tb, st->bulk, NULL) != 0)
			return -1;
		if (git_treebuilder_insert(NULL, bk[x].tb, b->nid, &b->tree,
		    GIT_FILEMODE_TREE) != 0)
			return -1;
		e = bk[x].old != NULL ? git_tree_entry_byname(bk[x].old, b->nid) :
		    NULL;
		if ((e == NULL || !git_oid_equal(git_tree_entry_id(e), &b->tree)) &&
		    *nheads <= VIEW_MAX_PARENTS)
			git_oid_cpy(&heads[(*nheads)++], &b->head);
	}
	return 0;
}

/*
 * libgit2's strict object creation looks every entry of a tree up as it is
 * inserted: for the view that is every head's tree, which the table already
 * knows exists (1.9 s of a start with 11,000 branches). The view's trees
 * are built without it; only this (event-loop) thread writes such objects.
 */
static void
view_strict(int on)
{
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, on);
}

int
view_update(struct store *st, git_oid *out, char **cause)
{
	struct view_bk bk[256];
	struct view_prev vp;
	git_treebuilder	*nodes = NULL;
	git_oid		 heads[VIEW_MAX_PARENTS + 1], id, nodesid;
	size_t		 nheads = 0, i;
	char		 xx[3];
	int		 rv = -1;

	memset(bk, 0, sizeof bk);
	if (view_prev_load(st->bulk, &vp) != 0) {
		/* Not fsynced (store_open_bulk): after a crash it may be gone. */
		log_warnx("view: the previous view is unreadable (%s); "
		    "building it anew", store_git_error());
		view_prev_free(&vp);
		memset(&vp, 0, sizeof vp);
	}
	view_strict(0);
	if (view_buckets(st, &vp, bk, heads, &nheads) != 0 ||
	    git_treebuilder_new(&nodes, st->bulk, NULL) != 0)
		goto fail;
	for (i = 0; i < 256; i++) {
		if (bk[i].tb == NULL)
			continue;
		snprintf(xx, sizeof xx, "%02x", (unsigned int)i);
		if (git_treebuilder_write(&id, bk[i].tb) != 0 ||
		    git_treebuilder_insert(NULL, nodes, xx, &id,
		    GIT_FILEMODE_TREE) != 0)
			goto fail;
	}
	if (git_treebuilder_entrycount(nodes) > 0 &&
	    git_treebuilder_write(&nodesid, nodes) != 0)
		goto fail;
	if (view_root(st->bulk, git_treebuilder_entrycount(nodes) > 0 ?
	    &nodesid : NULL, out) != 0)
		goto fail;
	/* A bulk change names only the previous view as parent. */
	rv = view_finish(st->bulk, out, &vp, heads, nheads > VIEW_MAX_PARENTS ?
	    0 : nheads, cause);
	goto out;
fail:
	set_cause(cause, "view: %s", store_git_error());
out:
	view_strict(1);
	for (i = 0; i < 256; i++) {
		git_treebuilder_free(bk[i].tb);
		git_tree_free(bk[i].old);
	}
	git_treebuilder_free(nodes);
	view_prev_free(&vp);
	return rv;
}

int
view_tree(struct store *st, git_oid *tree)
{
	git_oid	 id;
	int	 r;

	r = git_reference_name_to_id(&id, st->bulk, STORE_VIEW_REF);
	if (r == GIT_ENOTFOUND)
		return 1;
	if (r != 0)
		return -1;
	return store_commit_tree(st, &id, tree) == 0 ? 0 : -1;
}
