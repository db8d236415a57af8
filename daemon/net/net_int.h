/* net_int.h — what sync.c, fetch.c, gossip.c and net.c share (inside net/ only). */
#ifndef KNOWD_NET_INT_H
#define KNOWD_NET_INT_H

#include "net.h"
#include "node.h"
#include "peer.h"
#include "store.h"
#include "util.h"
#include "wire.h"

/* The net a peer belongs to, and the sync state net keeps for it. */
#define NET(p)	((struct net *)peer_arg(p))
#define SP(p)	((struct sync_peer *)peer_data(p))

/* A WANT sent to this peer, waiting for its PACK chunks. */
struct sync_fetch {
	uint64_t		 reqid;
	struct pack_update	*u;
	size_t			 n;
	struct wire_head	*want;		/* the heads asked for, by update */
	uint8_t			*proven;	/* by update: the head had proof */
	struct catalog_change	**chg;		/* by update: its catalog change, made on the worker */
	struct buf		 data;
	time_t			 progress;	/* sent, or the last PACK chunk came */
	uint64_t		 serial;	/* of the peer asked */
	int			 indexing;	/* the pack is with the worker */
};

/* A head a peer has that we lack, waiting to be asked for. */
struct sync_pending {
	struct wire_head		 h;
	TAILQ_ENTRY(sync_pending)	 entry;
};

/* A card set to send a peer (contacts.c): by nid, the newest when sent. */
struct contacts_q {
	char			 nid[KEYS_NID_MAX];
	TAILQ_ENTRY(contacts_q)	 entry;
};

/* Per-peer sync state: the peer's data (peer_data), from ready to gone. */
struct sync_peer {
	struct hmap		*pending;	/* key → struct sync_pending */
	TAILQ_HEAD(, sync_pending) queue;	/* the same, first noted first */
	struct sync_fetch	*fetch;		/* NULL when no WANT is out */
	int			 verifying;	/* its packs with the workers */
	uint64_t		 next_reqid;
	int			 serving;	/* a pack is being built for it */
	struct buf		 out;		/* pack being streamed to it */
	size_t			 outpos;
	uint64_t		 outreqid;
	int			 hello;		/* HELLO received */
	int			 admitted;	/* we admit it: it is served and heard */
	int			 joined;	/* JOINs it sent (join.c: one) */
	uint64_t		 features;	/* theirs, from HELLO */
	int64_t			 clock_offset;	/* their clock minus ours, at HELLO */
	double			 node_tokens;	/* NODE relay bucket (gossip.c) */
	double			 node_last;	/* monotonic seconds of its last take */
	int			 ae;		/* our DIGEST is out: collect their SUMMARY */
	struct wire_head	*theirs;	/* their heads, while ae */
	size_t			 ntheirs;
	struct hmap		*cards_q;	/* nid → struct contacts_q */
	time_t			 cards_listed;	/* we last sent it our list */
	TAILQ_HEAD(, contacts_q) cards_queue;	/* the same, first queued first */
};

/* The newest verified announcement held for a node, relayed unchanged. */
struct sync_ann {
	char			nid[KEYS_NID_MAX];
	struct wire_announce	a;
};

struct sync {
	struct hmap	*ann;		/* nid → struct sync_ann */
	struct hmap	*fetching;	/* nid → struct fetch_mark: WANTs out */
	struct hmap	*asked;		/* peer serial + nid → struct fetch_ask */
	struct hmap	*penalties;	/* nid → struct penalty (penalty.c) */
	struct hmap	*joins;		/* host → struct join_rate (join.c) */
	struct event	*ae_timer;
};

#define SYNC_MAX_PENDING	32768	/* heads noted of one peer (about 3 MB) */
#define SYNC_CLOCK_WARN		60	/* seconds of skew a HELLO is warned about */
#define SYNC_CLOCK_TRUST	(7 * 86400)	/* a peer's offset is believed up to this */

/*
 * sync.c: 1 when a signed time (ANNOUNCE, NODE) is fresh — not older than
 * SYNC_ANN_MAXAGE nor SYNC_ANN_FUTURE ahead — by our clock or by the peer's
 * (our clock plus the offset its HELLO showed, believed up to SYNC_CLOCK_TRUST):
 * a node whose own clock is days off still learns what its peers relay.
 */
int	 sync_time_fresh(const struct peer *, uint64_t t);

/* net.c: the worker with the fewest jobs. */
struct worker *net_worker(struct net *);
/*
 * Decides a peer that became ready (PROTOCOL.md §4.8): 0 when admitted;
 * else -1, a pending one noted and told why (ERROR, kept open, not served,
 * not heard), a denied one closed with an ERROR naming the reason.
 */
int	 net_admit(struct peer *);

/* sync.c */
void	 sync_init(struct net *);
/* Starts the anti-entropy timer (every conf.sync_interval seconds, with jitter). */
void	 sync_start(struct net *);
void	 sync_free(struct net *);
/* Peer operations (peers_ops): ready, message, writable, tick, gone. */
void	 sync_peer_ready(struct peer *, void *net);
int	 sync_message(struct peer *, const uint8_t *, size_t, void *net);
void	 sync_peer_writable(struct peer *, void *net);
void	 sync_peer_tick(struct peer *, time_t now, void *net);
void	 sync_peer_gone(struct peer *, void *net);
/* An admitted peer: our NODEs and our SUMMARY. */
void	 sync_welcome(struct peer *);
/* Sends our DIGEST: a peer whose heads differ answers with its SUMMARY. */
void	 sync_send_digest(struct peer *);
/* Our own branch moved: sign an ANNOUNCE and send it to every peer. */
void	 sync_published(struct net *);
/* Sends one encoded message; -1 when the peer was closed. */
int	 sync_send(struct peer *, const struct buf *);
/* Sends ERROR and closes the peer; returns -1 for sync_message to pass on. */
int	 sync_fail(struct peer *, enum wire_errcode, const char *fmt, ...)
	     __attribute__((format(printf, 3, 4)));
/* Tells every other ready peer that nid's branch moved to head (announce or summary). */
void	 sync_relay(struct net *, const char *nid, struct peer *from);
/* The held announcement for nid, or NULL. */
struct sync_ann *sync_ann_find(struct sync *, const char *nid);

/* fetch.c */
/* Notes that peer p has head h (of a node we replicate and lack it of). */
void	 fetch_note(struct peer *, const struct wire_head *);
/* Sends the next WANT to p if none is out and it has heads we lack. */
void	 fetch_next(struct peer *);
int	 fetch_want(struct peer *, const uint8_t *, size_t);
int	 fetch_pack(struct peer *, const uint8_t *, size_t);
void	 fetch_error(struct peer *, const struct wire_error *);
void	 fetch_stream(struct peer *);
void	 fetch_peer_gone(struct peer *);
void	 fetch_tick(struct peer *, time_t now);
/* Forgets every head noted of p (it is going). */
void	 fetch_pending_free(struct peer *);
/* True when peer p has a head of nid noted that we have not asked for yet. */
int	 fetch_pending(struct peer *, const char *nid);
/* True when a WANT for a head of nid with proof (fetch.c's head_proven) is out. */
int	 fetch_busy(struct sync *, const char *nid);
/* A WANT for nid is out, with proof or without. */
int	 fetch_busy_any(struct sync *, const char *nid);

/* join.c: a JOIN (an invitation redeemed, PROTOCOL.md §4.9); -1 closes the peer. */
int	 join_in(struct peer *, const uint8_t *, size_t);
void	 join_free(struct net *);
/*
 * contacts.c: contact card sets (PROTOCOL.md §4.10). CARDS and CARDSUM
 * messages (-1: the peer was closed), our digest to a peer that takes
 * sets, the send queue refilled as the socket drains, and its end.
 */
int	 contacts_in(struct peer *, const uint8_t *, size_t);
int	 contacts_sum_in(struct peer *, const uint8_t *, size_t);
void	 contacts_send_digest(struct peer *);
void	 contacts_stream(struct peer *);
void	 contacts_peer_gone(struct peer *);

/* gossip.c */
void	 gossip_start(struct net *);
void	 gossip_stop(struct net *);
/* A peer is ready: send it our NODE and the nodes we know. */
void	 gossip_peer_ready(struct peer *);
/* A NODE message; -1 means close the peer. */
int	 gossip_node_in(struct peer *, const uint8_t *, size_t);
/* A NODE from a pending peer: only the name it claims for itself is noted. */
int	 gossip_node_claim(struct peer *, const uint8_t *, size_t);
/* Notes a pending peer, with the name and introducer peer exchange told us. */
void	 gossip_pending_note(struct peer *);
/* A dynamic dial to nid failed: back off from it (peers_ops.dial_failed). */
void	 gossip_dial_failed(const char *nid, void *net);

/*
 * penalty.c: peer nid's pack was refused: nothing is asked of it for a
 * while (30 s, doubling, at most a day), and from the third refusal its
 * connections are refused as long. A verified pack after the wait forgives.
 */
void	 penalty_refused(struct net *, const char *nid);
/* The same for another refusal (what: "pack refused", "JOIN refused"). */
void	 penalty_strike(struct net *, const char *nid, const char *what);
void	 penalty_verified(struct net *, const char *nid);
/* Seconds nid still waits (0: none); *banned when its connections are refused. */
long	 penalty_wait(struct net *, const char *nid, int *banned);
void	 penalty_free(struct net *);

#endif
