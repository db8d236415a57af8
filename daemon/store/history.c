/*
 * history.c — the versions of one record: the commits of an origin branch
 * that changed the file at a path, newest first (first parents only, so a
 * fork heal's merge counts once). Read-only; bounded by the caller's limits.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

/* The id of the blob at path in commit c: 0 found, 1 absent, -1 error. */
static int
blob_at(git_commit *c, const char *path, git_oid *out)
{
	git_tree	*t = NULL;
	git_tree_entry	*e = NULL;
	int		 rv;

	if (git_commit_tree(&t, c) != 0)
		return -1;
	rv = git_tree_entry_bypath(&e, t, path);
	if (rv == 0 && git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		git_oid_cpy(out, git_tree_entry_id(e));
	else
		rv = rv == GIT_ENOTFOUND || rv == 0 ? 1 : -1;
	git_tree_entry_free(e);
	git_tree_free(t);
	return rv;
}

/* Appends one version: the state of path at commit c. */
static void
version_add(struct store_version **v, size_t *n, git_commit *c, int state,
    const git_oid *blob)
{
	struct store_version *sv;

	*v = xreallocarray(*v, *n + 1, sizeof **v);
	sv = &(*v)[(*n)++];
	memset(sv, 0, sizeof *sv);
	git_oid_cpy(&sv->commit, git_commit_id(c));
	if (state == 0)
		git_oid_cpy(&sv->blob, blob);
	sv->removed = state != 0;
	sv->time = (int64_t)git_commit_time(c);
	sv->seq = store_message_seq(git_commit_message(c));
}

/* Walks nid's branch from its head, newest first, first parents only. */
static int
walk_start(git_repository *repo, const char *nid, git_revwalk **w)
{
	char	 ref[STORE_REF_MAX];

	store_branch_ref(nid, ref);
	if (git_revwalk_new(w, repo) != 0)
		return -1;
	/* No sorting: a topological one would read the whole branch first. */
	git_revwalk_sorting(*w, GIT_SORT_NONE);
	git_revwalk_simplify_first_parent(*w);
	if (git_revwalk_push_ref(*w, ref) != 0) {
		git_revwalk_free(*w);
		*w = NULL;
		return 1;
	}
	return 0;
}

int
store_history(git_repository *repo, const char *nid, const char *path,
    const git_oid *stop, size_t max, size_t walk, struct store_version **out,
    size_t *n, char **cause)
{
	git_revwalk	*w = NULL;
	git_commit	*c, *newer = NULL;
	git_oid		 id, blob, nblob;
	size_t		 seen = 0;
	int		 st, nst = 1, rv, end = 0;

	*out = NULL;
	*n = 0;
	if ((rv = walk_start(repo, nid, &w)) != 0)
		return rv < 0 ? set_cause(cause, "history: %s",
		    store_git_error()) : 0;
	while (!end && *n < max && seen++ < walk &&
	    git_revwalk_next(&id, w) == 0) {
		if (git_commit_lookup(&c, repo, &id) != 0 ||
		    (st = blob_at(c, path, &blob)) < 0) {
			git_commit_free(newer);
			git_revwalk_free(w);
			return set_cause(cause, "history: %s", store_git_error());
		}
		/* The newer commit changed path when its state differs from ours. */
		if (newer != NULL && (st != nst || (st == 0 &&
		    !git_oid_equal(&blob, &nblob))))
			version_add(out, n, newer, nst, &nblob);
		/* At stop, or where the file did not exist yet, the story ends. */
		end = (stop != NULL && git_oid_equal(&id, stop)) ||
		    (newer != NULL && nst == 0 && st == 1);
		git_commit_free(newer);
		newer = c;
		nst = st;
		git_oid_cpy(&nblob, &blob);
	}
	/* A root commit that holds the file created it. */
	if (!end && newer != NULL && *n < max && nst == 0 &&
	    git_commit_parentcount(newer) == 0)
		version_add(out, n, newer, nst, &nblob);
	git_commit_free(newer);
	git_revwalk_free(w);
	return 0;
}
