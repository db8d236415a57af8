/*
 * wire.c — strict decoders for the peer messages of wire.h; signature checks.
 *
 * Every decoder pre-scans the frame with mpcheck (API-NOTES: a 6-byte header
 * can otherwise make msgpack-c reserve gigabytes), unpacks it, and checks the
 * exact arity, the msgpack type, the length or count of every field. Signed
 * bodies travel as bin; their bytes are copied, pre-scanned and checked the
 * same way. Failures name the message and the field.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "mpcheck.h"
#include "wire.h"

#define NOIDX	SIZE_MAX

/* Where a decoder is, for the error message. */
struct dec {
	const char	 *msg;		/* "ANNOUNCE" */
	const char	 *list;		/* record list being walked, or NULL */
	size_t		  idx;		/* index in that list */
	char		**cause;
};

/* How a string field is checked beyond its length. */
enum text {
	TEXT_UTF8,	/* valid UTF-8, no NUL, no ASCII control characters */
	TEXT_ADDR,	/* printable ASCII without spaces: "host:port" */
};

/* Sets *cause to "MSG: list[i].field[j] <what>" and returns -1. */
static int __attribute__((format(printf, 4, 5)))
bad(struct dec *d, const char *field, size_t idx, const char *fmt, ...)
{
	char	 prefix[64] = "", index[32] = "", *what;
	va_list	 ap;

	if (d->cause == NULL)
		return -1;
	if (d->list != NULL)
		snprintf(prefix, sizeof prefix, "%s[%zu].", d->list, d->idx);
	if (idx != NOIDX)
		snprintf(index, sizeof index, "[%zu]", idx);
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	set_cause(d->cause, "%s: %s%s%s %s", d->msg, prefix, field, index,
	    what);
	free(what);
	return -1;
}

/* A name for the msgpack type of o, for error messages. */
static const char *
typename(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		return "nil";
	case MSGPACK_OBJECT_BOOLEAN:
		return "a boolean";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return "an unsigned integer";
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return "a negative integer";
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return "a float";
	case MSGPACK_OBJECT_STR:
		return "a string";
	case MSGPACK_OBJECT_BIN:
		return "bin";
	case MSGPACK_OBJECT_ARRAY:
		return "an array";
	case MSGPACK_OBJECT_MAP:
		return "a map";
	default:
		return "an ext";
	}
}

/* Reads an unsigned integer field. */
static int
get_uint(struct dec *d, const msgpack_object *o, const char *field,
    uint64_t *v)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return bad(d, field, NOIDX, "is %s, expected an unsigned "
		    "integer", typename(o));
	*v = o->via.u64;
	return 0;
}

/* Reads a boolean field as 0 or 1. */
static int
get_bool(struct dec *d, const msgpack_object *o, const char *field, int *v)
{
	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return bad(d, field, NOIDX, "is %s, expected a boolean",
		    typename(o));
	*v = o->via.boolean ? 1 : 0;
	return 0;
}

/* Points *p at a bin field of min..max bytes. */
static int
get_bin(struct dec *d, const msgpack_object *o, const char *field,
    size_t min, size_t max, const uint8_t **p, size_t *n)
{
	if (o->type != MSGPACK_OBJECT_BIN)
		return bad(d, field, NOIDX, "is %s, expected bin", typename(o));
	if (o->via.bin.size < min || o->via.bin.size > max)
		return bad(d, field, NOIDX, "is %u bytes, expected %zu to %zu",
		    o->via.bin.size, min, max);
	*p = (const uint8_t *)o->via.bin.ptr;
	*n = o->via.bin.size;
	return 0;
}

/* Copies a bin field of exactly n bytes (a key, an oid, a signature). */
static int
get_fixed(struct dec *d, const msgpack_object *o, const char *field,
    size_t idx, uint8_t *out, size_t n)
{
	if (o->type != MSGPACK_OBJECT_BIN)
		return bad(d, field, idx, "is %s, expected bin", typename(o));
	if (o->via.bin.size != n)
		return bad(d, field, idx, "is %u bytes, expected %zu",
		    o->via.bin.size, n);
	memcpy(out, o->via.bin.ptr, n);
	return 0;
}

/* True when s[0..n) is acceptable text of the given kind. */
static int
text_ok(const char *s, size_t n, enum text kind)
{
	unsigned char	 c;
	size_t		 i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (kind == TEXT_ADDR && (c <= 0x20 || c >= 0x7f))
			return 0;
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return utf8_valid(s, n);
}

/* Copies a str field of min..max bytes into out[max + 1], NUL-terminated. */
static int
get_str(struct dec *d, const msgpack_object *o, const char *field,
    size_t idx, size_t min, size_t max, enum text kind, char *out)
{
	size_t	 n;

	if (o->type != MSGPACK_OBJECT_STR)
		return bad(d, field, idx, "is %s, expected a string",
		    typename(o));
	n = o->via.str.size;
	if (n < min || n > max)
		return bad(d, field, idx, "is %zu bytes, expected %zu to %zu",
		    n, min, max);
	if (!text_ok(o->via.str.ptr, n, kind))
		return bad(d, field, idx, kind == TEXT_ADDR ?
		    "is not printable ASCII without spaces" :
		    "is not valid UTF-8 text without control characters");
	if (n > 0)
		memcpy(out, o->via.str.ptr, n);
	out[n] = '\0';
	return 0;
}

/* Points *elems at the elements of an array field of at most max entries. */
static int
get_list(struct dec *d, const msgpack_object *o, const char *field,
    size_t max, const msgpack_object **elems, size_t *n)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return bad(d, field, NOIDX, "is %s, expected an array",
		    typename(o));
	if (o->via.array.size > max)
		return bad(d, field, NOIDX, "has %u entries, at most %zu",
		    o->via.array.size, max);
	*elems = o->via.array.ptr;
	*n = o->via.array.size;
	return 0;
}

/* Points *f at the fields of list[idx], an array of exactly arity fields. */
static int
get_record(struct dec *d, const msgpack_object *o, const char *list,
    size_t idx, uint32_t arity, const msgpack_object **f)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return bad(d, list, idx, "is %s, expected an array",
		    typename(o));
	if (o->via.array.size != arity)
		return bad(d, list, idx, "has %u fields, expected %u",
		    o->via.array.size, arity);
	*f = o->via.array.ptr;
	return 0;
}

/* Pre-scans and unpacks buf[0..len) into up: one object, nothing after it. */
static int
unpack(struct dec *d, const char *what, msgpack_unpacked *up,
    const uint8_t *buf, size_t len)
{
	size_t	 off = 0;

	if (mpcheck(buf, len) == -1 || msgpack_unpack_next(up,
	    (const char *)buf, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != len)
		return bad(d, what, NOIDX, "is not one well-formed msgpack "
		    "object");
	return 0;
}

/*
 * Opens a frame: one msgpack array of exactly arity elements whose first is
 * the unsigned integer type. *a points at the elements; up owns them.
 */
static int
frame_open(struct dec *d, msgpack_unpacked *up, const uint8_t *buf,
    size_t len, enum wire_type type, uint32_t arity, const msgpack_object **a)
{
	const msgpack_object	*o;

	if (len > WIRE_MSG_MAX)
		return bad(d, "message", NOIDX, "is %zu bytes, at most %d", len,
		    WIRE_MSG_MAX);
	if (unpack(d, "message", up, buf, len) == -1)
		return -1;
	o = &up->data;
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0)
		return bad(d, "message", NOIDX, "is not an array [type, ...]");
	if (o->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return bad(d, "type", NOIDX, "is %s, expected an unsigned "
		    "integer", typename(&o->via.array.ptr[0]));
	if (o->via.array.ptr[0].via.u64 != (uint64_t)type)
		return bad(d, "type", NOIDX, "is %llu, expected %d",
		    (unsigned long long)o->via.array.ptr[0].via.u64, (int)type);
	if (o->via.array.size != arity)
		return bad(d, "message", NOIDX, "has %u elements, expected %u",
		    o->via.array.size, arity);
	*a = o->via.array.ptr;
	return 0;
}

/* Opens a signed body: one msgpack array of exactly arity fields. */
static int
body_open(struct dec *d, msgpack_unpacked *up, const uint8_t *body,
    size_t len, uint32_t arity, const msgpack_object **f)
{
	const msgpack_object	*o;

	if (unpack(d, "body", up, body, len) == -1)
		return -1;
	o = &up->data;
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return bad(d, "body", NOIDX, "is %s, expected an array",
		    typename(o));
	if (o->via.array.size != arity)
		return bad(d, "body", NOIDX, "has %u fields, expected %u",
		    o->via.array.size, arity);
	*f = o->via.array.ptr;
	return 0;
}

/* Reads the body and signature elements of a signed frame [type, body, sig]. */
static int
get_signed(struct dec *d, const msgpack_object *a, struct wire_signed *s)
{
	const uint8_t	*p;
	size_t		 n;

	if (get_bin(d, &a[1], "body", 1, WIRE_SIGNED_MAX, &p, &n) == -1 ||
	    get_fixed(d, &a[2], "sig", NOIDX, s->sig, KEYS_SIG_LEN) == -1)
		return -1;
	memcpy(s->body, p, n);
	s->bodylen = n;
	return 0;
}

/* Reads the array header and first element only: a dispatch, not a check. */
int
wire_type(const uint8_t *buf, size_t len)
{
	static const uint8_t intlen[] = { 1, 2, 4, 8 };
	uint64_t t = 0, n;
	size_t	 pos, i, w;
	uint8_t	 b;

	if (len < 2)
		return -1;
	if ((buf[0] & 0xf0) == 0x90) {
		n = buf[0] & 0x0f;
		pos = 1;
	} else if (buf[0] == 0xdc && len >= 3) {
		n = (uint64_t)buf[1] << 8 | buf[2];
		pos = 3;
	} else if (buf[0] == 0xdd && len >= 5) {
		n = get_be32(buf + 1);
		pos = 5;
	} else
		return -1;
	if (n == 0 || pos >= len)
		return -1;
	b = buf[pos++];
	if (b <= 0x7f)
		t = b;
	else if ((b >= 0xcc && b <= 0xcf) || (b >= 0xd0 && b <= 0xd3)) {
		w = intlen[b & 0x03];
		if (w > len - pos || (b >= 0xd0 && (buf[pos] & 0x80)))
			return -1;		/* short, or a negative int */
		for (i = 0; i < w; i++)
			t = t << 8 | buf[pos + i];
	} else
		return -1;
	if (t < WIRE_HELLO || t > WIRE_CARDSUM)
		return -1;
	return (int)t;
}

/* Clears out after a failed decode and destroys up; returns rv. */
static int
dec_close(msgpack_unpacked *up, int rv, void *out, size_t size)
{
	msgpack_unpacked_destroy(up);
	if (rv != 0)
		memset(out, 0, size);
	return rv;
}

/* HELLO: [1, version, features, [listen…], time]. */
int
wire_hello_decode(const uint8_t *buf, size_t len, struct wire_hello *h,
    char **cause)
{
	struct dec		 d = { "HELLO", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a, *l;
	size_t			 i;
	int			 rv = -1;

	memset(h, 0, sizeof *h);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_HELLO, 5, &a) == -1 ||
	    get_uint(&d, &a[1], "version", &h->version) == -1 ||
	    get_uint(&d, &a[2], "features", &h->features) == -1 ||
	    get_list(&d, &a[3], "listen", WIRE_MAX_ADDRS, &l,
	    &h->nlisten) == -1)
		goto out;
	for (i = 0; i < h->nlisten; i++)
		if (get_str(&d, &l[i], "listen", i, 1, WIRE_ADDR_MAX,
		    TEXT_ADDR, h->listen[i]) == -1)
			goto out;
	rv = get_uint(&d, &a[4], "time", &h->time);
out:
	return dec_close(&up, rv, h, sizeof *h);
}

/* Decodes an ANNOUNCE body [pk, seq, head, time] into a's fields. */
static int
announce_body(struct dec *d, const uint8_t *body, size_t len,
    struct wire_announce *a)
{
	msgpack_unpacked	 up;
	const msgpack_object	*f;
	int			 rv = -1;

	msgpack_unpacked_init(&up);
	if (body_open(d, &up, body, len, 4, &f) == 0 &&
	    get_fixed(d, &f[0], "pk", NOIDX, a->pk, KEYS_PK_LEN) == 0 &&
	    get_uint(d, &f[1], "seq", &a->seq) == 0 &&
	    get_fixed(d, &f[2], "head", NOIDX, a->head, WIRE_OID_LEN) == 0 &&
	    get_uint(d, &f[3], "time", &a->time) == 0)
		rv = 0;
	msgpack_unpacked_destroy(&up);
	return rv;
}

/* ANNOUNCE: [3, body, sig], body [pk, seq, head, time]. */
int
wire_announce_decode(const uint8_t *buf, size_t len, struct wire_announce *an,
    char **cause)
{
	struct dec		 d = { "ANNOUNCE", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a;
	int			 rv = -1;

	memset(an, 0, sizeof *an);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_ANNOUNCE, 3, &a) == 0 &&
	    get_signed(&d, a, &an->s) == 0)
		rv = announce_body(&d, an->s.body, an->s.bodylen, an);
	return dec_close(&up, rv, an, sizeof *an);
}

/* Decodes a NODE body [pk, name, [addr…], time] into n's fields. */
static int
node_body(struct dec *d, const uint8_t *body, size_t len, struct wire_node *n)
{
	msgpack_unpacked	 up;
	const msgpack_object	*f, *l;
	size_t			 i;
	int			 rv = -1;

	msgpack_unpacked_init(&up);
	if (body_open(d, &up, body, len, 4, &f) == -1 ||
	    get_fixed(d, &f[0], "pk", NOIDX, n->pk, KEYS_PK_LEN) == -1 ||
	    get_str(d, &f[1], "name", NOIDX, 0, WIRE_NAME_MAX, TEXT_UTF8,
	    n->name) == -1 ||
	    get_list(d, &f[2], "addrs", WIRE_MAX_ADDRS, &l, &n->naddrs) == -1)
		goto out;
	for (i = 0; i < n->naddrs; i++)
		if (get_str(d, &l[i], "addrs", i, 1, WIRE_ADDR_MAX, TEXT_ADDR,
		    n->addrs[i]) == -1)
			goto out;
	rv = get_uint(d, &f[3], "time", &n->time);
out:
	msgpack_unpacked_destroy(&up);
	return rv;
}

/* NODE: [2, body, sig], body [pk, name, [addr…], time]. */
int
wire_node_decode(const uint8_t *buf, size_t len, struct wire_node *n,
    char **cause)
{
	struct dec		 d = { "NODE", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a;
	int			 rv = -1;

	memset(n, 0, sizeof *n);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_NODE, 3, &a) == 0 &&
	    get_signed(&d, a, &n->s) == 0)
		rv = node_body(&d, n->s.body, n->s.bodylen, n);
	return dec_close(&up, rv, n, sizeof *n);
}

/* Decodes one SUMMARY entry [pk, seq, head]. */
static int
head_decode(struct dec *d, const msgpack_object *o, size_t i,
    struct wire_head *h)
{
	const msgpack_object	*f;

	if (get_record(d, o, "heads", i, 3, &f) == -1)
		return -1;
	d->list = "heads";
	d->idx = i;
	if (get_fixed(d, &f[0], "pk", NOIDX, h->pk, KEYS_PK_LEN) == -1 ||
	    get_uint(d, &f[1], "seq", &h->seq) == -1 ||
	    get_fixed(d, &f[2], "head", NOIDX, h->head, WIRE_OID_LEN) == -1)
		return -1;
	d->list = NULL;
	return 0;
}

/* SUMMARY: [4, page, more, [[pk, seq, head]…]]. */
int
wire_summary_decode(const uint8_t *buf, size_t len, struct wire_summary *s,
    char **cause)
{
	struct dec		 d = { "SUMMARY", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a, *l;
	size_t			 i;
	int			 rv = -1;

	memset(s, 0, sizeof *s);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_SUMMARY, 4, &a) == -1 ||
	    get_uint(&d, &a[1], "page", &s->page) == -1 ||
	    get_bool(&d, &a[2], "more", &s->more) == -1 ||
	    get_list(&d, &a[3], "heads", WIRE_SUMMARY_MAX, &l,
	    &s->nheads) == -1)
		goto out;
	for (i = 0; i < s->nheads; i++)
		if (head_decode(&d, &l[i], i, &s->heads[i]) == -1)
			goto out;
	rv = 0;
out:
	return dec_close(&up, rv, s, sizeof *s);
}

/* DIGEST: [5, count, digest]. */
int
wire_digest_decode(const uint8_t *buf, size_t len, struct wire_digest *g,
    char **cause)
{
	struct dec		 d = { "DIGEST", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a;
	int			 rv = -1;

	memset(g, 0, sizeof *g);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_DIGEST, 3, &a) == 0 &&
	    get_uint(&d, &a[1], "count", &g->count) == 0 &&
	    get_fixed(&d, &a[2], "digest", NOIDX, g->digest,
	    sizeof g->digest) == 0)
		rv = 0;
	return dec_close(&up, rv, g, sizeof *g);
}

/* Decodes one wanted branch [pk, want, [have…]]. */
static int
wantb_decode(struct dec *d, const msgpack_object *o, size_t i,
    struct wire_wantb *b)
{
	const msgpack_object	*f, *l;
	size_t			 j;

	if (get_record(d, o, "branches", i, 3, &f) == -1)
		return -1;
	d->list = "branches";
	d->idx = i;
	if (get_fixed(d, &f[0], "pk", NOIDX, b->pk, KEYS_PK_LEN) == -1 ||
	    get_fixed(d, &f[1], "want", NOIDX, b->want, WIRE_OID_LEN) == -1 ||
	    get_list(d, &f[2], "haves", WIRE_HAVE_MAX, &l, &b->nhaves) == -1)
		return -1;
	for (j = 0; j < b->nhaves; j++)
		if (get_fixed(d, &l[j], "haves", j, b->haves[j],
		    WIRE_OID_LEN) == -1)
			return -1;
	d->list = NULL;
	return 0;
}

/* WANT: [6, reqid, [[pk, want, [have…]]…]]. */
int
wire_want_decode(const uint8_t *buf, size_t len, struct wire_want *w,
    char **cause)
{
	struct dec		 d = { "WANT", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a, *l;
	size_t			 i;
	int			 rv = -1;

	memset(w, 0, sizeof *w);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_WANT, 3, &a) == -1 ||
	    get_uint(&d, &a[1], "reqid", &w->reqid) == -1 ||
	    get_list(&d, &a[2], "branches", WIRE_WANT_MAX, &l, &w->nb) == -1)
		goto out;
	for (i = 0; i < w->nb; i++)
		if (wantb_decode(&d, &l[i], i, &w->b[i]) == -1)
			goto out;
	rv = 0;
out:
	return dec_close(&up, rv, w, sizeof *w);
}

/* PACK: [7, reqid, data, last]; data points into buf. */
int
wire_pack_decode(const uint8_t *buf, size_t len, struct wire_pack *p,
    char **cause)
{
	struct dec		 d = { "PACK", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a;
	int			 rv = -1;

	memset(p, 0, sizeof *p);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_PACK, 4, &a) == 0 &&
	    get_uint(&d, &a[1], "reqid", &p->reqid) == 0 &&
	    get_bin(&d, &a[2], "data", 0, WIRE_CHUNK_MAX, &p->data,
	    &p->len) == 0 &&
	    get_bool(&d, &a[3], "last", &p->last) == 0)
		rv = 0;
	/* Unpacked bin points into buf; an empty one may have no pointer. */
	if (rv == 0 && p->len == 0)
		p->data = buf;
	return dec_close(&up, rv, p, sizeof *p);
}

/* PING [8, nonce] or PONG [9, nonce]; wire_type tells them apart. */
int
wire_ping_decode(const uint8_t *buf, size_t len, struct wire_ping *p,
    char **cause)
{
	struct dec		 d = { "PING", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a;
	enum wire_type		 type = WIRE_PING;
	int			 rv = -1;

	if (wire_type(buf, len) == WIRE_PONG) {
		type = WIRE_PONG;
		d.msg = "PONG";
	}
	memset(p, 0, sizeof *p);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, type, 2, &a) == 0 &&
	    get_uint(&d, &a[1], "nonce", &p->nonce) == 0)
		rv = 0;
	return dec_close(&up, rv, p, sizeof *p);
}

/* ERROR: [10, code, text]. */
int
wire_error_decode(const uint8_t *buf, size_t len, struct wire_error *e,
    char **cause)
{
	struct dec		 d = { "ERROR", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a;
	int			 rv = -1;

	memset(e, 0, sizeof *e);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_ERROR, 3, &a) == 0 &&
	    get_uint(&d, &a[1], "code", &e->code) == 0 &&
	    get_str(&d, &a[2], "text", NOIDX, 0, WIRE_ERROR_MAX, TEXT_UTF8,
	    e->text) == 0)
		rv = 0;
	return dec_close(&up, rv, e, sizeof *e);
}

/* JOIN: [11, id, proof]. */
int
wire_join_decode(const uint8_t *buf, size_t len, struct wire_join *j,
    char **cause)
{
	struct dec		 d = { "JOIN", NULL, 0, cause };
	msgpack_unpacked	 up;
	const msgpack_object	*a;
	int			 rv = -1;

	memset(j, 0, sizeof *j);
	msgpack_unpacked_init(&up);
	if (frame_open(&d, &up, buf, len, WIRE_JOIN, 3, &a) == 0 &&
	    get_fixed(&d, &a[1], "id", NOIDX, j->id, sizeof j->id) == 0 &&
	    get_fixed(&d, &a[2], "proof", NOIDX, j->proof,
	    sizeof j->proof) == 0)
		rv = 0;
	return dec_close(&up, rv, j, sizeof *j);
}

/* Ed25519 check of sig over ctx (with its NUL) || body by pk. */
static int
verify_sig(const char *ctx, const struct wire_signed *s, const uint8_t *pk)
{
	uint8_t	 msg[32 + WIRE_SIGNED_MAX];
	size_t	 clen = strlen(ctx) + 1;

	if (clen > 32 || s->bodylen == 0 || s->bodylen > WIRE_SIGNED_MAX ||
	    sodium_init() < 0)
		return -1;
	memcpy(msg, ctx, clen);
	memcpy(msg + clen, s->body, s->bodylen);
	if (crypto_sign_verify_detached(s->sig, msg, clen + s->bodylen,
	    pk) != 0)
		return -1;
	return 0;
}

/* True (0) when a's fields are its body's and pk signed that body. */
int
wire_announce_verify(const struct wire_announce *a)
{
	struct wire_announce	 b;
	struct dec		 d = { "ANNOUNCE", NULL, 0, NULL };

	if (a->s.bodylen > WIRE_SIGNED_MAX)
		return -1;
	memset(&b, 0, sizeof b);
	if (announce_body(&d, a->s.body, a->s.bodylen, &b) == -1)
		return -1;
	if (memcmp(a->pk, b.pk, KEYS_PK_LEN) != 0 || a->seq != b.seq ||
	    memcmp(a->head, b.head, WIRE_OID_LEN) != 0 || a->time != b.time)
		return -1;
	return verify_sig(WIRE_CTX_ANNOUNCE, &a->s, a->pk);
}

/* True (0) when n's fields are its body's and pk signed that body. */
int
wire_node_verify(const struct wire_node *n)
{
	struct wire_node	 m;
	struct dec		 d = { "NODE", NULL, 0, NULL };
	size_t			 i;

	if (n->s.bodylen > WIRE_SIGNED_MAX || n->naddrs > WIRE_MAX_ADDRS)
		return -1;
	memset(&m, 0, sizeof m);
	if (node_body(&d, n->s.body, n->s.bodylen, &m) == -1)
		return -1;
	if (memcmp(n->pk, m.pk, KEYS_PK_LEN) != 0 || n->time != m.time ||
	    n->naddrs != m.naddrs ||
	    strncmp(n->name, m.name, sizeof m.name) != 0)
		return -1;
	for (i = 0; i < m.naddrs; i++)
		if (strncmp(n->addrs[i], m.addrs[i], sizeof m.addrs[i]) != 0)
			return -1;
	return verify_sig(WIRE_CTX_NODE, &n->s, n->pk);
}
