/*
 * view.c — the network view refs/heads/main (doc/DESIGN.md §3).
 *
 * Its tree is a pure function of the origin heads: nodes/<nid>/ holds each
 * origin branch's tree. Two nodes holding the same heads have the same view
 * tree id, which is how tests prove convergence.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

struct view_build {
	git_repository	*repo;
	git_tree	*old_nodes;	/* nodes/ of the previous view, or NULL */
	git_oid		*parents;	/* previous view, then changed heads */
	size_t		 nparents;
};

/* Loads the previous view commit and its nodes/ tree, when there is one. */
static int
view_previous(struct view_build *vb, git_commit **prev)
{
	git_oid		 id;
	git_tree	*root = NULL;
	git_tree_entry	*e = NULL;
	int		 r;

	*prev = NULL;
	r = git_reference_name_to_id(&id, vb->repo, STORE_VIEW_REF);
	if (r == GIT_ENOTFOUND)
		return 0;
	if (r != 0 || git_commit_lookup(prev, vb->repo, &id) != 0 ||
	    git_commit_tree(&root, *prev) != 0)
		return -1;
	if (git_tree_entry_bypath(&e, root, "nodes") == 0)
		git_tree_lookup(&vb->old_nodes, vb->repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(root);
	vb->parents[vb->nparents++] = *git_commit_id(*prev);
	return 0;
}

/* Adds nid's origin tree to the nodes/ builder; notes its head when it changed. */
static int
view_add_node(struct view_build *vb, struct store *st, git_treebuilder *tb,
    const char *nid)
{
	const git_tree_entry	*old;
	git_oid			 head, tree;

	if (store_head(st, nid, &head, NULL) != 0 ||
	    store_commit_tree(st, &head, &tree) != 0)
		return -1;
	if (git_treebuilder_insert(NULL, tb, nid, &tree, GIT_FILEMODE_TREE) != 0)
		return -1;
	old = vb->old_nodes != NULL ?
	    git_tree_entry_byname(vb->old_nodes, nid) : NULL;
	if (old == NULL || !git_oid_equal(git_tree_entry_id(old), &tree))
		vb->parents[vb->nparents++] = head;
	return 0;
}

/* Writes the view tree: a root holding nodes/, which holds each origin tree. */
static int
view_build_tree(struct view_build *vb, struct store *st, char **nids, size_t n,
    git_oid *out)
{
	git_treebuilder	*nodes = NULL, *root = NULL;
	git_oid		 nodes_id;
	size_t		 i;
	int		 rv = -1;

	if (git_treebuilder_new(&nodes, vb->repo, NULL) != 0 ||
	    git_treebuilder_new(&root, vb->repo, NULL) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (view_add_node(vb, st, nodes, nids[i]) != 0)
			goto out;
	if (git_treebuilder_write(&nodes_id, nodes) != 0 ||
	    git_treebuilder_insert(NULL, root, "nodes", &nodes_id,
	    GIT_FILEMODE_TREE) != 0 || git_treebuilder_write(out, root) != 0)
		goto out;
	rv = 0;
out:
	git_treebuilder_free(nodes);
	git_treebuilder_free(root);
	return rv;
}

/* Writes the unsigned view commit and moves refs/heads/main to it by compare-and-swap. */
static int
view_commit(struct view_build *vb, const git_oid *treeid, git_commit *prev,
    char **cause)
{
	git_signature	 *sig = NULL;
	git_tree	 *tree = NULL;
	git_reference	 *ref = NULL;
	const git_commit **parents;
	git_oid		  id;
	size_t		  i;
	int		  rv = -1, r;

	parents = xcalloc(vb->nparents, sizeof *parents);
	for (i = 0; i < vb->nparents; i++)
		if (git_commit_lookup((git_commit **)&parents[i], vb->repo,
		    &vb->parents[i]) != 0)
			goto out;
	if (git_signature_now(&sig, "knowd", "knowd@knowd.invalid") != 0 ||
	    git_tree_lookup(&tree, vb->repo, treeid) != 0 ||
	    git_commit_create(&id, vb->repo, NULL, sig, sig, NULL,
	    "knowd: network view\n", tree, vb->nparents, parents) != 0)
		goto out;
	if (prev != NULL)
		r = git_reference_create_matching(&ref, vb->repo, STORE_VIEW_REF,
		    &id, 1, git_commit_id(prev), "knowd: view");
	else
		r = git_reference_create(&ref, vb->repo, STORE_VIEW_REF, &id, 0,
		    "knowd: view");
	if (r != 0)
		goto out;
	rv = 0;
out:
	if (rv != 0)
		set_cause(cause, "view: %s", store_git_error());
	for (i = 0; i < vb->nparents; i++)
		git_commit_free((git_commit *)parents[i]);
	free(parents);
	git_reference_free(ref);
	git_tree_free(tree);
	git_signature_free(sig);
	return rv;
}

int
view_update(struct store *st, git_oid *out, char **cause)
{
	struct view_build vb;
	git_commit	*prev = NULL;
	char		**nids = NULL;
	size_t		 n = 0;
	int		 rv = -1;

	memset(&vb, 0, sizeof vb);
	vb.repo = store_repo(st);
	if (store_nids(st, &nids, &n) != 0)
		return set_cause(cause, "view: %s", store_git_error());
	vb.parents = xcalloc(n + 1, sizeof *vb.parents);
	if (view_previous(&vb, &prev) != 0 || view_build_tree(&vb, st, nids, n,
	    out) != 0) {
		set_cause(cause, "view: %s", store_git_error());
		goto out;
	}
	if (prev != NULL && git_oid_equal(git_commit_tree_id(prev), out))
		rv = 0;			/* unchanged */
	else
		rv = view_commit(&vb, out, prev, cause);
out:
	git_commit_free(prev);
	git_tree_free(vb.old_nodes);
	free(vb.parents);
	store_nids_free(nids, n);
	return rv;
}

int
view_tree(struct store *st, git_oid *tree)
{
	git_oid	 id;
	int	 r;

	r = git_reference_name_to_id(&id, store_repo(st), STORE_VIEW_REF);
	if (r == GIT_ENOTFOUND)
		return 1;
	if (r != 0)
		return -1;
	return store_commit_tree(st, &id, tree) == 0 ? 0 : -1;
}
