/*
 * chan.h — the secure channel between two knowd nodes (doc/DESIGN.md §5).
 *
 * Noise_XX_25519_ChaChaPoly_BLAKE2b built from libsodium primitives. Each
 * node's static X25519 key is its Ed25519 identity key converted with
 * crypto_sign_ed25519_*_to_curve25519. The Noise prologue is
 * "knowd/1" || network id (32 bytes), so nodes of another network fail the
 * handshake and learn nothing. The handshake payloads carry the Ed25519
 * public keys; each side checks that the peer's Ed25519 key converts to the
 * static key the handshake authenticated. A dialer that expects a given
 * node id hangs up after message 2 if the responder is someone else, before
 * revealing its own identity.
 *
 * Pure functions over caller buffers: no sockets, no event loop.
 * On the wire every message (handshake or transport) is a frame:
 * 2-byte big-endian length, then that many bytes (at most CHAN_MAX_FRAME).
 */
#ifndef KNOWD_CHAN_H
#define KNOWD_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "noise.h"

#define CHAN_MAX_FRAME		65535			/* bytes after the length prefix */
#define CHAN_TAG		16			/* AEAD tag per transport frame */
#define CHAN_MAX_PLAIN		(CHAN_MAX_FRAME - CHAN_TAG)
#define CHAN_NETID_LEN		32
#define CHAN_HS_MAX		256			/* largest handshake message */
#define CHAN_VERSION		1			/* in the message 2 and 3 payloads */

enum chan_state {
	CHAN_HS_WRITE1,		/* initiator: send e */
	CHAN_HS_READ1,		/* responder: await e */
	CHAN_HS_WRITE2,		/* responder: send e, ee, s, es + payload */
	CHAN_HS_READ2,		/* initiator: await message 2 */
	CHAN_HS_WRITE3,		/* initiator: send s, se + payload */
	CHAN_HS_READ3,		/* responder: await message 3 */
	CHAN_READY,		/* transport keys split; handshake state wiped */
	CHAN_FAILED,
};

/*
 * One end of a channel, embeddable and without pointers. Only state and
 * initiator are for callers to read; the rest belongs to chan.c. Any call
 * that returns -1 has wiped every key and left the channel CHAN_FAILED.
 */
struct chan {
	enum chan_state		 state;
	int			 initiator;
	struct noise_handshake	 hs;		/* until CHAN_READY */
	struct noise_cipher	 tx;		/* from CHAN_READY */
	struct noise_cipher	 rx;
	uint8_t			 local_pk[KEYS_PK_LEN];
	uint8_t			 remote_pk[KEYS_PK_LEN];
	int			 have_remote;
	uint8_t			 expect_pk[KEYS_PK_LEN];
	int			 have_expect;
	uint8_t			 hh[NOISE_HASHLEN];	/* handshake hash, from CHAN_READY */
};

/* The network id of a network name: BLAKE2b-256("knowd network " || name). */
void	 chan_network_id(const char *name, uint8_t out[CHAN_NETID_LEN]);

/*
 * Starts a handshake. expect_pk (Ed25519, may be NULL) is the identity the
 * dialer expects to reach; responders pass NULL (one given anyway is
 * checked after message 3).
 */
int	 chan_init(struct chan *, int initiator, const struct keys_pair *,
	     const uint8_t netid[CHAN_NETID_LEN],
	     const uint8_t *expect_pk, char **cause);
/* True when it is our turn to write a handshake message. */
int	 chan_want_write(const struct chan *);
/* Writes the next handshake message (without frame prefix) into out[CHAN_HS_MAX]. */
int	 chan_hs_write(struct chan *, uint8_t *out, size_t *len, char **cause);
/* Reads one handshake message; on any failure the channel is CHAN_FAILED. */
int	 chan_hs_read(struct chan *, const uint8_t *in, size_t len, char **cause);
/* The peer's Ed25519 public key, once known (after message 2 or 3), else NULL. */
const uint8_t *chan_remote_pk(const struct chan *);

/*
 * The handshake hash h once the channel is ready (NOISE_HASHLEN bytes), else
 * NULL: the same on both ends and unique to this channel, for binding a
 * proof to it (JOIN, PROTOCOL.md §4.9).
 */
const uint8_t *chan_handshake_hash(const struct chan *);

/* Encrypts len (≤ CHAN_MAX_PLAIN) bytes into out (len + CHAN_TAG bytes); out may be in. */
int	 chan_seal(struct chan *, const uint8_t *in, size_t len, uint8_t *out);
/* Decrypts and authenticates a transport frame into out (len - CHAN_TAG bytes); out may be in. */
int	 chan_open(struct chan *, const uint8_t *in, size_t len, uint8_t *out,
	     char **cause);
/* Wipes every key; the channel is CHAN_FAILED afterwards. */
void	 chan_wipe(struct chan *);

#endif
