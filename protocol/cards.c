/*
 * cards.c — the contact card set as it travels (CARDS, CARDSUM), its
 * signature and its contents' hashes, and expiry. PROTOCOL.md §2.6.
 *
 * Decoding pre-scans with mpcheck (API-NOTES: hostile headers), then checks
 * every element's type and size; a failure names the message and field.
 * A set is checked structurally here; cards_verify checks the signature
 * and every content held against its signed hash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "cards.h"
#include "mpcheck.h"
#include "wire.h"

/* Where a decoder is, for the error message. */
struct cdec {
	const char	 *msg;		/* "CARDS" */
	char		**cause;
};

/* Sets *cause to "MSG: what" and returns -1. */
static int __attribute__((format(printf, 2, 3)))
cfail(struct cdec *d, const char *fmt, ...)
{
	va_list	 ap;
	char	*what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	set_cause(d->cause, "%s: %s", d->msg, what);
	free(what);
	return -1;
}

/* Unpacks exactly one pre-scanned msgpack object from p[0..n). */
static int
cunpack(struct cdec *d, msgpack_unpacked *up, const uint8_t *p, size_t n,
    const char *what)
{
	size_t	 off = 0;

	if (mpcheck(p, n) == -1 || msgpack_unpack_next(up, (const char *)p, n,
	    &off) != MSGPACK_UNPACK_SUCCESS || off != n)
		return cfail(d, "%s is not one well-formed msgpack object", what);
	return 0;
}

/* Points *f at the elements of o, an array of exactly arity (or ≤ max when arity is 0). */
static int
carray(struct cdec *d, const msgpack_object *o, const char *what,
    uint32_t arity, uint32_t max, const msgpack_object **f, size_t *n)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return cfail(d, "%s is not an array", what);
	if (arity != 0 && o->via.array.size != arity)
		return cfail(d, "%s has %u fields, expected %u", what,
		    o->via.array.size, arity);
	if (arity == 0 && o->via.array.size > max)
		return cfail(d, "%s has %u entries, at most %u", what,
		    o->via.array.size, max);
	*f = o->via.array.ptr;
	if (n != NULL)
		*n = o->via.array.size;
	return 0;
}

/* Reads a uint. */
static int
cuint(struct cdec *d, const msgpack_object *o, const char *what, uint64_t *v)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return cfail(d, "%s is not an unsigned integer", what);
	*v = o->via.u64;
	return 0;
}

/* Points at a bin of min..max bytes (copied to out when out is non-NULL). */
static int
cbin(struct cdec *d, const msgpack_object *o, const char *what, size_t min,
    size_t max, uint8_t *out, const uint8_t **p, size_t *n)
{
	if (o->type != MSGPACK_OBJECT_BIN)
		return cfail(d, "%s is not bin", what);
	if (o->via.bin.size < min || o->via.bin.size > max)
		return cfail(d, "%s is %u bytes, expected %zu to %zu", what,
		    o->via.bin.size, min, max);
	if (out != NULL)
		memcpy(out, o->via.bin.ptr, o->via.bin.size);
	if (p != NULL)
		*p = (const uint8_t *)o->via.bin.ptr;
	if (n != NULL)
		*n = o->via.bin.size;
	return 0;
}

/* True when s[0..n) is UTF-8 text without control characters. */
static int
ctext_ok(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return utf8_valid(s, n);
}

/* Copies a text str of at most max bytes into out[max + 1]. */
static int
cstr(struct cdec *d, const msgpack_object *o, const char *what, size_t max,
    char *out)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return cfail(d, "%s is not a string", what);
	if (o->via.str.size > max)
		return cfail(d, "%s is %u bytes, at most %zu", what,
		    o->via.str.size, max);
	if (!ctext_ok(o->via.str.ptr, o->via.str.size))
		return cfail(d, "%s is not UTF-8 text without control "
		    "characters", what);
	memcpy(out, o->via.str.ptr, o->via.str.size);
	out[o->via.str.size] = '\0';
	return 0;
}

int
cards_target_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= CARDS_TARGET_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == n;
}

/* A consent date is YYYY-MM-DD, and present exactly when a name is. */
static int
consent_ok(const struct cards_card *c)
{
	const char	*s = c->consent;
	size_t		 i;

	if (c->name[0] == '\0')
		return s[0] == '\0';
	if (strlen(s) != CARDS_DATE_LEN || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < CARDS_DATE_LEN; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

/* Decodes a content [salt, role, unit, mailbox, phone, name, consent] into c. */
static int
content_decode(struct cdec *d, const uint8_t *p, size_t n,
    struct cards_card *c)
{
	msgpack_unpacked	 up;
	const msgpack_object	*f = NULL;
	uint8_t			 salt[CARDS_SALT_LEN];
	int			 rv = -1;

	msgpack_unpacked_init(&up);
	if (cunpack(d, &up, p, n, "content") == 0 &&
	    carray(d, &up.data, "content", 7, 0, &f, NULL) == 0 &&
	    cbin(d, &f[0], "salt", CARDS_SALT_LEN, CARDS_SALT_LEN, salt, NULL,
	    NULL) == 0 &&
	    cstr(d, &f[1], "role", CARDS_TEXT_MAX, c->role) == 0 &&
	    cstr(d, &f[2], "unit", CARDS_TEXT_MAX, c->unit) == 0 &&
	    cstr(d, &f[3], "mailbox", CARDS_TEXT_MAX, c->mailbox) == 0 &&
	    cstr(d, &f[4], "phone", CARDS_PHONE_MAX, c->phone) == 0 &&
	    cstr(d, &f[5], "name", CARDS_TEXT_MAX, c->name) == 0 &&
	    cstr(d, &f[6], "consent", CARDS_DATE_LEN, c->consent) == 0) {
		if (!consent_ok(c))
			cfail(d, "content: a name needs a consent date "
			    "YYYY-MM-DD, and a consent date a name");
		else
			rv = 0;
	}
	msgpack_unpacked_destroy(&up);
	return rv;
}

/* Decodes the signed body [pk, seq, time, [[target, date, hash]…]] into s. */
static int
body_decode(struct cdec *d, struct cards_set *s)
{
	msgpack_unpacked	 up;
	const msgpack_object	*f = NULL, *l = NULL, *g = NULL;
	size_t			 i, j;
	int			 rv = -1;

	msgpack_unpacked_init(&up);
	if (cunpack(d, &up, s->body, s->bodylen, "body") == -1 ||
	    carray(d, &up.data, "body", 4, 0, &f, NULL) == -1 ||
	    cbin(d, &f[0], "pk", KEYS_PK_LEN, KEYS_PK_LEN, s->pk, NULL,
	    NULL) == -1 ||
	    cuint(d, &f[1], "seq", &s->seq) == -1 ||
	    cuint(d, &f[2], "time", &s->time) == -1 ||
	    carray(d, &f[3], "cards", 0, CARDS_MAX, &l, &s->n) == -1)
		goto out;
	for (i = 0; i < s->n; i++) {
		struct cards_entry *e = &s->e[i];

		if (carray(d, &l[i], "card", 3, 0, &g, NULL) == -1 ||
		    cstr(d, &g[0], "target", CARDS_TARGET_MAX, e->target) == -1 ||
		    cuint(d, &g[1], "date", &e->date) == -1 ||
		    cbin(d, &g[2], "hash", CARDS_HASH_LEN, CARDS_HASH_LEN,
		    e->hash, NULL, NULL) == -1)
			goto out;
		if (!cards_target_ok(e->target)) {
			cfail(d, "cards[%zu].target is not a slug or id", i);
			goto out;
		}
		if (e->date > s->time) {
			cfail(d, "cards[%zu].date is after the set's time", i);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(s->e[j].target, e->target) == 0) {
				cfail(d, "cards[%zu].target repeats cards[%zu]",
				    i, j);
				goto out;
			}
	}
	rv = 0;
out:
	msgpack_unpacked_destroy(&up);
	return rv;
}

/* Reads the contents array: one bin per entry, empty when not held. */
static int
contents_decode(struct cdec *d, const msgpack_object *o, struct cards_set *s)
{
	const msgpack_object	*l = NULL;
	const uint8_t		*p = NULL;
	size_t			 n = 0, i;

	if (carray(d, o, "contents", 0, CARDS_MAX, &l, &n) == -1)
		return -1;
	if (n != s->n)
		return cfail(d, "contents has %zu entries, the body %zu cards",
		    n, s->n);
	for (i = 0; i < n; i++) {
		struct cards_entry *e = &s->e[i];

		if (cbin(d, &l[i], "contents[]", 0, CARDS_CONTENT_MAX, NULL, &p,
		    &e->rawlen) == -1)
			return -1;
		if ((e->has = e->rawlen > 0) == 0)
			continue;
		memcpy(e->raw, p, e->rawlen);
		if (content_decode(d, e->raw, e->rawlen, &e->c) == -1)
			return -1;
	}
	return 0;
}

int
cards_decode(const uint8_t *buf, size_t len, struct cards_set *s, char **cause)
{
	struct cdec		 d = { "CARDS", cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a = NULL;
	const uint8_t		*p = NULL;
	uint64_t		 type = 0;
	int			 rv = -1;

	memset(s, 0, sizeof *s);
	msgpack_unpacked_init(&up);
	if (len > WIRE_MSG_MAX) {
		cfail(&d, "message is %zu bytes, at most %d", len, WIRE_MSG_MAX);
		goto out;
	}
	if (cunpack(&d, &up, buf, len, "message") == -1 ||
	    carray(&d, &up.data, "message", 4, 0, &a, NULL) == -1 ||
	    cuint(&d, &a[0], "type", &type) == -1)
		goto out;
	if (type != WIRE_CARDS) {
		cfail(&d, "type is %llu, expected %d", (unsigned long long)type,
		    WIRE_CARDS);
		goto out;
	}
	if (cbin(&d, &a[1], "body", 1, CARDS_BODY_MAX, NULL, &p,
	    &s->bodylen) == -1 ||
	    cbin(&d, &a[2], "sig", KEYS_SIG_LEN, KEYS_SIG_LEN, s->sig, NULL,
	    NULL) == -1)
		goto out;
	memcpy(s->body, p, s->bodylen);
	if (body_decode(&d, s) == 0 && contents_decode(&d, &a[3], s) == 0)
		rv = 0;
out:
	msgpack_unpacked_destroy(&up);
	if (rv != 0)
		memset(s, 0, sizeof *s);
	return rv;
}

int
cards_sum_decode(const uint8_t *buf, size_t len, struct cards_sum *s,
    char **cause)
{
	struct cdec		 d = { "CARDSUM", cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a = NULL, *l = NULL, *g = NULL;
	uint64_t		 type = 0;
	size_t			 i;
	int			 rv = -1;

	memset(s, 0, sizeof *s);
	msgpack_unpacked_init(&up);
	if (len > WIRE_MSG_MAX ||
	    cunpack(&d, &up, buf, len, "message") == -1 ||
	    carray(&d, &up.data, "message", 5, 0, &a, NULL) == -1 ||
	    cuint(&d, &a[0], "type", &type) == -1 ||
	    cuint(&d, &a[1], "mode", &s->mode) == -1 ||
	    cuint(&d, &a[2], "count", &s->count) == -1 ||
	    cbin(&d, &a[3], "digest", 32, 32, s->digest, NULL, NULL) == -1 ||
	    carray(&d, &a[4], "sets", 0, CARDS_SUM_MAX, &l, &s->n) == -1)
		goto out;
	if (type != WIRE_CARDSUM || s->mode > CARDS_DIGEST_REPLY) {
		cfail(&d, "type %llu or mode %llu unknown",
		    (unsigned long long)type, (unsigned long long)s->mode);
		goto out;
	}
	for (i = 0; i < s->n; i++)
		if (carray(&d, &l[i], "set", 2, 0, &g, NULL) == -1 ||
		    cbin(&d, &g[0], "pk", KEYS_PK_LEN, KEYS_PK_LEN, s->e[i].pk,
		    NULL, NULL) == -1 ||
		    cuint(&d, &g[1], "seq", &s->e[i].seq) == -1)
			goto out;
	rv = 0;
out:
	msgpack_unpacked_destroy(&up);
	if (rv != 0)
		memset(s, 0, sizeof *s);
	return rv;
}

/* msgpack write callback appending to a struct buf. */
static int
cards_write_cb(void *data, const char *p, size_t n)
{
	buf_add(data, p, n);
	return 0;
}

/* Packs a bin or a str. */
static void
cpack(msgpack_packer *pk, int bin, const void *p, size_t n)
{
	if (bin) {
		msgpack_pack_bin(pk, n);
		msgpack_pack_bin_body(pk, p, n);
	} else {
		msgpack_pack_str(pk, n);
		msgpack_pack_str_body(pk, p, n);
	}
}

void
cards_entry_seal(struct cards_entry *e, const uint8_t *given)
{
	const char	*f[] = { e->c.role, e->c.unit, e->c.mailbox, e->c.phone,
			    e->c.name, e->c.consent };
	msgpack_packer	 pk;
	struct buf	 b;
	uint8_t		 salt[CARDS_SALT_LEN];
	size_t		 i;

	if (given != NULL)
		memcpy(salt, given, sizeof salt);
	else
		randombytes_buf(salt, sizeof salt);
	buf_init(&b);
	msgpack_packer_init(&pk, &b, cards_write_cb);
	msgpack_pack_array(&pk, 7);
	cpack(&pk, 1, salt, sizeof salt);
	for (i = 0; i < nitems(f); i++)
		cpack(&pk, 0, f[i], strlen(f[i]));
	if (b.len > CARDS_CONTENT_MAX)
		abort();	/* the field limits keep it under: a caller's bug */
	memcpy(e->raw, b.data, b.len);
	e->rawlen = b.len;
	e->has = 1;
	crypto_generichash(e->hash, CARDS_HASH_LEN, e->raw, e->rawlen, NULL, 0);
	buf_free(&b);
}

void
cards_sign(struct cards_set *s, const struct keys_pair *kp)
{
	msgpack_packer	 pk;
	struct buf	 b;
	uint8_t		*m;
	size_t		 i, clen = sizeof CARDS_CTX;

	memcpy(s->pk, kp->pk, KEYS_PK_LEN);
	buf_init(&b);
	msgpack_packer_init(&pk, &b, cards_write_cb);
	msgpack_pack_array(&pk, 4);
	cpack(&pk, 1, s->pk, KEYS_PK_LEN);
	msgpack_pack_uint64(&pk, s->seq);
	msgpack_pack_uint64(&pk, s->time);
	msgpack_pack_array(&pk, s->n);
	for (i = 0; i < s->n; i++) {
		msgpack_pack_array(&pk, 3);
		cpack(&pk, 0, s->e[i].target, strlen(s->e[i].target));
		msgpack_pack_uint64(&pk, s->e[i].date);
		cpack(&pk, 1, s->e[i].hash, CARDS_HASH_LEN);
	}
	if (b.len > CARDS_BODY_MAX)
		abort();	/* CARDS_MAX entries fit: a caller's bug */
	memcpy(s->body, b.data, b.len);
	s->bodylen = b.len;
	m = xmalloc(clen + b.len);
	memcpy(m, CARDS_CTX, clen);
	memcpy(m + clen, b.data, b.len);
	crypto_sign_detached(s->sig, NULL, m, clen + b.len, kp->sk);
	free(m);
	buf_free(&b);
}

int
cards_verify(const struct cards_set *s)
{
	uint8_t		*m, h[CARDS_HASH_LEN];
	size_t		 i, clen = sizeof CARDS_CTX;
	int		 rv;

	m = xmalloc(clen + s->bodylen);
	memcpy(m, CARDS_CTX, clen);
	memcpy(m + clen, s->body, s->bodylen);
	rv = crypto_sign_verify_detached(s->sig, m, clen + s->bodylen, s->pk);
	free(m);
	if (rv != 0)
		return -1;
	for (i = 0; i < s->n; i++) {
		if (!s->e[i].has)
			continue;
		crypto_generichash(h, sizeof h, s->e[i].raw, s->e[i].rawlen,
		    NULL, 0);
		if (sodium_memcmp(h, s->e[i].hash, sizeof h) != 0)
			return -2;
	}
	return 0;
}

int
cards_expired(const struct cards_entry *e, uint64_t now, uint64_t maxage)
{
	return now >= e->date && now - e->date >= maxage;
}

size_t
cards_prune(struct cards_set *s, uint64_t now, uint64_t maxage)
{
	size_t	 i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (!s->e[i].has || !cards_expired(&s->e[i], now, maxage))
			continue;
		sodium_memzero(s->e[i].raw, sizeof s->e[i].raw);
		sodium_memzero(&s->e[i].c, sizeof s->e[i].c);
		s->e[i].rawlen = 0;
		s->e[i].has = 0;
		n++;
	}
	return n;
}

void
cards_encode(struct buf *b, const struct cards_set *s)
{
	msgpack_packer	 pk;
	size_t		 i;

	msgpack_packer_init(&pk, b, cards_write_cb);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint64(&pk, WIRE_CARDS);
	cpack(&pk, 1, s->body, s->bodylen);
	cpack(&pk, 1, s->sig, KEYS_SIG_LEN);
	msgpack_pack_array(&pk, s->n);
	for (i = 0; i < s->n; i++)
		cpack(&pk, 1, s->e[i].raw, s->e[i].has ? s->e[i].rawlen : 0);
}

void
cards_sum_encode(struct buf *b, const struct cards_sum *s)
{
	msgpack_packer	 pk;
	size_t		 i;

	if (s->n > CARDS_SUM_MAX)
		abort();
	msgpack_packer_init(&pk, b, cards_write_cb);
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint64(&pk, WIRE_CARDSUM);
	msgpack_pack_uint64(&pk, s->mode);
	msgpack_pack_uint64(&pk, s->count);
	cpack(&pk, 1, s->digest, sizeof s->digest);
	msgpack_pack_array(&pk, s->n);
	for (i = 0; i < s->n; i++) {
		msgpack_pack_array(&pk, 2);
		cpack(&pk, 1, s->e[i].pk, KEYS_PK_LEN);
		msgpack_pack_uint64(&pk, s->e[i].seq);
	}
}

void
cards_digest(const struct cards_sum_entry *e, size_t n, uint8_t out[32])
{
	crypto_generichash_state st;
	uint8_t		 be[8];
	size_t		 i;
	int		 k;

	crypto_generichash_init(&st, NULL, 0, 32);
	for (k = 0; k < 8; k++)
		be[k] = (uint8_t)((uint64_t)n >> (56 - 8 * k));
	crypto_generichash_update(&st, be, sizeof be);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 8; k++)
			be[k] = (uint8_t)(e[i].seq >> (56 - 8 * k));
		crypto_generichash_update(&st, e[i].pk, KEYS_PK_LEN);
		crypto_generichash_update(&st, be, sizeof be);
	}
	crypto_generichash_final(&st, out, 32);
}
