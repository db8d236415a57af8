/*
 * chan.c — the secure channel between two knowd nodes (doc/DESIGN.md §5,
 * protocol/PROTOCOL.md §1): Noise XX from noise.c, static keys converted
 * from the nodes' Ed25519 identities, the network id in the prologue, the
 * Ed25519 identity and protocol version as the payload of messages 2 and 3,
 * then one CipherState per direction.
 *
 * The channel state changes in one place per call, and every failure goes
 * through chan_fail, which wipes every key and leaves CHAN_FAILED.
 */
#include <string.h>

#include <sodium.h>

#include "chan.h"
#include "util.h"

#define CHAN_PROLOGUE		"knowd/1"
#define CHAN_PROLOGUE_LEN	(sizeof(CHAN_PROLOGUE) - 1)
#define CHAN_NETWORK_PREFIX	"knowd network "
#define CHAN_ID_PAYLOAD		(KEYS_PK_LEN + 1)	/* Ed25519 pk || version */

_Static_assert(CHAN_TAG == NOISE_TAGLEN, "transport tag");
_Static_assert(CHAN_MAX_FRAME == NOISE_MAX_MSG, "frame limit");
_Static_assert(NOISE_MSG2_MIN + CHAN_ID_PAYLOAD <= CHAN_HS_MAX, "message 2 size");
_Static_assert(NOISE_MSG3_MIN + CHAN_ID_PAYLOAD <= CHAN_HS_MAX, "message 3 size");

/* A state's name, for causes. */
static const char *
chan_state_name(enum chan_state state)
{
	switch (state) {
	case CHAN_HS_WRITE1:
		return "write-1";
	case CHAN_HS_READ1:
		return "read-1";
	case CHAN_HS_WRITE2:
		return "write-2";
	case CHAN_HS_READ2:
		return "read-2";
	case CHAN_HS_WRITE3:
		return "write-3";
	case CHAN_HS_READ3:
		return "read-3";
	case CHAN_READY:
		return "ready";
	case CHAN_FAILED:
		return "failed";
	}
	return "unknown";
}

void
chan_wipe(struct chan *c)
{
	int	initiator = c->initiator;

	sodium_memzero(c, sizeof *c);
	noise_hs_wipe(&c->hs);
	c->initiator = initiator;
	c->state = CHAN_FAILED;
}

/* The one way out of a failure: everything wiped, CHAN_FAILED, -1. */
static int
chan_fail(struct chan *c)
{
	chan_wipe(c);
	return -1;
}

void
chan_network_id(const char *name, uint8_t out[CHAN_NETID_LEN])
{
	crypto_generichash_blake2b_state	st;

	crypto_generichash_blake2b_init(&st, NULL, 0, CHAN_NETID_LEN);
	crypto_generichash_blake2b_update(&st,
	    (const uint8_t *)CHAN_NETWORK_PREFIX, strlen(CHAN_NETWORK_PREFIX));
	crypto_generichash_blake2b_update(&st, (const uint8_t *)name,
	    strlen(name));
	crypto_generichash_blake2b_final(&st, out, CHAN_NETID_LEN);
}

/*
 * Converts our identity to X25519 and starts the Noise handshake with the
 * prologue "knowd/1" || netid. The converted public key must be the one
 * Noise derives from the converted private key.
 */
int
chan_init(struct chan *c, int initiator, const struct keys_pair *kp,
    const uint8_t netid[CHAN_NETID_LEN], const uint8_t *expect_pk,
    char **cause)
{
	uint8_t	prologue[CHAN_PROLOGUE_LEN + CHAN_NETID_LEN];
	uint8_t	x_priv[NOISE_DHLEN], x_pub[NOISE_DHLEN];
	int	error, rc = -1;

	sodium_memzero(c, sizeof *c);
	c->initiator = initiator != 0;
	if (sodium_init() < 0) {
		set_cause(cause, "libsodium failed to initialise");
		goto out;
	}
	if (crypto_sign_ed25519_sk_to_curve25519(x_priv, kp->sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(x_pub, kp->pk) != 0) {
		set_cause(cause, "identity key does not convert to X25519");
		goto out;
	}
	memcpy(prologue, CHAN_PROLOGUE, CHAN_PROLOGUE_LEN);
	memcpy(prologue + CHAN_PROLOGUE_LEN, netid, CHAN_NETID_LEN);
	error = noise_hs_init(&c->hs, c->initiator, prologue, sizeof prologue,
	    x_priv, NULL);
	if (error != NOISE_OK) {
		set_cause(cause, "handshake: %s", noise_strerror(error));
		goto out;
	}
	if (sodium_memcmp(c->hs.s_pub, x_pub, NOISE_DHLEN) != 0) {
		set_cause(cause, "identity key pair does not match");
		goto out;
	}
	memcpy(c->local_pk, kp->pk, KEYS_PK_LEN);
	if (expect_pk != NULL) {
		memcpy(c->expect_pk, expect_pk, KEYS_PK_LEN);
		c->have_expect = 1;
	}
	c->state = c->initiator ? CHAN_HS_WRITE1 : CHAN_HS_READ1;
	rc = 0;
out:
	sodium_memzero(x_priv, sizeof x_priv);
	sodium_memzero(x_pub, sizeof x_pub);
	if (rc != 0)
		chan_fail(c);
	return rc;
}

int
chan_want_write(const struct chan *c)
{
	return c->state == CHAN_HS_WRITE1 || c->state == CHAN_HS_WRITE2 ||
	    c->state == CHAN_HS_WRITE3;
}

/* After message 3: one CipherState per direction; Split wipes the handshake. */
static int
chan_split(struct chan *c, char **cause)
{
	int	error;

	memcpy(c->hh, noise_hs_hash(&c->hs), sizeof c->hh);
	if ((error = noise_hs_split(&c->hs, &c->tx, &c->rx)) != NOISE_OK) {
		set_cause(cause, "handshake split: %s", noise_strerror(error));
		return chan_fail(c);
	}
	c->state = CHAN_READY;
	return 0;
}

const uint8_t *
chan_handshake_hash(const struct chan *c)
{
	return c->state == CHAN_READY ? c->hh : NULL;
}

/* Message 1 has an empty payload; messages 2 and 3 carry pk || version. */
int
chan_hs_write(struct chan *c, uint8_t *out, size_t *len, char **cause)
{
	uint8_t	payload[CHAN_ID_PAYLOAD] = { 0 };
	size_t	paylen = 0;
	int	n, error;

	*len = 0;
	switch (c->state) {
	case CHAN_HS_WRITE1:
		n = 1;
		break;
	case CHAN_HS_WRITE2:
	case CHAN_HS_WRITE3:
		n = c->state == CHAN_HS_WRITE2 ? 2 : 3;
		memcpy(payload, c->local_pk, KEYS_PK_LEN);
		payload[KEYS_PK_LEN] = CHAN_VERSION;
		paylen = sizeof payload;
		break;
	default:
		set_cause(cause, "handshake write in state %s",
		    chan_state_name(c->state));
		return chan_fail(c);
	}
	error = noise_hs_write(&c->hs, payload, paylen, out, CHAN_HS_MAX, len);
	if (error != NOISE_OK) {
		set_cause(cause, "handshake message %d: %s", n,
		    noise_strerror(error));
		return chan_fail(c);
	}
	if (n == 1)
		c->state = CHAN_HS_READ2;
	else if (n == 2)
		c->state = CHAN_HS_READ3;
	else
		return chan_split(c, cause);
	return 0;
}

/*
 * Checks an identity payload of message n: exactly pk || version, the
 * version ours, the Ed25519 key converting to the static key the handshake
 * authenticated, and, when the dialer expects a node, that node.
 */
static int
chan_check_peer(struct chan *c, int n, const uint8_t *p, size_t len,
    char **cause)
{
	const uint8_t	*rs = noise_hs_remote_static(&c->hs);
	uint8_t		 x_pub[NOISE_DHLEN];
	char		 want[KEYS_NID_MAX], got[KEYS_NID_MAX];
	int		 rc = -1;

	if (len != CHAN_ID_PAYLOAD) {
		set_cause(cause, "handshake message %d: identity payload of "
		    "%zu bytes, want %d", n, len, CHAN_ID_PAYLOAD);
		goto out;
	}
	if (p[KEYS_PK_LEN] != CHAN_VERSION) {
		set_cause(cause, "handshake message %d: protocol version %u, "
		    "want %d", n, (unsigned)p[KEYS_PK_LEN], CHAN_VERSION);
		goto out;
	}
	if (crypto_sign_ed25519_pk_to_curve25519(x_pub, p) != 0 ||
	    rs == NULL || sodium_memcmp(x_pub, rs, NOISE_DHLEN) != 0) {
		set_cause(cause, "handshake message %d: identity key does not "
		    "match the handshake key", n);
		goto out;
	}
	if (c->have_expect &&
	    sodium_memcmp(p, c->expect_pk, KEYS_PK_LEN) != 0) {
		keys_nid_encode(c->expect_pk, want);
		keys_nid_encode(p, got);
		set_cause(cause, "expected node %s, reached %s", want, got);
		goto out;
	}
	memcpy(c->remote_pk, p, KEYS_PK_LEN);
	c->have_remote = 1;
	rc = 0;
out:
	sodium_memzero(x_pub, sizeof x_pub);
	return rc;
}

/* Reads message 1, 2 or 3; the dialer checks whom it reached before message 3. */
int
chan_hs_read(struct chan *c, const uint8_t *in, size_t len, char **cause)
{
	uint8_t	payload[CHAN_HS_MAX];
	size_t	paylen;
	int	n, error, rc = -1;

	if (c->state == CHAN_HS_READ1)
		n = 1;
	else if (c->state == CHAN_HS_READ2)
		n = 2;
	else if (c->state == CHAN_HS_READ3)
		n = 3;
	else {
		set_cause(cause, "handshake read in state %s",
		    chan_state_name(c->state));
		return chan_fail(c);
	}
	if (len > CHAN_HS_MAX) {
		set_cause(cause, "handshake message %d of %zu bytes", n, len);
		goto out;
	}
	error = noise_hs_read(&c->hs, in, len, payload, sizeof payload,
	    &paylen);
	if (error != NOISE_OK) {
		set_cause(cause, "handshake message %d: %s", n,
		    noise_strerror(error));
		goto out;
	}
	if (n == 1 && paylen != 0) {
		set_cause(cause, "handshake message 1 of %zu bytes", len);
		goto out;
	}
	if (n != 1 && chan_check_peer(c, n, payload, paylen, cause) != 0)
		goto out;
	if (n == 1)
		c->state = CHAN_HS_WRITE2;
	else if (n == 2)
		c->state = CHAN_HS_WRITE3;
	else if (chan_split(c, cause) != 0)
		goto out;
	rc = 0;
out:
	sodium_memzero(payload, sizeof payload);
	if (rc != 0)
		chan_fail(c);
	return rc;
}

const uint8_t *
chan_remote_pk(const struct chan *c)
{
	return c->have_remote ? c->remote_pk : NULL;
}

/* Transport: ChaChaPoly with our sending key, empty associated data. */
int
chan_seal(struct chan *c, const uint8_t *in, size_t len, uint8_t *out)
{
	if (c->state != CHAN_READY || len > CHAN_MAX_PLAIN)
		return chan_fail(c);
	if (noise_cipher_encrypt(&c->tx, NULL, 0, in, len, out) != NOISE_OK)
		return chan_fail(c);
	return 0;
}

/* Transport: a frame that does not authenticate ends the channel. */
int
chan_open(struct chan *c, const uint8_t *in, size_t len, uint8_t *out,
    char **cause)
{
	int	error;

	if (c->state != CHAN_READY) {
		set_cause(cause, "transport frame in state %s",
		    chan_state_name(c->state));
		return chan_fail(c);
	}
	if (len < CHAN_TAG || len > CHAN_MAX_FRAME) {
		set_cause(cause, "transport frame of %zu bytes", len);
		return chan_fail(c);
	}
	error = noise_cipher_decrypt(&c->rx, NULL, 0, in, len, out);
	if (error == NOISE_EDECRYPT) {
		set_cause(cause, "frame failed authentication");
		return chan_fail(c);
	}
	if (error != NOISE_OK) {
		set_cause(cause, "transport: %s", noise_strerror(error));
		return chan_fail(c);
	}
	return 0;
}
