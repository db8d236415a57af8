/*
 * fuzz_wire.c — libFuzzer target: every peer message decoder on the input.
 * What decodes must say nothing went wrong, re-encode to bytes that decode
 * to the same fields, and re-encode to the same bytes again; signed messages
 * go through their verify. Every failure must say why.
 *
 * The seeds in tests/fuzz/seeds/fuzz_wire hold one valid message of each
 * type; NODE and ANNOUNCE are signed by the key with seed 0x01 0x01 … 0x01.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static enum wire_type ping_type;	/* PING or PONG, from the input */

/* Room for any decoded message. */
union msg {
	struct wire_hello	h;
	struct wire_announce	a;
	struct wire_node	n;
	struct wire_summary	s;
	struct wire_digest	g;
	struct wire_want	w;
	struct wire_pack	p;
	struct wire_ping	q;
	struct wire_error	e;
	struct wire_join	j;
};

/* One message kind: its decoder and encoder over untyped structs. */
struct codec {
	const char	 *name;
	int		(*dec)(const uint8_t *, size_t, void *, char **);
	void		(*enc)(struct buf *, const void *);
	int		(*eq)(const void *, const void *);	/* or memcmp */
	int		(*verify)(const void *);
	size_t		  size;
};

#define CODEC(name)							\
static int								\
dec_##name(const uint8_t *p, size_t n, void *out, char **cause)	\
{									\
	return wire_##name##_decode(p, n, out, cause);			\
}
CODEC(hello) CODEC(announce) CODEC(node) CODEC(summary) CODEC(digest)
CODEC(want) CODEC(pack) CODEC(ping) CODEC(error) CODEC(join)

#define ENC(name)							\
static void								\
enc_##name(struct buf *b, const void *m)				\
{									\
	wire_##name##_encode(b, m);					\
}
ENC(hello) ENC(announce) ENC(node) ENC(summary) ENC(digest) ENC(want)
ENC(join)

static void
enc_pack(struct buf *b, const void *m)
{
	const struct wire_pack *p = m;

	wire_pack_encode(b, p->reqid, p->data, p->len, p->last);
}

static void
enc_ping(struct buf *b, const void *m)
{
	wire_ping_encode(b, ping_type, ((const struct wire_ping *)m)->nonce);
}

static void
enc_error(struct buf *b, const void *m)
{
	const struct wire_error *e = m;

	wire_error_encode(b, e->code, e->text);
}

/* PACK data points into two different frames: compare the bytes. */
static int
eq_pack(const void *x, const void *y)
{
	const struct wire_pack *a = x, *b = y;

	return a->reqid == b->reqid && a->last == b->last && a->len == b->len &&
	    memcmp(a->data, b->data, a->len) == 0;
}

static int
verify_announce(const void *m)
{
	return wire_announce_verify(m);
}

static int
verify_node(const void *m)
{
	return wire_node_verify(m);
}

static const struct codec codecs[] = {
	{ "HELLO", dec_hello, enc_hello, NULL, NULL,
	    sizeof(struct wire_hello) },
	{ "NODE", dec_node, enc_node, NULL, verify_node,
	    sizeof(struct wire_node) },
	{ "ANNOUNCE", dec_announce, enc_announce, NULL, verify_announce,
	    sizeof(struct wire_announce) },
	{ "SUMMARY", dec_summary, enc_summary, NULL, NULL,
	    sizeof(struct wire_summary) },
	{ "DIGEST", dec_digest, enc_digest, NULL, NULL,
	    sizeof(struct wire_digest) },
	{ "WANT", dec_want, enc_want, NULL, NULL, sizeof(struct wire_want) },
	{ "PACK", dec_pack, enc_pack, eq_pack, NULL, sizeof(struct wire_pack) },
	{ "PING", dec_ping, enc_ping, NULL, NULL, sizeof(struct wire_ping) },
	{ "ERROR", dec_error, enc_error, NULL, NULL,
	    sizeof(struct wire_error) },
	{ "JOIN", dec_join, enc_join, NULL, NULL, sizeof(struct wire_join) },
};

/* Stops the run with what went wrong. */
static void __attribute__((noreturn))
die(const struct codec *c, const char *what, const char *cause)
{
	fprintf(stderr, "%s: %s%s%s\n", c->name, what, cause != NULL ? ": " :
	    "", cause != NULL ? cause : "");
	abort();
}

/* Decodes data with c; on success re-encodes, re-decodes and compares. */
static void
one(const struct codec *c, const uint8_t *data, size_t size, void *m1,
    void *m2)
{
	struct buf	 b1, b2;
	char		*cause = NULL;

	if (c->dec(data, size, m1, &cause) != 0) {
		if (cause == NULL)
			die(c, "a failure without a cause", NULL);
		free(cause);
		return;
	}
	if (cause != NULL)
		die(c, "a cause on success", cause);
	if (c->verify != NULL)
		(void)c->verify(m1);
	buf_init(&b1);
	buf_init(&b2);
	c->enc(&b1, m1);
	if (b1.len > WIRE_MSG_MAX)
		die(c, "re-encoding is larger than a frame", NULL);
	if (c->dec(b1.data, b1.len, m2, &cause) != 0)
		die(c, "re-encoding does not decode", cause);
	if (c->eq != NULL ? !c->eq(m1, m2) : memcmp(m1, m2, c->size) != 0)
		die(c, "re-encoding decodes to other fields", NULL);
	c->enc(&b2, m2);
	if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		die(c, "encoding is not stable", NULL);
	buf_free(&b1);
	buf_free(&b2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union msg m1, m2;
	size_t	 i;
	int	 t;

	t = wire_type(data, size);
	if (t != -1 && (t < WIRE_HELLO || t > WIRE_CARDSUM))
		abort();
	ping_type = t == WIRE_PONG ? WIRE_PONG : WIRE_PING;
	for (i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		one(&codecs[i], data, size, &m1, &m2);
	return 0;
}
