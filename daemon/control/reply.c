/* reply.c — building replies: success, error, and the packers the operations share. */
#include <stdlib.h>

#include "control_int.h"
#include "keys.h"
#include "util.h"

/* Begins a success reply. */
void
reply_ok(msgpack_packer *pk)
{
	ctl_reply_begin(pk, CTL_OK, "");
}

/* The reply of a knowd.conf edit: ok, or the edit's error (why is freed). */
void
reply_edit(msgpack_packer *pk, int rv, char *why)
{
	if (rv != 0) {
		reply_fail(pk, CTL_ERROR, why != NULL ? why : "failed");
		free(why);
		return;
	}
	reply_ok(pk);
	msgpack_pack_nil(pk);
}

/* Packs a whole error reply. */
void
reply_fail(msgpack_packer *pk, enum ctl_code code, const char *msg)
{
	ctl_reply_begin(pk, code, msg);
	msgpack_pack_nil(pk);
}

/* Packs "key": did:key of a nid. */
void
reply_did(msgpack_packer *pk, const char *key, const char *nid)
{
	char	*did = xasprintf("%s%s", KEYS_DID_PREFIX, nid);

	ctl_pack_kv(pk, key, did);
	free(did);
}

/* Packs "key": hex of an oid. */
void
reply_oid(msgpack_packer *pk, const char *key, const git_oid *id)
{
	char	 hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof hex, id);
	ctl_pack_kv(pk, key, hex);
}

/* Packs "key": [strings]. */
void
reply_list(msgpack_packer *pk, const char *key, const struct record_list *l)
{
	size_t	 i;

	ctl_pack_str(pk, key);
	msgpack_pack_array(pk, l->n);
	for (i = 0; i < l->n; i++)
		ctl_pack_str(pk, l->v[i]);
}

/*
 * Answers a change to our own branch (publish, retract, vouch, unvouch):
 * on success packs what was done (the node announced it as it committed);
 * on failure * "again" (still catching up) or the error. Frees why and clears res.
 */
void
reply_change(struct control_env *env, msgpack_packer *pk, int rv,
    struct node_result *res, char *why, const char *action)
{
	if (rv != 0) {
		reply_fail(pk, res->again ? CTL_AGAIN : CTL_ERROR, why);
		free(why);
		return;
	}
	reply_ok(pk);
	msgpack_pack_map(pk, 6);
	ctl_pack_kv(pk, "id", res->id);
	ctl_pack_kv(pk, "action", action);
	ctl_pack_kv(pk, "path", res->path);
	ctl_pack_kv(pk, "node", env->node->did);
	ctl_pack_ku(pk, "seq", res->seq);
	reply_oid(pk, "commit", &res->commit);
	node_result_clear(res);
}
