/*
 * noise.c — Noise_XX_25519_ChaChaPoly_BLAKE2b (Noise spec revision 34) over
 * libsodium: CipherState (§5.1), SymmetricState (§5.2), HandshakeState
 * (§5.3) for XX, HMAC and HKDF (§4.3), ChaChaPoly nonces (§12.3).
 *
 * Each handshake step is labelled with its Noise token. Every temporary
 * secret is wiped before return; a handshake that fails is wiped whole.
 */
#include <string.h>

#include <sodium.h>

#include "noise.h"

/* §5.2: a protocol name of at most HASHLEN bytes is zero-padded, not hashed. */
_Static_assert(sizeof(NOISE_PROTOCOL) - 1 <= NOISE_HASHLEN, "protocol name");
_Static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == NOISE_TAGLEN, "tag");
_Static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == NOISE_KEYLEN, "key");
_Static_assert(crypto_scalarmult_BYTES == NOISE_DHLEN, "dh");

#define NONCELEN	crypto_aead_chacha20poly1305_ietf_NPUBBYTES

const char *
noise_strerror(int error)
{
	switch (error) {
	case NOISE_OK:
		return "no error";
	case NOISE_ESTATE:
		return "handshake message out of turn";
	case NOISE_ELENGTH:
		return "bad message length";
	case NOISE_EDECRYPT:
		return "message failed authentication";
	case NOISE_EDH:
		return "invalid public key";
	case NOISE_ENONCE:
		return "nonce exhausted";
	}
	return "unknown error";
}

/* The ChaChaPoly nonce: 32 zero bits, then n little-endian (§12.3). */
static void
noise_nonce(uint64_t n, uint8_t out[NONCELEN])
{
	int	i;

	memset(out, 0, 4);
	for (i = 0; i < 8; i++)
		out[4 + i] = (uint8_t)(n >> (8 * i));
}

/* EncryptWithAd (§5.1); without a key the plaintext goes through unchanged. */
int
noise_cipher_encrypt(struct noise_cipher *cs, const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t	nonce[NONCELEN];

	if (!cs->has_key) {
		if (len > NOISE_MAX_MSG)
			return NOISE_ELENGTH;
		if (len != 0 && out != in)
			memmove(out, in, len);
		return NOISE_OK;
	}
	if (len > NOISE_MAX_MSG - NOISE_TAGLEN)
		return NOISE_ELENGTH;
	if (cs->n == UINT64_MAX)	/* 2^64 - 1 is reserved */
		return NOISE_ENONCE;
	noise_nonce(cs->n, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len, ad, adlen,
	    NULL, nonce, cs->k);
	cs->n++;
	return NOISE_OK;
}

/* DecryptWithAd (§5.1); n only moves on when the tag checks out. */
int
noise_cipher_decrypt(struct noise_cipher *cs, const uint8_t *ad, size_t adlen,
    const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t	nonce[NONCELEN];

	if (!cs->has_key) {
		if (len > NOISE_MAX_MSG)
			return NOISE_ELENGTH;
		if (len != 0 && out != in)
			memmove(out, in, len);
		return NOISE_OK;
	}
	if (len < NOISE_TAGLEN || len > NOISE_MAX_MSG)
		return NOISE_ELENGTH;
	if (cs->n == UINT64_MAX)
		return NOISE_ENONCE;
	noise_nonce(cs->n, nonce);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len,
	    ad, adlen, nonce, cs->k) != 0)
		return NOISE_EDECRYPT;
	cs->n++;
	return NOISE_OK;
}

void
noise_cipher_wipe(struct noise_cipher *cs)
{
	sodium_memzero(cs, sizeof *cs);
}

/* HASH(a || b): BLAKE2b with a 64-byte output, no key. */
static void
noise_hash(uint8_t out[NOISE_HASHLEN], const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	crypto_generichash_blake2b_state	st;

	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	if (alen != 0)
		crypto_generichash_blake2b_update(&st, a, alen);
	if (blen != 0)
		crypto_generichash_blake2b_update(&st, b, blen);
	crypto_generichash_blake2b_final(&st, out, NOISE_HASHLEN);
	sodium_memzero(&st, sizeof st);
}

/*
 * HMAC-HASH(key, a || b) of RFC 2104 with BLAKE2b-512 and its 128-byte
 * block (§4.3). Keys here are always ck or a temp_key: HASHLEN bytes,
 * shorter than a block, so they are only zero-padded.
 */
static void
noise_hmac(const uint8_t key[NOISE_HASHLEN], const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, uint8_t out[NOISE_HASHLEN])
{
	crypto_generichash_blake2b_state	st;
	uint8_t					pad[NOISE_BLOCKLEN];
	uint8_t					inner[NOISE_HASHLEN];
	size_t					i;

	memset(pad, 0x36, sizeof pad);
	for (i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_blake2b_update(&st, pad, sizeof pad);
	if (alen != 0)
		crypto_generichash_blake2b_update(&st, a, alen);
	if (blen != 0)
		crypto_generichash_blake2b_update(&st, b, blen);
	crypto_generichash_blake2b_final(&st, inner, sizeof inner);

	memset(pad, 0x5c, sizeof pad);
	for (i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_blake2b_update(&st, pad, sizeof pad);
	crypto_generichash_blake2b_update(&st, inner, sizeof inner);
	crypto_generichash_blake2b_final(&st, out, NOISE_HASHLEN);

	sodium_memzero(&st, sizeof st);
	sodium_memzero(pad, sizeof pad);
	sodium_memzero(inner, sizeof inner);
}

/* HKDF(ck, ikm) of §4.3 with two outputs; XX never needs a third. */
static void
noise_hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm, size_t ikmlen,
    uint8_t out1[NOISE_HASHLEN], uint8_t out2[NOISE_HASHLEN])
{
	uint8_t	temp[NOISE_HASHLEN];
	uint8_t	one = 0x01, two = 0x02;

	noise_hmac(ck, ikm, ikmlen, NULL, 0, temp);
	noise_hmac(temp, &one, 1, NULL, 0, out1);
	noise_hmac(temp, out1, NOISE_HASHLEN, &two, 1, out2);
	sodium_memzero(temp, sizeof temp);
}

/* MixHash (§5.2): h = HASH(h || data). */
static void
noise_mix_hash(struct noise_symmetric *ss, const uint8_t *data, size_t len)
{
	noise_hash(ss->h, ss->h, NOISE_HASHLEN, data, len);
}

/* MixKey (§5.2): ck, temp_k = HKDF(ck, ikm); k = temp_k cut to 32 bytes. */
static void
noise_mix_key(struct noise_symmetric *ss, const uint8_t *ikm, size_t len)
{
	uint8_t	ck[NOISE_HASHLEN], k[NOISE_HASHLEN];

	noise_hkdf(ss->ck, ikm, len, ck, k);
	memcpy(ss->ck, ck, NOISE_HASHLEN);
	memcpy(ss->cs.k, k, NOISE_KEYLEN);
	ss->cs.n = 0;
	ss->cs.has_key = 1;
	sodium_memzero(ck, sizeof ck);
	sodium_memzero(k, sizeof k);
}

/* EncryptAndHash (§5.2): out gets len bytes, plus a tag once there is a key. */
static int
noise_encrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in,
    size_t len, uint8_t *out)
{
	size_t	clen = len + (ss->cs.has_key ? NOISE_TAGLEN : 0);
	int	rc;

	rc = noise_cipher_encrypt(&ss->cs, ss->h, NOISE_HASHLEN, in, len, out);
	if (rc == NOISE_OK)
		noise_mix_hash(ss, out, clen);
	return rc;
}

/* DecryptAndHash (§5.2); h moves on only when the ciphertext authenticates. */
static int
noise_decrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in,
    size_t len, uint8_t *out)
{
	uint8_t	h[NOISE_HASHLEN];
	int	rc;

	noise_hash(h, ss->h, NOISE_HASHLEN, in, len);	/* before out overwrites in */
	rc = noise_cipher_decrypt(&ss->cs, ss->h, NOISE_HASHLEN, in, len, out);
	if (rc == NOISE_OK)
		memcpy(ss->h, h, NOISE_HASHLEN);
	sodium_memzero(h, sizeof h);
	return rc;
}

/* DH (§12.1): X25519, refusing the all-zero output of a low-order point. */
static int
noise_dh(uint8_t out[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN],
    const uint8_t pub[NOISE_DHLEN])
{
	if (crypto_scalarmult(out, priv, pub) != 0 ||
	    sodium_is_zero(out, NOISE_DHLEN)) {
		sodium_memzero(out, NOISE_DHLEN);
		return NOISE_EDH;
	}
	return NOISE_OK;
}

/* MixKey(DH(priv, pub)): the ee, es and se tokens. */
static int
noise_mix_dh(struct noise_symmetric *ss, const uint8_t priv[NOISE_DHLEN],
    const uint8_t pub[NOISE_DHLEN])
{
	uint8_t	dh[NOISE_DHLEN];
	int	rc;

	if ((rc = noise_dh(dh, priv, pub)) == NOISE_OK)
		noise_mix_key(ss, dh, sizeof dh);
	sodium_memzero(dh, sizeof dh);
	return rc;
}

void
noise_hs_wipe(struct noise_handshake *hs)
{
	sodium_memzero(hs, sizeof *hs);
	hs->state = NOISE_HS_FAILED;
}

/* Initialize (§5.3) for XX: no pre-messages, so only the prologue is hashed. */
int
noise_hs_init(struct noise_handshake *hs, int initiator,
    const uint8_t *prologue, size_t prologuelen,
    const uint8_t s_priv[NOISE_DHLEN], const uint8_t *e_priv)
{
	noise_hs_wipe(hs);
	if (sodium_init() < 0)
		return NOISE_ESTATE;
	/* InitializeSymmetric: h = protocol name padded with zeros; ck = h. */
	memcpy(hs->ss.h, NOISE_PROTOCOL, sizeof NOISE_PROTOCOL - 1);
	memcpy(hs->ss.ck, hs->ss.h, NOISE_HASHLEN);
	noise_mix_hash(&hs->ss, prologue, prologuelen);

	hs->initiator = initiator != 0;
	memcpy(hs->s_priv, s_priv, NOISE_DHLEN);
	if (crypto_scalarmult_base(hs->s_pub, hs->s_priv) != 0) {
		noise_hs_wipe(hs);
		return NOISE_EDH;
	}
	if (e_priv != NULL) {
		memcpy(hs->e_priv, e_priv, NOISE_DHLEN);
		hs->fixed_e = 1;
	}
	hs->state = NOISE_HS_MSG1;
	return NOISE_OK;
}

/* GENERATE_KEYPAIR for the e token, unless a test vector fixed it. */
static int
noise_gen_e(struct noise_handshake *hs)
{
	if (!hs->fixed_e)
		randombytes_buf(hs->e_priv, NOISE_DHLEN);
	if (crypto_scalarmult_base(hs->e_pub, hs->e_priv) != 0)
		return NOISE_EDH;
	return NOISE_OK;
}

/* 1 when the next message is ours to write, 0 to read, -1 when none. */
static int
noise_our_turn(const struct noise_handshake *hs)
{
	switch (hs->state) {
	case NOISE_HS_MSG1:
	case NOISE_HS_MSG3:
		return hs->initiator;
	case NOISE_HS_MSG2:
		return !hs->initiator;
	default:
		return -1;
	}
}

/* The size of the next message without its payload. */
static size_t
noise_msg_min(const struct noise_handshake *hs)
{
	if (hs->state == NOISE_HS_MSG1)
		return NOISE_MSG1_MIN;
	if (hs->state == NOISE_HS_MSG2)
		return NOISE_MSG2_MIN;
	return NOISE_MSG3_MIN;
}

/* -> e */
static int
noise_write1(struct noise_handshake *hs, const uint8_t *payload, size_t paylen,
    uint8_t *out)
{
	int	rc;

	/* e */
	if ((rc = noise_gen_e(hs)) != NOISE_OK)
		return rc;
	memcpy(out, hs->e_pub, NOISE_DHLEN);
	noise_mix_hash(&hs->ss, hs->e_pub, NOISE_DHLEN);
	out += NOISE_DHLEN;

	return noise_encrypt_and_hash(&hs->ss, payload, paylen, out);
}

/* <- e, ee, s, es */
static int
noise_write2(struct noise_handshake *hs, const uint8_t *payload, size_t paylen,
    uint8_t *out)
{
	int	rc;

	/* e */
	if ((rc = noise_gen_e(hs)) != NOISE_OK)
		return rc;
	memcpy(out, hs->e_pub, NOISE_DHLEN);
	noise_mix_hash(&hs->ss, hs->e_pub, NOISE_DHLEN);
	out += NOISE_DHLEN;

	/* ee */
	if ((rc = noise_mix_dh(&hs->ss, hs->e_priv, hs->re)) != NOISE_OK)
		return rc;

	/* s */
	rc = noise_encrypt_and_hash(&hs->ss, hs->s_pub, NOISE_DHLEN, out);
	if (rc != NOISE_OK)
		return rc;
	out += NOISE_DHLEN + NOISE_TAGLEN;

	/* es: the responder holds s */
	if ((rc = noise_mix_dh(&hs->ss, hs->s_priv, hs->re)) != NOISE_OK)
		return rc;

	return noise_encrypt_and_hash(&hs->ss, payload, paylen, out);
}

/* -> s, se */
static int
noise_write3(struct noise_handshake *hs, const uint8_t *payload, size_t paylen,
    uint8_t *out)
{
	int	rc;

	/* s */
	rc = noise_encrypt_and_hash(&hs->ss, hs->s_pub, NOISE_DHLEN, out);
	if (rc != NOISE_OK)
		return rc;
	out += NOISE_DHLEN + NOISE_TAGLEN;

	/* se: the initiator holds s */
	if ((rc = noise_mix_dh(&hs->ss, hs->s_priv, hs->re)) != NOISE_OK)
		return rc;

	return noise_encrypt_and_hash(&hs->ss, payload, paylen, out);
}

/* WriteMessage (§5.3). payload and out must not overlap. */
int
noise_hs_write(struct noise_handshake *hs, const uint8_t *payload,
    size_t paylen, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t	need;
	int	rc;

	*outlen = 0;
	if (noise_our_turn(hs) != 1)
		return NOISE_ESTATE;
	need = noise_msg_min(hs);
	if (paylen > NOISE_MAX_MSG - need || need + paylen > outsz)
		return NOISE_ELENGTH;
	need += paylen;

	if (hs->state == NOISE_HS_MSG1)
		rc = noise_write1(hs, payload, paylen, out);
	else if (hs->state == NOISE_HS_MSG2)
		rc = noise_write2(hs, payload, paylen, out);
	else
		rc = noise_write3(hs, payload, paylen, out);
	if (rc != NOISE_OK) {
		sodium_memzero(out, need);
		noise_hs_wipe(hs);
		return rc;
	}
	*outlen = need;
	hs->state++;
	return NOISE_OK;
}

/* -> e, as the responder reads it. */
static int
noise_read1(struct noise_handshake *hs, const uint8_t *msg, size_t len,
    uint8_t *payload)
{
	/* e */
	memcpy(hs->re, msg, NOISE_DHLEN);
	noise_mix_hash(&hs->ss, hs->re, NOISE_DHLEN);
	msg += NOISE_DHLEN;
	len -= NOISE_DHLEN;

	return noise_decrypt_and_hash(&hs->ss, msg, len, payload);
}

/* <- e, ee, s, es, as the initiator reads it. */
static int
noise_read2(struct noise_handshake *hs, const uint8_t *msg, size_t len,
    uint8_t *payload)
{
	int	rc;

	/* e */
	memcpy(hs->re, msg, NOISE_DHLEN);
	noise_mix_hash(&hs->ss, hs->re, NOISE_DHLEN);
	msg += NOISE_DHLEN;
	len -= NOISE_DHLEN;

	/* ee */
	if ((rc = noise_mix_dh(&hs->ss, hs->e_priv, hs->re)) != NOISE_OK)
		return rc;

	/* s */
	rc = noise_decrypt_and_hash(&hs->ss, msg, NOISE_DHLEN + NOISE_TAGLEN,
	    hs->rs);
	if (rc != NOISE_OK)
		return rc;
	msg += NOISE_DHLEN + NOISE_TAGLEN;
	len -= NOISE_DHLEN + NOISE_TAGLEN;

	/* es: the responder holds s */
	if ((rc = noise_mix_dh(&hs->ss, hs->e_priv, hs->rs)) != NOISE_OK)
		return rc;

	return noise_decrypt_and_hash(&hs->ss, msg, len, payload);
}

/* -> s, se, as the responder reads it. */
static int
noise_read3(struct noise_handshake *hs, const uint8_t *msg, size_t len,
    uint8_t *payload)
{
	int	rc;

	/* s */
	rc = noise_decrypt_and_hash(&hs->ss, msg, NOISE_DHLEN + NOISE_TAGLEN,
	    hs->rs);
	if (rc != NOISE_OK)
		return rc;
	msg += NOISE_DHLEN + NOISE_TAGLEN;
	len -= NOISE_DHLEN + NOISE_TAGLEN;

	/* se: the initiator holds s */
	if ((rc = noise_mix_dh(&hs->ss, hs->e_priv, hs->rs)) != NOISE_OK)
		return rc;

	return noise_decrypt_and_hash(&hs->ss, msg, len, payload);
}

/*
 * ReadMessage (§5.3). Any bad message wipes the handshake. The peer's s is
 * only trusted (noise_hs_remote_static) once the payload after es or se has
 * authenticated, which proves the peer holds its private half.
 */
int
noise_hs_read(struct noise_handshake *hs, const uint8_t *msg, size_t len,
    uint8_t *payload, size_t paysz, size_t *paylen)
{
	size_t	min;
	int	rc;

	*paylen = 0;
	if (noise_our_turn(hs) != 0)
		return NOISE_ESTATE;
	min = noise_msg_min(hs);
	if (len < min || len > NOISE_MAX_MSG || len - min > paysz)
		rc = NOISE_ELENGTH;
	else if (hs->state == NOISE_HS_MSG1)
		rc = noise_read1(hs, msg, len, payload);
	else if (hs->state == NOISE_HS_MSG2)
		rc = noise_read2(hs, msg, len, payload);
	else
		rc = noise_read3(hs, msg, len, payload);
	if (rc != NOISE_OK) {
		if (len > min && len - min <= paysz)
			sodium_memzero(payload, len - min);
		noise_hs_wipe(hs);
		return rc;
	}
	if (hs->state != NOISE_HS_MSG1)
		hs->has_rs = 1;
	*paylen = len - min;
	hs->state++;
	return NOISE_OK;
}

const uint8_t *
noise_hs_remote_static(const struct noise_handshake *hs)
{
	return hs->has_rs ? hs->rs : NULL;
}

const uint8_t *
noise_hs_hash(const struct noise_handshake *hs)
{
	return hs->ss.h;
}

/* Split (§5.2): the initiator sends with the first key, receives with the second. */
int
noise_hs_split(struct noise_handshake *hs, struct noise_cipher *send,
    struct noise_cipher *recv)
{
	uint8_t	k1[NOISE_HASHLEN], k2[NOISE_HASHLEN];

	noise_cipher_wipe(send);
	noise_cipher_wipe(recv);
	if (hs->state != NOISE_HS_SPLIT)
		return NOISE_ESTATE;
	noise_hkdf(hs->ss.ck, NULL, 0, k1, k2);
	memcpy(send->k, hs->initiator ? k1 : k2, NOISE_KEYLEN);
	memcpy(recv->k, hs->initiator ? k2 : k1, NOISE_KEYLEN);
	send->has_key = recv->has_key = 1;
	sodium_memzero(k1, sizeof k1);
	sodium_memzero(k2, sizeof k2);
	noise_hs_wipe(hs);
	hs->state = NOISE_HS_DONE;
	return NOISE_OK;
}
