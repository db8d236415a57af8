/*
 * wire.h — the messages nodes exchange inside the secure channel (doc/DESIGN.md §5).
 *
 * Every message is one msgpack array [type, …] filling exactly one channel
 * frame (at most CHAN_MAX_PLAIN bytes). Decoders run mpcheck first, then
 * check every field's type, length and count; they copy what they keep into
 * the caller's struct (fixed-size fields) so nothing points into the frame,
 * except wire_pack.data, which points into the frame buffer.
 *
 * Signed messages (NODE, ANNOUNCE) carry their body as a msgpack bin holding
 * the exact bytes that were signed; relays pass those bytes on unchanged.
 * The signature is Ed25519 over a context string followed by the body.
 */
#ifndef KNOWD_WIRE_H
#define KNOWD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "util.h"

#define WIRE_VERSION		1
/* HELLO features: the sender takes a long backlog in steps (PROTOCOL.md §3.2). */
#define WIRE_FEATURE_STEPS	0x1
/* HELLO features: the sender answers JOIN, invitations redeemed (PROTOCOL.md §4.9). */
#define WIRE_FEATURE_JOIN	0x2
/* HELLO features: the sender takes contact card sets, CARDS and CARDSUM (§2.6). */
#define WIRE_FEATURE_CARDS	0x4
#define WIRE_OID_LEN		20	/* git SHA-1 object id */
#define WIRE_MAX_ADDRS		4	/* listen addresses in HELLO / NODE */
#define WIRE_ADDR_MAX		128	/* bytes of one "host:port" */
#define WIRE_NAME_MAX		200	/* bytes of a node name */
#define WIRE_SUMMARY_MAX	512	/* entries in one SUMMARY page */
#define WIRE_WANT_MAX		64	/* branches in one WANT */
#define WIRE_HAVE_MAX		8	/* haves per wanted branch */
#define WIRE_CHUNK_MAX		(60 * 1024)	/* bytes of pack data in one PACK */
#define WIRE_ERROR_MAX		256	/* bytes of an ERROR text */
#define WIRE_SIGNED_MAX		1024	/* bytes of a signed body */
#define WIRE_MSG_MAX		65519	/* bytes of one message: CHAN_MAX_PLAIN */

/* Signature contexts, each with its terminating NUL (sizeof counts it). */
#define WIRE_CTX_ANNOUNCE	"knowd announce v1"
#define WIRE_CTX_NODE		"knowd node v1"

enum wire_type {
	WIRE_HELLO = 1,
	WIRE_NODE = 2,
	WIRE_ANNOUNCE = 3,
	WIRE_SUMMARY = 4,
	WIRE_DIGEST = 5,
	WIRE_WANT = 6,
	WIRE_PACK = 7,
	WIRE_PING = 8,
	WIRE_PONG = 9,
	WIRE_ERROR = 10,
	WIRE_JOIN = 11,
	WIRE_CARDS = 12,	/* one node's signed contact card set (cards.h) */
	WIRE_CARDSUM = 13,	/* the card sets a node holds (cards.h) */
};

/* [1, version, features, [listen…], time] */
struct wire_hello {
	uint64_t	version;
	uint64_t	features;
	char		listen[WIRE_MAX_ADDRS][WIRE_ADDR_MAX + 1];
	size_t		nlisten;
	uint64_t	time;		/* sender's clock, unix seconds */
};

/* A signed body and its signature, as they travel. */
struct wire_signed {
	uint8_t		body[WIRE_SIGNED_MAX];
	size_t		bodylen;
	uint8_t		sig[KEYS_SIG_LEN];
};

/* ANNOUNCE: [3, body, sig]; body = msgpack [pk bin32, seq, head bin20, time]. */
struct wire_announce {
	uint8_t			pk[KEYS_PK_LEN];
	uint64_t		seq;
	uint8_t			head[WIRE_OID_LEN];
	uint64_t		time;
	struct wire_signed	s;
};

/* NODE: [2, body, sig]; body = msgpack [pk bin32, name, [addr…], time]. */
struct wire_node {
	uint8_t			pk[KEYS_PK_LEN];
	char			name[WIRE_NAME_MAX + 1];
	char			addrs[WIRE_MAX_ADDRS][WIRE_ADDR_MAX + 1];
	size_t			naddrs;
	uint64_t		time;
	struct wire_signed	s;
};

/* One branch head: [pk bin32, seq, head bin20]. */
struct wire_head {
	uint8_t		pk[KEYS_PK_LEN];
	uint64_t	seq;
	uint8_t		head[WIRE_OID_LEN];
};

/* SUMMARY: [4, page, more, [[pk, seq, head]…]] — one page of the heads a node holds. */
struct wire_summary {
	uint64_t		page;
	int			more;		/* further pages follow */
	struct wire_head	heads[WIRE_SUMMARY_MAX];
	size_t			nheads;
};

/* DIGEST: [5, count, digest bin32] — BLAKE2b-256 over the sorted heads; see wire_digest. */
struct wire_digest {
	uint64_t	count;
	uint8_t		digest[32];
};

/* One wanted branch: [pk bin32, want bin20, [have bin20…]]. */
struct wire_wantb {
	uint8_t		pk[KEYS_PK_LEN];
	uint8_t		want[WIRE_OID_LEN];
	uint8_t		haves[WIRE_HAVE_MAX][WIRE_OID_LEN];
	size_t		nhaves;
};

/* WANT: [6, reqid, [branch…]] — one request for one pack covering all branches. */
struct wire_want {
	uint64_t		reqid;
	struct wire_wantb	b[WIRE_WANT_MAX];
	size_t			nb;
};

/* PACK: [7, reqid, data bin, last] — one chunk of a packfile answering reqid. */
struct wire_pack {
	uint64_t	 reqid;
	const uint8_t	*data;		/* points into the decoded frame */
	size_t		 len;
	int		 last;
};

/* PING [8, nonce], PONG [9, nonce]. */
struct wire_ping {
	uint64_t	nonce;
};

/* ERROR: [10, code, text]. */
struct wire_error {
	uint64_t	code;
	char		text[WIRE_ERROR_MAX + 1];
};

/*
 * JOIN: [11, id bin8, proof bin32] — an invitation redeemed (the joiner's
 * proof) or accepted (the agency's answer); PROTOCOL.md §4.9.
 */
#define WIRE_JOIN_ID		8
#define WIRE_JOIN_PROOF		32
struct wire_join {
	uint8_t		id[WIRE_JOIN_ID];
	uint8_t		proof[WIRE_JOIN_PROOF];
};

enum wire_errcode {
	WIRE_E_PROTOCOL = 1,	/* malformed or unexpected message */
	WIRE_E_UNKNOWN = 2,	/* wanted branch or head not held */
	WIRE_E_LIMIT = 3,	/* a limit was exceeded */
	WIRE_E_BUSY = 4,	/* try again later */
	WIRE_E_ADMISSION = 5,	/* not admitted (pending) or denied here */
	WIRE_E_JOIN = 6,	/* the invitation of a JOIN was refused */
};

/* The type of a frame, or -1 when it is not a msgpack array starting with a known type. */
int	 wire_type(const uint8_t *, size_t);

/*
 * Encoders append one whole message to b. They never fail for valid input.
 * Input no message can carry (a count or string over its limit, an unsigned
 * NODE or ANNOUNCE, a PING type other than PING or PONG) is a caller's bug
 * and aborts; string contents are not checked here (decoders do). An ERROR
 * text over WIRE_ERROR_MAX bytes is cut at a character boundary instead.
 */
void	 wire_hello_encode(struct buf *, const struct wire_hello *);
void	 wire_announce_encode(struct buf *, const struct wire_announce *);
void	 wire_node_encode(struct buf *, const struct wire_node *);
void	 wire_summary_encode(struct buf *, const struct wire_summary *);
void	 wire_digest_encode(struct buf *, const struct wire_digest *);
void	 wire_want_encode(struct buf *, const struct wire_want *);
/* A PACK header and data; len ≤ WIRE_CHUNK_MAX. */
void	 wire_pack_encode(struct buf *, uint64_t reqid, const uint8_t *, size_t,
	     int last);
void	 wire_ping_encode(struct buf *, enum wire_type, uint64_t nonce);
void	 wire_error_encode(struct buf *, uint64_t code, const char *text);
void	 wire_join_encode(struct buf *, const struct wire_join *);

/* Decoders: 0 on success, -1 with *cause on anything malformed. Pure; fuzzed. */
int	 wire_hello_decode(const uint8_t *, size_t, struct wire_hello *, char **);
int	 wire_announce_decode(const uint8_t *, size_t, struct wire_announce *,
	     char **);
int	 wire_node_decode(const uint8_t *, size_t, struct wire_node *, char **);
int	 wire_summary_decode(const uint8_t *, size_t, struct wire_summary *,
	     char **);
int	 wire_digest_decode(const uint8_t *, size_t, struct wire_digest *, char **);
int	 wire_want_decode(const uint8_t *, size_t, struct wire_want *, char **);
int	 wire_pack_decode(const uint8_t *, size_t, struct wire_pack *, char **);
int	 wire_ping_decode(const uint8_t *, size_t, struct wire_ping *, char **);
int	 wire_error_decode(const uint8_t *, size_t, struct wire_error *, char **);
int	 wire_join_decode(const uint8_t *, size_t, struct wire_join *, char **);

/*
 * Signing. wire_announce_sign fills a->s from a->pk/seq/head/time with the
 * key pair (whose pk must equal a->pk); wire_announce_verify checks a->s.sig
 * over a->s.body by a->pk. Likewise for NODE. Context strings:
 * "knowd announce v1\0" and "knowd node v1\0", prepended to the body.
 * Verification re-reads the body and fails unless its fields equal the
 * struct's, so a verified struct says what was signed. 0 when good, else -1.
 */
void	 wire_announce_sign(struct wire_announce *, const struct keys_pair *);
int	 wire_announce_verify(const struct wire_announce *);
void	 wire_node_sign(struct wire_node *, const struct keys_pair *);
int	 wire_node_verify(const struct wire_node *);

/* DIGEST of heads sorted by pk: BLAKE2b-256 over pk || be64(seq) || head of each. */
void	 wire_digest(const struct wire_head *, size_t n, uint8_t out[32]);

#endif
