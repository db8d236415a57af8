/* handlers.c — answers to control requests: one function per operation, dispatched by name. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "knowd.h"
#include "log.h"
#include "search.h"
#include "util.h"
#include "worker.h"
#include "peer.h"
#include "sync.h"
#include "verify.h"
#include "web.h"

#include "handlers.h"

/* Begins a success reply. */
void
reply_ok(msgpack_packer *pk)
{
	ctl_reply_begin(pk, CTL_OK, "");
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

/* id: who this node is. */
void
h_id(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	char	 pub[256];

	keys_pub_encode(kd->kp.pk, kd->nid, pub, sizeof pub);
	pub[strcspn(pub, "\n")] = '\0';
	reply_ok(pk);
	msgpack_pack_map(pk, 4);
	ctl_pack_kv(pk, "id", kd->did);
	ctl_pack_kv(pk, "nid", kd->nid);
	ctl_pack_kv(pk, "name", node_name(kd));
	ctl_pack_kv(pk, "pubkey", pub);
}

/* Packs one origin branch's summary: {id, nid, name, seq, head}. */
static void
pack_branch(struct knowd *kd, msgpack_packer *pk, const char *nid)
{
	const char	*name = catalog_node_name(&kd->cat, nid);
	git_oid		 head;
	uint64_t	 seq = 0;

	memset(&head, 0, sizeof head);
	store_head(kd->store, nid, &head, &seq);
	msgpack_pack_map(pk, 6);
	reply_did(pk, "id", nid);
	ctl_pack_kv(pk, "nid", nid);
	ctl_pack_kv(pk, "name", name != NULL ? name : "");
	ctl_pack_ku(pk, "seq", seq);
	reply_oid(pk, "head", &head);
	ctl_pack_ku(pk, "records", catalog_count(&kd->cat, nid, RECORD_LESSON) +
	    catalog_count(&kd->cat, nid, RECORD_PROJECT));
}

/* Packs status's "index": records, full-text segments, whether a merge runs (nil when off). */
static void
pack_index(struct knowd *kd, msgpack_packer *pk)
{
	int64_t	 segs;

	ctl_pack_str(pk, "index");
	if (kd->search == NULL) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 3);
	ctl_pack_ku(pk, "records", search_size(kd->search));
	segs = search_segments(kd->search);
	ctl_pack_str(pk, "segments");
	if (segs < 0)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_uint64(pk, (uint64_t)segs);
	ctl_pack_str(pk, "merging");
	if (search_compact_running(kd))
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

/* status: this node, its view, and every origin branch held. */
void
h_status(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	char	**nids;
	size_t	  n, i;
	git_oid	  head, view;
	uint64_t  seq = 0;

	if (store_nids(kd->store, &nids, &n) != 0) {
		reply_fail(pk, CTL_ERROR, store_git_error());
		return;
	}
	memset(&head, 0, sizeof head);
	memset(&view, 0, sizeof view);
	store_head(kd->store, kd->nid, &head, &seq);
	store_view_tree(kd->store, &view);
	reply_ok(pk);
	msgpack_pack_map(pk, 11 + STATUS_NET_KEYS);
	ctl_pack_kv(pk, "id", kd->did);
	ctl_pack_kv(pk, "name", node_name(kd));
	ctl_pack_ku(pk, "seq", seq);
	reply_oid(pk, "head", &head);
	reply_oid(pk, "view", &view);
	ctl_pack_kv(pk, "home", kd->home);
	ctl_pack_kv(pk, "listen", kd->peers != NULL &&
	    kd->peers->listen_addr[0] != '\0' ? kd->peers->listen_addr :
	    kd->conf.listen);
	ctl_pack_kv(pk, "http", web_address(kd));
	/* Worker jobs queued or running: fetched packs, verify, backup. */
	ctl_pack_ku(pk, "jobs", (uint64_t)(kd->worker != NULL ?
	    worker_pending(kd->worker) : 0) + (uint64_t)(kd->slow != NULL ?
	    worker_pending(kd->slow) : 0));
	pack_index(kd, pk);
	ctl_pack_str(pk, "nodes");
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++)
		pack_branch(kd, pk, nids[i]);
	store_nids_free(nids, n);
	status_network(kd, pk);
}

/*
 * Answers a change to our own branch (publish, retract, vouch, unvouch):
 * on success announces the new head and packs what was done; on failure
 * "again" (still catching up) or the error. Frees why and clears res.
 */
void
reply_change(struct knowd *kd, msgpack_packer *pk, int rv,
    struct node_result *res, char *why, const char *action)
{
	if (rv != 0) {
		reply_fail(pk, res->again ? CTL_AGAIN : CTL_ERROR, why);
		free(why);
		return;
	}
	sync_published(kd);
	reply_ok(pk);
	msgpack_pack_map(pk, 6);
	ctl_pack_kv(pk, "id", res->id);
	ctl_pack_kv(pk, "action", action);
	ctl_pack_kv(pk, "path", res->path);
	ctl_pack_kv(pk, "node", kd->did);
	ctl_pack_ku(pk, "seq", res->seq);
	reply_oid(pk, "commit", &res->commit);
	node_result_clear(res);
}

/* publish: a new record or an edit of one of ours. */
void
h_publish(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	const uint8_t		*body;
	size_t			 len = 0;
	char			*why = NULL;
	int			 rv;

	if ((body = ctl_bin(req, "body", &len)) == NULL) {
		reply_fail(pk, CTL_USAGE, "publish: no record given");
		return;
	}
	rv = node_publish(kd, (const char *)body, len, &res, &why);
	reply_change(kd, pk, rv, &res, why, res.created ? "created" : "updated");
}

/* retract: remove one of our records. */
void
h_retract(struct knowd *kd, const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	const char		*id = ctl_str(req, "id");
	char			*why = NULL;
	int			 rv;

	if (id == NULL) {
		reply_fail(pk, CTL_USAGE, "retract: no id given");
		return;
	}
	rv = node_retract(kd, id, &res, &why);
	reply_change(kd, pk, rv, &res, why, "retracted");
}

/* True when filter names nid: its did:key, the nid itself or the node's name. */
int
handle_node_matches(struct knowd *kd, const char *filter, const char *nid)
{
	const char	*name;

	if (strncmp(filter, KEYS_DID_PREFIX, strlen(KEYS_DID_PREFIX)) == 0)
		filter += strlen(KEYS_DID_PREFIX);
	if (strcmp(filter, nid) == 0)
		return 1;
	name = catalog_node_name(&kd->cat, nid);
	return name != NULL && strcasecmp(name, filter) == 0;
}

/* Resolves a node filter to a nid held here; NULL if none matches. */
const char *
handle_node_resolve(struct knowd *kd, const char *filter)
{
	size_t	 i;

	for (i = 0; i < kd->cat.n; i++)
		if (kd->cat.v[i].kind == RECORD_NODE &&
		    handle_node_matches(kd, filter, kd->cat.v[i].nid))
			return kd->cat.v[i].nid;
	return NULL;
}

static const struct {
	const char	*op;
	handler_fn	*fn;
} handlers[] = {
	{ "id", h_id },
	{ "status", h_status },
	{ "publish", h_publish },
	{ "retract", h_retract },
	{ "show", h_show },
	{ "list", h_list },
	{ "log", h_log },
	{ "verify", h_verify },
	{ "peers", h_peers },
	{ "peer-add", h_peer_add },
	{ "peer-remove", h_peer_remove },
	{ "trust-add", h_trust_add },
	{ "trust-remove", h_trust_remove },
	{ "trust-list", h_trust_list },
	{ "vouch", h_vouch },
	{ "backup", h_backup },
	{ "unvouch", h_unvouch },
	{ "search", h_search },
	{ "reindex", h_reindex },
};

void
handle_request(struct knowd *kd, const struct ctl_request *req,
    msgpack_sbuffer *sb)
{
	msgpack_packer	 pk;
	size_t		 i;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	for (i = 0; i < nitems(handlers); i++) {
		if (strcmp(handlers[i].op, req->op->name) == 0) {
			handlers[i].fn(kd, req, &pk);
			return;
		}
	}
	reply_fail(&pk, CTL_USAGE, "operation not supported by this knowd");
}
