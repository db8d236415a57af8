/* op_node.c — operations on this node: id, status, publish, retract, vouch, unvouch. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "net.h"
#include "search.h"
#include "store.h"
#include "util.h"
#include "web.h"

/* id: who this node is. */
void
op_id(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	char	 pub[256];

	keys_pub_encode(env->node->kp.pk, env->node->nid, pub, sizeof pub);
	pub[strcspn(pub, "\n")] = '\0';
	reply_ok(pk);
	msgpack_pack_map(pk, 4);
	ctl_pack_kv(pk, "id", env->node->did);
	ctl_pack_kv(pk, "nid", env->node->nid);
	ctl_pack_kv(pk, "name", node_name(env->node));
	ctl_pack_kv(pk, "pubkey", pub);
}

/* Packs one origin branch's summary: {id, nid, name, seq, head}. */
static void
pack_branch(struct control_env *env, msgpack_packer *pk, const char *nid)
{
	const char	*name = catalog_node_name(&env->node->cat, nid);
	git_oid		 head;
	uint64_t	 seq = 0;

	memset(&head, 0, sizeof head);
	store_head(env->node->store, nid, &head, &seq);
	msgpack_pack_map(pk, 6);
	reply_did(pk, "id", nid);
	ctl_pack_kv(pk, "nid", nid);
	ctl_pack_kv(pk, "name", name != NULL ? name : "");
	ctl_pack_ku(pk, "seq", seq);
	reply_oid(pk, "head", &head);
	ctl_pack_ku(pk, "records", catalog_count(&env->node->cat, nid, RECORD_LESSON) +
	    catalog_count(&env->node->cat, nid, RECORD_PROJECT));
}

/* Packs status's "index": rebuilding, records, full-text segments, a merge running, erased text being forgotten (nil when off). */
static void
pack_index(struct control_env *env, msgpack_packer *pk)
{
	int64_t	 segs;

	ctl_pack_str(pk, "index");
	if (env->node->search == NULL) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 6);
	ctl_pack_str(pk, "rebuilding");
	if (search_unavailable(env->node->search))
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
	ctl_pack_ku(pk, "records", search_size(env->node->search));
	ctl_pack_ku(pk, "lagging", node_index_lag(env->node));
	segs = search_segments(env->node->search);
	ctl_pack_str(pk, "segments");
	if (segs < 0)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_uint64(pk, (uint64_t)segs);
	ctl_pack_str(pk, "merging");
	if (search_loop_merging(env->search_loop))
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
	/* An erasure's clean-up: until it ends, the text may be in the index file. */
	ctl_pack_str(pk, "forgetting");
	if (search_loop_forgetting(env->search_loop))
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

/* Open descriptors of this process (/proc/self/fd), or 0 when it cannot tell. */
static size_t
open_fds(void)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n > 0 ? n - 1 : 0;	/* not the one reading */
}

/* Packs status's "repository": packs, loose objects (estimated), open descriptors. */
static void
pack_repository(struct control_env *env, msgpack_packer *pk)
{
	size_t	 packs, loose;

	store_objects_count(git_repository_path(store_repo(env->node->store)),
	    &packs, &loose);
	ctl_pack_str(pk, "repository");
	msgpack_pack_map(pk, 3);
	ctl_pack_ku(pk, "packs", packs);
	ctl_pack_ku(pk, "loose", loose);
	ctl_pack_ku(pk, "fds", open_fds());
}

/*
 * status: this node, its view, counts of what it holds; every origin branch
 * only when asked ("branches"), since a mirror holds thousands.
 */
void
op_status(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct node	*nd = env->node;
	int		 all = ctl_bool(req, "branches");
	char		**nids = NULL;
	size_t		  n = 0, i;
	git_oid		  head, view;
	uint64_t	  seq = 0;

	memset(&head, 0, sizeof head);
	memset(&view, 0, sizeof view);
	store_head(nd->store, nd->nid, &head, &seq);
	view_tree(nd->store, &view);
	reply_ok(pk);
	msgpack_pack_map(pk, 13 + 2 * all + OP_STATUS_NET_KEYS);
	ctl_pack_kv(pk, "id", nd->did);
	ctl_pack_kv(pk, "name", node_name(nd));
	ctl_pack_ku(pk, "seq", seq);
	reply_oid(pk, "head", &head);
	reply_oid(pk, "view", &view);
	ctl_pack_kv(pk, "home", nd->home);
	ctl_pack_kv(pk, "listen", net_listen_addr(env->net) != NULL ?
	    net_listen_addr(env->net) : nd->conf.listen);
	ctl_pack_kv(pk, "http", web_address(env->web));
	/* Worker jobs queued or running: fetched packs, verify, backup. */
	ctl_pack_ku(pk, "jobs", (uint64_t)net_jobs(env->net) +
	    (uint64_t)(env->slow != NULL ? worker_pending(env->slow) : 0));
	pack_index(env, pk);
	pack_repository(env, pk);
	ctl_pack_ku(pk, "branches", store_nbranches(nd->store));
	ctl_pack_ku(pk, "records", catalog_total(&nd->cat, RECORD_LESSON) +
	    catalog_total(&nd->cat, RECORD_PROJECT));
	if (all) {
		store_nids(nd->store, &nids, &n);
		ctl_pack_str(pk, "nodes");
		msgpack_pack_array(pk, n);
		for (i = 0; i < n; i++)
			pack_branch(env, pk, nids[i]);
		store_nids_free(nids, n);
	}
	op_status_net(env, pk, all);
}

/* publish: a new record or an edit of one of ours. */
void
op_publish(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	struct node_pubopt	 opt = { NULL, 0, NULL };
	const uint8_t		*body;
	size_t			 len = 0;
	char			*why = NULL;
	int			 rv;

	if ((body = ctl_bin(req, "body", &len)) == NULL) {
		reply_fail(pk, CTL_USAGE, "publish: no record given");
		return;
	}
	opt.force = ctl_bool(req, "force") == 1;
	rv = node_publish_as(env->node, (const char *)body, len, &opt, &res,
	    &why);
	reply_change(env, pk, rv, &res, why, res.created ? "created" : "updated");
}

/* retract: remove one of our records. */
void
op_retract(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	const char		*id = ctl_str(req, "id");
	char			*why = NULL;
	int			 rv;

	if (id == NULL) {
		reply_fail(pk, CTL_USAGE, "retract: no id given");
		return;
	}
	rv = node_retract(env->node, id, &res, &why);
	if (rv == 0)
		op_contact_forget(env, id);
	reply_change(env, pk, rv, &res, why, "retracted");
}

/* knowctl erase as a worker job: the history is walked off the event loop. */
struct erase_job {
	struct worker_job	 job;
	struct control_env	*env;
	struct control_client	*cc;
	struct node_erase_req	*q;
};

/* Worker thread: the versions' blobs. */
static void
erase_run(struct worker_job *job, git_repository *repo)
{
	node_erase_pick(((struct erase_job *)job)->q, repo);
}

/* Event loop: the notice written and committed, and knowctl answered. */
static void
erase_done(struct worker_job *job)
{
	struct erase_job	*ej = (struct erase_job *)job;
	struct node_result	 res;
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	char			*why = NULL;
	size_t			 n;
	int			 rv;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (job->cancelled)
		reply_fail(&pk, CTL_ERROR, "knowd is stopping");
	else {
		rv = node_erase_finish(ej->env->node, ej->q, &res, &n, &why);
		reply_change(ej->env, &pk, rv, &res, why, "erased");
	}
	control_answer(ej->cc, &sb);
	msgpack_sbuffer_destroy(&sb);
	node_erase_req_free(ej->q);
	free(ej);
}

/* erase: a signed erasure notice for versions of one of our records. */
void
op_erase(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct erase_job	*ej;
	struct node_erase_req	*q;
	const char		*id = ctl_str(req, "id");
	char			*why = NULL;

	if (id == NULL) {
		reply_fail(pk, CTL_USAGE, "erase: no id given");
		return;
	}
	if (node_erase_begin(env->node, id, ctl_str(req, "commit"), &q,
	    &why) != 0) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	ej = xcalloc(1, sizeof *ej);
	ej->job.run = erase_run;
	ej->job.done = erase_done;
	ej->env = env;
	ej->q = q;
	ej->cc = control_defer(cc);
	worker_submit(env->slow, &ej->job);
}

/* vouch: sign a vouches/<nid>.md record for another node. */
void
op_vouch(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	const char		*id = ctl_str(req, "id"), *name = ctl_str(req, "name");
	char			*why = NULL;
	int			 rv;

	if (id == NULL || name == NULL) {
		reply_fail(pk, CTL_USAGE, "vouch: a node id and --name are needed");
		return;
	}
	rv = node_vouch(env->node, id, name, ctl_str(req, "ags"), &res, &why);
	reply_change(env, pk, rv, &res, why, "vouched");
}

/* unvouch: remove our vouch for a node. */
void
op_unvouch(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_result	 res;
	const char		*id = ctl_str(req, "id");
	char			*why = NULL;
	int			 rv;

	if (id == NULL) {
		reply_fail(pk, CTL_USAGE, "unvouch: no node id given");
		return;
	}
	rv = node_unvouch(env->node, id, &res, &why);
	reply_change(env, pk, rv, &res, why, "unvouched");
}

/* unvouch-impact: what withdrawing our vouch for a node would drop (knowctl asks first). */
void
op_unvouch_impact(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*id = ctl_str(req, "id");
	uint8_t		 key[KEYS_PK_LEN];
	char		 nid[KEYS_NID_MAX], *path;
	size_t		 nodes = 0, lessons;
	int		 ours;

	if (id == NULL || keys_did_decode(id, key, NULL) != 0) {
		reply_fail(pk, CTL_USAGE, "unvouch: not a node id");
		return;
	}
	keys_nid_encode(key, nid);
	path = xasprintf("vouches/%s.md", nid);
	ours = catalog_at(&env->node->cat, env->node->nid, path) != NULL;
	free(path);
	if (!ours) {
		reply_fail(pk, CTL_ERROR, "this node does not vouch for that node");
		return;
	}
	lessons = trust_unvouch_impact(env->node, nid, &nodes);
	reply_ok(pk);
	msgpack_pack_map(pk, 3);
	reply_did(pk, "id", nid);
	ctl_pack_ku(pk, "nodes", nodes);
	ctl_pack_ku(pk, "lessons", lessons);
}
