/*
 * test_wire.c — peer messages: round trips at the edges, strict rejects of
 * every malformed frame we can think of (and of every type swap, cut and
 * resize the tests can generate), signatures and their contexts, DIGEST.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "chan.h"
#include "wire.h"

/* wire_digest of fill_heads(h, 3, 1) with h[2].seq = UINT64_MAX. */
#define DIGEST3	"7274cc76e6bb394940214f0a8d24c1b2" \
		"8d375e4461ae78ea5d3e9a6357d5ebc4"

static struct keys_pair	kp1, kp2;

/* Decoded messages land here: a SUMMARY is too big for a comfortable stack. */
static union {
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
} scratch, scratch2;

typedef int (*dec_fn)(const uint8_t *, size_t, void *, char **);

#define DEC(name)							\
static int								\
dec_##name(const uint8_t *p, size_t n, void *out, char **cause)	\
{									\
	return wire_##name##_decode(p, n, out, cause);			\
}
DEC(hello) DEC(announce) DEC(node) DEC(summary) DEC(digest) DEC(want)
DEC(pack) DEC(ping) DEC(error) DEC(join)

static const struct {
	enum wire_type	 type;
	dec_fn		 fn;
} decs[] = {
	{ WIRE_HELLO, dec_hello }, { WIRE_NODE, dec_node },
	{ WIRE_ANNOUNCE, dec_announce }, { WIRE_SUMMARY, dec_summary },
	{ WIRE_DIGEST, dec_digest }, { WIRE_WANT, dec_want },
	{ WIRE_PACK, dec_pack }, { WIRE_PING, dec_ping },
	{ WIRE_PONG, dec_ping }, { WIRE_ERROR, dec_error },
	{ WIRE_JOIN, dec_join },
};

/* A key pair from a seed of 32 bytes of v. */
static void
seed_pair(struct keys_pair *kp, int v)
{
	uint8_t	 seed[32];

	memset(seed, v, sizeof seed);
	crypto_sign_seed_keypair(kp->pk, kp->sk, seed);
}

static int
setup(void **state)
{
	if (sodium_init() < 0)
		return -1;
	seed_pair(&kp1, 1);
	seed_pair(&kp2, 2);
	return 0;
}

/* An exact-size heap copy, so ASan sees any read past n. Caller frees. */
static uint8_t *
exact(const void *p, size_t n)
{
	uint8_t	*q = xmalloc(n);

	if (n > 0)
		memcpy(q, p, n);
	return q;
}

/* Asserts fn rejects p[0..n) with a cause containing want (if given). */
static void
rejects(dec_fn fn, const void *p, size_t n, const char *want)
{
	uint8_t	*q = exact(p, n);
	char	*cause = NULL;
	int	 rv;

	rv = fn(q, n, &scratch, &cause);
	free(q);
	if (rv != -1)
		fail_msg("decoder accepted a bad frame (want \"%s\")",
		    want != NULL ? want : "");
	assert_non_null(cause);
	if (want != NULL && strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

/* Decodes p[0..n) with fn into out, failing the test with the cause. */
static void
accepts(dec_fn fn, const void *p, size_t n, void *out)
{
	uint8_t	*q = exact(p, n);
	char	*cause = NULL;

	if (fn(q, n, out, &cause) != 0)
		fail_msg("decoder rejected a good frame: %s", cause);
	free(q);
}

static void
fill_hello(struct wire_hello *h)
{
	memset(h, 0, sizeof *h);
	h->version = WIRE_VERSION;
	h->features = 3;
	strcpy(h->listen[0], "192.0.2.1:4242");
	strcpy(h->listen[1], "[2001:db8::1]:4242");
	h->nlisten = 2;
	h->time = 1795000000;
}

static void
fill_announce(struct wire_announce *a)
{
	memset(a, 0, sizeof *a);
	memcpy(a->pk, kp1.pk, KEYS_PK_LEN);
	a->seq = 7;
	memset(a->head, 0xab, WIRE_OID_LEN);
	a->time = 1795000000;
	wire_announce_sign(a, &kp1);
}

static void
fill_node(struct wire_node *n)
{
	memset(n, 0, sizeof *n);
	memcpy(n->pk, kp1.pk, KEYS_PK_LEN);
	strcpy(n->name, "Stadt Müllheim");
	strcpy(n->addrs[0], "knowd.example.de:4242");
	strcpy(n->addrs[1], "192.0.2.7:4242");
	n->naddrs = 2;
	n->time = 1795000000;
	wire_node_sign(n, &kp1);
}

/* n heads with distinct keys, seqs and oids. */
static void
fill_heads(struct wire_head *h, size_t n, uint64_t seq)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		memset(&h[i], 0, sizeof h[i]);
		h[i].pk[0] = (uint8_t)(i >> 8);
		h[i].pk[1] = (uint8_t)i;
		h[i].seq = seq + i;
		memset(h[i].head, (int)(i & 0xff), WIRE_OID_LEN);
	}
}

/* A WANT of nb branches with nh haves each. */
static void
fill_want(struct wire_want *w, size_t nb, size_t nh, uint64_t reqid)
{
	size_t	 i, j;

	memset(w, 0, sizeof *w);
	w->reqid = reqid;
	w->nb = nb;
	for (i = 0; i < nb; i++) {
		w->b[i].pk[0] = (uint8_t)i;
		memset(w->b[i].want, 0x11, WIRE_OID_LEN);
		w->b[i].nhaves = nh;
		for (j = 0; j < nh; j++)
			memset(w->b[i].haves[j], (int)(j + 1), WIRE_OID_LEN);
	}
}

/* Appends a small valid message of the given type, every list non-empty. */
static void
sample(struct buf *b, enum wire_type type)
{
	static const uint8_t chunk[] = "PACK\0\0\0\2";

	switch (type) {
	case WIRE_HELLO:
		fill_hello(&scratch2.h);
		wire_hello_encode(b, &scratch2.h);
		break;
	case WIRE_NODE:
		fill_node(&scratch2.n);
		wire_node_encode(b, &scratch2.n);
		break;
	case WIRE_ANNOUNCE:
		fill_announce(&scratch2.a);
		wire_announce_encode(b, &scratch2.a);
		break;
	case WIRE_SUMMARY:
		memset(&scratch2.s, 0, sizeof scratch2.s);
		fill_heads(scratch2.s.heads, 2, 1);
		scratch2.s.nheads = 2;
		wire_summary_encode(b, &scratch2.s);
		break;
	case WIRE_DIGEST:
		memset(&scratch2.g, 0, sizeof scratch2.g);
		scratch2.g.count = 2;
		wire_digest_encode(b, &scratch2.g);
		break;
	case WIRE_WANT:
		fill_want(&scratch2.w, 2, 2, 9);
		wire_want_encode(b, &scratch2.w);
		break;
	case WIRE_PACK:
		wire_pack_encode(b, 9, chunk, sizeof chunk - 1, 0);
		break;
	case WIRE_PING:
	case WIRE_PONG:
		wire_ping_encode(b, type, 42);
		break;
	case WIRE_ERROR:
		wire_error_encode(b, WIRE_E_LIMIT, "too many wants");
		break;
	case WIRE_JOIN:
		memset(&scratch2.j, 0x5a, sizeof scratch2.j);
		wire_join_encode(b, &scratch2.j);
		break;
	case WIRE_CARDS:
	case WIRE_CARDSUM:
		break;		/* cards.h's own codec: tests/unit/test_cards.c */
	}
}

/* Encodes in with enc, decodes with dec and asserts the same struct back. */
static void
roundtrip(const struct buf *b, enum wire_type type, dec_fn dec,
    const void *in, size_t size)
{
	assert_true(b->len <= CHAN_MAX_PLAIN);
	assert_int_equal(wire_type(b->data, b->len), type);
	accepts(dec, b->data, b->len, &scratch);
	assert_memory_equal(&scratch, in, size);
}

static void
test_hello_roundtrip(void **state)
{
	struct wire_hello h;
	struct buf	 b;
	size_t		 i;

	memset(&h, 0, sizeof h);		/* all zero, no addresses */
	buf_init(&b);
	wire_hello_encode(&b, &h);
	roundtrip(&b, WIRE_HELLO, dec_hello, &h, sizeof h);
	h.version = h.features = h.time = UINT64_MAX;
	h.nlisten = WIRE_MAX_ADDRS;
	for (i = 0; i < WIRE_MAX_ADDRS; i++)
		memset(h.listen[i], 'a' + (int)i, WIRE_ADDR_MAX);
	b.len = 0;
	wire_hello_encode(&b, &h);
	roundtrip(&b, WIRE_HELLO, dec_hello, &h, sizeof h);
	buf_free(&b);
}

static void
test_announce_roundtrip(void **state)
{
	struct wire_announce a;
	struct buf	 b;
	uint64_t	 edge[] = { 0, 1, UINT64_MAX };
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < nitems(edge); i++) {
		memset(&a, 0, sizeof a);
		memcpy(a.pk, kp1.pk, KEYS_PK_LEN);
		a.seq = a.time = edge[i];
		memset(a.head, (int)i, WIRE_OID_LEN);
		wire_announce_sign(&a, &kp1);
		assert_int_equal(wire_announce_verify(&a), 0);
		b.len = 0;
		wire_announce_encode(&b, &a);
		roundtrip(&b, WIRE_ANNOUNCE, dec_announce, &a, sizeof a);
		assert_int_equal(wire_announce_verify(&scratch.a), 0);
	}
	buf_free(&b);
}

static void
test_node_roundtrip(void **state)
{
	struct wire_node n;
	struct buf	 b;
	size_t		 i;

	memset(&n, 0, sizeof n);		/* empty name, no addresses */
	memcpy(n.pk, kp2.pk, KEYS_PK_LEN);
	wire_node_sign(&n, &kp2);
	buf_init(&b);
	wire_node_encode(&b, &n);
	roundtrip(&b, WIRE_NODE, dec_node, &n, sizeof n);
	assert_int_equal(wire_node_verify(&scratch.n), 0);

	for (i = 0; i < WIRE_NAME_MAX; i += 2)	/* 100 × "ä": 200 bytes */
		memcpy(n.name + i, "\xc3\xa4", 2);
	n.naddrs = WIRE_MAX_ADDRS;
	for (i = 0; i < WIRE_MAX_ADDRS; i++)
		memset(n.addrs[i], '0' + (int)i, WIRE_ADDR_MAX);
	n.time = UINT64_MAX;
	wire_node_sign(&n, &kp2);
	assert_true(n.s.bodylen <= WIRE_SIGNED_MAX);
	b.len = 0;
	wire_node_encode(&b, &n);
	roundtrip(&b, WIRE_NODE, dec_node, &n, sizeof n);
	assert_int_equal(wire_node_verify(&scratch.n), 0);
	buf_free(&b);
}

static void
test_summary_roundtrip(void **state)
{
	static struct wire_summary s;
	struct buf	 b;

	memset(&s, 0, sizeof s);
	buf_init(&b);
	wire_summary_encode(&b, &s);
	roundtrip(&b, WIRE_SUMMARY, dec_summary, &s, sizeof s);
	/* The largest SUMMARY: 512 heads with 9-byte seqs, fits one frame. */
	s.page = UINT64_MAX;
	s.more = 1;
	s.nheads = WIRE_SUMMARY_MAX;
	fill_heads(s.heads, s.nheads, UINT64_MAX - WIRE_SUMMARY_MAX);
	b.len = 0;
	wire_summary_encode(&b, &s);
	roundtrip(&b, WIRE_SUMMARY, dec_summary, &s, sizeof s);
	assert_true(b.len <= CHAN_MAX_PLAIN);
	buf_free(&b);
}

static void
test_want_roundtrip(void **state)
{
	static struct wire_want w;
	struct buf	 b;

	buf_init(&b);
	fill_want(&w, 0, 0, 0);
	wire_want_encode(&b, &w);
	roundtrip(&b, WIRE_WANT, dec_want, &w, sizeof w);
	fill_want(&w, 3, 0, 1);			/* branches without haves */
	b.len = 0;
	wire_want_encode(&b, &w);
	roundtrip(&b, WIRE_WANT, dec_want, &w, sizeof w);
	/* The largest WANT: 64 branches × 8 haves, fits one frame. */
	fill_want(&w, WIRE_WANT_MAX, WIRE_HAVE_MAX, UINT64_MAX);
	b.len = 0;
	wire_want_encode(&b, &w);
	roundtrip(&b, WIRE_WANT, dec_want, &w, sizeof w);
	assert_true(b.len <= CHAN_MAX_PLAIN);
	buf_free(&b);
}

static void
test_small_roundtrips(void **state)
{
	struct wire_digest g;
	struct wire_ping p;
	struct wire_error e;
	struct buf	 b;
	uint64_t	 edge[] = { 0, 1, UINT64_MAX };
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < nitems(edge); i++) {
		memset(&g, 0, sizeof g);
		g.count = edge[i];
		memset(g.digest, (int)i, sizeof g.digest);
		b.len = 0;
		wire_digest_encode(&b, &g);
		roundtrip(&b, WIRE_DIGEST, dec_digest, &g, sizeof g);
		p.nonce = edge[i];
		b.len = 0;
		wire_ping_encode(&b, WIRE_PING, edge[i]);
		roundtrip(&b, WIRE_PING, dec_ping, &p, sizeof p);
		b.len = 0;
		wire_ping_encode(&b, WIRE_PONG, edge[i]);
		roundtrip(&b, WIRE_PONG, dec_ping, &p, sizeof p);
		memset(&e, 0, sizeof e);
		e.code = edge[i];
		b.len = 0;
		wire_error_encode(&b, e.code, i == 0 ? NULL : "");
		roundtrip(&b, WIRE_ERROR, dec_error, &e, sizeof e);
	}
	memset(e.text, 'x', WIRE_ERROR_MAX);		/* exactly the limit */
	b.len = 0;
	wire_error_encode(&b, e.code, e.text);
	roundtrip(&b, WIRE_ERROR, dec_error, &e, sizeof e);
	buf_free(&b);
}

/* An ERROR text over the limit is cut, never inside a character. */
static void
test_error_cut(void **state)
{
	char		 text[WIRE_ERROR_MAX + 8];
	struct buf	 b;

	memset(text, 'x', WIRE_ERROR_MAX - 1);
	strcpy(text + WIRE_ERROR_MAX - 1, "\xc3\xa4 tail");
	buf_init(&b);
	wire_error_encode(&b, 1, text);
	accepts(dec_error, b.data, b.len, &scratch);
	assert_int_equal(strlen(scratch.e.text), WIRE_ERROR_MAX - 1);
	buf_free(&b);
}

static void
test_pack_roundtrip(void **state)
{
	static uint8_t	 data[WIRE_CHUNK_MAX];
	struct buf	 b;
	uint8_t		*q;
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7);
	buf_init(&b);
	wire_pack_encode(&b, 0, NULL, 0, 1);
	accepts(dec_pack, b.data, b.len, &scratch);
	assert_true(scratch.p.reqid == 0 && scratch.p.len == 0 &&
	    scratch.p.last == 1 && scratch.p.data != NULL);
	b.len = 0;
	wire_pack_encode(&b, UINT64_MAX, data, sizeof data, 0);
	assert_true(b.len <= CHAN_MAX_PLAIN);
	assert_int_equal(wire_type(b.data, b.len), WIRE_PACK);
	q = exact(b.data, b.len);
	assert_int_equal(wire_pack_decode(q, b.len, &scratch.p, &cause), 0);
	assert_true(scratch.p.reqid == UINT64_MAX && scratch.p.last == 0);
	assert_int_equal(scratch.p.len, sizeof data);
	assert_memory_equal(scratch.p.data, data, sizeof data);
	/* data points into the frame, not into a copy. */
	assert_true(scratch.p.data > q && scratch.p.data + scratch.p.len ==
	    q + b.len - 1);
	free(q);
	buf_free(&b);
}

/* The limits of wire.h against one channel frame. */
static void
test_limits_fit_frame(void **state)
{
	assert_int_equal(WIRE_MSG_MAX, CHAN_MAX_PLAIN);
	assert_int_equal(sizeof WIRE_CTX_ANNOUNCE, 18);
	assert_int_equal(sizeof WIRE_CTX_NODE, 14);
}

static void
test_wire_type(void **state)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < nitems(decs); i++) {
		b.len = 0;
		sample(&b, decs[i].type);
		assert_int_equal(wire_type(b.data, b.len), decs[i].type);
	}
	buf_free(&b);
	assert_int_equal(wire_type(NULL, 0), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x91", 1), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x90\x01", 2), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x91\x00", 2), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x91\x0b", 2), WIRE_JOIN);
	assert_int_equal(wire_type((const uint8_t *)"\x91\x1e", 2), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x91\xff", 2), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x01\x01", 2), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x91\xcc\x03", 3), 3);
	assert_int_equal(wire_type((const uint8_t *)"\x91\xcc", 2), -1);
	assert_int_equal(wire_type((const uint8_t *)"\x91\xd0\xfd", 3), -1);
	assert_int_equal(wire_type((const uint8_t *)
	    "\xdc\x00\x01\xcf\0\0\0\0\0\0\0\x0a", 12), 10);
	assert_int_equal(wire_type((const uint8_t *)
	    "\xdd\x00\x00\x00\x01\xce\0\0\x01\x01", 10), -1);
	assert_int_equal(wire_type((const uint8_t *)"\xdd\x08\0\0\0\0", 6), -1);
}

/* Every decoder refuses every other message type. */
static void
test_reject_wrong_type(void **state)
{
	struct buf	 b;
	size_t		 i, j;

	buf_init(&b);
	for (j = 0; j < nitems(decs); j++) {
		b.len = 0;
		sample(&b, decs[j].type);
		for (i = 0; i < nitems(decs); i++)
			if (decs[i].fn != decs[j].fn)
				rejects(decs[i].fn, b.data, b.len, "type is");
		b.data[1] = 0;				/* type 0, 30, 127 */
		rejects(decs[j].fn, b.data, b.len, "type is 0");
		b.data[1] = 30;
		rejects(decs[j].fn, b.data, b.len, "type is 30");
		b.data[1] = 0x7f;
		rejects(decs[j].fn, b.data, b.len, "type is 127");
		b.data[1] = 0xc0;
		rejects(decs[j].fn, b.data, b.len, "type is nil");
	}
	buf_free(&b);
}

/* One element fewer or one more at the top level. */
static void
test_reject_arity(void **state)
{
	msgpack_unpacked up;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	struct buf	 b;
	size_t		 i, off;

	buf_init(&b);
	for (i = 0; i < nitems(decs); i++) {
		b.len = 0;
		sample(&b, decs[i].type);
		msgpack_unpacked_init(&up);
		off = 0;
		assert_int_equal(msgpack_unpack_next(&up, (char *)b.data, b.len,
		    &off), MSGPACK_UNPACK_SUCCESS);
		up.data.via.array.size--;
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_object(&pk, up.data);
		rejects(decs[i].fn, sb.data, sb.size, "elements, expected");
		msgpack_sbuffer_destroy(&sb);
		msgpack_unpacked_destroy(&up);
		b.data[0]++;			/* fixarray: one more, a nil */
		buf_addc(&b, 0xc0);
		rejects(decs[i].fn, b.data, b.len, "elements, expected");
		rejects(decs[i].fn, "\x90", 1, "is not an array [type");
	}
	buf_free(&b);
}

/* Every cut of a valid encoding fails; so do trailing bytes. */
static void
test_reject_cuts_and_trailing(void **state)
{
	struct buf	 b;
	size_t		 i, n;

	buf_init(&b);
	for (i = 0; i < nitems(decs); i++) {
		b.len = 0;
		sample(&b, decs[i].type);
		for (n = 0; n < b.len; n++)
			rejects(decs[i].fn, b.data, n, NULL);
		buf_addc(&b, 0xc0);
		rejects(decs[i].fn, b.data, b.len, "well-formed");
		b.data[b.len - 1] = 0x00;
		rejects(decs[i].fn, b.data, b.len, "well-formed");
	}
	buf_free(&b);
}

/* The 6-byte array bomb of API-NOTES: alone, as a field, as a signed body. */
static void
test_reject_bomb(void **state)
{
	static const uint8_t bomb[] = { 0xdd, 0x08, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t nested[] = { 0x95, 0x01, 0xdd, 0x08, 0x00, 0x00,
	    0x00, 0x00 };
	uint8_t		 frame[6 + sizeof bomb + KEYS_SIG_LEN];
	size_t		 i;

	for (i = 0; i < nitems(decs); i++) {
		rejects(decs[i].fn, bomb, sizeof bomb, "well-formed");
		rejects(decs[i].fn, nested, sizeof nested, "well-formed");
	}
	frame[0] = 0x93;
	frame[1] = WIRE_ANNOUNCE;
	frame[2] = 0xc4;
	frame[3] = sizeof bomb;
	memcpy(frame + 4, bomb, sizeof bomb);
	frame[4 + sizeof bomb] = 0xc4;
	frame[5 + sizeof bomb] = KEYS_SIG_LEN;
	memset(frame + 6 + sizeof bomb, 0, KEYS_SIG_LEN);
	rejects(dec_announce, frame, 6 + sizeof bomb + KEYS_SIG_LEN,
	    "ANNOUNCE: body is not one well-formed");
	frame[1] = WIRE_NODE;
	rejects(dec_node, frame, 6 + sizeof bomb + KEYS_SIG_LEN,
	    "NODE: body is not one well-formed");
}

/* Objects of every msgpack type, to put where they do not belong. */
static msgpack_object
other_object(int i)
{
	static msgpack_object_kv kv;
	msgpack_object	 o;

	memset(&o, 0, sizeof o);
	switch (i) {
	case 0: o.type = MSGPACK_OBJECT_NIL; break;
	case 1: o.type = MSGPACK_OBJECT_BOOLEAN; o.via.boolean = 1; break;
	case 2: o.type = MSGPACK_OBJECT_POSITIVE_INTEGER; o.via.u64 = 3; break;
	case 3: o.type = MSGPACK_OBJECT_NEGATIVE_INTEGER; o.via.i64 = -1; break;
	case 4: o.type = MSGPACK_OBJECT_FLOAT64; o.via.f64 = 1.5; break;
	case 5: o.type = MSGPACK_OBJECT_STR; o.via.str.ptr = "x";
		o.via.str.size = 1; break;
	case 6: o.type = MSGPACK_OBJECT_BIN; o.via.bin.ptr = "x";
		o.via.bin.size = 1; break;
	case 7: o.type = MSGPACK_OBJECT_ARRAY; break;
	default:
		memset(&kv, 0, sizeof kv);
		o.type = MSGPACK_OBJECT_MAP; o.via.map.ptr = &kv;
		o.via.map.size = 1; break;
	}
	return o;
}

/* A tree to mutate; when body is set, it is the signed body inside frame. */
struct mutant {
	msgpack_object	*frame;
	msgpack_object	*body;
	dec_fn		 fn;
	int		 resize;	/* also try every bin one byte off */
	size_t		 tried;
};

/* Packs the (mutated) tree and asserts the decoder refuses it. */
static void
mutant_rejected(struct mutant *m)
{
	msgpack_sbuffer	 fb, bb;
	msgpack_packer	 pk;
	msgpack_object	*slot = NULL, saved;

	msgpack_sbuffer_init(&fb);
	msgpack_sbuffer_init(&bb);
	if (m->body != NULL) {		/* frame intact: swap in the body */
		slot = &m->frame->via.array.ptr[1];
		saved = *slot;
		msgpack_packer_init(&pk, &bb, msgpack_sbuffer_write);
		msgpack_pack_object(&pk, *m->body);
		slot->via.bin.ptr = bb.data;
		slot->via.bin.size = (uint32_t)bb.size;
	}
	msgpack_packer_init(&pk, &fb, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, *m->frame);
	if (slot != NULL)
		*slot = saved;
	rejects(m->fn, fb.data, fb.size, NULL);
	m->tried++;
	msgpack_sbuffer_destroy(&fb);
	msgpack_sbuffer_destroy(&bb);
}

/* Same kind of msgpack object, floats and both integer signs told apart. */
static int
same_type(const msgpack_object *a, const msgpack_object *b)
{
	if ((a->type == MSGPACK_OBJECT_FLOAT32 ||
	    a->type == MSGPACK_OBJECT_FLOAT64) &&
	    (b->type == MSGPACK_OBJECT_FLOAT32 ||
	    b->type == MSGPACK_OBJECT_FLOAT64))
		return 1;
	return a->type == b->type;
}

/*
 * Walks the tree under o: replaces each object by every object of another
 * type, appends a nil to each array, and (with resize) makes each bin one
 * byte shorter and longer. Each mutant must be refused.
 */
static void
mutate(struct mutant *m, msgpack_object *o)
{
	msgpack_object	 saved = *o, other, *grown;
	uint32_t	 i, n;
	char		*p;

	for (i = 0; i < 9; i++) {
		other = other_object((int)i);
		if (same_type(&other, &saved))
			continue;
		*o = other;
		mutant_rejected(m);
		*o = saved;
	}
	if (o->type == MSGPACK_OBJECT_ARRAY) {
		n = o->via.array.size;
		grown = xcalloc(n + 1, sizeof *grown);
		if (n > 0)
			memcpy(grown, o->via.array.ptr, n * sizeof *grown);
		o->via.array.ptr = grown;
		o->via.array.size = n + 1;
		mutant_rejected(m);
		*o = saved;
		free(grown);
		for (i = 0; i < n; i++)
			mutate(m, &o->via.array.ptr[i]);
	}
	if (o->type == MSGPACK_OBJECT_BIN && m->resize && o->via.bin.size > 0) {
		p = xcalloc(1, o->via.bin.size + 1);
		memcpy(p, o->via.bin.ptr, o->via.bin.size);
		o->via.bin.ptr = p;
		o->via.bin.size++;
		mutant_rejected(m);
		o->via.bin.size -= 2;
		mutant_rejected(m);
		*o = saved;
		free(p);
	}
}

/* Type swaps, extra elements and off-by-one bins everywhere, in bodies too. */
static void
test_reject_mutants(void **state)
{
	msgpack_unpacked fu, bu;
	struct mutant	 m;
	struct buf	 b;
	size_t		 i, off;

	buf_init(&b);
	for (i = 0; i < nitems(decs); i++) {
		b.len = 0;
		sample(&b, decs[i].type);
		msgpack_unpacked_init(&fu);
		off = 0;
		assert_int_equal(msgpack_unpack_next(&fu, (char *)b.data,
		    b.len, &off), MSGPACK_UNPACK_SUCCESS);
		memset(&m, 0, sizeof m);
		m.frame = &fu.data;
		m.fn = decs[i].fn;
		m.resize = decs[i].type != WIRE_PACK;
		mutate(&m, &fu.data);
		if (decs[i].type == WIRE_NODE ||
		    decs[i].type == WIRE_ANNOUNCE) {
			msgpack_unpacked_init(&bu);
			off = 0;
			assert_int_equal(msgpack_unpack_next(&bu,
			    fu.data.via.array.ptr[1].via.bin.ptr,
			    fu.data.via.array.ptr[1].via.bin.size, &off),
			    MSGPACK_UNPACK_SUCCESS);
			m.body = &bu.data;
			mutate(&m, &bu.data);
			msgpack_unpacked_destroy(&bu);
		}
		assert_true(m.tried > 10);
		msgpack_unpacked_destroy(&fu);
	}
	buf_free(&b);
}

/* A packer over an sbuffer, for frames the encoders refuse to write. */
struct mp {
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
};

static void
mp_init(struct mp *m)
{
	msgpack_sbuffer_init(&m->sb);
	msgpack_packer_init(&m->pk, &m->sb, msgpack_sbuffer_write);
}

/* n bytes of fill as bin (kind 'b') or str (kind 's'). */
static void
mp_blob(struct mp *m, int kind, size_t n, int fill)
{
	char	*p = xmalloc(n + 1);

	memset(p, fill, n);
	if (kind == 's') {
		msgpack_pack_str(&m->pk, n);
		msgpack_pack_str_body(&m->pk, p, n);
	} else {
		msgpack_pack_bin(&m->pk, n);
		msgpack_pack_bin_body(&m->pk, p, n);
	}
	free(p);
}

static void
mp_raw_str(struct mp *m, const char *s)
{
	msgpack_pack_str(&m->pk, strlen(s));
	msgpack_pack_str_body(&m->pk, s, strlen(s));
}

/* Rejects m with fn, wanting cause, and frees m. */
static void
mp_rejects(struct mp *m, dec_fn fn, const char *want)
{
	rejects(fn, m->sb.data, m->sb.size, want);
	msgpack_sbuffer_destroy(&m->sb);
}

/* A HELLO with naddr addresses of alen bytes each (or the string s). */
static void
bad_hello(size_t naddr, size_t alen, const char *s, const char *want)
{
	struct mp	 m;
	size_t		 i;

	mp_init(&m);
	msgpack_pack_array(&m.pk, 5);
	msgpack_pack_uint8(&m.pk, WIRE_HELLO);
	msgpack_pack_uint8(&m.pk, 1);
	msgpack_pack_uint8(&m.pk, 0);
	msgpack_pack_array(&m.pk, naddr);
	for (i = 0; i < naddr; i++)
		if (s != NULL)
			mp_raw_str(&m, s);
		else
			mp_blob(&m, 's', alen, 'h');
	msgpack_pack_uint8(&m.pk, 0);
	mp_rejects(&m, dec_hello, want);
}

/* Packs a signed frame [type, body, sig of siglen zero bytes]. */
static void
mp_signed(struct mp *m, enum wire_type type, struct mp *body, size_t siglen)
{
	mp_init(m);
	msgpack_pack_array(&m->pk, 3);
	msgpack_pack_uint8(&m->pk, type);
	msgpack_pack_bin(&m->pk, body->sb.size);
	msgpack_pack_bin_body(&m->pk, body->sb.data, body->sb.size);
	mp_blob(m, 'b', siglen, 0);
	msgpack_sbuffer_destroy(&body->sb);
}

/*
 * A NODE frame (unsigned: decoders do not verify) whose name is name[0..nlen)
 * or nlen filler bytes, with naddr addresses of alen bytes.
 */
static void
mp_node(struct mp *m, const char *name, size_t nlen, size_t naddr,
    size_t alen)
{
	struct mp	 body;
	size_t		 i;

	mp_init(&body);
	msgpack_pack_array(&body.pk, 4);
	mp_blob(&body, 'b', KEYS_PK_LEN, 1);
	if (name != NULL) {
		msgpack_pack_str(&body.pk, nlen);
		msgpack_pack_str_body(&body.pk, name, nlen);
	} else
		mp_blob(&body, 's', nlen, 'n');
	msgpack_pack_array(&body.pk, naddr);
	for (i = 0; i < naddr; i++)
		mp_blob(&body, 's', alen, 'a');
	msgpack_pack_uint8(&body.pk, 0);
	mp_signed(m, WIRE_NODE, &body, KEYS_SIG_LEN);
}

static void
bad_node(const char *name, size_t nlen, size_t naddr, size_t alen,
    const char *want)
{
	struct mp	 m;

	mp_node(&m, name, nlen, naddr, alen);
	mp_rejects(&m, dec_node, want);
}

/* An ANNOUNCE frame with fields of the given lengths. */
static void
mp_announce(struct mp *m, size_t pklen, size_t headlen, size_t siglen)
{
	struct mp	 body;

	mp_init(&body);
	msgpack_pack_array(&body.pk, 4);
	mp_blob(&body, 'b', pklen, 1);
	msgpack_pack_uint8(&body.pk, 1);
	mp_blob(&body, 'b', headlen, 2);
	msgpack_pack_uint8(&body.pk, 0);
	mp_signed(m, WIRE_ANNOUNCE, &body, siglen);
}

/* HELLO, NODE, body and SUMMARY counts and lengths one past the limit. */
static void
test_reject_limits(void **state)
{
	struct mp	 m;
	size_t		 i;

	bad_hello(WIRE_MAX_ADDRS + 1, 5, NULL, "HELLO: listen has 5 entries");
	bad_hello(1, WIRE_ADDR_MAX + 1, NULL, "HELLO: listen[0] is 129 bytes");
	bad_hello(1, 0, NULL, "HELLO: listen[0] is 0 bytes");
	bad_node(NULL, WIRE_NAME_MAX + 1, 0, 0, "NODE: name is 201 bytes");
	bad_node(NULL, 0, WIRE_MAX_ADDRS + 1, 5, "NODE: addrs has 5 entries");
	bad_node(NULL, 0, 1, WIRE_ADDR_MAX + 1, "NODE: addrs[0] is 129 bytes");
	mp_node(&m, NULL, WIRE_NAME_MAX, WIRE_MAX_ADDRS, WIRE_ADDR_MAX);
	accepts(dec_node, m.sb.data, m.sb.size, &scratch);	/* at limits */
	msgpack_sbuffer_destroy(&m.sb);

	mp_init(&m);				/* body over WIRE_SIGNED_MAX */
	msgpack_pack_array(&m.pk, 3);
	msgpack_pack_uint8(&m.pk, WIRE_ANNOUNCE);
	mp_blob(&m, 'b', WIRE_SIGNED_MAX + 1, 0x90);
	mp_blob(&m, 'b', KEYS_SIG_LEN, 0);
	mp_rejects(&m, dec_announce, "ANNOUNCE: body is 1025 bytes");

	mp_init(&m);
	msgpack_pack_array(&m.pk, 4);
	msgpack_pack_uint8(&m.pk, WIRE_SUMMARY);
	msgpack_pack_uint8(&m.pk, 0);
	msgpack_pack_false(&m.pk);
	msgpack_pack_array(&m.pk, WIRE_SUMMARY_MAX + 1);
	for (i = 0; i < WIRE_SUMMARY_MAX + 1; i++)
		msgpack_pack_nil(&m.pk);
	mp_rejects(&m, dec_summary, "SUMMARY: heads has 513 entries");
}

/* WANT counts, PACK and ERROR lengths, the frame size: one past the limit. */
static void
test_reject_limits2(void **state)
{
	struct mp	 m;
	size_t		 i;

	mp_init(&m);
	msgpack_pack_array(&m.pk, 3);
	msgpack_pack_uint8(&m.pk, WIRE_WANT);
	msgpack_pack_uint8(&m.pk, 0);
	msgpack_pack_array(&m.pk, WIRE_WANT_MAX + 1);
	for (i = 0; i < WIRE_WANT_MAX + 1; i++)
		msgpack_pack_nil(&m.pk);
	mp_rejects(&m, dec_want, "WANT: branches has 65 entries");

	mp_init(&m);
	msgpack_pack_array(&m.pk, 3);
	msgpack_pack_uint8(&m.pk, WIRE_WANT);
	msgpack_pack_uint8(&m.pk, 0);
	msgpack_pack_array(&m.pk, 1);
	msgpack_pack_array(&m.pk, 3);
	mp_blob(&m, 'b', KEYS_PK_LEN, 1);
	mp_blob(&m, 'b', WIRE_OID_LEN, 2);
	msgpack_pack_array(&m.pk, WIRE_HAVE_MAX + 1);
	for (i = 0; i < WIRE_HAVE_MAX + 1; i++)
		mp_blob(&m, 'b', WIRE_OID_LEN, 3);
	mp_rejects(&m, dec_want, "WANT: branches[0].haves has 9 entries");

	mp_init(&m);
	msgpack_pack_array(&m.pk, 4);
	msgpack_pack_uint8(&m.pk, WIRE_PACK);
	msgpack_pack_uint8(&m.pk, 0);
	mp_blob(&m, 'b', WIRE_CHUNK_MAX + 1, 0);
	msgpack_pack_true(&m.pk);
	mp_rejects(&m, dec_pack, "PACK: data is 61441 bytes");

	mp_init(&m);				/* over one channel frame */
	msgpack_pack_array(&m.pk, 4);
	msgpack_pack_uint8(&m.pk, WIRE_PACK);
	msgpack_pack_uint8(&m.pk, 0);
	mp_blob(&m, 'b', WIRE_MSG_MAX, 0);
	msgpack_pack_true(&m.pk);
	mp_rejects(&m, dec_pack, "PACK: message is 65526 bytes, at most 65519");

	mp_init(&m);
	msgpack_pack_array(&m.pk, 3);
	msgpack_pack_uint8(&m.pk, WIRE_ERROR);
	msgpack_pack_uint8(&m.pk, 1);
	mp_blob(&m, 's', WIRE_ERROR_MAX + 1, 'e');
	mp_rejects(&m, dec_error, "ERROR: text is 257 bytes");
}

/* Fixed-length fields one byte off, with the exact cause. */
static void
test_reject_lengths(void **state)
{
	struct mp	 m;
	char		*cause = NULL;

	mp_announce(&m, KEYS_PK_LEN, WIRE_OID_LEN - 1, KEYS_SIG_LEN);
	assert_int_equal(wire_announce_decode((uint8_t *)m.sb.data, m.sb.size,
	    &scratch.a, &cause), -1);
	assert_string_equal(cause, "ANNOUNCE: head is 19 bytes, expected 20");
	free(cause);
	msgpack_sbuffer_destroy(&m.sb);
	mp_announce(&m, KEYS_PK_LEN, WIRE_OID_LEN + 1, KEYS_SIG_LEN);
	mp_rejects(&m, dec_announce, "ANNOUNCE: head is 21 bytes, expected 20");
	mp_announce(&m, KEYS_PK_LEN - 1, WIRE_OID_LEN, KEYS_SIG_LEN);
	mp_rejects(&m, dec_announce, "ANNOUNCE: pk is 31 bytes, expected 32");
	mp_announce(&m, KEYS_PK_LEN + 1, WIRE_OID_LEN, KEYS_SIG_LEN);
	mp_rejects(&m, dec_announce, "ANNOUNCE: pk is 33 bytes, expected 32");
	mp_announce(&m, KEYS_PK_LEN, WIRE_OID_LEN, KEYS_SIG_LEN - 1);
	mp_rejects(&m, dec_announce, "ANNOUNCE: sig is 63 bytes, expected 64");
	mp_announce(&m, KEYS_PK_LEN, WIRE_OID_LEN, KEYS_SIG_LEN + 1);
	mp_rejects(&m, dec_announce, "ANNOUNCE: sig is 65 bytes, expected 64");
	mp_announce(&m, KEYS_PK_LEN, WIRE_OID_LEN, KEYS_SIG_LEN);
	accepts(dec_announce, m.sb.data, m.sb.size, &scratch);
	msgpack_sbuffer_destroy(&m.sb);

	mp_init(&m);
	msgpack_pack_array(&m.pk, 3);
	msgpack_pack_uint8(&m.pk, WIRE_DIGEST);
	msgpack_pack_uint8(&m.pk, 0);
	mp_blob(&m, 'b', 31, 0);
	mp_rejects(&m, dec_digest, "DIGEST: digest is 31 bytes, expected 32");
}

/* Records and bodies with a field too few or too many. */
static void
test_reject_record_arity(void **state)
{
	struct mp	 m, body;
	size_t		 n;

	for (n = 3; n <= 5; n += 2) {
		mp_init(&body);
		msgpack_pack_array(&body.pk, n);
		mp_blob(&body, 'b', KEYS_PK_LEN, 1);
		msgpack_pack_uint8(&body.pk, 1);
		mp_blob(&body, 'b', WIRE_OID_LEN, 2);
		if (n == 5) {
			msgpack_pack_uint8(&body.pk, 0);
			msgpack_pack_uint8(&body.pk, 0);
		}
		mp_signed(&m, WIRE_ANNOUNCE, &body, KEYS_SIG_LEN);
		mp_rejects(&m, dec_announce, n == 3 ? "ANNOUNCE: body has 3 "
		    "fields, expected 4" : "ANNOUNCE: body has 5 fields");
	}
	mp_init(&m);
	msgpack_pack_array(&m.pk, 4);
	msgpack_pack_uint8(&m.pk, WIRE_SUMMARY);
	msgpack_pack_uint8(&m.pk, 0);
	msgpack_pack_true(&m.pk);
	msgpack_pack_array(&m.pk, 1);
	msgpack_pack_array(&m.pk, 2);
	mp_blob(&m, 'b', KEYS_PK_LEN, 1);
	msgpack_pack_uint8(&m.pk, 1);
	mp_rejects(&m, dec_summary,
	    "SUMMARY: heads[0] has 2 fields, expected 3");

	mp_init(&m);
	msgpack_pack_array(&m.pk, 3);
	msgpack_pack_uint8(&m.pk, WIRE_WANT);
	msgpack_pack_uint8(&m.pk, 0);
	msgpack_pack_array(&m.pk, 1);
	msgpack_pack_array(&m.pk, 4);
	mp_blob(&m, 'b', KEYS_PK_LEN, 1);
	mp_blob(&m, 'b', WIRE_OID_LEN, 2);
	msgpack_pack_array(&m.pk, 0);
	msgpack_pack_nil(&m.pk);
	mp_rejects(&m, dec_want, "WANT: branches[0] has 4 fields, expected 3");
}

/* Text: bad UTF-8, NUL or control bytes; addresses: anything but ASCII. */
static void
test_reject_bad_text(void **state)
{
	static const char *const bad[] = {
		"\xff", "caf\xc3", "\xc0\x80", "\xed\xa0\x80",
		"\xf4\x90\x80\x80",
		"a\x01", "line\nbreak", "esc\x1b[31m", "del\x7f",
	};
	struct mp	 m;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		bad_node(bad[i], strlen(bad[i]), 0, 0,
		    "NODE: name is not valid UTF-8");
		bad_hello(1, 0, bad[i], "HELLO: listen[0] is not printable");
		mp_init(&m);
		msgpack_pack_array(&m.pk, 3);
		msgpack_pack_uint8(&m.pk, WIRE_ERROR);
		msgpack_pack_uint8(&m.pk, 1);
		mp_raw_str(&m, bad[i]);
		mp_rejects(&m, dec_error, "ERROR: text is not valid UTF-8");
	}
	bad_node("nul\0inside", 10, 0, 0, "NODE: name is not valid UTF-8");
	mp_node(&m, "Gemeinde Übach", strlen("Gemeinde Übach"), 1, 3);
	accepts(dec_node, m.sb.data, m.sb.size, &scratch);
	msgpack_sbuffer_destroy(&m.sb);
	bad_hello(1, 0, "host name:1", "is not printable ASCII");
	bad_hello(1, 0, "h\xc3\xa4st:1", "is not printable ASCII");
}

/* Flips each bit of body and sig inside frame f: nothing may verify. */
static void
flip_frame_bits(const struct buf *f, size_t from, dec_fn fn)
{
	uint8_t		*q = exact(f->data, f->len);
	char		*cause;
	size_t		 i, decoded = 0;
	int		 bit, ok;

	for (i = from; i < f->len; i++) {
		for (bit = 0; bit < 8; bit++) {
			q[i] ^= 1 << bit;
			cause = NULL;
			if (fn(q, f->len, &scratch, &cause) == 0) {
				decoded++;
				ok = q[1] == WIRE_NODE ?
				    wire_node_verify(&scratch.n) :
				    wire_announce_verify(&scratch.a);
				assert_int_equal(ok, -1);
			}
			free(cause);
			q[i] ^= 1 << bit;
		}
	}
	assert_true(decoded >= 8 * KEYS_SIG_LEN);	/* every sig bit */
	free(q);
}

static void
test_sign_verify(void **state)
{
	struct wire_announce a, b;
	struct wire_node n;
	struct buf	 f;
	size_t		 i;

	fill_announce(&a);
	assert_int_equal(wire_announce_verify(&a), 0);
	buf_init(&f);
	wire_announce_encode(&f, &a);
	flip_frame_bits(&f, 3, dec_announce);	/* past [3, bin8 header */
	for (i = 0; i < 8 * a.s.bodylen; i++) {
		b = a;
		b.s.body[i / 8] ^= 1 << (i % 8);
		assert_int_equal(wire_announce_verify(&b), -1);
	}
	b = a;
	b.seq++;			/* no longer what was signed */
	assert_int_equal(wire_announce_verify(&b), -1);
	b = a;
	b.s.bodylen = 0;
	assert_int_equal(wire_announce_verify(&b), -1);
	b.s.bodylen = WIRE_SIGNED_MAX + 1;
	assert_int_equal(wire_announce_verify(&b), -1);

	/* Another key: kp2's signature over its own body, pasted onto a. */
	memset(&b, 0, sizeof b);
	memcpy(b.pk, kp2.pk, KEYS_PK_LEN);
	b.seq = a.seq;
	b.time = a.time;
	memcpy(b.head, a.head, WIRE_OID_LEN);
	wire_announce_sign(&b, &kp2);
	assert_int_equal(wire_announce_verify(&b), 0);
	memcpy(b.s.sig, a.s.sig, KEYS_SIG_LEN);	/* kp1's sig on kp2's body */
	assert_int_equal(wire_announce_verify(&b), -1);
	memcpy(a.pk, kp2.pk, KEYS_PK_LEN);	/* claiming kp2 on kp1's body */
	assert_int_equal(wire_announce_verify(&a), -1);

	fill_node(&n);
	assert_int_equal(wire_node_verify(&n), 0);
	f.len = 0;
	wire_node_encode(&f, &n);
	flip_frame_bits(&f, 3, dec_node);
	strcpy(n.addrs[1], "192.0.2.8:4242");
	assert_int_equal(wire_node_verify(&n), -1);
	fill_node(&n);
	n.name[0] = 'Z';
	assert_int_equal(wire_node_verify(&n), -1);
	fill_node(&n);
	n.naddrs = 1;
	assert_int_equal(wire_node_verify(&n), -1);
	buf_free(&f);
}

/* Signs ctx || body with kp into sig, the way wire_*_sign does. */
static void
sign_with(const char *ctx, size_t clen, const struct wire_signed *s,
    const struct keys_pair *kp, uint8_t *sig)
{
	uint8_t	 msg[64 + WIRE_SIGNED_MAX];

	memcpy(msg, ctx, clen);
	memcpy(msg + clen, s->body, s->bodylen);
	crypto_sign_detached(sig, NULL, msg, clen + s->bodylen, kp->sk);
}

/* A NODE signature never passes as an ANNOUNCE one, nor the reverse. */
static void
test_context_separation(void **state)
{
	struct wire_announce a, fake;
	struct wire_node n;
	struct buf	 f;

	/* A signed NODE body spliced into an ANNOUNCE frame. */
	fill_node(&n);
	memset(&fake, 0, sizeof fake);
	memcpy(fake.pk, n.pk, KEYS_PK_LEN);
	fake.s = n.s;
	buf_init(&f);
	wire_announce_encode(&f, &fake);
	rejects(dec_announce, f.data, f.len, "ANNOUNCE: seq is a string");
	assert_int_equal(wire_announce_verify(&fake), -1);
	buf_free(&f);

	/* An ANNOUNCE body signed in the NODE context, or with no context. */
	fill_announce(&a);
	sign_with(WIRE_CTX_ANNOUNCE, sizeof WIRE_CTX_ANNOUNCE, &a.s, &kp1,
	    a.s.sig);
	assert_int_equal(wire_announce_verify(&a), 0);	/* same as _sign */
	sign_with(WIRE_CTX_NODE, sizeof WIRE_CTX_NODE, &a.s, &kp1, a.s.sig);
	assert_int_equal(wire_announce_verify(&a), -1);
	sign_with("", 0, &a.s, &kp1, a.s.sig);
	assert_int_equal(wire_announce_verify(&a), -1);
	sign_with(WIRE_CTX_ANNOUNCE, sizeof WIRE_CTX_ANNOUNCE - 1, &a.s, &kp1,
	    a.s.sig);				/* without the NUL */
	assert_int_equal(wire_announce_verify(&a), -1);

	/* A NODE body signed in the ANNOUNCE context. */
	sign_with(WIRE_CTX_NODE, sizeof WIRE_CTX_NODE, &n.s, &kp1, n.s.sig);
	assert_int_equal(wire_node_verify(&n), 0);
	sign_with(WIRE_CTX_ANNOUNCE, sizeof WIRE_CTX_ANNOUNCE, &n.s, &kp1,
	    n.s.sig);
	assert_int_equal(wire_node_verify(&n), -1);
}

/* BLAKE2b-256 over the concatenation, computed the long way. */
static void
digest_by_hand(const struct wire_head *h, size_t n, uint8_t out[32])
{
	uint8_t	 cat[8 * (KEYS_PK_LEN + 8 + WIRE_OID_LEN)], *p = cat;
	size_t	 i;
	int	 k;

	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		memcpy(p, h[i].pk, KEYS_PK_LEN);
		p += KEYS_PK_LEN;
		for (k = 7; k >= 0; k--)
			*p++ = (uint8_t)(h[i].seq >> (8 * k));
		memcpy(p, h[i].head, WIRE_OID_LEN);
		p += WIRE_OID_LEN;
	}
	crypto_generichash(out, 32, cat, (size_t)(p - cat), NULL, 0);
}

static void
test_digest(void **state)
{
	struct wire_head h[3], t;
	uint8_t		 d[32], e[32];
	char		 hex[65];

	wire_digest(NULL, 0, d);		/* BLAKE2b-256 of nothing */
	hex_encode(d, 32, hex);
	assert_string_equal(hex, "0e5751c026e543b2e8ab2eb06099daa1"
	    "d1e5df47778f7787faab45cdf12fe3a8");

	fill_heads(h, 3, 1);			/* sorted by pk */
	h[2].seq = UINT64_MAX;
	wire_digest(h, 3, d);
	digest_by_hand(h, 3, e);
	assert_memory_equal(d, e, 32);
	hex_encode(d, 32, hex);
	assert_string_equal(hex, DIGEST3);
	wire_digest(h, 3, e);			/* stable */
	assert_memory_equal(d, e, 32);

	t = h[0];				/* order matters */
	h[0] = h[1];
	h[1] = t;
	wire_digest(h, 3, e);
	assert_memory_not_equal(d, e, 32);
	h[1] = h[0];
	h[0] = t;
	h[1].seq++;				/* so does every seq */
	wire_digest(h, 3, e);
	assert_memory_not_equal(d, e, 32);
}

/* A failed decode leaves nothing half-filled behind. */
static void
test_failed_decode_clears(void **state)
{
	static struct wire_summary s;
	struct buf	 b;
	char		*cause = NULL;

	memset(&s, 0, sizeof s);
	fill_heads(s.heads, 2, 1);
	s.nheads = 2;
	buf_init(&b);
	wire_summary_encode(&b, &s);
	assert_int_equal(b.data[b.len - 23], 2);	/* last head's seq */
	b.data[b.len - 23] = 0xc0;
	memset(&scratch, 0x5a, sizeof scratch);
	assert_int_equal(wire_summary_decode(b.data, b.len, &scratch.s,
	    &cause), -1);
	free(cause);
	memset(&s, 0, sizeof s);
	assert_memory_equal(&scratch.s, &s, sizeof s);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_roundtrip),
		cmocka_unit_test(test_announce_roundtrip),
		cmocka_unit_test(test_node_roundtrip),
		cmocka_unit_test(test_summary_roundtrip),
		cmocka_unit_test(test_want_roundtrip),
		cmocka_unit_test(test_small_roundtrips),
		cmocka_unit_test(test_error_cut),
		cmocka_unit_test(test_pack_roundtrip),
		cmocka_unit_test(test_limits_fit_frame),
		cmocka_unit_test(test_wire_type),
		cmocka_unit_test(test_reject_wrong_type),
		cmocka_unit_test(test_reject_arity),
		cmocka_unit_test(test_reject_cuts_and_trailing),
		cmocka_unit_test(test_reject_bomb),
		cmocka_unit_test(test_reject_mutants),
		cmocka_unit_test(test_reject_limits),
		cmocka_unit_test(test_reject_limits2),
		cmocka_unit_test(test_reject_lengths),
		cmocka_unit_test(test_reject_record_arity),
		cmocka_unit_test(test_reject_bad_text),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_context_separation),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_failed_decode_clears),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
