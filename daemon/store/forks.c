/*
 * forks.c — proofs of forks: a validly signed head of an origin branch that
 * does not descend from the held head is kept under
 * refs/namespaces/<nid>/refs/forks/<oid> (doc/DESIGN.md §6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

void
store_fork_ref(const char *nid, const git_oid *id, char *out)
{
	char	 hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof hex, id);
	snprintf(out, STORE_REF_MAX, "refs/namespaces/%s/refs/forks/%s", nid, hex);
}

int
store_fork_add(struct store *st, const char *nid, const git_oid *id)
{
	git_reference	*r = NULL;
	char		 ref[STORE_REF_MAX];
	int		 rv;

	store_fork_ref(nid, id, ref);
	rv = git_reference_create(&r, store_repo(st), ref, id, 0, "knowd: fork");
	git_reference_free(r);
	if (rv == 0)
		branches_fork_count(st, nid, 1);
	return rv == 0 || rv == GIT_EEXISTS ? 0 : -1;
}

struct forks_ctx {
	const char	 *nid;
	git_oid		 *ids;
	char		(*nids)[KEYS_NID_MAX];
	size_t		  n;
};

/* Collects one fork ref (of ctx->nid, or of any node). */
static int
forks_cb(const char *name, void *arg)
{
	static const char pre[] = "refs/namespaces/";
	struct forks_ctx *fc = arg;
	const char	*mid, *hex;
	size_t		 nlen;

	if (strncmp(name, pre, sizeof pre - 1) != 0 ||
	    (mid = strstr(name, "/refs/forks/")) == NULL)
		return 0;
	nlen = (size_t)(mid - name) - (sizeof pre - 1);
	hex = mid + strlen("/refs/forks/");
	if (nlen >= KEYS_NID_MAX || strlen(hex) != GIT_OID_HEXSZ ||
	    (fc->nid != NULL && (strlen(fc->nid) != nlen ||
	    strncmp(fc->nid, name + sizeof pre - 1, nlen) != 0)))
		return 0;
	fc->ids = xreallocarray(fc->ids, fc->n + 1, sizeof *fc->ids);
	fc->nids = xreallocarray(fc->nids, fc->n + 1, sizeof *fc->nids);
	if (git_oid_fromstr(&fc->ids[fc->n], hex) != 0)
		return 0;
	snprintf(fc->nids[fc->n], KEYS_NID_MAX, "%.*s", (int)nlen,
	    name + sizeof pre - 1);
	fc->n++;
	return 0;
}

int
store_forks(struct store *st, const char *nid, git_oid **out,
    char (**nids)[KEYS_NID_MAX], size_t *n)
{
	struct forks_ctx fc = { nid, NULL, NULL, 0 };
	char		 glob[STORE_REF_MAX];

	/* The table knows whether there are any: most of the time none. */
	if (store_nforks(st, nid) == 0) {
		*out = NULL;
		if (nids != NULL)
			*nids = NULL;
		*n = 0;
		return 0;
	}
	snprintf(glob, sizeof glob, "refs/namespaces/%s/refs/forks/*",
	    nid != NULL ? nid : "*");
	if (git_reference_foreach_glob(store_repo(st), glob, forks_cb,
	    &fc) != 0) {
		free(fc.ids);
		free(fc.nids);
		return -1;
	}
	*out = fc.ids;
	if (nids != NULL)
		*nids = fc.nids;
	else
		free(fc.nids);
	*n = fc.n;
	return 0;
}

void
store_forks_settle(struct store *st, const char *nid, const git_oid *head)
{
	git_oid		*ids;
	char		 ref[STORE_REF_MAX];
	size_t		 n, i;

	if (store_forks(st, nid, &ids, NULL, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (!git_oid_equal(head, &ids[i]) &&
		    git_graph_descendant_of(store_repo(st), head, &ids[i]) != 1)
			continue;
		store_fork_ref(nid, &ids[i], ref);
		if (git_reference_remove(store_repo(st), ref) == 0)
			branches_fork_count(st, nid, -1);
	}
	free(ids);
}
