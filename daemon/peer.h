/*
 * peer.h — connections to other nodes: listener, dialing with backoff,
 * the secure channel handshake, framing, keepalive and limits.
 *
 * A peer's state changes only in peer_set_state(). A closed peer is freed
 * from a deferred event, never inside its own callbacks, so any code may
 * call peer_close() and keep using the pointer until it returns.
 */
#ifndef KNOWD_PEER_H
#define KNOWD_PEER_H

#include <sys/queue.h>
#include <stdint.h>
#include <time.h>

#include "chan.h"
#include "config.h"
#include "keys.h"
#include "sync.h"
#include "util.h"

struct knowd;

#define PEER_ADDR_MAX		(WIRE_ADDR_MAX + 1)
#define PEER_OUT_HIGH		(4u * 1024 * 1024)	/* output buffer: drop a slower peer */
#define PEER_HS_TIMEOUT		10			/* seconds for the handshake */
#define PEER_BACKOFF_MAX	60			/* seconds between dial attempts */
/* Flood control: token buckets per peer (rate per second, burst). */
#define PEER_MSG_RATE		400
#define PEER_MSG_BURST		4000
#define PEER_BYTE_RATE		(32u * 1024 * 1024)
#define PEER_BYTE_BURST		(96u * 1024 * 1024)

struct peer_bucket {
	double		 tokens;
	struct timespec	 last;
};

enum peer_state {
	PEER_CONNECTING,	/* outbound TCP connect in progress */
	PEER_HANDSHAKE,		/* secure channel being set up */
	PEER_READY,		/* authenticated; messages flow */
	PEER_CLOSING,		/* closed; freed from a deferred event */
};

struct peer_slot;

struct peer {
	TAILQ_ENTRY(peer)	 entry;
	uint64_t		 serial;	/* for jobs that outlive the peer */
	struct knowd		*kd;
	struct peer_slot	*slot;		/* outbound: its configured peer */
	enum peer_state		 state;
	int			 outbound;
	struct bufferevent	*bev;
	struct chan		 chan;
	char			 addr[PEER_ADDR_MAX];
	uint8_t			 pk[KEYS_PK_LEN];
	char			 nid[KEYS_NID_MAX];	/* "" until authenticated */
	time_t			 since;
	time_t			 last_rx;
	time_t			 last_tx;
	time_t			 closed_at;
	uint64_t		 bytes_in, bytes_out;
	struct peer_bucket	 tb_msgs, tb_bytes;
	struct event		*timer;
	struct sync_peer	 sync;
};

/* A configured outbound peer: dialed, and redialed with backoff when lost. */
struct peer_slot {
	TAILQ_ENTRY(peer_slot)	 entry;
	struct config_peer	 cp;
	struct peer		*conn;
	int			 failures;
	time_t			 next_try;
	struct event		*retry;
	struct knowd		*kd;
	int			 dynamic;	/* chosen by peer exchange, not configured */
};

TAILQ_HEAD(peer_list, peer);
TAILQ_HEAD(peer_slot_list, peer_slot);

struct peers {
	struct peer_list	 list;
	struct peer_slot_list	 slots;
	struct evconnlistener	*listener;
	struct evdns_base	*dns;
	struct event		*reaper;	/* frees closed peers */
	char			 listen_addr[PEER_ADDR_MAX];
	int			 nin;		/* inbound connections */
	uint64_t		 next_serial;
};

/* Opens the listener (if any) and dials every configured peer. */
int	 peers_start(struct knowd *, char **cause);
void	 peers_stop(struct knowd *);
/* Adds an outbound slot for a configured peer and dials it. */
void	 peers_add_slot(struct knowd *, const struct config_peer *);
/* Makes the outbound slots match kd->conf.peers: dials new ones, drops removed ones. */
void	 peers_sync_slots(struct knowd *);
/*
 * Dials a node learned by peer exchange (a dynamic slot: not redialed; when
 * the connection ends the slot goes and gossip_dial_failed is told).
 */
void	 peers_dial(struct knowd *, const char *nid, const char *host,
	     const char *port);
/* Outbound connections and slots (configured and dynamic) not yet closed. */
int	 peers_outbound(struct knowd *);
/* True when we have a connection (any state) or a slot for nid. */
int	 peers_has(struct knowd *, const char *nid);
/* The ready peer with a given serial, or NULL. */
struct peer *peer_by_serial(struct knowd *, uint64_t);

/* Seals and queues one message. Returns -1 (and closes the peer) when it is over its limits. */
int	 peer_send(struct peer *, const struct buf *);
/* Closes a peer with a reason for the log; safe from anywhere. */
void	 peer_close(struct peer *, const char *fmt, ...)
	     __attribute__((format(printf, 2, 3)));
/* Bytes queued for the peer and not yet written. */
size_t	 peer_queued(const struct peer *);
/* "in" or "out". */
const char *peer_direction(const struct peer *);

#endif
