/* control_int.h — what the control room's files share (inside control/ only). */
#ifndef KNOWD_CONTROL_INT_H
#define KNOWD_CONTROL_INT_H

#include <msgpack.h>
#include <git2.h>

#include "control.h"
#include "ctl.h"
#include "node.h"
#include "record.h"

/* One operation's handler: answers req into pk (or defers with control_defer(cc)). */
typedef void op_fn(struct control_env *, struct control_client *,
    const struct ctl_request *, msgpack_packer *);

op_fn	 op_id, op_status, op_publish, op_retract, op_vouch, op_unvouch;	/* op_node.c */
op_fn	 op_unvouch_impact;
op_fn	 op_erase;	/* op_node.c */
op_fn	 op_show, op_list, op_log, op_verify;				/* op_read.c */
op_fn	 op_peers, op_peer_add, op_peer_remove;				/* op_net.c */
op_fn	 op_trust_add, op_trust_remove, op_trust_list;
op_fn	 op_pending, op_admit, op_deny;
op_fn	 op_invite, op_invite_list, op_invite_revoke;			/* op_invite.c */
op_fn	 op_profile, op_profile_set;					/* op_profile.c */
op_fn	 op_search, op_reindex;						/* op_search.c */
op_fn	 op_backup;							/* op_backup.c */
op_fn	 op_export;							/* op_export.c */
op_fn	 op_user_add, op_user_list, op_user_remove, op_user_passwd;	/* op_desk.c */
op_fn	 op_audit;
op_fn	 op_contact_set, op_contact_show, op_contact_clear;		/* op_contact.c */
/* op_contact.c: a retracted lesson's card goes too (and to every peer). */
void	 op_contact_forget(struct control_env *, const char *id);
/* op_search.c: list with a search-index filter; 1 when it answered. */
int	 op_list_search(struct control_env *, const struct ctl_request *,
	     msgpack_packer *);
/*
 * op_net.c: packs the network part of status: OP_STATUS_NET_KEYS map
 * entries, one more with all (every known node, every lagging branch).
 */
#define OP_STATUS_NET_KEYS	7
#define OP_LAGGING_SHOWN	64	/* lagging branches listed unless all */
void	 op_status_net(struct control_env *, msgpack_packer *, int all);

/* reply.c: reply_ok() begins a success reply; reply_fail() packs a whole error reply. */
void	 reply_ok(msgpack_packer *);
void	 reply_fail(msgpack_packer *, enum ctl_code, const char *);
/* The reply of an edit: ok (nil) when rv is 0, else why as an error; frees why. */
void	 reply_edit(msgpack_packer *, int rv, char *why);
void	 reply_did(msgpack_packer *, const char *key, const char *nid);
void	 reply_oid(msgpack_packer *, const char *key, const git_oid *);
void	 reply_list(msgpack_packer *, const char *key, const struct record_list *);
/* Answers a change to our own branch; frees why, clears the result. */
void	 reply_change(struct control_env *, msgpack_packer *, int rv,
	     struct node_result *, char *why, const char *action);

/* dispatch.c: true when filter (did:key, nid or node name) names nid. */
int	 control_node_matches(struct node *, const char *filter, const char *nid);
/* The nid a node filter names, or NULL. */
const char *control_node_resolve(struct node *, const char *filter);

#endif
