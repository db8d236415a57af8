/* peer_int.h — what peer.c and peers.c share (inside the peer room only). */
#ifndef KNOWD_PEER_INT_H
#define KNOWD_PEER_INT_H

#include <event2/util.h>

struct peer_slot;

/* peer.c: sets TCP_NODELAY, so a one-lesson update costs one round trip, not a delayed ACK. */
void	 peer_set_nodelay(evutil_socket_t);
/* peers.c: a slot's connection closed: redial later, or (dynamic) forget the slot. */
void	 peers_slot_lost(struct peer_slot *);

#endif
