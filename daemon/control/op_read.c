/* op_read.c — read-only operations: show, list, log, verify. */
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "log.h"
#include "personal.h"
#include "store.h"
#include "util.h"

/* Packs the parsed fields of a record and its raw text. */
static void
pack_record(struct control_env *env, msgpack_packer *pk, const struct catalog_entry *e,
    const struct record *r, const char *text, size_t len)
{
	const char *name = catalog_node_name(&env->node->cat, e->nid);

	msgpack_pack_map(pk, 20);
	ctl_pack_kv(pk, "id", r->id);
	ctl_pack_kv(pk, "kind", record_kind_name(r->kind));
	reply_did(pk, "node", e->nid);
	ctl_pack_kv(pk, "node_name", name != NULL ? name : "");
	ctl_pack_kv(pk, "path", e->path);
	ctl_pack_kv(pk, "title", r->title != NULL ? r->title : r->name);
	ctl_pack_kv(pk, "project", r->project);
	ctl_pack_kv(pk, "summary", r->summary);
	reply_list(pk, "fields", &r->fields);
	ctl_pack_kv(pk, "status", r->status);
	reply_list(pk, "hurdles", &r->hurdles);
	reply_list(pk, "tags", &r->tags);
	reply_list(pk, "related", &r->related);
	ctl_pack_kv(pk, "language", r->language);
	ctl_pack_kv(pk, "license", r->license);
	ctl_pack_kv(pk, "created", r->created);
	ctl_pack_kv(pk, "modified", r->modified);
	ctl_pack_kv(pk, "body", r->body);
	ctl_pack_str(pk, "text");
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, text, len);
	reply_oid(pk, "blob", &e->blob);
}

/* show: one record by id (ours first), optionally from a given node. */
void
op_show(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const struct catalog_entry *e;
	const char	*id = ctl_str(req, "id"), *node = ctl_str(req, "node");
	const char	*nid = NULL;
	struct record	*r = NULL;
	git_blob	*b = NULL;
	char		*msg;

	if (id == NULL) {
		reply_fail(pk, CTL_USAGE, "show: no id given");
		return;
	}
	if (node != NULL && (nid = control_node_resolve(env->node, node)) == NULL) {
		msg = xasprintf("%s: no such node", node);
		goto fail;
	}
	if ((e = catalog_find(&env->node->cat, id, nid, env->node->nid)) == NULL) {
		msg = xasprintf("%s: no such record", id);
		goto fail;
	}
	if (git_blob_lookup(&b, store_repo(env->node->store), &e->blob) != 0 ||
	    record_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	    RECORD_STRICT, &r, NULL) != 0) {
		msg = xasprintf("%s: record unreadable", id);
		goto fail;
	}
	reply_ok(pk);
	pack_record(env, pk, e, r, git_blob_rawcontent(b),
	    (size_t)git_blob_rawsize(b));
	record_free(r);
	git_blob_free(b);
	return;
fail:
	reply_fail(pk, CTL_ERROR, msg);
	free(msg);
	git_blob_free(b);
}

/* qsort comparator: newest modified first, then id. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct catalog_entry *x = *(const struct catalog_entry *const *)a;
	const struct catalog_entry *y = *(const struct catalog_entry *const *)b;
	int	 c = strcmp(y->modified, x->modified);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* True when entry e passes the list filters of req. */
static int
list_match(struct control_env *env, const struct ctl_request *req,
    const struct catalog_entry *e)
{
	const char	*node = ctl_str(req, "node");
	const char	*project = ctl_str(req, "project");
	const char	*kind = ctl_str(req, "kind");

	if (kind != NULL ? strcmp(kind, record_kind_name(e->kind)) != 0 :
	    e->kind != RECORD_LESSON && e->kind != RECORD_PROJECT)
		return 0;
	if (project != NULL && (e->project == NULL ||
	    strcmp(project, e->project) != 0))
		return 0;
	return node == NULL || control_node_matches(env->node, node, e->nid);
}

/* Packs one listing line's fields. */
static void
pack_entry(struct control_env *env, msgpack_packer *pk, const struct catalog_entry *e)
{
	const char *name = catalog_node_name(&env->node->cat, e->nid);

	msgpack_pack_map(pk, 9);
	ctl_pack_kv(pk, "id", e->id);
	ctl_pack_kv(pk, "kind", record_kind_name(e->kind));
	reply_did(pk, "node", e->nid);
	ctl_pack_kv(pk, "node_name", name != NULL ? name : "");
	ctl_pack_kv(pk, "project", e->project);
	ctl_pack_kv(pk, "title", e->title);
	ctl_pack_kv(pk, "created", e->created);
	ctl_pack_kv(pk, "modified", e->modified);
	ctl_pack_kv(pk, "path", e->path);
}

/* list: records held, newest first, filtered by node, project and kind. */
void
op_list(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const struct catalog_entry **sel, *e;
	struct catalog_it it = { 0, NULL };
	size_t	 i, n = 0;

	if (op_list_search(env, req, pk))
		return;
	sel = xcalloc(env->node->cat.n + 1, sizeof *sel);
	while ((e = catalog_next(&env->node->cat, &it)) != NULL)
		if (list_match(env, req, e))
			sel[n++] = e;
	qsort(sel, n, sizeof *sel, entry_cmp);
	reply_ok(pk);
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++)
		pack_entry(env, pk, sel[i]);
	free(sel);
}

/* Counts the commits log will show, so the reply array can be sized first. */
static size_t
log_count(git_repository *repo, const git_oid *head, uint64_t limit)
{
	git_commit	*c = NULL, *p;
	size_t		 n = 0;

	if (git_commit_lookup(&c, repo, head) != 0)
		return 0;
	while (c != NULL && (limit == 0 || n < limit)) {
		n++;
		p = NULL;
		if (git_commit_parentcount(c) > 0)
			git_commit_parent(&p, c, 0);
		git_commit_free(c);
		c = p;
	}
	git_commit_free(c);
	return n;
}

/* Packs the first n commits of a branch, following first parents. */
static void
log_pack(git_repository *repo, msgpack_packer *pk, const git_oid *head,
    size_t n)
{
	git_commit	*c = NULL, *p;
	char		 when[32];
	const char	*summary;

	git_commit_lookup(&c, repo, head);
	while (c != NULL && n-- > 0) {
		time_iso(git_commit_time(c), when);
		summary = git_commit_summary(c);
		msgpack_pack_map(pk, 4);
		ctl_pack_ku(pk, "seq", store_message_seq(git_commit_message(c)));
		reply_oid(pk, "commit", git_commit_id(c));
		ctl_pack_kv(pk, "time", when);
		ctl_pack_kv(pk, "subject", summary != NULL ? summary : "");
		p = NULL;
		if (git_commit_parentcount(c) > 0)
			git_commit_parent(&p, c, 0);
		git_commit_free(c);
		c = p;
	}
	git_commit_free(c);
}

/* log: history of our branch (or a given node's), newest first. */
void
op_log(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*node = ctl_str(req, "node"), *nid = env->node->nid;
	uint64_t	 limit = 0;
	git_oid		 head;
	size_t		 n;
	char		*msg;

	ctl_uint(req, "limit", &limit);
	if (node != NULL && (nid = control_node_resolve(env->node, node)) == NULL) {
		msg = xasprintf("%s: no such node", node);
		reply_fail(pk, CTL_ERROR, msg);
		free(msg);
		return;
	}
	if (store_head(env->node->store, nid, &head, NULL) != 0) {
		reply_fail(pk, CTL_ERROR, "branch unreadable");
		return;
	}
	n = log_count(store_repo(env->node->store), &head, limit);
	reply_ok(pk);
	msgpack_pack_array(pk, n);
	log_pack(store_repo(env->node->store), pk, &head, n);
}

/* One branch to verify, and its verdict. */
struct verify_one {
	char		*nid;
	git_oid		 head;
	uint64_t	 seq, count;
	int		 rv;		/* 0 when good */
	char		*why;
	int		 damaged;	/* objects unreadable: set aside */
	struct store_damage dmg;
	size_t		 npersonal;	/* records holding personal data */
	char		*personal;	/* the first of them, named */
};

/* knowctl verify as a worker job: the walk runs off the event loop. */
struct verify_job {
	struct worker_job	 job;
	struct control_env	*env;
	struct control_client	*cc;
	struct verify_one	*v;
	size_t			 n;
	char			**allow;	/* personal_data_allow, copied */
	size_t			 nallow;
};

/* Packs one branch's verdict. */
static void
verify_pack(struct control_env *env, msgpack_packer *pk, const struct verify_one *o)
{
	const char	*name = catalog_node_name(&env->node->cat, o->nid);

	msgpack_pack_map(pk, 7);
	reply_did(pk, "id", o->nid);
	ctl_pack_kv(pk, "name", name != NULL ? name : "");
	ctl_pack_ku(pk, "seq", o->seq);
	ctl_pack_ku(pk, "commits", o->count);
	ctl_pack_str(pk, "ok");
	o->rv == 0 ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
	ctl_pack_kv(pk, "error", o->why);
	ctl_pack_kv(pk, "personal", o->personal);
}

/* Worker thread: walks every branch in the worker's own repository. */
static void
verify_run(struct worker_job *job, git_repository *repo)
{
	struct verify_job *vj = (struct verify_job *)job;
	struct personal_allow al = { (const char *const *)vj->allow,
			    vj->nallow };
	struct verify_one *o;
	size_t		 i;

	for (i = 0; i < vj->n; i++) {
		o = &vj->v[i];
		if (o->rv == 0)
			o->npersonal = store_personal_scan(repo, &o->head, &al,
			    &o->personal);
		if (o->rv == 0)
			o->rv = verify_range(repo, o->nid, &o->head, NULL,
			    &o->count, &o->why);
		/* A failure of a branch verified when it came: damage here? */
		if (o->rv != 0 && store_branch_check(repo, &o->head,
		    &o->dmg) == 1) {
			o->damaged = 1;
			free(o->why);
			o->why = xasprintf("damaged here: %s; set aside and "
			    "fetched again from peers", o->dmg.what);
		}
	}
}

/* 1 when verify set a damaged branch aside. */
static int
verify_quarantined(const struct verify_job *vj)
{
	size_t	 i;

	for (i = 0; i < vj->n; i++)
		if (vj->v[i].damaged)
			return 1;
	return 0;
}

/* Event loop: packs the verdicts and answers the waiting knowctl. */
static void
verify_done(struct worker_job *job)
{
	struct verify_job *vj = (struct verify_job *)job;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	char		*msg = NULL;
	size_t		 i, bad = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (job->cancelled) {
		reply_fail(&pk, CTL_ERROR, "knowd is stopping");
		goto out;
	}
	for (i = 0; i < vj->n; i++)
		if (vj->v[i].rv != 0) {
			log_warnx("verify: %s: %s", vj->v[i].nid, vj->v[i].why);
			bad++;
		}
	if (bad > 0)
		msg = xasprintf("%zu of %zu branches failed verification", bad,
		    vj->n);
	ctl_reply_begin(&pk, bad > 0 ? CTL_ERROR : CTL_OK, msg);
	msgpack_pack_array(&pk, vj->n);
	for (i = 0; i < vj->n; i++)
		verify_pack(vj->env, &pk, &vj->v[i]);
	for (i = 0; i < vj->n; i++)
		if (vj->v[i].damaged)
			node_quarantine(vj->env->node, vj->v[i].nid,
			    &vj->v[i].dmg);
	if (verify_quarantined(vj))
		node_damage_settle(vj->env->node);
out:
	control_answer(vj->cc, &sb);
	msgpack_sbuffer_destroy(&sb);
	for (i = 0; i < vj->n; i++) {
		free(vj->v[i].nid);
		free(vj->v[i].why);
		free(vj->v[i].personal);
		store_damage_free(&vj->v[i].dmg);
	}
	strv_free(vj->allow, vj->nallow);
	free(vj->v);
	free(msg);
	free(vj);
}

/* verify: checks every commit of every origin branch (on the worker). */
void
op_verify(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct verify_job *vj;
	char		**nids;
	size_t		 n, i;

	if (store_nids(env->node->store, &nids, &n) != 0) {
		reply_fail(pk, CTL_ERROR, store_git_error());
		return;
	}
	vj = xcalloc(1, sizeof *vj);
	vj->job.run = verify_run;
	vj->job.done = verify_done;
	vj->env = env;
	vj->v = xcalloc(n, sizeof *vj->v);
	vj->n = n;
	/* The exceptions copied: a reload may free knowd.conf's meanwhile. */
	for (i = 0; i < env->node->conf.npersonal_allow; i++)
		strv_push(&vj->allow, &vj->nallow,
		    env->node->conf.personal_allow[i]);
	/* Heads are read here, on the loop, the only writer of refs. */
	for (i = 0; i < n; i++) {
		vj->v[i].nid = xstrdup(nids[i]);
		if (store_head(env->node->store, nids[i], &vj->v[i].head,
		    &vj->v[i].seq) != 0)
			vj->v[i].rv = set_cause(&vj->v[i].why,
			    "branch unreadable");
	}
	store_nids_free(nids, n);
	vj->cc = control_defer(cc);
	worker_submit(env->slow, &vj->job);
}
