/*
 * packw.c — the packs served to peers. The objects of the wanted commits
 * that the asker's haves do not hold are listed (erased blobs left out,
 * PROTOCOL.md §3.6) and each is written whole: no delta search, zlib at its
 * fastest level, the SHA-1 trailer from nettle. libgit2's packbuilder
 * computes every delta anew for each pack, which made it the slowest step
 * of a mirror's sync; the records are small texts that deltify little, and
 * the asker's upkeep repacks with deltas anyway (upkeep.c).
 */
#include <nettle/sha1.h>
#include <zlib.h>

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"
#include "util.h"

#define PACKW_MAX_DEPTH	16	/* tree nesting followed */
#define PACKW_OIDS	1024	/* oids per block of the seen set */

/* A block of oids met so far: their addresses stay put (hmap keys). */
struct packw_block {
	struct packw_block	*next;
	size_t			 n;
	git_oid			 id[PACKW_OIDS];
};

struct packw {
	git_repository		*repo;
	git_odb			*odb;
	struct hmap		*seen;		/* raw oid → its git_oid */
	struct packw_block	*blocks;
	const git_oid		**list;		/* what goes into the pack, in order */
	size_t			 n, cap;
};

/* The oid's copy in w's seen set when met first, else NULL. */
static const git_oid *
packw_first(struct packw *w, const git_oid *id)
{
	struct packw_block *b = w->blocks;
	git_oid		*k;

	if (hmap_get(w->seen, id->id, GIT_OID_RAWSZ) != NULL)
		return NULL;
	if (b == NULL || b->n == PACKW_OIDS) {
		b = xcalloc(1, sizeof *b);
		b->next = w->blocks;
		w->blocks = b;
	}
	k = &b->id[b->n++];
	git_oid_cpy(k, id);
	hmap_put(w->seen, k->id, GIT_OID_RAWSZ, k);
	return k;
}

/* Appends id (met first) to the pack's list. */
static void
packw_take(struct packw *w, const git_oid *k)
{
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 1024 : w->cap * 2;
		w->list = xreallocarray(w->list, w->cap, sizeof *w->list);
	}
	w->list[w->n++] = k;
}

/* Lists tree id and what is below it not met yet (mark only: the asker has them). */
static int
packw_tree(struct packw *w, const git_oid *id, int mark, int depth,
    char **cause)
{
	const git_tree_entry *te;
	const git_oid	*k, *eid;
	git_tree	*t;
	size_t		 i;
	int		 rv = 0;

	if (depth > PACKW_MAX_DEPTH || (k = packw_first(w, id)) == NULL)
		return 0;
	if (!mark)
		packw_take(w, k);
	if (git_tree_lookup(&t, w->repo, id) != 0)
		return set_cause(cause, "%s", store_git_error());
	for (i = 0; i < git_tree_entrycount(t) && rv == 0; i++) {
		te = git_tree_entry_byindex(t, i);
		eid = git_tree_entry_id(te);
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE)
			rv = packw_tree(w, eid, mark, depth + 1, cause);
		else if ((k = packw_first(w, eid)) == NULL || mark)
			continue;
		else if (store_erased_count() > 0 && store_erased(eid) &&
		    !git_odb_exists(w->odb, eid))
			continue;	/* erased: never served */
		else
			packw_take(w, k);
	}
	git_tree_free(t);
	return rv;
}

/* Lists the walk's commits and their new trees and blobs, commit by commit. */
static int
packw_list(struct packw *w, git_revwalk *rw, const git_oid *haves,
    size_t nhaves, char **cause)
{
	git_commit	*c;
	const git_oid	*k;
	git_oid		 id;
	size_t		 i;
	int		 rv;

	/* What the asker has is not sent: the trees of its haves, marked. */
	for (i = 0; i < nhaves; i++) {
		if (git_commit_lookup(&c, w->repo, &haves[i]) != 0)
			continue;
		rv = packw_tree(w, git_commit_tree_id(c), 1, 0, cause);
		git_commit_free(c);
		if (rv != 0)
			return -1;
	}
	while (git_revwalk_next(&id, rw) == 0) {
		if ((k = packw_first(w, &id)) == NULL)
			continue;
		packw_take(w, k);
		if (git_commit_lookup(&c, w->repo, &id) != 0)
			return set_cause(cause, "%s", store_git_error());
		rv = packw_tree(w, git_commit_tree_id(c), 0, 0, cause);
		git_commit_free(c);
		if (rv != 0)
			return -1;
		if (w->n > PACK_MAX_OBJECTS)
			return set_cause(cause, "pack of more than %u objects",
			    PACK_MAX_OBJECTS);
	}
	return 0;
}

/* Appends the pack entry header: type and size, seven bits at a time. */
static void
packw_header(struct buf *b, git_object_t type, size_t size)
{
	uint8_t	 h[16];
	size_t	 n = 0;

	h[n] = (uint8_t)((type << 4) | (size & 15));
	for (size >>= 4; size != 0; size >>= 7) {
		h[n++] |= 0x80;
		h[n] = size & 0x7f;
	}
	buf_add(b, h, n + 1);
}

/* Appends one object, whole and deflated, to the pack in b. */
static int
packw_object(struct packw *w, z_stream *z, struct buf *b, const git_oid *id,
    char **cause)
{
	git_odb_object	*o;
	size_t		 len, bound;
	int		 rv = 0;

	if (git_odb_read(&o, w->odb, id) != 0)
		return set_cause(cause, "%s", store_git_error());
	len = git_odb_object_size(o);
	packw_header(b, git_odb_object_type(o), len);
	bound = deflateBound(z, len);
	buf_reserve(b, bound);
	deflateReset(z);
	z->next_in = (Bytef *)git_odb_object_data(o);
	z->avail_in = len;
	z->next_out = b->data + b->len;
	z->avail_out = bound;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		rv = set_cause(cause, "cannot compress an object");
	else
		b->len += bound - z->avail_out;
	git_odb_object_free(o);
	return rv;
}

/* Writes the listed objects as a version 2 pack into out (PACKW_FULL: over max bytes). */
static int
packw_write(struct packw *w, struct buf *out, size_t max, char **cause)
{
	struct sha1_ctx	 sha;
	uint8_t		 digest[SHA1_DIGEST_SIZE];
	z_stream	 z;
	size_t		 i;
	int		 rv = 0;

	memset(&z, 0, sizeof z);
	if (deflateInit(&z, Z_BEST_SPEED) != Z_OK)
		return set_cause(cause, "cannot start compressing");
	buf_add(out, "PACK", 4);
	buf_add_be32(out, 2);
	buf_add_be32(out, (uint32_t)w->n);
	for (i = 0; i < w->n && rv == 0; i++) {
		rv = packw_object(w, &z, out, w->list[i], cause);
		if (rv == 0 && out->len > max)
			rv = PACKW_FULL;
	}
	deflateEnd(&z);
	if (rv != 0)
		return rv;
	sha1_init(&sha);
	sha1_update(&sha, out->len, out->data);
	sha1_digest(&sha, sizeof digest, digest);
	buf_add(out, digest, sizeof digest);
	return 0;
}

/* Lists into w what the walk brings beyond the haves (packw_free frees). */
static int
packw_open(struct packw *w, git_repository *repo, git_revwalk *rw,
    const git_oid *haves, size_t nhaves, char **cause)
{
	memset(w, 0, sizeof *w);
	w->repo = repo;
	w->seen = hmap_new();
	if (git_repository_odb(&w->odb, repo) != 0)
		return set_cause(cause, "%s", store_git_error());
	return packw_list(w, rw, haves, nhaves, cause);
}

/* Frees what packw_open made. */
static void
packw_free(struct packw *w)
{
	struct packw_block *b;

	while ((b = w->blocks) != NULL) {
		w->blocks = b->next;
		free(b);
	}
	hmap_free(w->seen);
	free(w->list);
	git_odb_free(w->odb);
}

int
packw_build(git_repository *repo, git_revwalk *rw, const git_oid *haves,
    size_t nhaves, size_t max, struct buf *out, char **cause)
{
	struct packw	 w;
	int		 rv = -1;

	if (packw_open(&w, repo, rw, haves, nhaves, cause) == 0)
		rv = packw_write(&w, out, max, cause);
	packw_free(&w);
	return rv;
}

int
packw_insert(git_packbuilder *pb, git_repository *repo, git_revwalk *rw,
    char **cause)
{
	struct packw	 w;
	size_t		 i;
	int		 rv = -1;

	if (packw_open(&w, repo, rw, NULL, 0, cause) == 0) {
		for (i = 0; i < w.n; i++)
			if (git_packbuilder_insert(pb, w.list[i], NULL) != 0)
				break;
		rv = i == w.n ? 0 : set_cause(cause, "%s", store_git_error());
	}
	packw_free(&w);
	return rv;
}
