/* handlers.h — control request handlers and the reply helpers they share (daemon-internal). */
#ifndef KNOWD_HANDLERS_H
#define KNOWD_HANDLERS_H

#include <msgpack.h>

#include "ctl.h"
#include "knowd.h"

typedef void handler_fn(struct knowd *, const struct ctl_request *,
    msgpack_packer *);

/* Reply helpers: reply_ok() begins a success reply; reply_fail() packs a whole error reply. */
void	 reply_ok(msgpack_packer *);
void	 reply_fail(msgpack_packer *, enum ctl_code, const char *);
void	 reply_did(msgpack_packer *, const char *key, const char *nid);
void	 reply_oid(msgpack_packer *, const char *key, const git_oid *);
void	 reply_list(msgpack_packer *, const char *key, const struct record_list *);
/* Answers a change to our own branch; frees why, clears the result. */
void	 reply_change(struct knowd *, msgpack_packer *, int rv,
	     struct node_result *, char *why, const char *action);
/* True when filter (did:key, nid or node name) names nid. */
int	 handle_node_matches(struct knowd *, const char *filter, const char *nid);
/* The nid a node filter names, or NULL. */
const char *handle_node_resolve(struct knowd *, const char *filter);

handler_fn h_id, h_status, h_publish, h_retract;	/* handlers.c */
handler_fn h_show, h_list, h_log, h_verify;		/* handlers_read.c */
handler_fn h_peers, h_peer_add, h_peer_remove;		/* handlers_net.c */
handler_fn h_trust_add, h_trust_remove, h_trust_list, h_vouch, h_unvouch;
handler_fn h_backup;
handler_fn h_search, h_reindex;				/* handlers_search.c */
/* list with a search-index filter; 1 when it answered. */
int	 h_list_search(struct knowd *, const struct ctl_request *,
	     msgpack_packer *);

/* Packs the network part of status: STATUS_NET_KEYS map entries. */
#define STATUS_NET_KEYS 4
void	 status_network(struct knowd *, msgpack_packer *);

/* Reloads knowd.conf and applies trust, mirror, peers and limits. */
int	 node_reload(struct knowd *, char **cause);

#endif
