/*
 * erase.c — erasure from history on this node (doc/DESIGN.md §3, PROTOCOL.md
 * §3.6). knowctl erase writes a signed erasure notice into our own branch;
 * whenever a branch moves to a tree with new notices (ours, or a peer's
 * verified branch), the blobs they name join the erased set and a worker
 * deletes them from the object store. At start the set is read again from
 * the notices every held branch carries, and the deletion redone where a
 * kill interrupted it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "search.h"
#include "util.h"

#define ERASE_VERSIONS	4096	/* versions of a record looked at */
#define ERASE_WALK	100000	/* commits walked for them */

/* One branch's notices to carry out on the worker. */
struct erase_job {
	struct worker_job	 j;
	struct node		*nd;
	char			 nid[KEYS_NID_MAX];
	git_oid			 head;
	struct store_notices	 sn;		/* what the notices name */
	struct store_erasure	 res;
	struct timespec		 t0;
	char			*cause;
	int			 rv;
	int			 again;		/* a look again: quiet unless it erased */
};

/* The node's erasure state (nd->erase). */
struct node_erase {
	struct worker		*worker;	/* upkeep's, once started */
	struct erase_job	**waiting;	/* jobs queued before it */
	size_t			  nwaiting;
};

/* Worker: deletes the blobs. */
static void
erase_run(struct worker_job *j, git_repository *repo)
{
	struct erase_job *ej = (struct erase_job *)j;

	ej->rv = store_erase(repo, &ej->head, ej->sn.ids, ej->sn.n, &ej->res,
	    &ej->cause);
}

/* Event loop: the loop's handles drop the rewritten packs; logged. */
static void
erase_done(struct worker_job *j)
{
	struct erase_job *ej = (struct erase_job *)j;
	struct timespec	 t1;
	char		*why = NULL;

	if (!j->cancelled) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (ej->rv != 0)
			log_warnx("erasure of %zu blob(s) of %s: %s", ej->sn.n,
			    ej->nid, ej->cause);
		if (ej->res.refused > 0 && !ej->again)
			log_warnx("notices of %s name %zu blob(s) its branch "
			    "does not hold: those are kept", ej->nid,
			    ej->res.refused);
		if (ej->rv == 0 && ej->res.present > 0)
			log_info("erased %zu blob(s) of %s named by its "
			    "notices (%zu loose, %zu pack(s) rewritten) in "
			    "%lld ms", ej->res.present, ej->nid, ej->res.loose,
			    ej->res.packs, (long long)((t1.tv_sec -
			    ej->t0.tv_sec) * 1000 + (t1.tv_nsec -
			    ej->t0.tv_nsec) / 1000000));
		if ((ej->res.present > 0 || !ej->again) &&
		    store_reopen_objects(ej->nd->store, &why) != 0) {
			log_warnx("%s", why);
			free(why);
			why = NULL;
		}
		/* What the index held of superseded versions goes too. */
		if (ej->rv == 0 && ej->res.present > 0 &&
		    ej->nd->search != NULL &&
		    search_forget(ej->nd->search, ej->nid, ej->sn.records,
		    ej->sn.nrecords, &why) != 0) {
			log_warnx("search index: %s", why);
			free(why);
		}
	}
	free(ej->cause);
	store_notices_free(&ej->sn);
	free(ej);
}

/* Queues the erasure of what nid's notices at head name; takes sn. */
static void
erase_submit(struct node *nd, const char *nid, const git_oid *head,
    struct store_notices *sn, int again)
{
	struct erase_job *ej = xcalloc(1, sizeof *ej);
	char		 *why = NULL;

	ej->j.run = erase_run;
	ej->j.done = erase_done;
	ej->nd = nd;
	ej->again = again;
	snprintf(ej->nid, sizeof ej->nid, "%s", nid);
	git_oid_cpy(&ej->head, head);
	ej->sn = *sn;
	memset(sn, 0, sizeof *sn);
	clock_gettime(CLOCK_MONOTONIC, &ej->t0);
	if (store_erased_add(ej->sn.ids, ej->sn.n) > 0 &&
	    store_erased_save(store_repo(nd->store), &why) != 0) {
		log_warnx("%s", why);
		free(why);
	}
	if (nd->erase->worker != NULL) {
		worker_submit(nd->erase->worker, &ej->j);
		return;
	}
	nd->erase->waiting = xreallocarray(nd->erase->waiting,
	    nd->erase->nwaiting + 1, sizeof *nd->erase->waiting);
	nd->erase->waiting[nd->erase->nwaiting++] = ej;
}

/* The id of the erasures/ directory in tree, zero when it has none. */
static void
notices_dir(struct node *nd, const git_oid *tree, git_oid *out)
{
	git_tree	*t;
	git_tree_entry	*te;

	memset(out, 0, sizeof *out);
	if (git_tree_lookup(&t, store_repo(nd->store), tree) != 0)
		return;
	if (git_tree_entry_bypath(&te, t, "erasures") == 0) {
		git_oid_cpy(out, git_tree_entry_id(te));
		git_tree_entry_free(te);
	}
	git_tree_free(t);
}

/* Reads nid's notices at head (tree) and queues their erasure. */
static void
erase_branch(struct node *nd, const char *nid, const git_oid *head,
    const git_oid *tree, int again)
{
	struct store_notices sn;
	char		*why = NULL;

	if (store_notices_read(store_repo(nd->store), tree, &sn, &why) != 0) {
		log_warnx("erasure notices of %s: %s", nid, why);
		free(why);
		return;
	}
	if (sn.n > 0)
		erase_submit(nd, nid, head, &sn, again);
	store_notices_free(&sn);
}

/*
 * Listener: a branch whose erasures/ changed has new notices to carry out;
 * one with notices that a peer moved may have brought an erased blob back
 * in its pack (a sender that had not erased it yet), so it is looked at
 * again (the worker deletes only what is there).
 */
static int
erase_moved(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	git_oid		 a, b;
	size_t		 i;
	int		 again;

	for (i = 0; i < n; i++) {
		notices_dir(nd, &m[i].newtree, &b);
		if (git_oid_is_zero(&b))
			continue;
		if (m[i].has_old)
			notices_dir(nd, &m[i].oldtree, &a);
		again = m[i].has_old && git_oid_equal(&a, &b);
		if (again && source == NULL)
			continue;
		erase_branch(nd, m[i].nid, &m[i].new, &m[i].newtree, again);
	}
	return 0;
}

void
node_erase_init(struct node *nd)
{
	const struct store_branch *b;
	git_oid		 dir;
	size_t		 it = 0;

	store_erased_clear();
	nd->erase = xcalloc(1, sizeof *nd->erase);
	while ((b = store_branch_next(nd->store, &it)) != NULL) {
		notices_dir(nd, &b->tree, &dir);
		if (!git_oid_is_zero(&dir))
			erase_branch(nd, b->nid, &b->head, &b->tree, 0);
	}
	node_listen(nd, NODE_MOVED, erase_moved, NULL);
}

void
node_erase_start(struct node *nd, struct worker *worker)
{
	struct node_erase *ne = nd->erase;
	size_t		 i;

	if (ne == NULL)
		return;
	ne->worker = worker;
	for (i = 0; i < ne->nwaiting; i++)
		worker_submit(worker, &ne->waiting[i]->j);
	free(ne->waiting);
	ne->waiting = NULL;
	ne->nwaiting = 0;
}

void
node_erase_stop(struct node *nd)
{
	struct node_erase *ne = nd->erase;
	size_t		 i;

	if (ne == NULL)
		return;
	for (i = 0; i < ne->nwaiting; i++) {
		ne->waiting[i]->j.cancelled = 1;
		erase_done(&ne->waiting[i]->j);
	}
	free(ne->waiting);
	free(ne);
	nd->erase = NULL;
	node_unlisten(nd, erase_moved, NULL);
	store_erased_clear();
}

/*
 * Worker: the blobs knowctl erase names in nid's branch (repo is the
 * thread's): of commit (NULL: every version but live, the current one).
 */
static int
erase_pick(git_repository *repo, const char *nid, const char *path,
    const git_oid *live, const git_oid *commit, git_oid **out, size_t *nout,
    char **cause)
{
	struct store_version *v = NULL;
	size_t		 n, i, k;
	char		*why = NULL;

	*out = NULL;
	*nout = 0;
	if (store_history(repo, nid, path, NULL, ERASE_VERSIONS, ERASE_WALK,
	    &v, &n, &why) != 0) {
		set_cause(cause, "%s", why);
		free(why);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (v[i].removed || store_erased(&v[i].blob) ||
		    (commit != NULL ? !git_oid_equal(&v[i].commit, commit) :
		    (live != NULL && git_oid_equal(&v[i].blob, live))))
			continue;
		for (k = 0; k < *nout; k++)
			if (git_oid_equal(&(*out)[k], &v[i].blob))
				break;
		if (k < *nout)
			continue;
		*out = xreallocarray(*out, *nout + 1, sizeof **out);
		git_oid_cpy(&(*out)[(*nout)++], &v[i].blob);
	}
	free(v);
	if (*nout > 0)
		return 0;
	if (commit != NULL)
		return set_cause(cause, "%s: that commit did not change this "
		    "record (or its version is erased already)", path);
	return set_cause(cause, "%s: no earlier version to erase (erase the "
	    "current one with --commit and its commit)", path);
}

/* One notice of up to RECORD_MAX_LIST blobs, canonical. Caller frees *text. */
static int
erase_notice(const char *id, const git_oid *ids, size_t n, char noticeid[27],
    char **text, size_t *len, char **cause)
{
	struct record	 r;
	char		 now[32], **hex;
	size_t		 i;
	int		 rv;

	memset(&r, 0, sizeof r);
	time_iso(time(NULL), now);
	ulid_new(noticeid);
	hex = xcalloc(n, sizeof *hex);
	for (i = 0; i < n; i++)
		hex[i] = xstrdup(git_oid_tostr_s(&ids[i]));
	r.kind = RECORD_ERASURE;
	r.id = noticeid;
	r.erases = (char *)id;
	r.blobs.v = hex;
	r.blobs.n = n;
	r.created = r.modified = now;
	r.body = (char *)"";
	rv = record_validate(&r, RECORD_STRICT, cause) != 0 ? -1 :
	    record_write(&r, text, len);
	strv_free(hex, n);
	return rv;
}

/* One knowctl erase on its way: noted on the loop, picked on a worker. */
struct node_erase_req {
	char		 id[RECORD_ID_LEN + 1];
	char		 nid[KEYS_NID_MAX];
	char		*path;		/* NULL: a retracted lesson, found by pick */
	git_oid		 head;		/* our head when it was asked */
	git_oid		 live;		/* the current version's blob */
	git_oid		 commit;
	int		 has_live, has_commit;
	git_oid		*ids;		/* what pick found */
	size_t		 n;
	char		*cause;		/* why pick found nothing */
};

int
node_erase_begin(struct node *nd, const char *id, const char *commit,
    struct node_erase_req **out, char **cause)
{
	const struct catalog_entry *e;
	struct node_erase_req *q;
	int		 again;

	*out = NULL;
	if (node_may_publish(nd, &again, cause) != 0)
		return -1;
	if (strlen(id) > RECORD_ID_LEN)
		return set_cause(cause, "%s: no such record of this node", id);
	q = xcalloc(1, sizeof *q);
	snprintf(q->id, sizeof q->id, "%s", id);
	snprintf(q->nid, sizeof q->nid, "%s", nd->nid);
	if (commit != NULL && git_oid_fromstrp(&q->commit, commit) != 0) {
		free(q);
		return set_cause(cause, "--commit: %s is not a commit id (40 hex "
		    "digits)", commit);
	}
	q->has_commit = commit != NULL;
	e = catalog_find(&nd->cat, id, nd->nid, NULL);
	if (e != NULL && e->kind != RECORD_LESSON && e->kind != RECORD_PROJECT) {
		free(q);
		return set_cause(cause, "%s: only lessons and projects can be "
		    "erased", id);
	}
	if (e != NULL) {
		q->path = xstrdup(e->path);
		git_oid_cpy(&q->live, &e->blob);
		q->has_live = 1;
	} else if (store_head(nd->store, nd->nid, &q->head, NULL) != 0) {
		free(q);
		return set_cause(cause, "%s: no such record of this node", id);
	}
	*out = q;
	return 0;
}

void
node_erase_pick(struct node_erase_req *q, git_repository *repo)
{
	/* A retracted lesson: where it was, from history. */
	if (q->path == NULL && store_find_lesson(repo, &q->head, q->id,
	    &q->path) != 0) {
		set_cause(&q->cause, "%s: no such record of this node", q->id);
		return;
	}
	(void)erase_pick(repo, q->nid, q->path, q->has_live ? &q->live : NULL,
	    q->has_commit ? &q->commit : NULL, &q->ids, &q->n, &q->cause);
}

void
node_erase_req_free(struct node_erase_req *q)
{
	if (q == NULL)
		return;
	free(q->path);
	free(q->ids);
	free(q->cause);
	free(q);
}

/* Frees the first k changes' paths and texts but keep's (the retraction). */
static void
erase_changes_free(struct store_change *ch, size_t k, const char *keep)
{
	size_t	 i;

	for (i = 0; i < k; i++)
		if (ch[i].path != keep) {
			free((char *)ch[i].path);
			free((char *)ch[i].data);
		}
	free(ch);
}

/* The notices for ids (RECORD_MAX_LIST blobs each) as changes; *k of them. */
static struct store_change *
erase_changes(const char *id, const git_oid *ids, size_t n, size_t *k,
    char **cause)
{
	struct store_change *ch;
	size_t		 i, len, step = RECORD_MAX_LIST;
	char		 nid[27];

	ch = xcalloc((n + step - 1) / step + 1, sizeof *ch);
	for (i = 0, *k = 0; i < n; i += step, (*k)++) {
		if (erase_notice(id, ids + i, n - i < step ? n - i : step, nid,
		    (char **)&ch[*k].data, &len, cause) != 0) {
			erase_changes_free(ch, *k, NULL);
			return NULL;
		}
		ch[*k].len = len;
		ch[*k].path = xasprintf("erasures/%s.md", nid);
	}
	return ch;
}

int
node_erase_finish(struct node *nd, struct node_erase_req *q,
    struct node_result *res, size_t *nblobs, char **cause)
{
	const struct catalog_entry *e;
	struct store_change	*ch;
	char			*subject;
	size_t			 i, k;
	int			 rv, retract = 0;

	memset(res, 0, sizeof *res);
	*nblobs = 0;
	if (q->cause != NULL)
		return set_cause(cause, "%s", q->cause);
	if (node_may_publish(nd, &res->again, cause) != 0)
		return -1;
	/* The current version erased: the record is retracted in the same commit. */
	e = catalog_find(&nd->cat, q->id, nd->nid, NULL);
	for (i = 0; e != NULL && i < q->n; i++)
		retract |= git_oid_equal(&q->ids[i], &e->blob);
	if ((ch = erase_changes(q->id, q->ids, q->n, &k, cause)) == NULL)
		return -1;
	if (retract)
		ch[k++] = (struct store_change){ q->path, NULL, 0 };
	snprintf(res->id, sizeof res->id, "%s", q->id);
	res->path = xstrdup(q->path);
	subject = xasprintf("erase %zu version(s) of %s%s", q->n, q->id,
	    retract ? " and retract it" : "");
	rv = node_commit(nd, ch, k, subject, res, cause);
	free(subject);
	if (rv == 0) {
		*nblobs = q->n;
		log_info("erasure notice for %s: %zu blob(s) (seq %llu)", q->id,
		    q->n, (unsigned long long)res->seq);
	}
	erase_changes_free(ch, k, q->path);
	return rv;
}
