/* handlers_net.c — control requests about the network: peers and trust. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "confedit.h"
#include "gossip.h"
#include "handlers.h"
#include "home.h"
#include "log.h"
#include "peer.h"
#include "search.h"
#include "sync_int.h"
#include "trust.h"
#include "util.h"
#include "worker.h"

/*
 * Reloads knowd.conf after an edit and applies what can change while
 * running: trust, mirror, peers and limits. listen and network keep their
 * running values until a restart.
 */
int
node_reload(struct knowd *kd, char **cause)
{
	struct config	 c;
	char		*path, *listen, *network;
	int		 rv;

	path = home_path(kd->home, CONFIG_FILE);
	rv = config_load(path, &c, cause);
	free(path);
	if (rv != 0)
		return -1;
	listen = kd->conf.listen;
	network = kd->conf.network;
	kd->conf.listen = kd->conf.network = NULL;
	config_free(&kd->conf);
	free(c.listen);
	free(c.network);
	c.listen = listen;
	c.network = network;
	kd->conf = c;
	trust_invalidate(kd);
	if (kd->peers != NULL)
		peers_sync_slots(kd);
	return 0;
}

/* Drops the branches of nodes we no longer replicate, and their records. */
static void
drop_unreplicated(struct knowd *kd)
{
	char	**nids, *why = NULL;
	size_t	  n, i;
	git_oid	  tree;

	if (store_nids(kd->store, &nids, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (sync_replicates(kd, nids[i]))
			continue;
		if (store_branch_delete(kd->store, nids[i], &why) != 0) {
			log_warnx("%s", why);
			free(why);
			why = NULL;
			continue;
		}
		catalog_drop(&kd->cat, nids[i]);
		search_forget(kd, nids[i]);
		log_info("branch %s dropped: no longer replicated", nids[i]);
	}
	store_nids_free(nids, n);
	if (store_view_update(kd->store, &tree, &why) != 0) {
		log_warnx("%s", why);
		free(why);
	}
}

/* Asks every peer for the heads we might now lack. */
static void
ask_peers(struct knowd *kd)
{
	struct peer	*p;

	TAILQ_FOREACH(p, &kd->peers->list, entry)
		if (p->state == PEER_READY)
			sync_send_digest(p);
}

void
node_replication_changed(struct knowd *kd)
{
	drop_unreplicated(kd);
	if (kd->peers != NULL)
		ask_peers(kd);
}

/* peers: the connections, with their node, address, direction and traffic. */
void
h_peers(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	static const char *const states[] = { "connecting", "handshake",
	    "ready", "closing" };
	struct peer	*p;
	const char	*name;
	char		 since[32];
	size_t		 n = 0;

	TAILQ_FOREACH(p, &kd->peers->list, entry)
		n++;
	reply_ok(pk);
	msgpack_pack_array(pk, n);
	TAILQ_FOREACH(p, &kd->peers->list, entry) {
		name = p->nid[0] != '\0' ? catalog_node_name(&kd->cat, p->nid) :
		    NULL;
		node_time(p->since, since);
		msgpack_pack_map(pk, 8);
		if (p->nid[0] != '\0')
			reply_did(pk, "id", p->nid);
		else
			ctl_pack_kv(pk, "id", "");
		ctl_pack_kv(pk, "name", name != NULL ? name : "");
		ctl_pack_kv(pk, "address", p->addr);
		ctl_pack_kv(pk, "direction", peer_direction(p));
		ctl_pack_kv(pk, "state", states[p->state]);
		ctl_pack_kv(pk, "since", since);
		ctl_pack_ku(pk, "bytes_in", p->bytes_in);
		ctl_pack_ku(pk, "bytes_out", p->bytes_out);
	}
}

/* Packs a reply from a config edit: ok, or the edit's error. */
static void
edit_reply(struct knowd *kd, msgpack_packer *pk, int rv, char *why)
{
	if (rv != 0) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	reply_ok(pk);
	msgpack_pack_nil(pk);
}

/* peer-add: "[NID@]HOST:PORT" is written to knowd.conf and dialed. */
void
h_peer_add(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	struct config_peer cp;
	const char	*addr = ctl_str(req, "address");
	char		*path, *why = NULL;
	size_t		 i;
	int		 rv;

	if (addr == NULL || config_parse_peer(addr, &cp, &why) != 0) {
		edit_reply(kd, pk, -1, why != NULL ? why : xstrdup("no address"));
		return;
	}
	for (i = 0; i < kd->conf.npeers; i++)
		if (strcmp(kd->conf.peers[i].host, cp.host) == 0 &&
		    strcmp(kd->conf.peers[i].port, cp.port) == 0)
			break;
	free(cp.nid);
	free(cp.host);
	free(cp.port);
	if (i < kd->conf.npeers) {
		edit_reply(kd, pk, -1, xasprintf("%s is already a peer", addr));
		return;
	}
	path = home_path(kd->home, CONFIG_FILE);
	rv = confedit_add(path, "peer", addr, &why);
	free(path);
	if (rv == 0)
		rv = node_reload(kd, &why);
	edit_reply(kd, pk, rv, why);
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
h_peer_remove(struct knowd *kd, const struct ctl_request *req,
    msgpack_packer *pk)
{
	const char	*addr = ctl_str(req, "address");
	char		*path, *why = NULL;
	int		 rv, n = 0;

	if (addr == NULL) {
		reply_fail(pk, CTL_USAGE, "peer remove: no address given");
		return;
	}
	path = home_path(kd->home, CONFIG_FILE);
	rv = confedit_remove(path, "peer", match_peer, addr, &n, &why);
	free(path);
	if (rv == 0 && n == 0)
		rv = set_cause(&why, "%s is not a configured peer", addr);
	if (rv == 0)
		rv = node_reload(kd, &why);
	edit_reply(kd, pk, rv, why);
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
h_trust_add(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*id = ctl_str(req, "id"), *name = ctl_str(req, "name");
	uint8_t		 key[KEYS_PK_LEN];
	char		 did[KEYS_DID_MAX], nid[KEYS_NID_MAX], *line, *path;
	char		*why = NULL;
	int		 rv;

	if (id == NULL || keys_did_decode(id, key, &why) != 0) {
		edit_reply(kd, pk, -1, why != NULL ? why : xstrdup("no id"));
		return;
	}
	keys_nid_encode(key, nid);
	keys_did_encode(key, did);
	if (strcmp(nid, kd->nid) == 0 || sync_replicates(kd, nid)) {
		edit_reply(kd, pk, -1, xasprintf("%s is already %s", did,
		    strcmp(nid, kd->nid) == 0 ? "this node" : "trusted"));
		return;
	}
	if (name != NULL && strpbrk(name, "\n\r") != NULL) {
		edit_reply(kd, pk, -1, xstrdup("a name is one line"));
		return;
	}
	line = xasprintf("%s%s%s", did, name != NULL ? " " : "",
	    name != NULL ? name : "");
	path = home_path(kd->home, CONFIG_FILE);
	rv = confedit_add(path, "trust", line, &why);
	free(path);
	free(line);
	if (rv == 0 && (rv = node_reload(kd, &why)) == 0) {
		log_info("trust added: %s", did);
		trust_settle(kd);
	}
	edit_reply(kd, pk, rv, why);
}

/* trust-remove: stop replicating a node; its branch is dropped. */
void
h_trust_remove(struct knowd *kd, const struct ctl_request *req,
    msgpack_packer *pk)
{
	const char	*id = ctl_str(req, "id");
	uint8_t		 key[KEYS_PK_LEN];
	char		*path, *why = NULL;
	int		 rv, n = 0;

	if (id == NULL || keys_did_decode(id, key, &why) != 0) {
		edit_reply(kd, pk, -1, why != NULL ? why : xstrdup("no id"));
		return;
	}
	path = home_path(kd->home, CONFIG_FILE);
	rv = confedit_remove(path, "trust", match_trust, key, &n, &why);
	free(path);
	if (rv == 0 && n == 0)
		rv = set_cause(&why, "%s is not trusted", id);
	if (rv == 0 && (rv = node_reload(kd, &why)) == 0) {
		log_info("trust removed: %s", id);
		trust_settle(kd);
	}
	edit_reply(kd, pk, rv, why);
}

/* True when nid is in the trusted-and-vouched set (not only mirrored). */
static int
trust_listed(struct knowd *kd, const char *nid)
{
	const struct trust_entry *t;
	size_t	 n, i;

	t = trust_set(kd, &n);
	for (i = 0; i < n; i++)
		if (strcmp(t[i].nid, nid) == 0)
			return 1;
	return 0;
}

/* Packs one replicated node: id, name, seq held, and why it is replicated. */
static void
pack_trusted(struct knowd *kd, msgpack_packer *pk, const char *nid,
    const char *why)
{
	const char	*name = catalog_node_name(&kd->cat, nid);
	git_oid		 head;
	uint64_t	 seq = 0;
	size_t		 i;

	for (i = 0; name == NULL && i < kd->conf.ntrust; i++)
		if (strcmp(kd->conf.trust[i].nid, nid) == 0)
			name = kd->conf.trust[i].name;
	store_head(kd->store, nid, &head, &seq);
	msgpack_pack_map(pk, 4);
	reply_did(pk, "id", nid);
	ctl_pack_kv(pk, "name", name != NULL ? name : "");
	ctl_pack_ku(pk, "seq", seq);
	ctl_pack_kv(pk, "why", why);
}

/* trust-list: every node replicated besides this one, and why. */
void
h_trust_list(struct knowd *kd, const struct ctl_request *req,
    msgpack_packer *pk)
{
	const struct trust_entry *t;
	const char	*vname;
	char		**nids, *why;
	size_t		 n, i, nheld = 0, extra = 0;

	t = trust_set(kd, &n);
	if (store_nids(kd->store, &nids, &nheld) != 0)
		nheld = 0;
	for (i = 0; kd->conf.mirror_all && i < nheld; i++)
		extra += !trust_listed(kd, nids[i]);
	reply_ok(pk);
	msgpack_pack_array(pk, n - 1 + extra);
	for (i = 1; i < n; i++) {	/* entry 0 is this node */
		vname = catalog_node_name(&kd->cat, t[i].voucher);
		why = t[i].depth == 0 ? xstrdup("trusted in knowd.conf") :
		    xasprintf("vouched for by %s (%s%s)", vname != NULL ?
		    vname : "?", KEYS_DID_PREFIX, t[i].voucher);
		pack_trusted(kd, pk, t[i].nid, why);
		free(why);
	}
	for (i = 0; extra > 0 && i < nheld; i++)
		if (!trust_listed(kd, nids[i]))
			pack_trusted(kd, pk, nids[i], "mirror = all");
	store_nids_free(nids, nheld);
}

/* Packs "forks": every fork head kept as proof. */
static void
status_forks(struct knowd *kd, msgpack_packer *pk)
{
	git_oid	 *ids = NULL;
	char	(*nids)[KEYS_NID_MAX] = NULL;
	size_t	  n = 0, i;

	store_forks(kd->store, NULL, &ids, &nids, &n);
	ctl_pack_str(pk, "forks");
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++) {
		git_commit *c = NULL;

		git_commit_lookup(&c, store_repo(kd->store), &ids[i]);
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

/* Packs "lagging": nodes whose newest announced seq is above the one we hold. */
static void
status_lagging(struct knowd *kd, msgpack_packer *pk)
{
	struct sync_ann	*a;
	git_oid		 head;
	uint64_t	 seq;
	size_t		 i, n = 0;

	for (i = 0; i < kd->sync->nann; i++) {
		seq = 0;
		store_head(kd->store, kd->sync->ann[i].nid, &head, &seq);
		n += kd->sync->ann[i].a.seq > seq;
	}
	ctl_pack_str(pk, "lagging");
	msgpack_pack_array(pk, n);
	for (i = 0; i < kd->sync->nann; i++) {
		a = &kd->sync->ann[i];
		seq = 0;
		store_head(kd->store, a->nid, &head, &seq);
		if (a->a.seq <= seq)
			continue;
		msgpack_pack_map(pk, 3);
		reply_did(pk, "id", a->nid);
		ctl_pack_ku(pk, "seq", seq);
		ctl_pack_ku(pk, "announced", a->a.seq);
	}
}

void
status_network(struct knowd *kd, msgpack_packer *pk)
{
	const struct gossip_node *k;
	struct peer	*p;
	size_t		 nk, i, ready = 0;

	TAILQ_FOREACH(p, &kd->peers->list, entry)
		ready += p->state == PEER_READY;
	ctl_pack_ku(pk, "peers", ready);
	status_forks(kd, pk);
	status_lagging(kd, pk);
	k = gossip_known(kd, &nk);
	ctl_pack_str(pk, "known");
	msgpack_pack_array(pk, nk);
	for (i = 0; i < nk; i++) {
		msgpack_pack_map(pk, 3);
		reply_did(pk, "id", k[i].nid);
		ctl_pack_kv(pk, "name", k[i].n.name);
		ctl_pack_kv(pk, "address", k[i].n.naddrs > 0 ? k[i].n.addrs[0] :
		    "");
	}
}

/* vouch: sign a vouches/<nid>.md record for another node. */
void
h_vouch(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	const char		*id = ctl_str(req, "id"), *name = ctl_str(req, "name");
	char			*why = NULL;
	int			 rv;

	if (id == NULL || name == NULL) {
		reply_fail(pk, CTL_USAGE, "vouch: a node id and --name are needed");
		return;
	}
	rv = node_vouch(kd, id, name, ctl_str(req, "ags"), &res, &why);
	reply_change(kd, pk, rv, &res, why, "vouched");
}

/* unvouch: remove our vouch for a node. */
void
h_unvouch(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	const char		*id = ctl_str(req, "id");
	char			*why = NULL;
	int			 rv;

	if (id == NULL) {
		reply_fail(pk, CTL_USAGE, "unvouch: no node id given");
		return;
	}
	rv = node_unvouch(kd, id, &res, &why);
	reply_change(kd, pk, rv, &res, why, "unvouched");
}

/* knowctl backup as a worker job: packing and archiving run off the event loop. */
struct backup_job {
	struct worker_job	 job;
	struct control_client	*cc;
	struct backup		*b;
	struct backup_out	 out;
	char			*why;
	int			 rv;
};

/* Worker thread: builds the archive. */
static void
backup_run(struct worker_job *job, git_repository *repo)
{
	struct backup_job *bj = (struct backup_job *)job;

	bj->rv = backup_build(bj->b, repo, &bj->out, &bj->why);
}

/*
 * Event loop: answers the waiting knowctl with the archive's size and
 * SHA-256, then the archive's bytes from its file; or with the reason.
 */
static void
backup_done(struct worker_job *job)
{
	struct backup_job *bj = (struct backup_job *)job;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	char		 hex[65];

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (job->cancelled || bj->rv != 0) {
		reply_fail(&pk, CTL_ERROR, job->cancelled ? "knowd is stopping" :
		    bj->why);
		control_answer(bj->cc, &sb);
	} else {
		hex_encode(bj->out.sha256, sizeof bj->out.sha256, hex);
		reply_ok(&pk);
		msgpack_pack_map(&pk, 2);
		ctl_pack_ku(&pk, "size", bj->out.size);
		ctl_pack_kv(&pk, "sha256", hex);
		control_answer_file(bj->cc, &sb, bj->out.fd, bj->out.size);
		bj->out.fd = -1;
	}
	msgpack_sbuffer_destroy(&sb);
	if (bj->out.fd != -1)
		close(bj->out.fd);
	backup_free(bj->b);
	free(bj->why);
	free(bj);
}

/* backup: a tar archive of the home (refs read now, built on the worker). */
void
h_backup(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	struct backup_job *bj;
	struct backup	*b;
	char		*why = NULL;

	if ((b = backup_begin(kd, ctl_bool(req, "with_key"), &why)) == NULL) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	bj = xcalloc(1, sizeof *bj);
	bj->job.run = backup_run;
	bj->job.done = backup_done;
	bj->b = b;
	bj->out.fd = -1;
	bj->cc = control_defer(kd);
	worker_submit(kd->slow, &bj->job);
}
