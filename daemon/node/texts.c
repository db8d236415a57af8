/*
 * texts.c — our own lessons and projects by their text, so that a new
 * record equal to one already published is refused with that one's id
 * (the same file published twice). The text is the canonical record
 * without id, created and modified; its key is its git blob hash.
 *
 * The map is built from our branch's records the first time it is asked
 * (reading our own blobs once, never other nodes'), kept by each publish,
 * and built again only when our branch moved by other means (a recovery,
 * a heal): it remembers the seq it is good for. An entry whose record
 * changed or left since is seen by its blob and ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "util.h"

struct text_entry {
	git_oid	 key;			/* the map's key */
	char	 id[RECORD_ID_LEN + 1];
	git_oid	 blob;			/* of the record when it was noted */
};

struct node_texts {
	struct hmap	*by_key;	/* text key → struct text_entry */
	uint64_t	 seq;		/* our branch's seq the map is good for */
};

/* The key of r's text: the blob hash of r written without id and dates. */
static int
text_key(const struct record *r, git_oid *key)
{
	struct record	 t = *r;
	char		*text;
	size_t		 len;
	int		 rv = -1;

	t.id = t.created = t.modified = NULL;
	if (record_write(&t, &text, &len) != 0)
		return -1;
	if (git_odb_hash(key, text, len, GIT_OBJECT_BLOB) == 0)
		rv = 0;
	free(text);
	return rv;
}

/* Notes r (its blob is blob) under its text key. */
static void
texts_put(struct node_texts *tx, const struct record *r, const git_oid *blob)
{
	struct text_entry	*te;
	git_oid			 key;

	if (r->id == NULL || strlen(r->id) != RECORD_ID_LEN ||
	    text_key(r, &key) != 0)
		return;
	if ((te = hmap_get(tx->by_key, &key, sizeof key)) == NULL) {
		te = xcalloc(1, sizeof *te);
		te->key = key;
		hmap_put(tx->by_key, &te->key, sizeof te->key, te);
	}
	memcpy(te->id, r->id, sizeof te->id);
	te->blob = *blob;
}

/* Frees every entry and the map. */
static void
texts_clear(struct node_texts *tx)
{
	struct text_entry	*te;
	size_t			 it = 0;

	if (tx->by_key == NULL)
		return;
	while ((te = hmap_next(tx->by_key, &it)) != NULL)
		free(te);
	hmap_free(tx->by_key);
	tx->by_key = NULL;
}

/* Reads our lessons and projects into the map (once, and after a foreign move of our branch). */
static void
texts_build(struct node *nd, struct node_texts *tx, uint64_t seq)
{
	const struct catalog_entry *e = NULL;
	git_blob	*blob;
	struct record	*r;
	size_t		 n = 0;

	texts_clear(tx);
	tx->by_key = hmap_new();
	while ((e = catalog_next_of(&nd->cat, nd->nid, e)) != NULL) {
		if (e->kind != RECORD_LESSON && e->kind != RECORD_PROJECT)
			continue;
		if (git_blob_lookup(&blob, store_repo(nd->store), &e->blob) != 0)
			continue;
		if (record_parse(git_blob_rawcontent(blob),
		    (size_t)git_blob_rawsize(blob), RECORD_STRICT, &r, NULL) == 0) {
			texts_put(tx, r, &e->blob);
			record_free(r);
			n++;
		}
		git_blob_free(blob);
	}
	tx->seq = seq;
	log_debug("texts: %zu records of ours by text (seq %llu)", n,
	    (unsigned long long)seq);
}

const char *
node_texts_find(struct node *nd, const struct record *r)
{
	struct node_texts	*tx;
	const struct text_entry	*te;
	const struct catalog_entry *e;
	git_oid			 key, head;
	uint64_t		 seq = 0;

	if (nd->texts == NULL)
		nd->texts = xcalloc(1, sizeof *nd->texts);
	tx = nd->texts;
	if (store_head(nd->store, nd->nid, &head, &seq) != 0)
		return NULL;
	if (tx->by_key == NULL || tx->seq != seq)
		texts_build(nd, tx, seq);
	if (text_key(r, &key) != 0 ||
	    (te = hmap_get(tx->by_key, &key, sizeof key)) == NULL)
		return NULL;
	/* Still that record, with that text? */
	e = catalog_find(&nd->cat, te->id, nd->nid, NULL);
	if (e == NULL || git_oid_cmp(&e->blob, &te->blob) != 0)
		return NULL;
	return te->id;
}

void
node_texts_add(struct node *nd, const struct record *r, uint64_t seq)
{
	struct node_texts	*tx = nd->texts;
	git_oid			 blob;
	char			*text;
	size_t			 len;

	if (tx == NULL || tx->by_key == NULL)
		return;			/* built when first asked */
	if (tx->seq + 1 != seq || record_write(r, &text, &len) != 0) {
		tx->seq = 0;		/* build again */
		return;
	}
	if (git_odb_hash(&blob, text, len, GIT_OBJECT_BLOB) == 0)
		texts_put(tx, r, &blob);
	free(text);
	tx->seq = seq;
}

void
node_texts_free(struct node *nd)
{
	if (nd->texts == NULL)
		return;
	texts_clear(nd->texts);
	free(nd->texts);
	nd->texts = NULL;
}
