/*
 * net.h — the door to the net room: what connected nodes say to each
 * other. Summaries of the heads each holds and digests for anti-entropy,
 * signed announcements of new heads relayed unchanged, WANT requests
 * answered with packs built on a worker thread, received packs verified
 * before any ref moves (sync.c, fetch.c), and peer exchange: signed NODE
 * announcements and the choice of outbound peers (gossip.c). It sits on the
 * peer room (connections) and the node room (branches, trust): it
 * registers its operations with the peers and listens to the node's
 * branch moves to relay them. See doc/DESIGN.md §6.
 */
#ifndef KNOWD_NET_H
#define KNOWD_NET_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "keys.h"
#include "wire.h"

struct event_base;
struct node;
struct peers;
struct worker;
struct sync;
struct gossip;

#define SYNC_FETCH_TIMEOUT	60	/* seconds a WANT may go without progress */
#define SYNC_MAX_JOBS		32	/* worker jobs queued at once */
#define SYNC_MAX_VERIFYING	3	/* one peer's packs with the workers: one more than NET_WORKERS keeps both busy while the peer builds the next */
#define NET_WORKERS		2	/* threads for packs: one per core here */
#define SYNC_MAX_THEIRS		100000	/* heads collected from one peer's SUMMARY */
#define SYNC_ANN_FUTURE		600	/* seconds an ANNOUNCE may be ahead of our clock */
#define SYNC_ANN_MAXAGE		(30 * 86400)	/* older ANNOUNCEs are not acted on */

#define GOSSIP_NODE_INTERVAL	600	/* seconds between our own NODE announcements */
#define GOSSIP_TICK		2	/* seconds between outbound checks */
#define GOSSIP_MAX_KNOWN	20000	/* nodes remembered */
#define GOSSIP_SEND_KNOWN	256	/* NODEs sent to a new peer */
#define GOSSIP_PER_PEER		256	/* untrusted nodes one peer may introduce */
#define GOSSIP_RELAY_RATE	20	/* NODEs relayed to one peer a second … */
#define GOSSIP_RELAY_BURST	200	/* … and at once (its limit: 400/s, 4000) */
#define GOSSIP_MAX_ADDRS	4096	/* advertised addresses with a dial backoff */

struct net {
	struct node		*node;
	struct event_base	*base;
	struct worker		*workers[NET_WORKERS];	/* packs from and for peers */
	uint8_t			 netid[32];	/* from conf.network */
	struct peers		*peers;
	struct sync		*sync;
	struct gossip		*gossip;
	int			 packing_refs;	/* a worker packs the loose refs */
	int			 fetch_timeout;	/* SYNC_FETCH_TIMEOUT (tests: shorter) */
};

/* A node learned from a NODE announcement. */
struct gossip_node {
	char		 nid[KEYS_NID_MAX];
	struct wire_node n;		/* as signed; relayed unchanged */
	time_t		 heard;		/* when we learned it */
	int		 failures;	/* dial attempts that did not reach it */
	time_t		 next_try;
	size_t		 idx;		/* in gossip's array */
	int		 trusted;	/* trusted or vouched for when learned */
	char		 via[KEYS_NID_MAX];	/* the peer that introduced it */
	TAILQ_ENTRY(gossip_node) entry;	/* untrusted ones, oldest first */
};

/* A node whose newest announced seq is above the one we hold. */
struct net_lag {
	char		 nid[KEYS_NID_MAX];
	uint64_t	 seq;		/* held */
	uint64_t	 announced;
};

/*
 * net.c: starts listening and dialing (the peer room with our operations),
 * anti-entropy and peer exchange, and listens to the node's moves, changes
 * of the replicated set and reloads. *out is set even on failure, for
 * net_stop. Stop the worker before net_stop: its last jobs look up peers.
 */
int	 net_start(struct net **out, struct event_base *, struct node *,
	     struct worker *const workers[NET_WORKERS], char **cause);
void	 net_stop(struct net *);
/* Jobs queued or running on the pack workers. */
int	 net_jobs(struct net *);
/* The address peers reach us on, or NULL when not listening. */
const char *net_listen_addr(const struct net *);
/* Nodes announced newer than we hold. Caller frees *out. */
size_t	 net_lagging(struct net *, struct net_lag **out);
/* contacts.c: our own card set changed: it goes to every peer that takes sets. */
void	 net_contacts_published(struct net *);
/* gossip.c: the nodes known, in the order learned, for status. */
struct gossip_node *const *gossip_known(struct net *, size_t *n);

#endif
