/*
 * op_invite.c — knowctl invite, invite list, invite revoke: invitations
 * this node issues (PROTOCOL.md §4.9). The line goes back to knowctl only;
 * nothing here logs it.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "control_int.h"
#include "log.h"
#include "net.h"
#include "util.h"

#define INVITE_TTL_DEFAULT	(7 * 86400)

/* True when addr's host is a wildcard no joiner can dial (0.0.0.0, ::, or none). */
static int
addr_wildcard(const char *addr)
{
	return strncmp(addr, "0.0.0.0:", 8) == 0 || strncmp(addr, "[::]:", 5) == 0 ||
	    strncmp(addr, ":", 1) == 0 || strncmp(addr, "*:", 2) == 0;
}

/* invite: a new invitation; answers {line, expires}. */
void
op_invite(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*name = ctl_str(req, "name"), *addr = ctl_str(req, "address");
	uint64_t	 ttl = INVITE_TTL_DEFAULT;
	char		*line = NULL, *why = NULL, until[32];

	if (name == NULL) {
		reply_fail(pk, CTL_USAGE, "invite: --name is required");
		return;
	}
	if (addr == NULL)
		addr = env->net != NULL ? net_listen_addr(env->net) : NULL;
	if (addr == NULL || addr_wildcard(addr)) {
		reply_fail(pk, CTL_ERROR, "invite: dieser Knoten hat keine "
		    "Adresse, unter der andere ihn erreichen: --addr "
		    "HOST:PORT angeben");
		return;
	}
	ctl_uint(req, "expires", &ttl);
	if (node_invite_create(env->node, name, ctl_str(req, "ags"), (long)ttl,
	    addr, &line, &why) != 0) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	time_iso(time(NULL) + (time_t)ttl, until);
	reply_ok(pk);
	msgpack_pack_map(pk, 3);
	ctl_pack_kv(pk, "line", line);
	ctl_pack_kv(pk, "name", name);
	ctl_pack_kv(pk, "expires", until);
	sodium_memzero(line, strlen(line));
	free(line);
}

/* invite-list: every invitation kept, without secrets. */
void
op_invite_list(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_invite *v;
	size_t		 n, i;
	char		*why = NULL, t[32];
	time_t		 now = time(NULL);

	if (node_invite_list(env->node, &v, &n, &why) != 0) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	reply_ok(pk);
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++) {
		msgpack_pack_map(pk, 7);
		ctl_pack_kv(pk, "id", v[i].id);
		ctl_pack_kv(pk, "state", strcmp(v[i].state, "open") == 0 &&
		    v[i].expires <= now ? "expired" : v[i].state);
		ctl_pack_kv(pk, "name", v[i].name);
		ctl_pack_kv(pk, "ags", v[i].ags);
		time_iso(v[i].created, t);
		ctl_pack_kv(pk, "created", t);
		time_iso(v[i].expires, t);
		ctl_pack_kv(pk, "expires", t);
		if (v[i].nid[0] != '\0')
			reply_did(pk, "used_by", v[i].nid);
		else
			ctl_pack_kv(pk, "used_by", "");
	}
	free(v);
}

/* invite-revoke: an open invitation can no longer be redeemed. */
void
op_invite_revoke(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*id = ctl_str(req, "id");
	char		*why = NULL;

	if (id == NULL) {
		reply_fail(pk, CTL_USAGE, "invite revoke: no id given");
		return;
	}
	reply_edit(pk, node_invite_revoke(env->node, id, &why), why);
}
