/*
 * hmap.c — a hash map from byte strings to pointers: open addressing with
 * linear probing, deletion by backward shift (no tombstones), grown at 3/4
 * full. Keys are hashed with SipHash (libsodium's crypto_shorthash) under a
 * random key per map, so keys a peer chooses cannot be made to collide.
 * The map keeps pointers to the keys, not copies: a key must live as long
 * as its entry (usually it is a member of the value).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

struct hmap_slot {
	const void	*key;		/* NULL: empty */
	size_t		 len;
	uint64_t	 hash;
	void		*value;
};

struct hmap {
	struct hmap_slot *v;
	size_t		  cap;		/* a power of two */
	size_t		  n;
	uint8_t		  sipkey[crypto_shorthash_KEYBYTES];
};

/* The keyed hash of a key. */
static uint64_t
hmap_hash(const struct hmap *m, const void *key, size_t len)
{
	uint8_t		 out[crypto_shorthash_BYTES];
	uint64_t	 h;

	crypto_shorthash(out, key, len, m->sipkey);
	memcpy(&h, out, sizeof h);
	return h;
}

struct hmap *
hmap_new(void)
{
	struct hmap	*m = xcalloc(1, sizeof *m);

	m->cap = 16;
	m->v = xcalloc(m->cap, sizeof *m->v);
	randombytes_buf(m->sipkey, sizeof m->sipkey);
	return m;
}

void
hmap_free(struct hmap *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t
hmap_find(const struct hmap *m, const void *key, size_t len, uint64_t h)
{
	size_t	 i = (size_t)h & (m->cap - 1);

	while (m->v[i].key != NULL && (m->v[i].hash != h ||
	    m->v[i].len != len || memcmp(m->v[i].key, key, len) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Doubles the table and puts every entry into its new place. */
static void
hmap_grow(struct hmap *m)
{
	struct hmap_slot *old = m->v;
	size_t		  oldcap = m->cap, i, j;

	m->cap *= 2;
	m->v = xcalloc(m->cap, sizeof *m->v);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		j = (size_t)old[i].hash & (m->cap - 1);
		while (m->v[j].key != NULL)
			j = (j + 1) & (m->cap - 1);
		m->v[j] = old[i];
	}
	free(old);
}

void *
hmap_get(const struct hmap *m, const void *key, size_t len)
{
	size_t	 i;

	if (m == NULL)
		return NULL;
	i = hmap_find(m, key, len, hmap_hash(m, key, len));
	return m->v[i].key != NULL ? m->v[i].value : NULL;
}

void *
hmap_gets(const struct hmap *m, const char *key)
{
	return hmap_get(m, key, strlen(key));
}

void
hmap_put(struct hmap *m, const void *key, size_t len, void *value)
{
	uint64_t h;
	size_t	 i;

	if ((m->n + 1) * 4 > m->cap * 3)
		hmap_grow(m);
	h = hmap_hash(m, key, len);
	i = hmap_find(m, key, len, h);
	if (m->v[i].key == NULL)
		m->n++;
	m->v[i].key = key;
	m->v[i].len = len;
	m->v[i].hash = h;
	m->v[i].value = value;
}

void *
hmap_del(struct hmap *m, const void *key, size_t len)
{
	size_t	 i, j, home;
	void	*value;

	if (m == NULL)
		return NULL;
	i = hmap_find(m, key, len, hmap_hash(m, key, len));
	if (m->v[i].key == NULL)
		return NULL;
	value = m->v[i].value;
	m->n--;
	/* Backward shift: move up later entries whose probe passed through i. */
	for (j = (i + 1) & (m->cap - 1); m->v[j].key != NULL;
	    j = (j + 1) & (m->cap - 1)) {
		home = (size_t)m->v[j].hash & (m->cap - 1);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->v[i] = m->v[j];
			i = j;
		}
	}
	m->v[i].key = NULL;
	return value;
}

size_t
hmap_count(const struct hmap *m)
{
	return m != NULL ? m->n : 0;
}

void *
hmap_next(const struct hmap *m, size_t *it)
{
	while (m != NULL && *it < m->cap) {
		if (m->v[*it].key != NULL)
			return m->v[(*it)++].value;
		(*it)++;
	}
	return NULL;
}
