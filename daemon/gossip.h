/*
 * gossip.h — peer exchange (DESIGN §5, Gossip issue): signed NODE
 * announcements of who is on the network and where, spread from peer to
 * peer, and the choice of up to max_peers_out outbound connections among
 * the nodes learned that way.
 */
#ifndef KNOWD_GOSSIP_H
#define KNOWD_GOSSIP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "wire.h"

struct knowd;
struct peer;

#define GOSSIP_NODE_INTERVAL	600	/* seconds between our own NODE announcements */
#define GOSSIP_TICK		2	/* seconds between outbound checks */
#define GOSSIP_MAX_KNOWN	20000	/* nodes remembered */
#define GOSSIP_SEND_KNOWN	256	/* NODEs sent to a new peer */

/* A node learned from a NODE announcement. */
struct gossip_node {
	char		 nid[KEYS_NID_MAX];
	struct wire_node n;		/* as signed; relayed unchanged */
	time_t		 heard;		/* when we learned it */
	int		 failures;	/* dial attempts that did not reach it */
	time_t		 next_try;
};

void	 gossip_start(struct knowd *);
void	 gossip_stop(struct knowd *);
/* A peer is ready: send it our NODE and the nodes we know. */
void	 gossip_peer_ready(struct peer *);
/* A NODE message; -1 means close the peer. */
int	 gossip_node_in(struct peer *, const uint8_t *, size_t);
/* A dynamic dial to nid failed: back off from it. */
void	 gossip_dial_failed(struct knowd *, const char *nid);
/* The nodes known, for status. */
const struct gossip_node *gossip_known(struct knowd *, size_t *n);

#endif
