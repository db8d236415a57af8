/* dispatch.c — the operation table, indexed by enum ctl_op, and the node filters operations share. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control_int.h"
#include "keys.h"
#include "log.h"
#include "util.h"

/* True when filter names nid: its did:key, the nid itself or the node's name. */
int
control_node_matches(struct node *nd, const char *filter, const char *nid)
{
	const char	*name;

	if (strncmp(filter, KEYS_DID_PREFIX, strlen(KEYS_DID_PREFIX)) == 0)
		filter += strlen(KEYS_DID_PREFIX);
	if (strcmp(filter, nid) == 0)
		return 1;
	name = catalog_node_name(&nd->cat, nid);
	return name != NULL && strcasecmp(name, filter) == 0;
}

/* Resolves a node filter to a nid held here; NULL if none matches. */
const char *
control_node_resolve(struct node *nd, const char *filter)
{
	const struct catalog_entry *e;
	size_t		 it = 0;
	uint8_t		 pk[KEYS_PK_LEN];
	char		 nid[KEYS_NID_MAX];

	/* A did:key or nid: looked up; a name: compared with every node's. */
	if (keys_did_decode(filter, pk, NULL) == 0) {
		keys_nid_encode(pk, nid);
		e = catalog_at(&nd->cat, nid, "node.md");
		return e != NULL ? e->nid : NULL;
	}
	while ((e = catalog_next_node(&nd->cat, &it)) != NULL)
		if (control_node_matches(nd, filter, e->nid))
			return e->nid;
	return NULL;
}

/* The handler of each operation, indexed like ctl_ops[]. */
static op_fn *const ops[CTL_NOPS] = {
	[CTL_ID] = op_id,
	[CTL_STATUS] = op_status,
	[CTL_PUBLISH] = op_publish,
	[CTL_RETRACT] = op_retract,
	[CTL_ERASE] = op_erase,
	[CTL_SHOW] = op_show,
	[CTL_LIST] = op_list,
	[CTL_LOG] = op_log,
	[CTL_VERIFY] = op_verify,
	[CTL_PEERS] = op_peers,
	[CTL_PEER_ADD] = op_peer_add,
	[CTL_PEER_REMOVE] = op_peer_remove,
	[CTL_TRUST_ADD] = op_trust_add,
	[CTL_TRUST_REMOVE] = op_trust_remove,
	[CTL_TRUST_LIST] = op_trust_list,
	[CTL_VOUCH] = op_vouch,
	[CTL_UNVOUCH] = op_unvouch,
	[CTL_BACKUP] = op_backup,
	[CTL_SEARCH] = op_search,
	[CTL_REINDEX] = op_reindex,
	[CTL_EXPORT] = op_export,
	[CTL_PENDING] = op_pending,
	[CTL_ADMIT] = op_admit,
	[CTL_DENY] = op_deny,
	[CTL_USER_ADD] = op_user_add,
	[CTL_USER_LIST] = op_user_list,
	[CTL_USER_REMOVE] = op_user_remove,
	[CTL_USER_PASSWD] = op_user_passwd,
	[CTL_AUDIT] = op_audit,
	[CTL_INVITE] = op_invite,
	[CTL_INVITE_LIST] = op_invite_list,
	[CTL_INVITE_REVOKE] = op_invite_revoke,
	[CTL_UNVOUCH_IMPACT] = op_unvouch_impact,
	[CTL_CONTACT_SET] = op_contact_set,
	[CTL_CONTACT_SHOW] = op_contact_show,
	[CTL_CONTACT_CLEAR] = op_contact_clear,
	[CTL_PROFILE] = op_profile,
	[CTL_PROFILE_SET] = op_profile_set,
};

void
control_dispatch(struct control_client *cc, const struct ctl_request *req,
    msgpack_sbuffer *sb, void *arg)
{
	msgpack_packer	 pk;
	enum ctl_op	 op = ctl_op_id(req->op);

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (op >= CTL_NOPS || ops[op] == NULL) {
		reply_fail(&pk, CTL_USAGE, "operation not supported by this knowd");
		return;
	}
	log_debug("control: %s", req->op->name);
	ops[op](arg, cc, req, &pk);
}
