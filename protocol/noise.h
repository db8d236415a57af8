/*
 * noise.h — Noise_XX_25519_ChaChaPoly_BLAKE2b (Noise spec revision 34) from
 * libsodium primitives. Only what knowd needs: the XX pattern, no PSK, no
 * rekey, no fallback.
 *
 *	XX:
 *	  -> e
 *	  <- e, ee, s, es
 *	  -> s, se
 *
 * Every state lives in a caller-owned struct without pointers, so it can be
 * embedded, copied (tests, fuzzing) and wiped with one call. Functions return
 * 0 or a negative NOISE_E* code; noise_strerror names it. A handshake that
 * fails once is wiped and stays failed.
 */
#ifndef KNOWD_NOISE_H
#define KNOWD_NOISE_H

#include <stddef.h>
#include <stdint.h>

#define NOISE_PROTOCOL	"Noise_XX_25519_ChaChaPoly_BLAKE2b"
#define NOISE_DHLEN	32		/* X25519 keys and shared secrets */
#define NOISE_HASHLEN	64		/* BLAKE2b-512 */
#define NOISE_BLOCKLEN	128		/* BLAKE2b block, for HMAC */
#define NOISE_KEYLEN	32		/* ChaChaPoly key */
#define NOISE_TAGLEN	16		/* Poly1305 tag */
#define NOISE_MAX_MSG	65535		/* spec §3: any Noise message */

/* Handshake message sizes without payload (payload adds its length). */
#define NOISE_MSG1_MIN	NOISE_DHLEN					/* e */
#define NOISE_MSG2_MIN	(2 * NOISE_DHLEN + 2 * NOISE_TAGLEN)		/* e, {s}, {} */
#define NOISE_MSG3_MIN	(NOISE_DHLEN + 2 * NOISE_TAGLEN)		/* {s}, {} */

enum noise_error {
	NOISE_OK = 0,
	NOISE_ESTATE = -1,	/* wrong turn, or handshake already failed */
	NOISE_ELENGTH = -2,	/* message too short, too long, or no room */
	NOISE_EDECRYPT = -3,	/* AEAD authentication failed */
	NOISE_EDH = -4,		/* X25519 gave the all-zero output */
	NOISE_ENONCE = -5,	/* nonce exhausted (n = 2^64 - 1) */
};

/* CipherState (§5.1). */
struct noise_cipher {
	uint8_t		 k[NOISE_KEYLEN];
	uint64_t	 n;
	int		 has_key;
};

/* SymmetricState (§5.2). */
struct noise_symmetric {
	struct noise_cipher	 cs;
	uint8_t			 ck[NOISE_HASHLEN];
	uint8_t			 h[NOISE_HASHLEN];
};

/* Where an XX handshake is: the next message, or the end. */
enum noise_hs_state {
	NOISE_HS_FAILED,	/* wiped; zero, so a wiped struct is failed */
	NOISE_HS_MSG1,		/* -> e */
	NOISE_HS_MSG2,		/* <- e, ee, s, es */
	NOISE_HS_MSG3,		/* -> s, se */
	NOISE_HS_SPLIT,		/* all three done: call noise_hs_split */
	NOISE_HS_DONE,		/* split; everything wiped */
};

/* HandshakeState (§5.3) for XX. */
struct noise_handshake {
	struct noise_symmetric	 ss;
	enum noise_hs_state	 state;
	int			 initiator;
	uint8_t			 s_priv[NOISE_DHLEN];
	uint8_t			 s_pub[NOISE_DHLEN];
	uint8_t			 e_priv[NOISE_DHLEN];
	uint8_t			 e_pub[NOISE_DHLEN];
	uint8_t			 rs[NOISE_DHLEN];
	uint8_t			 re[NOISE_DHLEN];
	int			 has_rs;
	int			 fixed_e;	/* e_priv given: test vectors only */
};

const char	*noise_strerror(int);

/* Encrypts len bytes into out (len + NOISE_TAGLEN); out may be in. */
int	 noise_cipher_encrypt(struct noise_cipher *, const uint8_t *ad,
	     size_t adlen, const uint8_t *in, size_t len, uint8_t *out);
/* Decrypts len bytes (tag included) into out (len - NOISE_TAGLEN); out may be in. */
int	 noise_cipher_decrypt(struct noise_cipher *, const uint8_t *ad,
	     size_t adlen, const uint8_t *in, size_t len, uint8_t *out);
void	 noise_cipher_wipe(struct noise_cipher *);

/*
 * Starts an XX handshake with our static X25519 private key. e_priv is a
 * fixed ephemeral private key for test vectors; pass NULL everywhere else.
 */
int	 noise_hs_init(struct noise_handshake *, int initiator,
	     const uint8_t *prologue, size_t prologuelen,
	     const uint8_t s_priv[NOISE_DHLEN], const uint8_t *e_priv);
/* Writes the next message with payload into out (outsz bytes of room). */
int	 noise_hs_write(struct noise_handshake *, const uint8_t *payload,
	     size_t paylen, uint8_t *out, size_t outsz, size_t *outlen);
/* Reads the next message; its payload goes to payload (paysz bytes of room). */
int	 noise_hs_read(struct noise_handshake *, const uint8_t *msg, size_t len,
	     uint8_t *payload, size_t paysz, size_t *paylen);
/* The peer's static key once the handshake has authenticated it, else NULL. */
const uint8_t	*noise_hs_remote_static(const struct noise_handshake *);
/* The handshake hash h (NOISE_HASHLEN bytes); final after message 3. */
const uint8_t	*noise_hs_hash(const struct noise_handshake *);
/* After message 3: our send and receive CipherStates; wipes the handshake. */
int	 noise_hs_split(struct noise_handshake *, struct noise_cipher *send,
	     struct noise_cipher *recv);
void	 noise_hs_wipe(struct noise_handshake *);

#endif
