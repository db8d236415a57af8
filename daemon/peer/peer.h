/*
 * peer.h — the door to the peer room: connections to other nodes. A
 * listener, dialing with backoff, the secure channel handshake, framing,
 * keepalive, flood and size limits. It knows nothing of what peers say to
 * each other: the room above registers a table of operations (ready,
 * message, writable, tick, gone) when it starts the peers, the way tmux's
 * proc_add_peer() keeps proc.c ignorant of its users, and keeps its
 * per-peer state behind peer_data().
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
#include "conf.h"
#include "keys.h"
#include "util.h"
#include "wire.h"

struct event_base;

#define PEER_ADDR_MAX		(WIRE_ADDR_MAX + 1)
#define PEER_OUT_HIGH		(4u * 1024 * 1024)	/* output buffer: drop a slower peer */
#define PEER_HS_TIMEOUT		10			/* seconds for the handshake */
#define PEER_HS_MAX_IN		16	/* inbound handshakes at once; the oldest gives way */
#define PEER_HS_PER_ADDR	4	/* of them from one address */
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

struct peer;
struct peers;
struct peer_slot;

/*
 * What the room above does with peers; arg is the one given to
 * peers_start. Every operation but dial_failed concerns a READY peer.
 */
struct peers_ops {
	/*
	 * Bytes of per-peer state (peer_data): zeroed when the peer is made,
	 * freed with it; gone() releases what it points to.
	 */
	size_t	  datasize;
	/* The handshake completed: say hello. */
	void	(*ready)(struct peer *, void *arg);
	/* One decrypted message; -1 means close the peer. */
	int	(*message)(struct peer *, const uint8_t *, size_t, void *arg);
	/* The output buffer drained: stream more if there is more. */
	void	(*writable)(struct peer *, void *arg);
	/* Once a second. */
	void	(*tick)(struct peer *, time_t now, void *arg);
	/* The peer is closing: release what its data holds. */
	void	(*gone)(struct peer *, void *arg);
	/* A dial to a node learned by peer exchange did not reach it. */
	void	(*dial_failed)(const char *nid, void *arg);
	/*
	 * How much an authenticated peer is wanted (higher: more); when the
	 * inbound slots are full a new peer takes the slot of the least
	 * wanted one below it. NULL: all alike.
	 */
	int	(*rank)(const struct peer *, void *arg);
};

/* Who we are and what limits apply; conf is read live (reloads change it). */
struct peers_env {
	struct event_base	*base;
	const struct keys_pair	*kp;
	const char		*nid;		/* ours */
	const uint8_t		*netid;		/* 32 bytes */
	const struct config	*conf;
};

struct peer {
	TAILQ_ENTRY(peer)	 entry;
	uint64_t		 serial;	/* for jobs that outlive the peer */
	struct peers		*peers;
	struct peer_slot	*slot;		/* outbound: its configured peer */
	enum peer_state		 state;
	int			 outbound;
	struct bufferevent	*bev;
	struct chan		 chan;
	char			 addr[PEER_ADDR_MAX];
	char			 host[PEER_ADDR_MAX];	/* addr without the port */
	TAILQ_ENTRY(peer)	 hs_entry;	/* inbound, in handshake: peers.hs */
	int			 in_hs;
	uint8_t			 pk[KEYS_PK_LEN];
	char			 nid[KEYS_NID_MAX];	/* "" until authenticated */
	time_t			 since;
	time_t			 last_rx;
	time_t			 last_tx;
	time_t			 closed_at;
	uint64_t		 bytes_in, bytes_out;
	struct peer_bucket	 tb_msgs, tb_bytes;
	struct event		*timer;
	void			*data;		/* the room above's (peers_ops.datasize) */
};

/* A configured outbound peer: dialed, and redialed with backoff when lost. */
struct peer_slot {
	TAILQ_ENTRY(peer_slot)	 entry;
	struct config_peer	 cp;
	struct peer		*conn;
	int			 failures;
	time_t			 next_try;
	struct event		*retry;
	struct peers		*peers;
	int			 dynamic;	/* chosen by peer exchange, not configured */
};

TAILQ_HEAD(peer_list, peer);
TAILQ_HEAD(peer_slot_list, peer_slot);

struct peers {
	struct peers_env	 env;
	const struct peers_ops	*ops;
	void			*arg;
	struct peer_list	 list;
	struct peer_slot_list	 slots;
	struct evconnlistener	*listener;
	struct evdns_base	*dns;
	struct event		*reaper;	/* frees closed peers */
	struct peers_backoff	*backoff;	/* accepts again after EMFILE */
	char			 listen_addr[PEER_ADDR_MAX];
	int			 nin;		/* inbound connections, any state */
	int			 nin_ready;	/* of them ready */
	int			 nin_hs;	/* of them in handshake (in hs) */
	TAILQ_HEAD(, peer)	 hs;		/* inbound handshakes, oldest first */
	uint64_t		 next_serial;
};

/*
 * join.c: knowd init --join: dials the agency of inv with our key, proves
 * the invitation inside the channel (JOIN, PROTOCOL.md §4.9) and checks
 * its answer; blocking, within timeout seconds. 0 when it vouched for us;
 * else -1 and a German *cause for the operator.
 */
#define PEER_JOIN_TIMEOUT	30
struct invite_line;
int	 peer_join_dial(const struct keys_pair *, const struct invite_line *,
	     int timeout, char **cause);

/* peers.c: opens the listener (if conf has one) and dials every configured peer. */
int	 peers_start(struct peers **, const struct peers_env *,
	     const struct peers_ops *, void *arg, char **cause);
void	 peers_stop(struct peers *);
/* Adds an outbound slot for a configured peer and dials it. */
void	 peers_add_slot(struct peers *, const struct config_peer *);
/* Makes the outbound slots match env.conf->peers: dials new ones, drops removed ones. */
void	 peers_sync_slots(struct peers *);
/*
 * Dials a node learned by peer exchange (a dynamic slot: not redialed; when
 * the connection ends the slot goes and ops->dial_failed is told).
 */
void	 peers_dial(struct peers *, const char *nid, const char *host,
	     const char *port);
/* Outbound connections and slots (configured and dynamic) not yet closed. */
int	 peers_outbound(struct peers *);
/* True when we have a connection (any state) or a slot for nid. */
int	 peers_has(struct peers *, const char *nid);
/* The ready peer with a given serial, or NULL. */
struct peer *peers_by_serial(struct peers *, uint64_t);
/* The address peers reach us on ("" when not listening). */
const char *peers_listen_addr(const struct peers *);

/* peer.c: one connection. A new peer around a connected (or connecting) bufferevent. */
struct peer *peer_new(struct peers *, struct bufferevent *, int outbound,
	     const char *addr);
/* Seals and queues one message. Returns -1 (and closes the peer) when it is over its limits. */
int	 peer_send(struct peer *, const struct buf *);
/* Closes a peer with a reason for the log; safe from anywhere. */
void	 peer_close(struct peer *, const char *fmt, ...)
	     __attribute__((format(printf, 2, 3)));
/* Bytes queued for the peer and not yet written. */
size_t	 peer_queued(const struct peer *);
/* "in" or "out". */
const char *peer_direction(const struct peer *);
/* "connecting", "handshake", "ready" or "closing". */
const char *peer_state_name(const struct peer *);
/* The room above's per-peer state: peers_ops.datasize bytes, never NULL. */
void	*peer_data(const struct peer *);
/* The arg given to peers_start. */
void	*peer_arg(const struct peer *);
/* Frees every closed peer whose output is flushed; the reaper's work. */
void	 peers_reap(struct peers *);
/*
 * backoff.c: the accept back-off of a listener (peers, control, web): on
 * EMFILE, ENFILE or no memory it stops accepting for a second, logged once
 * a minute naming who. Sets l's error callback; free before l.
 */
struct evconnlistener;
struct peers_backoff;
struct peers_backoff *peers_backoff_new(struct event_base *,
	     struct evconnlistener *l, const char *who);
/*
 * Stops accepting for one turn of the loop, so the connections just
 * accepted are read before a crowd behind them is taken in.
 */
void	 peers_backoff_turn(struct peers_backoff *);
void	 peers_backoff_free(struct peers_backoff *);

#endif
