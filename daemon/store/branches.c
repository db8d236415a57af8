/*
 * branches.c — the table of origin branches held: nid → head, seq, tree and
 * fork proofs, in a hash map. It is read from the refs once, when the store
 * opens, and then follows every ref the store moves, so that nothing on the
 * event loop walks all refs to learn one head (doc/DESIGN.md §3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"
#include "util.h"

#define PREFIX		"refs/namespaces/"
#define HEAD_SUFFIX	"/refs/heads/main"
#define FORK_INFIX	"/refs/forks/"
#define CACHE_FILE	"knowd-heads"	/* in the repository: branches_load's cache */

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

/* What a head's commit says: its tree and seq (branches_load's cache). */
struct head_info {
	git_oid		 head, tree;
	uint64_t	 seq;
};

/* Sets nid's branch to head, whose tree and seq are known. */
static void
branch_put(struct store *st, const char *nid, const struct head_info *hi)
{
	struct store_branch *b = branch_get(st, nid);

	git_oid_cpy(&b->head, &hi->head);
	git_oid_cpy(&b->tree, &hi->tree);
	b->seq = hi->seq;
	b->held = 1;
}

int
branches_set(struct store *st, const char *nid, const git_oid *head)
{
	struct head_info hi;
	git_commit	*c;

	if (git_commit_lookup(&c, st->repo, head) != 0)
		return -1;
	git_oid_cpy(&hi.head, head);
	git_oid_cpy(&hi.tree, git_commit_tree_id(c));
	hi.seq = store_message_seq(git_commit_message(c));
	git_commit_free(c);
	branch_put(st, nid, &hi);
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

/*
 * The heads' cache, CACHE_FILE in the repository: "head tree seq" lines,
 * written when the store closes. A head's tree and seq never change, so an
 * entry is right whenever its head is a branch's; a missing or stale file
 * only means reading those commits.
 */
static struct hmap *
cache_read(struct store *st, struct head_info **pool)
{
	struct hmap	*m = hmap_new();
	char		*path, *text = NULL, *line, *next;
	char		 h[GIT_OID_HEXSZ + 1], t[GIT_OID_HEXSZ + 1];
	unsigned long long seq;
	size_t		 len, n = 0;

	*pool = NULL;
	path = xasprintf("%s/%s", st->path, CACHE_FILE);
	if (read_file(path, 64u * 1024 * 1024, &text, &len, NULL) == 0) {
		*pool = xcalloc(len / 80 + 1, sizeof **pool);
		for (line = text; line != NULL && n <= len / 80; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if (sscanf(line, "%40s %40s %llu", h, t, &seq) != 3 ||
			    git_oid_fromstr(&(*pool)[n].head, h) != 0 ||
			    git_oid_fromstr(&(*pool)[n].tree, t) != 0)
				continue;
			(*pool)[n].seq = seq;
			hmap_put(m, (*pool)[n].head.id, GIT_OID_RAWSZ, &(*pool)[n]);
			n++;
		}
	}
	free(text);
	free(path);
	return m;
}

/* Writes the heads' cache (at close). */
static void
cache_write(struct store *st)
{
	const struct store_branch *b;
	struct buf	 out;
	char		*path, h[GIT_OID_HEXSZ + 1], t[GIT_OID_HEXSZ + 1];
	size_t		 it = 0;

	buf_init(&out);
	while ((b = store_branch_next(st, &it)) != NULL) {
		git_oid_tostr(h, sizeof h, &b->head);
		git_oid_tostr(t, sizeof t, &b->tree);
		buf_printf(&out, "%s %s %llu\n", h, t,
		    (unsigned long long)b->seq);
	}
	path = xasprintf("%s/%s", st->path, CACHE_FILE);
	if (write_file_atomic(path, out.data != NULL ? out.data :
	    (const uint8_t *)"", out.len, 0644, NULL) != 0)
		unlink(path);
	free(path);
	buf_free(&out);
}

/* Reads one ref into the table: a branch head (from the cache when it knows it) or a fork proof. */
static int
load_ref(struct store *st, git_reference *r, struct hmap *cache)
{
	const struct head_info *hi;
	const char	*rest, *name = git_reference_name(r);
	char		 nid[KEYS_NID_MAX];

	if (git_reference_type(r) != GIT_REFERENCE_DIRECT ||
	    (rest = ref_nid(name, nid)) == NULL)
		return 0;
	if (strcmp(rest, HEAD_SUFFIX) == 0) {
		hi = hmap_get(cache, git_reference_target(r)->id, GIT_OID_RAWSZ);
		if (hi == NULL)
			return branches_set(st, nid, git_reference_target(r));
		branch_put(st, nid, hi);
	} else if (strncmp(rest, FORK_INFIX, sizeof FORK_INFIX - 1) == 0)
		branches_fork_count(st, nid, 1);
	return 0;
}

int
branches_load(struct store *st, char **cause)
{
	git_reference_iterator *it = NULL;
	git_reference	*r;
	struct head_info *pool;
	struct hmap	*cache = cache_read(st, &pool);
	int		 rv;

	st->branches = hmap_new();
	if (git_reference_iterator_glob_new(&it, st->repo, PREFIX "*") != 0) {
		rv = set_cause(cause, "refs: %s", store_git_error());
		goto out;
	}
	while ((rv = git_reference_next(&r, it)) == 0) {
		rv = load_ref(st, r, cache);
		git_reference_free(r);
		if (rv != 0)
			break;
	}
	git_reference_iterator_free(it);
	st->moves = 0;
	if (rv != GIT_ITEROVER)
		rv = set_cause(cause, "refs: %s", store_git_error());
	else
		rv = 0;
out:
	hmap_free(cache);
	free(pool);
	return rv;
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
	cache_write(st);
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
