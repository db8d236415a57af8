/*
 * branches.c — the table of origin branches held: nid → head, seq, tree and
 * fork proofs, in a hash map. It is read from the refs once, when the store
 * opens, and then follows every ref the store moves, so that nothing on the
 * event loop walks all refs to learn one head (doc/DESIGN.md §3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

#define PREFIX		"refs/namespaces/"
#define HEAD_SUFFIX	"/refs/heads/main"
#define FORK_INFIX	"/refs/forks/"

/* The nid of a ref name "refs/namespaces/<nid><rest>", into nid; its end, or NULL. */
static const char *
ref_nid(const char *name, char *nid)
{
	const char	*p, *e;

	if (strncmp(name, PREFIX, sizeof PREFIX - 1) != 0)
		return NULL;
	p = name + sizeof PREFIX - 1;
	if ((e = strchr(p, '/')) == NULL || e == p ||
	    (size_t)(e - p) >= KEYS_NID_MAX)
		return NULL;
	memcpy(nid, p, (size_t)(e - p));
	nid[e - p] = '\0';
	return e;
}

/* The entry of nid, made empty when there is none. */
static struct store_branch *
branch_get(struct store *st, const char *nid)
{
	struct store_branch *b = hmap_gets(st->branches, nid);

	if (b != NULL)
		return b;
	b = xcalloc(1, sizeof *b);
	snprintf(b->nid, sizeof b->nid, "%s", nid);
	keys_did_decode(nid, b->pk, NULL);
	hmap_put(st->branches, b->nid, strlen(b->nid), b);
	return b;
}

int
branches_set(struct store *st, const char *nid, const git_oid *head)
{
	struct store_branch *b;
	git_commit	*c;

	if (git_commit_lookup(&c, st->repo, head) != 0)
		return -1;
	b = branch_get(st, nid);
	git_oid_cpy(&b->head, head);
	git_oid_cpy(&b->tree, git_commit_tree_id(c));
	b->seq = store_message_seq(git_commit_message(c));
	b->held = 1;
	git_commit_free(c);
	st->moves++;
	return 0;
}

void
branches_forget(struct store *st, const char *nid)
{
	struct store_branch *b = hmap_gets(st->branches, nid);

	if (b == NULL)
		return;
	b->held = 0;
	if (b->forks == 0)
		free(hmap_del(st->branches, b->nid, strlen(b->nid)));
}

void
branches_fork_count(struct store *st, const char *nid, int delta)
{
	struct store_branch *b = branch_get(st, nid);

	if (delta < 0 && b->forks == 0)
		return;
	b->forks += delta;
	st->nforks += delta;
	if (!b->held && b->forks == 0)
		free(hmap_del(st->branches, b->nid, strlen(b->nid)));
}

/* Reads one ref into the table: a branch head or a fork proof. */
static int
load_cb(git_reference *r, void *arg)
{
	struct store	*st = arg;
	const char	*rest, *name = git_reference_name(r);
	char		 nid[KEYS_NID_MAX];
	int		 rv = 0;

	if (git_reference_type(r) == GIT_REFERENCE_DIRECT &&
	    (rest = ref_nid(name, nid)) != NULL) {
		if (strcmp(rest, HEAD_SUFFIX) == 0)
			rv = branches_set(st, nid, git_reference_target(r));
		else if (strncmp(rest, FORK_INFIX, sizeof FORK_INFIX - 1) == 0)
			branches_fork_count(st, nid, 1);
	}
	git_reference_free(r);
	return rv;
}

int
branches_load(struct store *st, char **cause)
{
	git_reference_iterator *it = NULL;
	git_reference	*r;
	int		 rv;

	st->branches = hmap_new();
	if (git_reference_iterator_glob_new(&it, st->repo, PREFIX "*") != 0)
		return set_cause(cause, "refs: %s", store_git_error());
	while ((rv = git_reference_next(&r, it)) == 0)
		if (load_cb(r, st) != 0) {
			rv = -1;
			break;
		}
	git_reference_iterator_free(it);
	st->moves = 0;
	if (rv != GIT_ITEROVER)
		return set_cause(cause, "refs: %s", store_git_error());
	return 0;
}

int
store_refresh(struct store *st, char **cause)
{
	branches_free(st);
	st->nforks = 0;
	return branches_load(st, cause);
}

void
branches_free(struct store *st)
{
	struct store_branch *b;
	size_t		 it = 0;

	if (st->branches == NULL)
		return;
	while ((b = hmap_next(st->branches, &it)) != NULL)
		free(b);
	hmap_free(st->branches);
	st->branches = NULL;
}

const struct store_branch *
store_branch(struct store *st, const char *nid)
{
	struct store_branch *b = hmap_gets(st->branches, nid);

	return b != NULL && b->held ? b : NULL;
}

const struct store_branch *
store_branch_next(struct store *st, size_t *it)
{
	struct store_branch *b;

	while ((b = hmap_next(st->branches, it)) != NULL)
		if (b->held)
			return b;
	return NULL;
}

size_t
store_nbranches(struct store *st)
{
	const struct store_branch *b;
	size_t		 it = 0, n = 0;

	while ((b = store_branch_next(st, &it)) != NULL)
		n++;
	return n;
}

int
store_head(struct store *st, const char *nid, git_oid *head, uint64_t *seq)
{
	const struct store_branch *b = store_branch(st, nid);

	if (b == NULL)
		return 1;
	git_oid_cpy(head, &b->head);
	if (seq != NULL)
		*seq = b->seq;
	return 0;
}

/* qsort comparator for strings. */
static int
strptrcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
store_nids(struct store *st, char ***nids, size_t *n)
{
	const struct store_branch *b;
	char		**v;
	size_t		  it = 0, k = 0;

	v = xcalloc(hmap_count(st->branches) + 1, sizeof *v);
	while ((b = store_branch_next(st, &it)) != NULL)
		v[k++] = xstrdup(b->nid);
	if (k > 0)		/* qsort(NULL, 0, …) is undefined */
		qsort(v, k, sizeof *v, strptrcmp);
	*nids = v;
	*n = k;
	return 0;
}

void
store_nids_free(char **v, size_t n)
{
	strv_free(v, n);
}

size_t
store_nforks(struct store *st, const char *nid)
{
	struct store_branch *b;

	if (nid == NULL)
		return st->nforks;
	b = hmap_gets(st->branches, nid);
	return b != NULL ? b->forks : 0;
}
