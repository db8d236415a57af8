/*
 * test_chan.c — the secure channel: noise.c against the published
 * Noise_XX_25519_ChaChaPoly_BLAKE2b vectors (noise_vectors_xx_blake2b.h
 * names their sources), then chan.c between two in-memory endpoints with
 * real knowd keys: transport, tampering, replay, other networks, the
 * dialer's expected node, lying identity payloads, truncated and garbage
 * handshake messages, and calls in the wrong state.
 *
 * struct chan holds no pointers, so a test copies an endpoint to try a bad
 * message on the copy and keeps the original for the good one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "chan.h"
#include "noise.h"
#include "util.h"

#include "noise_vectors_xx_blake2b.h"

#define PROLOGUE	"knowd/1"
#define ID_PAYLOAD	(KEYS_PK_LEN + 1)
#define MSG1_LEN	NOISE_MSG1_MIN
#define MSG2_LEN	(NOISE_MSG2_MIN + ID_PAYLOAD)
#define MSG3_LEN	(NOISE_MSG3_MIN + ID_PAYLOAD)

/* Three identities and two networks, made once. */
static struct keys_pair	key_a, key_b, key_c;
static uint8_t		net_one[CHAN_NETID_LEN], net_two[CHAN_NETID_LEN];

/* Decodes a hex string into out (max bytes); returns the length. */
static size_t
unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t	n = strlen(hex) / 2;

	assert_true(n <= max);
	assert_int_equal(hex_decode(hex, out, n), 0);
	return n;
}

/* Asserts the call failed with a cause containing want, and frees it. */
static void
assert_cause(char *cause, const char *want)
{
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

/* Asserts everything secret in c is gone and the channel is failed. */
static void
assert_wiped(const struct chan *c)
{
	assert_int_equal(c->state, CHAN_FAILED);
	assert_false(chan_want_write(c));
	assert_null(chan_remote_pk(c));
	assert_true(sodium_is_zero((const uint8_t *)&c->hs, sizeof c->hs));
	assert_true(sodium_is_zero((const uint8_t *)&c->tx, sizeof c->tx));
	assert_true(sodium_is_zero((const uint8_t *)&c->rx, sizeof c->rx));
}

/* One handshake message from one end to the other; returns its length. */
static size_t
pass(struct chan *from, struct chan *to, uint8_t *msg)
{
	size_t	 len;
	char	*cause = NULL;

	assert_true(chan_want_write(from));
	assert_int_equal(chan_hs_write(from, msg, &len, &cause), 0);
	assert_null(cause);
	assert_false(chan_want_write(to));
	if (chan_hs_read(to, msg, len, &cause) != 0)
		fail_msg("handshake read: %s", cause);
	return len;
}

/* Sets up dialer a (expecting expect) and listener b and runs the handshake. */
static void
connect_pair(struct chan *a, struct chan *b, const uint8_t *expect)
{
	uint8_t	 msg[CHAN_HS_MAX];
	char	*cause = NULL;

	assert_int_equal(chan_init(a, 1, &key_a, net_one, expect, &cause), 0);
	assert_int_equal(chan_init(b, 0, &key_b, net_one, NULL, &cause), 0);
	assert_null(cause);
	assert_int_equal(a->state, CHAN_HS_WRITE1);
	assert_int_equal(b->state, CHAN_HS_READ1);

	assert_int_equal(pass(a, b, msg), MSG1_LEN);
	assert_null(chan_remote_pk(b));
	assert_int_equal(pass(b, a, msg), MSG2_LEN);
	assert_memory_equal(chan_remote_pk(a), key_b.pk, KEYS_PK_LEN);
	assert_null(chan_remote_pk(b));
	assert_int_equal(pass(a, b, msg), MSG3_LEN);
	assert_memory_equal(chan_remote_pk(b), key_a.pk, KEYS_PK_LEN);

	assert_int_equal(a->state, CHAN_READY);
	assert_int_equal(b->state, CHAN_READY);
	assert_false(chan_want_write(a));
	assert_false(chan_want_write(b));
}

/*
 * After a vector's message 3: both ends agree on h (and on the published
 * hash), authenticated each other's s, and split into transport states.
 */
static void
finish_vector(const struct noise_vector *v, uint8_t key[4][NOISE_DHLEN],
    struct noise_handshake *ini, struct noise_handshake *rsp,
    struct noise_cipher *ini_tx, struct noise_cipher *ini_rx,
    struct noise_cipher *rsp_tx, struct noise_cipher *rsp_rx)
{
	uint8_t	hash[NOISE_HASHLEN], pub[NOISE_DHLEN];

	assert_memory_equal(noise_hs_hash(ini), noise_hs_hash(rsp),
	    NOISE_HASHLEN);
	if (v->handshake_hash != NULL) {
		unhex(v->handshake_hash, hash, sizeof hash);
		assert_memory_equal(noise_hs_hash(ini), hash, NOISE_HASHLEN);
	}
	crypto_scalarmult_base(pub, key[2]);
	assert_memory_equal(noise_hs_remote_static(ini), pub, NOISE_DHLEN);
	crypto_scalarmult_base(pub, key[0]);
	assert_memory_equal(noise_hs_remote_static(rsp), pub, NOISE_DHLEN);
	assert_int_equal(noise_hs_split(ini, ini_tx, ini_rx), 0);
	assert_int_equal(noise_hs_split(rsp, rsp_tx, rsp_rx), 0);
	assert_int_equal(ini->state, NOISE_HS_DONE);
	assert_true(sodium_is_zero(ini->s_priv, NOISE_DHLEN));
	assert_true(sodium_is_zero(rsp->e_priv, NOISE_DHLEN));
}

/* Runs one published vector through two noise.c handshakes, byte for byte. */
static void
run_vector(const struct noise_vector *v)
{
	struct noise_handshake	 ini, rsp, *from, *to;
	struct noise_cipher	 ini_tx, ini_rx, rsp_tx, rsp_rx, *tx, *rx;
	uint8_t			 prologue[128], key[4][NOISE_DHLEN];
	uint8_t			 payload[128], ct[256], out[256], got[256];
	size_t			 plen, paylen, ctlen, outlen, gotlen, i;

	memset(&ini_tx, 0, sizeof ini_tx);
	ini_rx = rsp_tx = rsp_rx = ini_tx;
	plen = unhex(v->prologue, prologue, sizeof prologue);
	unhex(v->init_static, key[0], NOISE_DHLEN);
	unhex(v->init_ephemeral, key[1], NOISE_DHLEN);
	unhex(v->resp_static, key[2], NOISE_DHLEN);
	unhex(v->resp_ephemeral, key[3], NOISE_DHLEN);
	assert_int_equal(noise_hs_init(&ini, 1, prologue, plen, key[0], key[1]),
	    NOISE_OK);
	assert_int_equal(noise_hs_init(&rsp, 0, prologue, plen, key[2], key[3]),
	    NOISE_OK);

	for (i = 0; i < v->nmessages; i++) {
		paylen = unhex(v->messages[i].payload, payload, sizeof payload);
		ctlen = unhex(v->messages[i].ciphertext, ct, sizeof ct);
		if (i < 3) {
			from = i % 2 == 0 ? &ini : &rsp;
			to = i % 2 == 0 ? &rsp : &ini;
			assert_int_equal(noise_hs_write(from, payload, paylen,
			    out, sizeof out, &outlen), NOISE_OK);
			assert_int_equal(noise_hs_read(to, ct, ctlen, got,
			    sizeof got, &gotlen), NOISE_OK);
		} else {
			tx = i % 2 == 0 ? &ini_tx : &rsp_tx;
			rx = i % 2 == 0 ? &rsp_rx : &ini_rx;
			outlen = paylen + NOISE_TAGLEN;
			gotlen = ctlen - NOISE_TAGLEN;
			assert_int_equal(noise_cipher_encrypt(tx, NULL, 0,
			    payload, paylen, out), NOISE_OK);
			assert_int_equal(noise_cipher_decrypt(rx, NULL, 0, ct,
			    ctlen, got), NOISE_OK);
		}
		assert_int_equal(outlen, ctlen);
		assert_memory_equal(out, ct, ctlen);
		assert_int_equal(gotlen, paylen);
		assert_memory_equal(got, payload, paylen);

		if (i == 2)
			finish_vector(v, key, &ini, &rsp, &ini_tx, &ini_rx,
			    &rsp_tx, &rsp_rx);
	}
	assert_true(v->nmessages > 3);
}

/* Every vector in noise_vectors_xx_blake2b.h, handshake and transport. */
static void
test_noise_vectors(void **state)
{
	size_t	i;

	for (i = 0; i < nitems(noise_vectors); i++)
		run_vector(&noise_vectors[i]);
	printf("noise: %zu Noise_XX_25519_ChaChaPoly_BLAKE2b vectors pass\n",
	    nitems(noise_vectors));
}

/* n = 2^64 - 1 is never used; messages out of turn leave the handshake alone. */
static void
test_noise_limits(void **state)
{
	struct noise_cipher	cs;
	struct noise_handshake	hs;
	uint8_t			buf[128] = { 0 }, s[NOISE_DHLEN] = { 1 };
	size_t			len;

	memset(&cs, 0, sizeof cs);
	cs.has_key = 1;
	cs.n = UINT64_MAX - 1;
	assert_int_equal(noise_cipher_encrypt(&cs, NULL, 0, buf, 8, buf), 0);
	assert_int_equal(noise_cipher_encrypt(&cs, NULL, 0, buf, 8, buf),
	    NOISE_ENONCE);
	assert_int_equal(noise_cipher_decrypt(&cs, NULL, 0, buf, 24, buf),
	    NOISE_ENONCE);
	cs.n = 0;
	assert_int_equal(noise_cipher_decrypt(&cs, NULL, 0, buf, 15, buf),
	    NOISE_ELENGTH);
	assert_int_equal(noise_cipher_encrypt(&cs, NULL, 0, buf,
	    NOISE_MAX_MSG - NOISE_TAGLEN + 1, buf), NOISE_ELENGTH);
	noise_cipher_wipe(&cs);

	assert_int_equal(noise_hs_init(&hs, 0, NULL, 0, s, NULL), 0);
	assert_int_equal(noise_hs_write(&hs, NULL, 0, buf, sizeof buf, &len),
	    NOISE_ESTATE);
	assert_int_equal(hs.state, NOISE_HS_MSG1);
	assert_int_equal(noise_hs_split(&hs, &cs, &cs), NOISE_ESTATE);
	/* A low-order e: the responder's ee gives zero and the handshake dies. */
	memset(buf, 0, sizeof buf);
	assert_int_equal(noise_hs_read(&hs, buf, 32, NULL, 0, &len), 0);
	assert_int_equal(noise_hs_write(&hs, NULL, 0, buf, sizeof buf, &len),
	    NOISE_EDH);
	assert_int_equal(hs.state, NOISE_HS_FAILED);
	assert_true(sodium_is_zero(buf, sizeof buf));
	assert_string_equal(noise_strerror(NOISE_EDECRYPT),
	    "message failed authentication");
}

/* The network id is BLAKE2b-256 of "knowd network " || name. */
static void
test_network_id(void **state)
{
	uint8_t		want[CHAN_NETID_LEN], got[CHAN_NETID_LEN];
	const char	text[] = "knowd network default";

	crypto_generichash(want, sizeof want, (const uint8_t *)text,
	    strlen(text), NULL, 0);
	chan_network_id("default", got);
	assert_memory_equal(got, want, sizeof want);
	chan_network_id("", got);
	assert_memory_not_equal(got, want, sizeof want);
	assert_memory_not_equal(net_one, net_two, CHAN_NETID_LEN);
	/* PROTOCOL.md §1.3's vector for knowd's default name, "knowd". */
	assert_int_equal(hex_decode("3c20487e31ac57099e2b90a7f76d9db19235e42a"
	    "9bfd2aa7d4e44c5b9b2a298c", want, sizeof want), 0);
	chan_network_id("knowd", got);
	assert_memory_equal(got, want, sizeof want);
}

/* Seals in on from, opens on to, and checks the plaintext came through. */
static void
transfer(struct chan *from, struct chan *to, const uint8_t *in, size_t len)
{
	uint8_t	*frame = xmalloc(len + CHAN_TAG), *out = xmalloc(len + 1);
	char	*cause = NULL;

	assert_int_equal(chan_seal(from, in, len, frame), 0);
	assert_int_equal(chan_open(to, frame, len + CHAN_TAG, out, &cause), 0);
	assert_null(cause);
	assert_memory_equal(out, in, len);
	/* In place, both ways. */
	memcpy(frame, in, len);
	assert_int_equal(chan_seal(from, frame, len, frame), 0);
	assert_int_equal(chan_open(to, frame, len + CHAN_TAG, frame, NULL), 0);
	assert_memory_equal(frame, in, len);
	free(frame);
	free(out);
}

/* Full handshake, then messages both ways: empty, small, CHAN_MAX_PLAIN. */
static void
test_chan_transport(void **state)
{
	struct chan	 a, b;
	uint8_t		*big = xmalloc(CHAN_MAX_PLAIN);

	connect_pair(&a, &b, key_b.pk);
	/* The handshake state is gone once the channel is ready. */
	assert_true(sodium_is_zero((const uint8_t *)&a.hs.ss, sizeof a.hs.ss));
	assert_true(sodium_is_zero(a.hs.s_priv, NOISE_DHLEN));
	assert_true(sodium_is_zero(b.hs.e_priv, NOISE_DHLEN));

	transfer(&a, &b, (const uint8_t *)"hello", 5);
	transfer(&b, &a, (const uint8_t *)"", 0);
	transfer(&a, &b, (const uint8_t *)"", 0);
	randombytes_buf(big, CHAN_MAX_PLAIN);
	transfer(&b, &a, big, CHAN_MAX_PLAIN);
	transfer(&a, &b, big, CHAN_MAX_PLAIN);
	transfer(&b, &a, (const uint8_t *)"bye", 3);
	free(big);

	chan_wipe(&a);
	chan_wipe(&b);
	assert_wiped(&a);
	assert_wiped(&b);
}

/* Any changed byte, a cut frame, a replay or reordering fails. */
static void
test_chan_tamper_replay(void **state)
{
	struct chan	 a, b, copy;
	uint8_t		 msg[40], f1[40 + CHAN_TAG], f2[40 + CHAN_TAG];
	uint8_t		 bad[sizeof f1], out[sizeof f1];
	char		*cause;
	size_t		 i, len;
	int		 bit;

	connect_pair(&a, &b, NULL);
	randombytes_buf(msg, sizeof msg);
	assert_int_equal(chan_seal(&a, msg, sizeof msg, f1), 0);
	assert_int_equal(chan_seal(&a, msg, sizeof msg, f2), 0);
	assert_memory_not_equal(f1, f2, sizeof f1);	/* nonce moved on */

	for (i = 0; i < sizeof f1; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			memcpy(bad, f1, sizeof bad);
			bad[i] ^= 1 << bit;
			copy = b;
			cause = NULL;
			assert_int_equal(chan_open(&copy, bad, sizeof bad, out,
			    &cause), -1);
			assert_cause(cause, "frame failed authentication");
			assert_wiped(&copy);
		}
	}
	for (len = 0; len < sizeof f1; len++) {
		copy = b;
		cause = NULL;
		assert_int_equal(chan_open(&copy, f1, len, out, &cause), -1);
		assert_non_null(cause);
		free(cause);
		assert_wiped(&copy);
	}
	copy = b;	/* f2 before f1 */
	assert_int_equal(chan_open(&copy, f2, sizeof f2, out, NULL), -1);
	chan_wipe(&copy);

	assert_int_equal(chan_open(&b, f1, sizeof f1, out, NULL), 0);
	assert_memory_equal(out, msg, sizeof msg);
	cause = NULL;
	assert_int_equal(chan_open(&b, f1, sizeof f1, out, &cause), -1);
	assert_cause(cause, "frame failed authentication");
	assert_wiped(&b);
	chan_wipe(&a);
}

/* Another network: the dialer fails on message 2 and never writes message 3. */
static void
test_chan_other_network(void **state)
{
	struct chan	 a, b;
	uint8_t		 msg[CHAN_HS_MAX];
	size_t		 len;
	char		*cause = NULL;

	assert_int_equal(chan_init(&a, 1, &key_a, net_one, NULL, NULL), 0);
	assert_int_equal(chan_init(&b, 0, &key_b, net_two, NULL, NULL), 0);
	pass(&a, &b, msg);	/* message 1 cannot tell yet */
	assert_int_equal(chan_hs_write(&b, msg, &len, NULL), 0);
	assert_int_equal(chan_hs_read(&a, msg, len, &cause), -1);
	assert_cause(cause, "handshake message 2: message failed authentication");
	assert_wiped(&a);

	cause = NULL;
	assert_int_equal(chan_hs_write(&a, msg, &len, &cause), -1);
	assert_int_equal(len, 0);
	assert_cause(cause, "state failed");
	chan_wipe(&b);
}

/* A dialer that reaches someone else hangs up before message 3. */
static void
test_chan_expect(void **state)
{
	struct chan	 a, b;
	uint8_t		 msg[CHAN_HS_MAX];
	char		 want[KEYS_NID_MAX], got[KEYS_NID_MAX], text[200];
	char		*cause = NULL;
	size_t		 len;

	assert_int_equal(chan_init(&a, 1, &key_a, net_one, key_c.pk, NULL), 0);
	assert_int_equal(chan_init(&b, 0, &key_b, net_one, NULL, NULL), 0);
	pass(&a, &b, msg);
	assert_int_equal(chan_hs_write(&b, msg, &len, NULL), 0);
	assert_int_equal(chan_hs_read(&a, msg, len, &cause), -1);
	keys_nid_encode(key_c.pk, want);
	keys_nid_encode(key_b.pk, got);
	snprintf(text, sizeof text, "expected node %s, reached %s", want, got);
	assert_non_null(cause);
	assert_string_equal(cause, text);
	free(cause);
	assert_wiped(&a);
	assert_int_equal(chan_hs_write(&a, msg, &len, NULL), -1);
	assert_int_equal(len, 0);
	chan_wipe(&b);
}

/* A responder (or dialer) built from noise.c, to send what chan.c would not. */
static void
noise_end(struct noise_handshake *hs, int initiator,
    const struct keys_pair *kp, const uint8_t *netid)
{
	uint8_t	prologue[sizeof PROLOGUE - 1 + CHAN_NETID_LEN];
	uint8_t	x_priv[NOISE_DHLEN];

	memcpy(prologue, PROLOGUE, sizeof PROLOGUE - 1);
	memcpy(prologue + sizeof PROLOGUE - 1, netid, CHAN_NETID_LEN);
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(x_priv, kp->sk),
	    0);
	assert_int_equal(noise_hs_init(hs, initiator, prologue,
	    sizeof prologue, x_priv, NULL), 0);
	sodium_memzero(x_priv, sizeof x_priv);
}

/* Message 2 from key_b's static with payload p; the dialer must refuse it. */
static void
lying_responder(const uint8_t *p, size_t plen, const char *want)
{
	struct noise_handshake	 hs;
	struct chan		 a;
	uint8_t			 msg[CHAN_HS_MAX], pay[CHAN_HS_MAX];
	size_t			 len, paylen;
	char			*cause = NULL;

	assert_int_equal(chan_init(&a, 1, &key_a, net_one, NULL, NULL), 0);
	noise_end(&hs, 0, &key_b, net_one);
	assert_int_equal(chan_hs_write(&a, msg, &len, NULL), 0);
	assert_int_equal(noise_hs_read(&hs, msg, len, pay, sizeof pay,
	    &paylen), 0);
	assert_int_equal(noise_hs_write(&hs, p, plen, msg, sizeof msg, &len),
	    0);
	assert_int_equal(chan_hs_read(&a, msg, len, &cause), -1);
	assert_cause(cause, want);
	assert_wiped(&a);
	noise_hs_wipe(&hs);
}

/* Message 3 from key_a's static with payload p; the listener must refuse it. */
static void
lying_dialer(const uint8_t *p, size_t plen, const char *want)
{
	struct noise_handshake	 hs;
	struct chan		 b;
	uint8_t			 msg[CHAN_HS_MAX], pay[CHAN_HS_MAX];
	size_t			 len, paylen;
	char			*cause = NULL;

	assert_int_equal(chan_init(&b, 0, &key_b, net_one, NULL, NULL), 0);
	noise_end(&hs, 1, &key_a, net_one);
	assert_int_equal(noise_hs_write(&hs, NULL, 0, msg, sizeof msg, &len),
	    0);
	assert_int_equal(chan_hs_read(&b, msg, len, NULL), 0);
	assert_int_equal(chan_hs_write(&b, msg, &len, NULL), 0);
	assert_int_equal(noise_hs_read(&hs, msg, len, pay, sizeof pay,
	    &paylen), 0);
	assert_int_equal(noise_hs_write(&hs, p, plen, msg, sizeof msg, &len),
	    0);
	assert_int_equal(chan_hs_read(&b, msg, len, &cause), -1);
	assert_cause(cause, want);
	assert_wiped(&b);
	noise_hs_wipe(&hs);
}

/* Identity payloads that lie, or are malformed, are refused on both sides. */
static void
test_chan_identity(void **state)
{
	uint8_t	p[ID_PAYLOAD + 1];

	memcpy(p, key_c.pk, KEYS_PK_LEN);	/* someone else's identity */
	p[KEYS_PK_LEN] = CHAN_VERSION;
	lying_responder(p, ID_PAYLOAD, "does not match the handshake key");
	lying_dialer(p, ID_PAYLOAD, "does not match the handshake key");

	memset(p, 0, KEYS_PK_LEN);		/* not a usable Ed25519 key */
	lying_responder(p, ID_PAYLOAD, "does not match the handshake key");

	memcpy(p, key_b.pk, KEYS_PK_LEN);	/* the truth, other version */
	p[KEYS_PK_LEN] = CHAN_VERSION + 1;
	lying_responder(p, ID_PAYLOAD, "protocol version 2, want 1");
	p[KEYS_PK_LEN] = CHAN_VERSION;
	lying_responder(p, ID_PAYLOAD - 1, "identity payload of 32 bytes");
	lying_responder(p, ID_PAYLOAD + 1, "identity payload of 34 bytes");
	lying_responder(p, 0, "identity payload of 0 bytes");
	memcpy(p, key_a.pk, KEYS_PK_LEN);
	lying_dialer(p, ID_PAYLOAD - 1, "identity payload of 32 bytes");
}

/* Tries every other length and every one-byte change of a handshake message. */
static void
mangle(const struct chan *reader, const uint8_t *msg, size_t len)
{
	struct chan	 copy;
	uint8_t		 bad[CHAN_HS_MAX + 2];
	size_t		 n, i;
	char		*cause;

	for (n = 0; n <= sizeof bad; n++) {
		if (n == len)
			continue;
		memset(bad, 0, sizeof bad);
		memcpy(bad, msg, n < len ? n : len);
		copy = *reader;
		cause = NULL;
		assert_int_equal(chan_hs_read(&copy, bad, n, &cause), -1);
		assert_non_null(cause);
		free(cause);
		assert_wiped(&copy);
	}
	for (i = 0; i < len; i++) {
		memcpy(bad, msg, len);
		bad[i] ^= 0x20;
		copy = *reader;
		if (chan_hs_read(&copy, bad, len, NULL) == 0) {
			/* Only message 1's e is unauthenticated here. */
			assert_int_equal(len, MSG1_LEN);
			assert_int_equal(copy.state, CHAN_HS_WRITE2);
		} else
			assert_wiped(&copy);
		chan_wipe(&copy);
	}
	randombytes_buf(bad, len);
	copy = *reader;
	if (len != MSG1_LEN)
		assert_int_equal(chan_hs_read(&copy, bad, len, NULL), -1);
	chan_wipe(&copy);
}

/* Truncated, overlong and garbage handshake messages, at every length. */
static void
test_chan_bad_messages(void **state)
{
	struct chan	 a, b;
	uint8_t		 msg[CHAN_HS_MAX], huge[CHAN_MAX_FRAME];
	size_t		 len;
	char		*cause = NULL;

	assert_int_equal(chan_init(&a, 1, &key_a, net_one, key_b.pk, NULL), 0);
	assert_int_equal(chan_init(&b, 0, &key_b, net_one, NULL, NULL), 0);

	assert_int_equal(chan_hs_write(&a, msg, &len, NULL), 0);
	mangle(&b, msg, len);
	assert_int_equal(chan_hs_read(&b, msg, len, NULL), 0);

	assert_int_equal(chan_hs_write(&b, msg, &len, NULL), 0);
	mangle(&a, msg, len);
	assert_int_equal(chan_hs_read(&a, msg, len, NULL), 0);

	assert_int_equal(chan_hs_write(&a, msg, &len, NULL), 0);
	mangle(&b, msg, len);
	memset(huge, 0, sizeof huge);
	assert_int_equal(chan_hs_read(&b, huge, sizeof huge, &cause), -1);
	assert_cause(cause, "handshake message 3 of 65535 bytes");
	chan_wipe(&a);
}

/* A low-order ephemeral key in message 1 stops the listener at message 2. */
static void
test_chan_low_order(void **state)
{
	struct chan	 b;
	uint8_t		 msg[CHAN_HS_MAX];
	size_t		 len;
	char		*cause = NULL;

	assert_int_equal(chan_init(&b, 0, &key_b, net_one, NULL, NULL), 0);
	memset(msg, 0, MSG1_LEN);
	assert_int_equal(chan_hs_read(&b, msg, MSG1_LEN, NULL), 0);
	assert_int_equal(chan_hs_write(&b, msg, &len, &cause), -1);
	assert_cause(cause, "handshake message 2: invalid public key");
	assert_wiped(&b);
}

/* Every call out of turn fails, wipes the channel, and says why. */
static void
test_chan_wrong_state(void **state)
{
	struct chan	 a, b;
	uint8_t		 msg[CHAN_HS_MAX], frame[64];
	size_t		 len;
	char		*cause = NULL;

	assert_int_equal(chan_init(&a, 1, &key_a, net_one, NULL, NULL), 0);
	assert_int_equal(chan_hs_read(&a, msg, MSG1_LEN, &cause), -1);
	assert_cause(cause, "handshake read in state write-1");
	assert_wiped(&a);

	assert_int_equal(chan_init(&b, 0, &key_b, net_one, NULL, NULL), 0);
	assert_int_equal(chan_hs_write(&b, msg, &len, &cause), -1);
	assert_cause(cause, "handshake write in state read-1");
	assert_wiped(&b);

	assert_int_equal(chan_init(&a, 1, &key_a, net_one, NULL, NULL), 0);
	assert_int_equal(chan_seal(&a, msg, 1, frame), -1);
	assert_wiped(&a);
	assert_int_equal(chan_init(&a, 1, &key_a, net_one, NULL, NULL), 0);
	assert_int_equal(chan_open(&a, frame, sizeof frame, msg, &cause), -1);
	assert_cause(cause, "transport frame in state write-1");

	connect_pair(&a, &b, NULL);
	assert_int_equal(chan_hs_write(&a, msg, &len, &cause), -1);
	assert_cause(cause, "handshake write in state ready");
	assert_int_equal(chan_hs_read(&b, msg, MSG3_LEN, &cause), -1);
	assert_cause(cause, "handshake read in state ready");
	assert_int_equal(chan_seal(&a, msg, 1, frame), -1);	/* failed now */
	assert_int_equal(chan_open(&b, frame, 17, msg, &cause), -1);
	assert_cause(cause, "transport frame in state failed");

	connect_pair(&a, &b, NULL);
	assert_int_equal(chan_seal(&a, msg, CHAN_MAX_PLAIN + 1, frame), -1);
	assert_wiped(&a);
	assert_int_equal(chan_open(&b, frame, CHAN_MAX_FRAME + 1, msg, &cause),
	    -1);
	assert_cause(cause, "transport frame of 65536 bytes");

	connect_pair(&a, &b, NULL);
	a.tx.n = UINT64_MAX;	/* the last nonce is never used */
	assert_int_equal(chan_seal(&a, msg, 1, frame), -1);
	assert_wiped(&a);
	chan_wipe(&b);
}

/* Keys that do not belong together, or do not convert, are refused. */
static void
test_chan_bad_keys(void **state)
{
	struct chan		 c;
	struct keys_pair	 kp;
	char			*cause = NULL;

	kp = key_a;
	memcpy(kp.pk, key_b.pk, KEYS_PK_LEN);
	assert_int_equal(chan_init(&c, 1, &kp, net_one, NULL, &cause), -1);
	assert_cause(cause, "identity key pair does not match");
	assert_wiped(&c);

	memset(kp.pk, 0, KEYS_PK_LEN);
	assert_int_equal(chan_init(&c, 0, &kp, net_one, NULL, &cause), -1);
	assert_cause(cause, "does not convert to X25519");
	assert_wiped(&c);
	keys_wipe(&kp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noise_vectors),
		cmocka_unit_test(test_noise_limits),
		cmocka_unit_test(test_network_id),
		cmocka_unit_test(test_chan_transport),
		cmocka_unit_test(test_chan_tamper_replay),
		cmocka_unit_test(test_chan_other_network),
		cmocka_unit_test(test_chan_expect),
		cmocka_unit_test(test_chan_identity),
		cmocka_unit_test(test_chan_bad_messages),
		cmocka_unit_test(test_chan_low_order),
		cmocka_unit_test(test_chan_wrong_state),
		cmocka_unit_test(test_chan_bad_keys),
	};
	int	rc;

	if (keys_generate(&key_a) != 0 || keys_generate(&key_b) != 0 ||
	    keys_generate(&key_c) != 0)
		return 1;
	chan_network_id("one", net_one);
	chan_network_id("two", net_two);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	keys_wipe(&key_a);
	keys_wipe(&key_b);
	keys_wipe(&key_c);
	return rc;
}
