/* verify.c — signature, sequence, ancestry and content checks of origin branch commits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "personal.h"
#include "record.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

struct verify_ctx {
	git_repository	*repo;
	const char	*nid;
	git_tree	*tree;		/* the commit's, while its changes are checked */
	git_commit	*parent;	/* and its parent (NULL at the root) */
	char		*cause;		/* first problem found in the diff */
	struct hmap	*erased;	/* blobs the head's notices name: may be missing */
	struct store_notices notices;	/* its keys, and what else they name */
};

/* Erased blobs found missing by this thread's verify_range (verify_erased_missing). */
static __thread size_t erased_missing;

size_t
verify_erased_missing(void)
{
	size_t	 n = erased_missing;

	erased_missing = 0;
	return n;
}

/* Written once by the loop before any worker starts, and at close after they stopped. */
static const struct catalog *id_catalog;

void
store_set_id_catalog(const struct catalog *cat)
{
	id_catalog = cat;
}

/* A record id a branch of the pack being verified brings. */
struct pack_id {
	char	 id[RECORD_ID_LEN + 1];
	char	 nid[KEYS_NID_MAX];
};

/* The ids the pack this thread verifies brings so far (verify_ids_begin), else NULL. */
static __thread struct hmap *pack_ids;

void
verify_ids_begin(void)
{
	verify_ids_end();
	pack_ids = hmap_new();
}

void
verify_ids_end(void)
{
	struct pack_id	*p;
	size_t		 it = 0;

	while ((p = hmap_next(pack_ids, &it)) != NULL)
		free(p);
	hmap_free(pack_ids);
	pack_ids = NULL;
}

/* A record verify_file parsed, by its blob id (verify_memo_begin). */
struct memo {
	git_oid		 blob;
	struct record	*r;
};

/*
 * This thread's memo between verify_memo_begin and verify_memo_end, else
 * NULL, and the record bytes it holds: at most VERIFY_MEMO_BYTES (a
 * hostile pack's records beyond are parsed again for the catalog).
 */
#define VERIFY_MEMO_BYTES	(16u * 1024 * 1024)
static __thread struct hmap *memo;
static __thread size_t memo_bytes;

void
verify_memo_begin(void)
{
	verify_memo_end();
	memo = hmap_new();
	memo_bytes = 0;
}

void
verify_memo_end(void)
{
	struct memo	*m;
	size_t		 it = 0;

	while ((m = hmap_next(memo, &it)) != NULL) {
		record_free(m->r);
		free(m);
	}
	hmap_free(memo);
	memo = NULL;
}

const struct record *
verify_memo_get(const git_oid *blob)
{
	struct memo	*m;

	if (memo == NULL || (m = hmap_get(memo, blob->id, GIT_OID_RAWSZ)) == NULL)
		return NULL;
	return m->r;
}

/* Keeps r (parsed from blob, size bytes) in the memo when there is one and room; 1 when it took r. */
static int
memo_keep(const git_oid *blob, size_t size, struct record *r)
{
	struct memo	*m;

	if (memo == NULL || memo_bytes + size > VERIFY_MEMO_BYTES ||
	    hmap_get(memo, blob->id, GIT_OID_RAWSZ) != NULL)
		return 0;
	memo_bytes += size;
	m = xcalloc(1, sizeof *m);
	git_oid_cpy(&m->blob, blob);
	m->r = r;
	hmap_put(memo, m->blob.id, GIT_OID_RAWSZ, m);
	return 1;
}

/* Notes id as nid's for this pack; 1 and holder filled when another branch of it brings id. */
static int
pack_id_taken(const char *id, const char *nid, char holder[KEYS_NID_MAX])
{
	struct pack_id	*p;

	if (pack_ids == NULL || strlen(id) > RECORD_ID_LEN)
		return 0;
	if ((p = hmap_gets(pack_ids, id)) != NULL) {
		if (strcmp(p->nid, nid) == 0)
			return 0;
		snprintf(holder, KEYS_NID_MAX, "%s", p->nid);
		return 1;
	}
	p = xcalloc(1, sizeof *p);
	snprintf(p->id, sizeof p->id, "%s", id);
	snprintf(p->nid, sizeof p->nid, "%s", nid);
	hmap_put(pack_ids, p->id, strlen(p->id), p);
	return 0;
}

/*
 * A lesson's or project's id (a ULID) must be its own in the network: no
 * other node may hold it (the catalog); a lesson's, not under another
 * project of this tree either.
 */
static int
verify_record_id(struct verify_ctx *vc, const struct record *r,
    const char *path)
{
	char		 holder[KEYS_NID_MAX], *other;
	git_tree_entry	*te;
	git_tree	*projects = NULL;
	size_t		 i;
	int		 rv = 0;

	if (id_catalog != NULL &&
	    catalog_id_holder(id_catalog, r->id, vc->nid, holder))
		return set_cause(&vc->cause, "%s: record id %s is already held "
		    "by node %s; record ids are unique in a network", path,
		    r->id, holder);
	if (pack_id_taken(r->id, vc->nid, holder))
		return set_cause(&vc->cause, "%s: record id %s is also brought "
		    "by node %s in this pack; record ids are unique in a "
		    "network", path, r->id, holder);
	if (r->kind != RECORD_LESSON ||
	    git_tree_entry_bypath(&te, vc->tree, "projects") != 0)
		return 0;
	if (git_tree_lookup(&projects, vc->repo, git_tree_entry_id(te)) != 0) {
		git_tree_entry_free(te);
		return 0;	/* verify_changes' own diff fails on it */
	}
	git_tree_entry_free(te);
	for (i = 0; i < git_tree_entrycount(projects) && rv == 0; i++) {
		const char *slug = git_tree_entry_name(
		    git_tree_entry_byindex(projects, i));

		if (strcmp(slug, r->project) == 0)
			continue;
		other = xasprintf("%s/lessons/%s.md", slug, r->id);
		if (git_tree_entry_bypath(&te, projects, other) == 0) {
			rv = set_cause(&vc->cause, "%s: record id %s is also at "
			    "projects/%s", path, r->id, other);
			git_tree_entry_free(te);
		}
		free(other);
	}
	git_tree_free(projects);
	return rv;
}

/* Checks one added or modified file: allowed path, a parsing record that belongs there. */
static int
verify_file(struct verify_ctx *vc, const git_diff_delta *d)
{
	const char	*path = d->new_file.path;
	git_blob	*b = NULL;
	git_odb		*odb = NULL;
	git_object_t	 type;
	size_t		 size;
	struct record	*r = NULL;
	char		*rpath = NULL, *why = NULL;
	int		 rv = -1;

	if (!record_path_allowed(path))
		return set_cause(&vc->cause, "%s: path not allowed", path);
	if (d->new_file.mode != GIT_FILEMODE_BLOB)
		return set_cause(&vc->cause, "%s: not a plain file", path);
	/* The size from the object header, before anything is loaded. */
	if (git_repository_odb(&odb, vc->repo) != 0 ||
	    git_odb_read_header(&size, &type, odb, &d->new_file.id) != 0) {
		git_odb_free(odb);
		/* Erased by a notice of the owner the head holds: a skeleton. */
		if (hmap_get(vc->erased, d->new_file.id.id, GIT_OID_RAWSZ)) {
			erased_missing++;
			return 0;
		}
		return set_cause(&vc->cause, "%s: blob missing", path);
	}
	git_odb_free(odb);
	if (size > RECORD_MAX_BYTES)
		return set_cause(&vc->cause, "%s: %zu bytes, larger than %d bytes", path,
		    size, RECORD_MAX_BYTES);
	if (git_blob_lookup(&b, vc->repo, &d->new_file.id) != 0)
		return set_cause(&vc->cause, "%s: blob missing", path);
	if (git_blob_rawsize(b) > RECORD_MAX_BYTES) {
		set_cause(&vc->cause, "%s: larger than %d bytes", path,
		    RECORD_MAX_BYTES);
		goto out;
	}
	if (record_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	    RECORD_STRICT, &r, &why) != 0) {
		set_cause(&vc->cause, "%s: %s", path, why);
		goto out;
	}
	rpath = record_path(r);
	if (strcmp(rpath, path) != 0)
		set_cause(&vc->cause, "%s: record belongs at %s", path, rpath);
	else if (r->kind == RECORD_NODE && strcmp(r->id, vc->nid) != 0)
		set_cause(&vc->cause, "%s: names another node", path);
	else if (r->kind == RECORD_ERASURE)
		rv = store_notice_check(vc->repo, r, vc->parent, &vc->cause);
	else if ((r->kind != RECORD_LESSON && r->kind != RECORD_PROJECT) ||
	    verify_record_id(vc, r, path) == 0)
		rv = 0;
out:
	free(why);
	free(rpath);
	if (rv != 0 || !memo_keep(&d->new_file.id, size, r))
		record_free(r);
	git_blob_free(b);
	return rv;
}

/* Checks one changed file; -1 at the first problem (in vc->cause). */
static int
verify_delta(struct verify_ctx *vc, const git_diff_delta *d)
{
	if (d->status != GIT_DELTA_ADDED &&
	    record_path_erasure(d->old_file.path)) {
		set_cause(&vc->cause, "%s: an erasure notice stays", d->old_file.path);
		return -1;
	}
	switch (d->status) {
	case GIT_DELTA_DELETED:
		if (strcmp(d->old_file.path, "node.md") == 0) {
			set_cause(&vc->cause, "node.md: removed");
			return -1;
		}
		return 0;
	case GIT_DELTA_ADDED:
	case GIT_DELTA_MODIFIED:
		return verify_file(vc, d) == 0 ? 0 : -1;
	default:
		set_cause(&vc->cause, "%s: unexpected change", d->new_file.path);
		return -1;
	}
}

/* Checks what a commit changed against its parent (or the empty tree). */
static int
verify_changes(struct verify_ctx *vc, git_commit *c, git_commit *parent,
    char **cause)
{
	git_tree	*old = NULL, *new = NULL;
	git_diff	*diff = NULL;
	size_t		 i;
	int		 rv = -1;

	if ((parent != NULL && git_commit_tree(&old, parent) != 0) ||
	    git_commit_tree(&new, c) != 0 ||
	    git_diff_tree_to_tree(&diff, vc->repo, old, new, NULL) != 0) {
		set_cause(cause, "%s", store_git_error());
		goto out;
	}
	vc->tree = new;
	vc->parent = parent;
	/*
	 * Not git_diff_foreach: it would load every changed blob (to tell
	 * binary from text) before we could check its size.
	 */
	for (i = 0; i < git_diff_num_deltas(diff); i++) {
		if (verify_delta(vc, git_diff_get_delta(diff, i)) != 0) {
			set_cause(cause, "%s", vc->cause != NULL ? vc->cause :
			    store_git_error());
			goto out;
		}
	}
	if (parent == NULL && git_tree_entry_byname(new, "node.md") == NULL) {
		set_cause(cause, "first commit has no node.md");
		goto out;
	}
	rv = 0;
out:
	vc->tree = NULL;
	vc->parent = NULL;
	free(vc->cause);
	vc->cause = NULL;
	git_diff_free(diff);
	git_tree_free(old);
	git_tree_free(new);
	return rv;
}

/* Checks the signature over a commit's signed bytes against nid's key. */
static int
verify_signature(struct verify_ctx *vc, const git_oid *id,
    const uint8_t pk[KEYS_PK_LEN], char **cause)
{
	git_buf	 sig = { 0 }, data = { 0 };
	char	*why = NULL;
	int	 r, rv = -1;

	r = git_commit_extract_signature(&sig, &data, vc->repo, (git_oid *)id,
	    "gpgsig");
	if (r == GIT_ENOTFOUND)
		return set_cause(cause, "not signed");
	if (r != 0)
		return set_cause(cause, "%s", store_git_error());
	if (keys_sshsig_verify(pk, "git", data.ptr, data.size, sig.ptr, sig.size,
	    &why) != 0)
		set_cause(cause, "bad signature: %s", why != NULL ? why : "?");
	else
		rv = 0;
	free(why);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rv;
}

/* A commit's parents as verification follows them. */
struct verify_parents {
	git_oid		 first;		/* zero at the root */
	git_oid		 second;	/* zero unless a merge that heals a fork */
	uint64_t	 second_seq;
	int		 merge;
};

/* Checks the parent count and, for a heal merge, that its first parent has the higher seq. */
static int
verify_parents(git_commit *c, uint64_t seq, git_commit **p1,
    struct verify_parents *vp, char **cause)
{
	git_commit	*p2 = NULL;
	unsigned int	 n = git_commit_parentcount(c);

	if (seq == 1 ? n != 0 : (n != 1 && n != 2))
		return set_cause(cause, "%u parents at %s %llu", n, STORE_SEQ_KEY,
		    (unsigned long long)seq);
	if (seq == 1)
		return 0;
	if (git_commit_parent(p1, c, 0) != 0)
		return set_cause(cause, "parent missing");
	git_oid_cpy(&vp->first, git_commit_id(*p1));
	if (n == 1)
		return 0;
	if (git_commit_parent(&p2, c, 1) != 0)
		return set_cause(cause, "second parent missing");
	vp->merge = 1;
	git_oid_cpy(&vp->second, git_commit_id(p2));
	vp->second_seq = store_message_seq(git_commit_message(p2));
	git_commit_free(p2);
	if (vp->second_seq == 0 || vp->second_seq > seq - 1)
		return set_cause(cause, "merge whose second parent has %s %llu, "
		    "not below %llu", STORE_SEQ_KEY,
		    (unsigned long long)vp->second_seq, (unsigned long long)seq);
	return 0;
}

/* Verifies one commit that should carry seq, and reports its parents. */
static int
verify_one(struct verify_ctx *vc, const git_oid *id, uint64_t seq,
    const uint8_t pk[KEYS_PK_LEN], struct verify_parents *vp, char **cause)
{
	git_commit	*c = NULL, *p = NULL;
	uint64_t	 got;
	int		 rv = -1;

	memset(vp, 0, sizeof *vp);
	if (git_commit_lookup(&c, vc->repo, id) != 0)
		return set_cause(cause, "missing");
	if (verify_signature(vc, id, pk, cause) != 0)
		goto out;
	if ((got = store_message_seq(git_commit_message(c))) != seq) {
		set_cause(cause, "%s %llu where %llu was expected", STORE_SEQ_KEY,
		    (unsigned long long)got, (unsigned long long)seq);
		goto out;
	}
	if (verify_parents(c, seq, &p, vp, cause) != 0)
		goto out;
	rv = verify_changes(vc, c, p, cause);
out:
	git_commit_free(p);
	git_commit_free(c);
	return rv;
}

/* Checks that the known head where a range ends carries the seq its child implies. */
static int
stop_seq(git_repository *repo, const git_oid *stop, uint64_t seq, char **cause)
{
	git_commit	*c;
	uint64_t	 got;

	if (git_commit_lookup(&c, repo, stop) != 0)
		return set_cause(cause, "known head missing");
	got = store_message_seq(git_commit_message(c));
	git_commit_free(c);
	if (got != seq)
		return set_cause(cause, "%s jumps from %llu to %llu", STORE_SEQ_KEY,
		    (unsigned long long)got, (unsigned long long)seq + 1);
	return 0;
}

#define VERIFY_MAX_MERGES	64	/* nested heal merges followed */

/*
 * Walks first parents from id (carrying seq) down to stop or the root. At a
 * heal merge the second parent's chain is verified too (recursively, to
 * stop if it lies there, else to the root). *reached is set when stop was met.
 */
static int
verify_chain(struct verify_ctx *vc, const uint8_t pk[KEYS_PK_LEN],
    git_oid id, uint64_t seq, const git_oid *stop, int depth, int *reached,
    uint64_t *count, char **cause)
{
	struct verify_parents	 vp;
	char			*why = NULL, hex[GIT_OID_HEXSZ + 1];
	int			 r2;

	for (;;) {
		if (stop != NULL && git_oid_equal(&id, stop)) {
			*reached = 1;
			return stop_seq(vc->repo, stop, seq, cause);
		}
		if (verify_one(vc, &id, seq, pk, &vp, &why) != 0) {
			git_oid_tostr(hex, sizeof hex, &id);
			set_cause(cause, "commit %s: %s", hex, why);
			free(why);
			return -1;
		}
		(*count)++;
		if (vp.merge) {
			if (depth >= VERIFY_MAX_MERGES)
				return set_cause(cause, "too many nested merges");
			r2 = 0;
			if (verify_chain(vc, pk, vp.second, vp.second_seq, stop,
			    depth + 1, &r2, count, cause) != 0)
				return -1;
			if (r2) {		/* the rest is new to us: to the root */
				*reached = 1;
				stop = NULL;
			}
		}
		if (seq-- == 1)
			return 0;
		id = vp.first;
	}
}

/* git_tree_walk callback: a blob the head's notices erase is still in its tree. */
static int
head_erased_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct verify_ctx *vc = arg;

	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB ||
	    !hmap_get(vc->erased, git_tree_entry_id(te)->id, GIT_OID_RAWSZ))
		return 0;
	set_cause(&vc->cause, "%s%s: its blob %s is erased by a notice but still "
	    "in the head", root, git_tree_entry_name(te),
	    git_oid_tostr_s(git_tree_entry_id(te)));
	return -1;
}

/*
 * The blobs the notices at head name (E): they may be missing in the
 * range, and the head's own tree may not hold one.
 */
static int
verify_erased_load(struct verify_ctx *vc, git_commit *head, char **cause)
{
	size_t		 i;

	if (store_notices_read(vc->repo, git_commit_tree_id(head), &vc->notices,
	    cause) != 0)
		return -1;
	if (vc->notices.n == 0)
		return 0;
	vc->erased = hmap_new();
	for (i = 0; i < vc->notices.n; i++)
		hmap_put(vc->erased, vc->notices.ids[i].id, GIT_OID_RAWSZ,
		    (void *)1);
	return 0;
}

/* The head's tree holds no erased blob (its records are read for catalog and index). */
static int
verify_head_clean(struct verify_ctx *vc, git_commit *head, char **cause)
{
	git_tree	*t;
	int		 rv = 0;

	if (vc->erased == NULL)
		return 0;
	if (git_commit_tree(&t, head) != 0)
		return set_cause(cause, "%s", store_git_error());
	if (git_tree_walk(t, GIT_TREEWALK_PRE, head_erased_cb, vc) != 0) {
		rv = set_cause(cause, "%s", vc->cause != NULL ? vc->cause :
		    store_git_error());
		free(vc->cause);
		vc->cause = NULL;
	}
	git_tree_free(t);
	return rv;
}

int
verify_range(git_repository *repo, const char *nid, const git_oid *head,
    const git_oid *stop, uint64_t *count, char **cause)
{
	struct verify_ctx vc = { .repo = repo, .nid = nid };
	uint8_t		 pk[KEYS_PK_LEN];
	git_commit	*c;
	uint64_t	 seq;
	char		*why = NULL;
	int		 reached = 0, rv = -1;

	*count = 0;
	if (keys_did_decode(nid, pk, &why) != 0) {
		set_cause(cause, "%s: %s", nid, why);
		free(why);
		return -1;
	}
	if (git_commit_lookup(&c, repo, head) != 0)
		return set_cause(cause, "head %s missing", git_oid_tostr_s(head));
	seq = store_message_seq(git_commit_message(c));
	if (seq == 0) {
		set_cause(cause, "head has no %s", STORE_SEQ_KEY);
		goto out;
	}
	if (verify_erased_load(&vc, c, cause) != 0 ||
	    verify_chain(&vc, pk, *head, seq, stop, 0, &reached, count,
	    cause) != 0 || verify_head_clean(&vc, c, cause) != 0)
		goto out;
	if (stop != NULL && !reached) {
		set_cause(cause, "does not descend from the known head %s",
		    git_oid_tostr_s(stop));
		goto out;
	}
	rv = 0;
out:
	hmap_free(vc.erased);
	store_notices_free(&vc.notices);
	git_commit_free(c);
	return rv;
}

/* What store_personal_scan carries through git_tree_walk. */
struct personal_scan {
	git_repository			*repo;
	const struct personal_allow	*al;
	char				*first;
	size_t				 n;
};

/* git_tree_walk callback: one record blob checked for personal data. */
static int
personal_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct personal_scan	*ps = arg;
	struct personal_hit	 hit;
	git_blob		*b;
	char			*path, *msg;

	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		return 0;
	path = xasprintf("%s%s", root, git_tree_entry_name(te));
	if (record_path_allowed(path) && !record_path_erasure(path) &&
	    git_blob_lookup(&b, ps->repo, git_tree_entry_id(te)) == 0) {
		if (git_blob_rawsize(b) <= RECORD_MAX_BYTES &&
		    personal_find(git_blob_rawcontent(b),
		    (size_t)git_blob_rawsize(b), ps->al, &hit) && ps->n++ == 0) {
			msg = personal_message(&hit);
			ps->first = xasprintf("%s: %s", path, msg);
			free(msg);
		}
		git_blob_free(b);
	}
	free(path);
	return 0;
}

size_t
store_personal_scan(git_repository *repo, const git_oid *head,
    const struct personal_allow *al, char **first)
{
	struct personal_scan	 ps = { repo, al, NULL, 0 };
	git_commit		*c;
	git_tree		*t;

	*first = NULL;
	if (git_commit_lookup(&c, repo, head) != 0)
		return 0;
	if (git_commit_tree(&t, c) == 0) {
		git_tree_walk(t, GIT_TREEWALK_PRE, personal_cb, &ps);
		git_tree_free(t);
	}
	git_commit_free(c);
	*first = ps.first;
	return ps.n;
}
