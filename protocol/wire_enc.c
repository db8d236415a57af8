/*
 * wire_enc.c — encoders for the peer messages of wire.h, signing, and DIGEST.
 *
 * Encoders pack straight into the caller's struct buf. Signed messages are
 * encoded from their struct wire_signed as it stands: the body is packed once,
 * at sign time, and relays pass the received bytes on unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "wire.h"

/* Stops the program: the caller asked to encode what no message can carry. */
static void __attribute__((noreturn))
botch(const char *what)
{
	fprintf(stderr, "wire: cannot encode %s\n", what);
	abort();
}

/* msgpack write callback appending to a struct buf. */
static int
buf_write_cb(void *data, const char *p, size_t n)
{
	buf_add(data, p, n);
	return 0;
}

/* Starts a message [type, …] of n elements in total. */
static void
begin(msgpack_packer *pk, struct buf *b, enum wire_type type, size_t n)
{
	msgpack_packer_init(pk, b, buf_write_cb);
	msgpack_pack_array(pk, n);
	msgpack_pack_uint64(pk, type);
}

static void
pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

/* Packs a string of at most max bytes held in a char[max + 1]. */
static void
pack_str(msgpack_packer *pk, const char *s, size_t max, const char *what)
{
	size_t	 n = strnlen(s, max + 1);

	if (n > max)
		botch(what);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

/* HELLO: [1, version, features, [listen…], time]. */
void
wire_hello_encode(struct buf *b, const struct wire_hello *h)
{
	msgpack_packer	 pk;
	size_t		 i;

	if (h->nlisten > WIRE_MAX_ADDRS)
		botch("HELLO with too many listen addresses");
	begin(&pk, b, WIRE_HELLO, 5);
	msgpack_pack_uint64(&pk, h->version);
	msgpack_pack_uint64(&pk, h->features);
	msgpack_pack_array(&pk, h->nlisten);
	for (i = 0; i < h->nlisten; i++)
		pack_str(&pk, h->listen[i], WIRE_ADDR_MAX, "HELLO address");
	msgpack_pack_uint64(&pk, h->time);
}

/* Packs a signed frame [type, body, sig]. */
static void
signed_encode(struct buf *b, enum wire_type type, const struct wire_signed *s,
    const char *what)
{
	msgpack_packer	 pk;

	if (s->bodylen == 0 || s->bodylen > WIRE_SIGNED_MAX)
		botch(what);
	begin(&pk, b, type, 3);
	pack_bin(&pk, s->body, s->bodylen);
	pack_bin(&pk, s->sig, KEYS_SIG_LEN);
}

/* ANNOUNCE: [3, body, sig] from a->s as signed or as received. */
void
wire_announce_encode(struct buf *b, const struct wire_announce *a)
{
	signed_encode(b, WIRE_ANNOUNCE, &a->s, "an unsigned ANNOUNCE");
}

/* NODE: [2, body, sig] from n->s as signed or as received. */
void
wire_node_encode(struct buf *b, const struct wire_node *n)
{
	signed_encode(b, WIRE_NODE, &n->s, "an unsigned NODE");
}

/* SUMMARY: [4, page, more, [[pk, seq, head]…]]. */
void
wire_summary_encode(struct buf *b, const struct wire_summary *s)
{
	msgpack_packer		 pk;
	const struct wire_head	*h;
	size_t			 i;

	if (s->nheads > WIRE_SUMMARY_MAX)
		botch("SUMMARY with too many heads");
	begin(&pk, b, WIRE_SUMMARY, 4);
	msgpack_pack_uint64(&pk, s->page);
	if (s->more)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
	msgpack_pack_array(&pk, s->nheads);
	for (i = 0; i < s->nheads; i++) {
		h = &s->heads[i];
		msgpack_pack_array(&pk, 3);
		pack_bin(&pk, h->pk, KEYS_PK_LEN);
		msgpack_pack_uint64(&pk, h->seq);
		pack_bin(&pk, h->head, WIRE_OID_LEN);
	}
}

/* DIGEST: [5, count, digest]. */
void
wire_digest_encode(struct buf *b, const struct wire_digest *g)
{
	msgpack_packer	 pk;

	begin(&pk, b, WIRE_DIGEST, 3);
	msgpack_pack_uint64(&pk, g->count);
	pack_bin(&pk, g->digest, sizeof g->digest);
}

/* WANT: [6, reqid, [[pk, want, [have…]]…]]. */
void
wire_want_encode(struct buf *b, const struct wire_want *w)
{
	msgpack_packer		 pk;
	const struct wire_wantb	*wb;
	size_t			 i, j;

	if (w->nb > WIRE_WANT_MAX)
		botch("WANT with too many branches");
	begin(&pk, b, WIRE_WANT, 3);
	msgpack_pack_uint64(&pk, w->reqid);
	msgpack_pack_array(&pk, w->nb);
	for (i = 0; i < w->nb; i++) {
		wb = &w->b[i];
		if (wb->nhaves > WIRE_HAVE_MAX)
			botch("WANT with too many haves");
		msgpack_pack_array(&pk, 3);
		pack_bin(&pk, wb->pk, KEYS_PK_LEN);
		pack_bin(&pk, wb->want, WIRE_OID_LEN);
		msgpack_pack_array(&pk, wb->nhaves);
		for (j = 0; j < wb->nhaves; j++)
			pack_bin(&pk, wb->haves[j], WIRE_OID_LEN);
	}
}

/* PACK: [7, reqid, data, last]. */
void
wire_pack_encode(struct buf *b, uint64_t reqid, const uint8_t *data,
    size_t len, int last)
{
	msgpack_packer	 pk;

	if (len > WIRE_CHUNK_MAX || (data == NULL && len != 0))
		botch("PACK with a chunk over WIRE_CHUNK_MAX");
	begin(&pk, b, WIRE_PACK, 4);
	msgpack_pack_uint64(&pk, reqid);
	pack_bin(&pk, data, len);
	if (last)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
}

/* PING [8, nonce] or PONG [9, nonce]. */
void
wire_ping_encode(struct buf *b, enum wire_type type, uint64_t nonce)
{
	msgpack_packer	 pk;

	if (type != WIRE_PING && type != WIRE_PONG)
		botch("a PING that is neither PING nor PONG");
	begin(&pk, b, type, 2);
	msgpack_pack_uint64(&pk, nonce);
}

/* JOIN: [11, id, proof]. */
void
wire_join_encode(struct buf *b, const struct wire_join *j)
{
	msgpack_packer	 pk;

	begin(&pk, b, WIRE_JOIN, 3);
	pack_bin(&pk, j->id, sizeof j->id);
	pack_bin(&pk, j->proof, sizeof j->proof);
}

/* Length of s cut to at most max bytes, never inside a UTF-8 character. */
static size_t
text_cut(const char *s, size_t max)
{
	size_t	 n = strnlen(s, max + 1);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* ERROR: [10, code, text], text cut to WIRE_ERROR_MAX bytes. */
void
wire_error_encode(struct buf *b, uint64_t code, const char *text)
{
	msgpack_packer	 pk;
	size_t		 n;

	if (text == NULL)
		text = "";
	n = text_cut(text, WIRE_ERROR_MAX);
	begin(&pk, b, WIRE_ERROR, 3);
	msgpack_pack_uint64(&pk, code);
	msgpack_pack_str(&pk, n);
	msgpack_pack_str_body(&pk, text, n);
}

/* Puts body into s and signs ctx (with its NUL) || body with kp. */
static void
sign_body(const char *ctx, struct wire_signed *s, const struct buf *body,
    const struct keys_pair *kp)
{
	uint8_t	 msg[32 + WIRE_SIGNED_MAX];
	size_t	 clen = strlen(ctx) + 1;

	if (body->len == 0 || body->len > WIRE_SIGNED_MAX || clen > 32)
		botch("a signed body over WIRE_SIGNED_MAX");
	if (sodium_init() < 0)
		botch("a signature: libsodium failed to initialise");
	memcpy(s->body, body->data, body->len);
	s->bodylen = body->len;
	memcpy(msg, ctx, clen);
	memcpy(msg + clen, s->body, s->bodylen);
	crypto_sign_detached(s->sig, NULL, msg, clen + s->bodylen, kp->sk);
	sodium_memzero(msg, sizeof msg);
}

/* Encodes the body [pk, seq, head, time] once and signs it. */
void
wire_announce_sign(struct wire_announce *a, const struct keys_pair *kp)
{
	msgpack_packer	 pk;
	struct buf	 body;

	if (memcmp(a->pk, kp->pk, KEYS_PK_LEN) != 0)
		botch("an ANNOUNCE signed by another key than its pk");
	buf_init(&body);
	msgpack_packer_init(&pk, &body, buf_write_cb);
	msgpack_pack_array(&pk, 4);
	pack_bin(&pk, a->pk, KEYS_PK_LEN);
	msgpack_pack_uint64(&pk, a->seq);
	pack_bin(&pk, a->head, WIRE_OID_LEN);
	msgpack_pack_uint64(&pk, a->time);
	sign_body(WIRE_CTX_ANNOUNCE, &a->s, &body, kp);
	buf_free(&body);
}

/* Encodes the body [pk, name, [addr…], time] once and signs it. */
void
wire_node_sign(struct wire_node *n, const struct keys_pair *kp)
{
	msgpack_packer	 pk;
	struct buf	 body;
	size_t		 i;

	if (memcmp(n->pk, kp->pk, KEYS_PK_LEN) != 0)
		botch("a NODE signed by another key than its pk");
	if (n->naddrs > WIRE_MAX_ADDRS)
		botch("NODE with too many addresses");
	buf_init(&body);
	msgpack_packer_init(&pk, &body, buf_write_cb);
	msgpack_pack_array(&pk, 4);
	pack_bin(&pk, n->pk, KEYS_PK_LEN);
	pack_str(&pk, n->name, WIRE_NAME_MAX, "NODE name");
	msgpack_pack_array(&pk, n->naddrs);
	for (i = 0; i < n->naddrs; i++)
		pack_str(&pk, n->addrs[i], WIRE_ADDR_MAX, "NODE address");
	msgpack_pack_uint64(&pk, n->time);
	sign_body(WIRE_CTX_NODE, &n->s, &body, kp);
	buf_free(&body);
}

/* Writes v big-endian into p[0..8). */
static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* BLAKE2b-256 over pk || be64(seq) || head of each, in the order given. */
void
wire_digest(const struct wire_head *h, size_t n, uint8_t out[32])
{
	crypto_generichash_state st;
	uint8_t		 seq[8];
	size_t		 i;

	crypto_generichash_init(&st, NULL, 0, 32);
	for (i = 0; i < n; i++) {
		put_be64(seq, h[i].seq);
		crypto_generichash_update(&st, h[i].pk, KEYS_PK_LEN);
		crypto_generichash_update(&st, seq, sizeof seq);
		crypto_generichash_update(&st, h[i].head, WIRE_OID_LEN);
	}
	crypto_generichash_final(&st, out, 32);
}
