/*
 * op_admit.c — admission by hand (PROTOCOL.md §4.8): the nodes pending
 * here, and knowctl admit / deny, kept in knowd.conf as admit and deny
 * lines.
 */
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "home.h"
#include "log.h"
#include "util.h"

/* pending: the nodes that connected and are not admitted, least recently seen first. */
void
op_pending(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const struct node_pending *e = NULL;
	char	 first[32], last[32];

	reply_ok(pk);
	msgpack_pack_array(pk, node_pending_count(env->node));
	while ((e = node_pending_next(env->node, e)) != NULL) {
		time_iso(e->first, first);
		time_iso(e->last, last);
		msgpack_pack_map(pk, 6);
		reply_did(pk, "id", e->nid);
		ctl_pack_kv(pk, "name", e->name);
		ctl_pack_kv(pk, "address", e->addr);
		ctl_pack_kv(pk, "first_seen", first);
		ctl_pack_kv(pk, "last_seen", last);
		if (e->via[0] != '\0')
			reply_did(pk, "introduced_by", e->via);
		else
			ctl_pack_kv(pk, "introduced_by", "");
	}
}

/* Matches an admit or deny line naming the node whose key is arg. */
static int
match_key(const char *value, const void *arg)
{
	uint8_t	 pk[KEYS_PK_LEN];

	return keys_did_decode(value, pk, NULL) == 0 &&
	    memcmp(pk, arg, KEYS_PK_LEN) == 0;
}

/*
 * Writes "key = did" for the node in req (removing its lines of the other
 * key first), reloads knowd.conf and settles admission: peers are looked
 * at again. -1 with *why when the id is bad or the edit failed.
 */
static int
admission_edit(struct control_env *env, const struct ctl_request *req,
    const char *key, const char *other, char **why)
{
	const char	*id = ctl_str(req, "id");
	uint8_t		 pk[KEYS_PK_LEN];
	char		 did[KEYS_DID_MAX], nid[KEYS_NID_MAX], *path;
	int		 rv, n = 0;

	if (id == NULL || keys_did_decode(id, pk, why) != 0)
		return id == NULL ? set_cause(why, "no id") : -1;
	keys_nid_encode(pk, nid);
	keys_did_encode(pk, did);
	if (strcmp(nid, env->node->nid) == 0)
		return set_cause(why, "%s is this node", did);
	path = home_path(env->node->home, CONFIG_FILE);
	rv = confedit_remove(path, other, match_key, pk, &n, why);
	if (rv == 0)
		rv = confedit_remove(path, key, match_key, pk, &n, why);
	if (rv == 0)
		rv = confedit_add(path, key, did, why);
	free(path);
	if (rv == 0 && (rv = node_reload(env->node, why)) == 0) {
		log_info("%s: %s", strcmp(key, "admit") == 0 ? "admitted" :
		    "denied", did);
		node_pending_forget(env->node, nid);
		trust_settle(env->node);
	}
	return rv;
}

/* admit: the node may connect, is served and heard; mirror = all replicates it. */
void
op_admit(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	char	*why = NULL;

	reply_edit(pk, admission_edit(env, req, "admit", "deny", &why), why);
}

/* deny: the node is refused at the handshake and not passed on. */
void
op_deny(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	char	*why = NULL;

	reply_edit(pk, admission_edit(env, req, "deny", "admit", &why), why);
}
