/* sync_int.h — state and functions shared by sync.c and fetch.c (daemon-internal). */
#ifndef KNOWD_SYNC_INT_H
#define KNOWD_SYNC_INT_H

#include "knowd.h"
#include "peer.h"
#include "sync.h"
#include "wire.h"

/* The newest verified announcement held for a node, relayed unchanged. */
struct sync_ann {
	char			nid[KEYS_NID_MAX];
	struct wire_announce	a;
};

struct sync {
	struct sync_ann	*ann;
	size_t		 nann;
	char		(*fetching)[KEYS_NID_MAX];	/* nids with a WANT out */
	size_t		 nfetching;
	struct event	*ae_timer;
};

/* sync.c */
/* Sends one encoded message; -1 when the peer was closed. */
int	 sync_send(struct peer *, const struct buf *);
/* Sends ERROR and closes the peer; returns -1 for sync_message to pass on. */
int	 sync_fail(struct peer *, enum wire_errcode, const char *fmt, ...)
	     __attribute__((format(printf, 3, 4)));
/* Tells every other ready peer that nid's branch moved to head (announce or summary). */
void	 sync_relay(struct knowd *, const char *nid, struct peer *from);
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
/* True when peer p has a head of nid noted that we have not asked for yet. */
int	 fetch_pending(struct peer *, const char *nid);
/* True when a WANT for nid is out to some peer. */
int	 fetch_busy(struct sync *, const char *nid);

#endif
