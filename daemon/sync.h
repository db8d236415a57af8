/*
 * sync.h — what two connected nodes say to each other (DESIGN §6): summaries
 * of the heads each holds, signed announcements of new heads, WANT requests
 * answered with packs, and the verified merge of what arrives.
 */
#ifndef KNOWD_SYNC_H
#define KNOWD_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"
#include "wire.h"

struct knowd;
struct peer;
struct pack_update;

#define SYNC_FETCH_TIMEOUT	60	/* seconds for a WANT to be answered */
#define SYNC_MAX_JOBS		32	/* worker jobs queued at once */

/* A WANT sent to this peer, waiting for its PACK chunks. */
struct sync_fetch {
	uint64_t		 reqid;
	struct pack_update	*u;
	size_t			 n;
	struct buf		 data;
	time_t			 started;
	int			 indexing;	/* the pack is with the worker */
};

/* Per-peer sync state, embedded in struct peer. */
struct sync_peer {
	struct wire_head	*pending;	/* heads this peer has that we lack */
	size_t			 npending;
	struct sync_fetch	*fetch;		/* NULL when no WANT is out */
	uint64_t		 next_reqid;
	int			 serving;	/* a pack is being built for it */
	struct buf		 out;		/* pack being streamed to it */
	size_t			 outpos;
	uint64_t		 outreqid;
	int			 hello;		/* HELLO received */
	int			 ae;		/* our DIGEST is out: collect their SUMMARY */
	struct wire_head	*theirs;	/* their heads, while ae */
	size_t			 ntheirs;
};

/* Global sync state; knowd owns one. */
struct sync;

#define SYNC_MAX_THEIRS		100000	/* heads collected from one peer's SUMMARY */
#define SYNC_ANN_FUTURE		600	/* seconds an ANNOUNCE may be ahead of our clock */
#define SYNC_ANN_MAXAGE		(30 * 86400)	/* older ANNOUNCEs are not acted on */

void	 sync_init(struct knowd *);
/* Starts the anti-entropy timer (every conf.sync_interval seconds, with jitter). */
void	 sync_start(struct knowd *);
void	 sync_free(struct knowd *);
/* A peer finished its handshake: send HELLO and our SUMMARY. */
void	 sync_peer_ready(struct peer *);
/* A peer is going away: drop what it owed us and what we owed it. */
void	 sync_peer_gone(struct peer *);
/* One decrypted message from a ready peer; -1 means close it. */
int	 sync_message(struct peer *, const uint8_t *, size_t);
/* The peer's output buffer drained: continue a pack being streamed. */
void	 sync_peer_writable(struct peer *);
/* Periodic per-peer check (fetch timeouts). */
void	 sync_peer_tick(struct peer *, time_t now);
/* Sends our DIGEST: a peer whose heads differ answers with its SUMMARY. */
void	 sync_send_digest(struct peer *);
/* Our own branch moved: announce it to every peer. */
void	 sync_published(struct knowd *);
/* True when this node replicates nid (itself, trusted, or mirror = all). */
int	 sync_replicates(struct knowd *, const char *nid);

#endif
