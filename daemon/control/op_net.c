/* op_net.c — operations about the network: peers, trust, and the network part of status. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_int.h"
#include "home.h"
#include "log.h"
#include "net.h"
#include "peer.h"
#include "store.h"
#include "util.h"

/* peers: the connections, with their node, address, direction and traffic. */
void
op_peers(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct peer	*p;
	const char	*name;
	char		 since[32];
	size_t		 n = 0;

	TAILQ_FOREACH(p, &env->net->peers->list, entry)
		n++;
	reply_ok(pk);
	msgpack_pack_array(pk, n);
	TAILQ_FOREACH(p, &env->net->peers->list, entry) {
		name = p->nid[0] != '\0' ? catalog_node_name(&env->node->cat, p->nid) :
		    NULL;
		time_iso(p->since, since);
		msgpack_pack_map(pk, 8);
		if (p->nid[0] != '\0')
			reply_did(pk, "id", p->nid);
		else
			ctl_pack_kv(pk, "id", "");
		ctl_pack_kv(pk, "name", name != NULL ? name : "");
		ctl_pack_kv(pk, "address", p->addr);
		ctl_pack_kv(pk, "direction", peer_direction(p));
		ctl_pack_kv(pk, "state", peer_state_name(p));
		ctl_pack_kv(pk, "since", since);
		ctl_pack_ku(pk, "bytes_in", p->bytes_in);
		ctl_pack_ku(pk, "bytes_out", p->bytes_out);
	}
}

/* Packs a reply from a config edit: ok, or the edit's error. */
static void
edit_reply(struct control_env *env, msgpack_packer *pk, int rv, char *why)
{
	reply_edit(pk, rv, why);
}

/* peer-add: "[NID@]HOST:PORT" is written to knowd.conf and dialed. */
void
op_peer_add(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct config_peer cp;
	const char	*addr = ctl_str(req, "address");
	char		*path, *why = NULL;
	size_t		 i;
	int		 rv;

	if (addr == NULL || config_parse_peer(addr, &cp, &why) != 0) {
		edit_reply(env, pk, -1, why != NULL ? why : xstrdup("no address"));
		return;
	}
	for (i = 0; i < env->node->conf.npeers; i++)
		if (strcmp(env->node->conf.peers[i].host, cp.host) == 0 &&
		    strcmp(env->node->conf.peers[i].port, cp.port) == 0)
			break;
	free(cp.nid);
	free(cp.host);
	free(cp.port);
	if (i < env->node->conf.npeers) {
		edit_reply(env, pk, -1, xasprintf("%s is already a peer", addr));
		return;
	}
	path = home_path(env->node->home, CONFIG_FILE);
	rv = confedit_add(path, "peer", addr, &why);
	free(path);
	if (rv == 0)
		rv = node_reload(env->node, &why);
	edit_reply(env, pk, rv, why);
}

/* Matches a "peer" line whose address (after any NID@) is arg. */
static int
match_peer(const char *value, const void *arg)
{
	const char *at = strchr(value, '@');

	return strcmp(at != NULL ? at + 1 : value, arg) == 0 ||
	    (at != NULL && strncmp(value, arg, (size_t)(at - value)) == 0 &&
	    strlen(arg) == (size_t)(at - value));
}

/* peer-remove: by HOST:PORT or by the NID it was configured with. */
void
op_peer_remove(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*addr = ctl_str(req, "address");
	char		*path, *why = NULL;
	int		 rv, n = 0;

	if (addr == NULL) {
		reply_fail(pk, CTL_USAGE, "peer remove: no address given");
		return;
	}
	path = home_path(env->node->home, CONFIG_FILE);
	rv = confedit_remove(path, "peer", match_peer, addr, &n, &why);
	free(path);
	if (rv == 0 && n == 0)
		rv = set_cause(&why, "%s is not a configured peer", addr);
	if (rv == 0)
		rv = node_reload(env->node, &why);
	edit_reply(env, pk, rv, why);
}

/* Matches a "trust" line whose node (first word, did:key or nid) has the key arg. */
static int
match_trust(const char *value, const void *arg)
{
	uint8_t	 pk[KEYS_PK_LEN];
	char	*id = xstrndup(value, strcspn(value, " \t"));
	int	 r;

	r = keys_did_decode(id, pk, NULL) == 0 &&
	    memcmp(pk, arg, KEYS_PK_LEN) == 0;
	free(id);
	return r;
}

/* trust-add: replicate a node from now on; its branch is fetched from peers. */
void
op_trust_add(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*id = ctl_str(req, "id"), *name = ctl_str(req, "name");
	uint8_t		 key[KEYS_PK_LEN];
	char		 did[KEYS_DID_MAX], nid[KEYS_NID_MAX], *line, *path;
	char		*why = NULL;
	int		 rv;

	if (id == NULL || keys_did_decode(id, key, &why) != 0) {
		edit_reply(env, pk, -1, why != NULL ? why : xstrdup("no id"));
		return;
	}
	keys_nid_encode(key, nid);
	keys_did_encode(key, did);
	if (strcmp(nid, env->node->nid) == 0 || trust_find(env->node, nid) != NULL) {
		edit_reply(env, pk, -1, xasprintf("%s is already %s", did,
		    strcmp(nid, env->node->nid) == 0 ? "this node" : "trusted"));
		return;
	}
	if (name != NULL && strpbrk(name, "\n\r") != NULL) {
		edit_reply(env, pk, -1, xstrdup("a name is one line"));
		return;
	}
	line = xasprintf("%s%s%s", did, name != NULL ? " " : "",
	    name != NULL ? name : "");
	path = home_path(env->node->home, CONFIG_FILE);
	rv = confedit_add(path, "trust", line, &why);
	free(path);
	free(line);
	if (rv == 0 && (rv = node_reload(env->node, &why)) == 0) {
		log_info("trust added: %s", did);
		trust_settle(env->node);
	}
	edit_reply(env, pk, rv, why);
}

/* trust-remove: stop replicating a node; its branch is dropped. */
void
op_trust_remove(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*id = ctl_str(req, "id");
	uint8_t		 key[KEYS_PK_LEN];
	char		*path, *why = NULL;
	int		 rv, n = 0;

	if (id == NULL || keys_did_decode(id, key, &why) != 0) {
		edit_reply(env, pk, -1, why != NULL ? why : xstrdup("no id"));
		return;
	}
	path = home_path(env->node->home, CONFIG_FILE);
	rv = confedit_remove(path, "trust", match_trust, key, &n, &why);
	free(path);
	if (rv == 0 && n == 0)
		rv = set_cause(&why, "%s is not trusted", id);
	if (rv == 0 && (rv = node_reload(env->node, &why)) == 0) {
		log_info("trust removed: %s", id);
		trust_settle(env->node);
	}
	edit_reply(env, pk, rv, why);
}

/* Packs one replicated node: id, name, kind (its node.md's role), seq held, and why it is replicated. */
static void
pack_trusted(struct control_env *env, msgpack_packer *pk, const char *nid,
    const char *why)
{
	const char	*name = catalog_node_name(&env->node->cat, nid);
	git_oid		 head;
	uint64_t	 seq = 0;
	size_t		 i;

	for (i = 0; name == NULL && i < env->node->conf.ntrust; i++)
		if (strcmp(env->node->conf.trust[i].nid, nid) == 0)
			name = env->node->conf.trust[i].name;
	char		*role = node_role_of(env->node, nid);

	store_head(env->node->store, nid, &head, &seq);
	msgpack_pack_map(pk, 5);
	reply_did(pk, "id", nid);
	ctl_pack_kv(pk, "name", name != NULL ? name : "");
	ctl_pack_kv(pk, "kind", role != NULL ? role : "");
	free(role);
	ctl_pack_ku(pk, "seq", seq);
	ctl_pack_kv(pk, "why", why);
}

/* trust-list: every node replicated besides this one, and why. */
/* "vouches/<nid>.md": where a voucher's record of nid lives. Caller frees. */
static char *
vouch_path(const char *nid)
{
	return xasprintf("vouches/%s.md", nid);
}

void
op_trust_list(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct trust_entry *const *t;
	const struct catalog_entry *v;
	const char	*vname;
	char		**nids, *why, *vouch;
	size_t		 n, i, nheld = 0, extra = 0;

	t = trust_set(env->node, &n);
	if (store_nids(env->node->store, &nids, &nheld) != 0)
		nheld = 0;
	for (i = 0; env->node->conf.mirror_all && i < nheld; i++)
		extra += !(trust_find(env->node, nids[i]) != NULL);
	reply_ok(pk);
	msgpack_pack_array(pk, n - 1 + extra);
	for (i = 1; i < n; i++) {	/* entry 0 is this node */
		vname = catalog_node_name(&env->node->cat, t[i]->voucher);
		vouch = vouch_path(t[i]->nid);
		v = t[i]->depth == 0 ? NULL :
		    catalog_at(&env->node->cat, t[i]->voucher, vouch);
		free(vouch);
		why = t[i]->depth == 0 ? xstrdup("trusted in knowd.conf") :
		    xasprintf("vouched for by %s (%s%s)%s%.10s", vname != NULL ?
		    vname : "?", KEYS_DID_PREFIX, t[i]->voucher,
		    v != NULL ? " since " : "", v != NULL ? v->created : "");
		pack_trusted(env, pk, t[i]->nid, why);
		free(why);
	}
	for (i = 0; extra > 0 && i < nheld; i++)
		if (!(trust_find(env->node, nids[i]) != NULL))
			pack_trusted(env, pk, nids[i],
			    "admitted (knowctl admit), mirror = all");
	store_nids_free(nids, nheld);
}

/* Packs "forks": every fork head kept as proof. */
static void
status_forks(struct control_env *env, msgpack_packer *pk)
{
	git_oid	 *ids = NULL;
	char	(*nids)[KEYS_NID_MAX] = NULL;
	size_t	  n = 0, i;

	store_forks(env->node->store, NULL, &ids, &nids, &n);
	ctl_pack_str(pk, "forks");
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++) {
		git_commit *c = NULL;

		git_commit_lookup(&c, store_repo(env->node->store), &ids[i]);
		msgpack_pack_map(pk, 3);
		reply_did(pk, "id", nids[i]);
		ctl_pack_ku(pk, "seq", c != NULL ?
		    store_message_seq(git_commit_message(c)) : 0);
		reply_oid(pk, "head", &ids[i]);
		git_commit_free(c);
	}
	free(ids);
	free(nids);
}

/* Packs "lagging" (at most OP_LAGGING_SHOWN unless all) and "lagging_total". */
static void
status_lagging(struct control_env *env, msgpack_packer *pk, int all)
{
	struct net_lag	*v;
	size_t		 i, n, shown;

	n = net_lagging(env->net, &v);
	shown = all || n < OP_LAGGING_SHOWN ? n : OP_LAGGING_SHOWN;
	ctl_pack_str(pk, "lagging");
	msgpack_pack_array(pk, shown);
	for (i = 0; i < shown; i++) {
		msgpack_pack_map(pk, 3);
		reply_did(pk, "id", v[i].nid);
		ctl_pack_ku(pk, "seq", v[i].seq);
		ctl_pack_ku(pk, "announced", v[i].announced);
	}
	ctl_pack_ku(pk, "lagging_total", n);
	free(v);
}

/* Packs "known_nodes": every node learned by peer exchange. */
static void
status_known(struct control_env *env, msgpack_packer *pk)
{
	struct gossip_node *const *k;
	size_t		 nk, i;

	k = gossip_known(env->net, &nk);
	ctl_pack_str(pk, "known_nodes");
	msgpack_pack_array(pk, nk);
	for (i = 0; i < nk; i++) {
		msgpack_pack_map(pk, 3);
		reply_did(pk, "id", k[i]->nid);
		ctl_pack_kv(pk, "name", k[i]->n.name);
		ctl_pack_kv(pk, "address", k[i]->n.naddrs > 0 ?
		    k[i]->n.addrs[0] : "");
	}
}

void
op_status_net(struct control_env *env, msgpack_packer *pk, int all)
{
	struct peer	*p;
	size_t		 nk, ready = 0;
	uint64_t	 ncards;
	uint8_t		 digest[32];

	TAILQ_FOREACH(p, &env->net->peers->list, entry)
		ready += p->state == PEER_READY;
	ctl_pack_ku(pk, "peers", ready);
	status_forks(env, pk);
	status_lagging(env, pk, all);
	gossip_known(env->net, &nk);
	ctl_pack_ku(pk, "known", nk);
	ctl_pack_ku(pk, "pending", node_pending_count(env->node));
	node_contacts_digest(env->node, &ncards, digest);	/* cached */
	ctl_pack_ku(pk, "contacts", ncards);
	if (all)
		status_known(env, pk);
}
