/*
 * catalog.c — the in-memory record index, updated from git tree diffs.
 * Every lookup is by hash: an entry by node and path (what a diff names),
 * by id (show, publish, retract), and the records of one node (its name,
 * its counts, dropping it), so no lookup walks every record.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/*
 * A node with up to CATALOG_NODE_SCAN records finds one by path in its
 * list; a map per node (1 KiB for a dozen records) was 12 MiB of a mirror
 * of 11,000 nodes. Past it the node gets its map.
 */
#define CATALOG_NODE_SCAN	32

/* One node's records: by path, its node.md, counts by kind, the list of them all. */
struct catalog_node {
	char			 nid[KEYS_NID_MAX];
	struct hmap		*by_path;	/* path → entry; NULL for a small node */
	const struct catalog_entry *node;	/* its node.md, or NULL */
	size_t			 n;		/* entries */
	size_t			 count[RECORD_KINDS];
	TAILQ_HEAD(, catalog_entry) entries;
};

/* What one branch's move changes in the catalog, made off the loop (catalog_prepare). */
struct catalog_change {
	struct catalog_entry	**add;		/* new entries, not yet indexed */
	size_t			  nadd;
	char			**gone;		/* paths removed */
	size_t			  ngone;
};

/* A diff being mirrored: into the catalog, or into a change (cat NULL). */
struct apply_ctx {
	struct catalog		*cat;
	git_repository		*repo;
	const char		*nid;
	struct catalog_change	*chg;
};

/*
 * The event loop is the only writer of a catalog; the by-id map is also
 * read by workers verifying a pack (catalog_id_holder), so every change
 * of it, and those reads, hold this lock. The loop's own reads need none.
 */
static pthread_mutex_t catalog_id_lock = PTHREAD_MUTEX_INITIALIZER;

void
catalog_init(struct catalog *cat)
{
	unsigned int	 gen = cat->vouch_gen;

	pthread_mutex_lock(&catalog_id_lock);
	memset(cat, 0, sizeof *cat);
	cat->vouch_gen = gen;
	cat->by_id = hmap_new();
	pthread_mutex_unlock(&catalog_id_lock);
	cat->nodes = hmap_new();
	TAILQ_INIT(&cat->vouches);
	cat->ready = 1;
}

/* nid's record list, made when absent. */
static struct catalog_node *
node_get(struct catalog *cat, const char *nid)
{
	struct catalog_node *cn = hmap_gets(cat->nodes, nid);

	if (cn == NULL) {
		cn = xcalloc(1, sizeof *cn);
		snprintf(cn->nid, sizeof cn->nid, "%s", nid);
		TAILQ_INIT(&cn->entries);
		hmap_put(cat->nodes, cn->nid, strlen(cn->nid), cn);
	}
	return cn;
}

/* The entry of cn at path, or NULL. */
static struct catalog_entry *
path_find(const struct catalog_node *cn, const char *path)
{
	struct catalog_entry *e;

	if (cn->by_path != NULL)
		return hmap_gets(cn->by_path, path);
	TAILQ_FOREACH(e, &cn->entries, of_node)
		if (strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

/* Links e (new) into cn's list and, for a large node, its map. */
static void
path_add(struct catalog_node *cn, struct catalog_entry *e)
{
	struct catalog_entry *x;

	TAILQ_INSERT_TAIL(&cn->entries, e, of_node);
	if (++cn->n > CATALOG_NODE_SCAN && cn->by_path == NULL) {
		cn->by_path = hmap_new();
		TAILQ_FOREACH(x, &cn->entries, of_node)
			hmap_put(cn->by_path, x->path, strlen(x->path), x);
	} else if (cn->by_path != NULL)
		hmap_put(cn->by_path, e->path, strlen(e->path), e);
}

/* Unlinks e from cn's list and map. */
static void
path_del(struct catalog_node *cn, struct catalog_entry *e)
{
	if (cn->by_path != NULL)
		hmap_del(cn->by_path, e->path, strlen(e->path));
	TAILQ_REMOVE(&cn->entries, e, of_node);
	cn->n--;
}

/* Unlinks e from the chain of entries with its id. */
static void
id_unlink(struct catalog *cat, struct catalog_entry *e)
{
	struct catalog_entry **pp, *first;

	pthread_mutex_lock(&catalog_id_lock);
	first = hmap_gets(cat->by_id, e->id);
	if (first == e) {
		if (e->same_id != NULL)
			hmap_put(cat->by_id, e->same_id->id,
			    strlen(e->same_id->id), e->same_id);
		else
			hmap_del(cat->by_id, e->id, strlen(e->id));
	} else {
		for (pp = first != NULL ? &first->same_id : NULL; pp != NULL &&
		    *pp != NULL && *pp != e; pp = &(*pp)->same_id)
			;
		if (pp != NULL && *pp == e)
			*pp = e->same_id;
	}
	pthread_mutex_unlock(&catalog_id_lock);
}

/* Links e into the chain of entries with its id. */
static void
id_link(struct catalog *cat, struct catalog_entry *e)
{
	struct catalog_entry *first;

	pthread_mutex_lock(&catalog_id_lock);
	if ((first = hmap_gets(cat->by_id, e->id)) != NULL) {
		e->same_id = first->same_id;
		first->same_id = e;
	} else
		hmap_put(cat->by_id, e->id, strlen(e->id), e);
	pthread_mutex_unlock(&catalog_id_lock);
}

int
catalog_id_holder(const struct catalog *cat, const char *id, const char *nid,
    char holder[KEYS_NID_MAX])
{
	const struct catalog_entry *e;
	int		 found = 0;

	pthread_mutex_lock(&catalog_id_lock);
	for (e = cat->by_id != NULL ? hmap_gets(cat->by_id, id) : NULL;
	    e != NULL && !found; e = e->same_id)
		if ((e->kind == RECORD_LESSON || e->kind == RECORD_PROJECT) &&
		    strcmp(e->nid, nid) != 0) {
			snprintf(holder, KEYS_NID_MAX, "%s", e->nid);
			found = 1;
		}
	pthread_mutex_unlock(&catalog_id_lock);
	return found;
}

/* Takes e out of every index and frees it (its node too when it was the last). */
static void
entry_remove(struct catalog *cat, struct catalog_entry *e)
{
	struct catalog_node *cn = e->node;

	path_del(cn, e);
	id_unlink(cat, e);
	if (e->kind == RECORD_VOUCH) {
		TAILQ_REMOVE(&cat->vouches, e, of_vouches);
		cat->vouch_gen++;
	}
	cn->count[e->kind]--;
	cat->total[e->kind]--;
	if (cn->node == e)
		cn->node = NULL;
	if (TAILQ_EMPTY(&cn->entries)) {
		hmap_del(cat->nodes, cn->nid, strlen(cn->nid));
		hmap_free(cn->by_path);
		free(cn);
	}
	cat->n--;
	free(e);
}

/* Puts e into every index (replacing what was at its path). */
static void
entry_insert(struct catalog *cat, struct catalog_entry *e, const char *nid)
{
	struct catalog_entry *old;
	struct catalog_node *cn;

	if (!cat->ready)
		catalog_init(cat);	/* a zeroed catalog is an empty one */
	if ((cn = hmap_gets(cat->nodes, nid)) != NULL &&
	    (old = path_find(cn, e->path)) != NULL)
		entry_remove(cat, old);
	cn = node_get(cat, nid);
	e->node = cn;
	e->nid = cn->nid;
	path_add(cn, e);
	id_link(cat, e);
	if (e->kind == RECORD_VOUCH) {
		TAILQ_INSERT_TAIL(&cat->vouches, e, of_vouches);
		cat->vouch_gen++;
	}
	if (e->kind == RECORD_NODE)
		cn->node = e;
	cn->count[e->kind]++;
	cat->total[e->kind]++;
	cat->n++;
}

/* Removes nid's entry at path, if any. */
static void
remove_path(struct catalog *cat, const char *nid, const char *path)
{
	struct catalog_node *cn = hmap_gets(cat->nodes, nid);
	struct catalog_entry *e;

	if (cn != NULL && (e = path_find(cn, path)) != NULL)
		entry_remove(cat, e);
}

/* Copies s (NULL: "") into the entry's text at *at; returns where it went. */
static const char *
entry_str(struct catalog_entry *e, size_t *at, const char *s)
{
	size_t	 n = s != NULL ? strlen(s) : 0;
	char	*p = e->text + *at;

	memcpy(p, s != NULL ? s : "", n);
	p[n] = '\0';
	*at += n + 1;
	return p;
}

/* A new entry, in no index yet. */
static struct catalog_entry *
entry_new(const char *path, enum record_kind kind, const char *id,
    const char *title, const char *project, const char *created,
    const char *modified, const git_oid *blob)
{
	struct catalog_entry *e;
	size_t		 n, at = 0;

	n = strlen(id) + strlen(path) + strlen(title) + (project != NULL ?
	    strlen(project) : 0) + strlen(created) + strlen(modified) + 6;
	e = xcalloc(1, sizeof *e + n);
	e->id = entry_str(e, &at, id);
	e->path = entry_str(e, &at, path);
	e->title = entry_str(e, &at, title);
	e->project = project != NULL && *project != '\0' ?
	    entry_str(e, &at, project) : NULL;
	e->created = entry_str(e, &at, created);
	e->modified = entry_str(e, &at, modified);
	e->kind = kind;
	git_oid_cpy(&e->blob, blob);
	return e;
}

/* A copy of e (not in any index), allocated by the calling thread. */
static struct catalog_entry *
entry_copy(const struct catalog_entry *e)
{
	return entry_new(e->path, e->kind, e->id, e->title, e->project,
	    e->created, e->modified, &e->blob);
}

void
catalog_add(struct catalog *cat, const char *nid, const char *path,
    enum record_kind kind, const char *id, const char *title,
    const char *project, const char *created, const char *modified,
    const git_oid *blob)
{
	entry_insert(cat, entry_new(path, kind, id, title, project, created,
	    modified, blob), nid);
}

/* Reads and parses the record blob at path and stores its entry. */
static void
add_path(struct apply_ctx *ac, const char *path, const git_oid *blobid)
{
	struct catalog_entry	*e;
	git_blob		*b;
	const struct record	*known = verify_memo_get(blobid);
	struct record		*r = NULL;
	char			*why = NULL;

	if (known == NULL && git_blob_lookup(&b, ac->repo, blobid) != 0)
		return;
	if (known == NULL && record_parse(git_blob_rawcontent(b),
	    (size_t)git_blob_rawsize(b), RECORD_STRICT, &r, &why) != 0) {
		log_warnx("%s: %s: unreadable record: %s", ac->nid, path, why);
		free(why);
		git_blob_free(b);
		return;
	}
	if (known == NULL) {
		git_blob_free(b);
		known = r;
	}
	e = entry_new(path, known->kind, known->id, known->title != NULL ?
	    known->title : known->name != NULL ? known->name : "",
	    known->project, known->created, known->modified, blobid);
	record_free(r);
	if (ac->chg == NULL) {
		entry_insert(ac->cat, e, ac->nid);
		return;
	}
	ac->chg->add = xreallocarray(ac->chg->add, ac->chg->nadd + 1,
	    sizeof *ac->chg->add);
	ac->chg->add[ac->chg->nadd++] = e;
}

/* git_diff_foreach file callback: mirrors one changed file into the catalog. */
static int
apply_delta_cb(const git_diff_delta *d, float progress, void *arg)
{
	struct apply_ctx *ac = arg;

	if (d->status == GIT_DELTA_DELETED && ac->chg != NULL)
		strv_push(&ac->chg->gone, &ac->chg->ngone, d->old_file.path);
	else if (d->status == GIT_DELTA_DELETED)
		remove_path(ac->cat, ac->nid, d->old_file.path);
	if (d->status == GIT_DELTA_DELETED)
		return 0;
	if (record_path_allowed(d->new_file.path) &&
	    !record_path_erasure(d->new_file.path) &&
	    d->new_file.mode == GIT_FILEMODE_BLOB)
		add_path(ac, d->new_file.path, &d->new_file.id);
	return 0;
}

/* Mirrors the diff of two trees of nid's branch through ac. */
static int
apply_diff(struct apply_ctx *ac, const git_oid *oldtree,
    const git_oid *newtree, char **cause)
{
	git_tree	*old = NULL, *new = NULL;
	git_diff	*diff = NULL;
	int		 rv = -1;

	if ((oldtree != NULL && git_tree_lookup(&old, ac->repo, oldtree) != 0) ||
	    git_tree_lookup(&new, ac->repo, newtree) != 0 ||
	    git_diff_tree_to_tree(&diff, ac->repo, old, new, NULL) != 0 ||
	    git_diff_foreach(diff, apply_delta_cb, NULL, NULL, NULL, ac) != 0) {
		const git_error *e = git_error_last();

		set_cause(cause, "catalog: %s", e != NULL ? e->message : "?");
		goto out;
	}
	rv = 0;
out:
	git_diff_free(diff);
	git_tree_free(old);
	git_tree_free(new);
	return rv;
}

int
catalog_apply(struct catalog *cat, git_repository *repo, const char *nid,
    const git_oid *oldtree, const git_oid *newtree, char **cause)
{
	struct apply_ctx ac = { cat, repo, nid, NULL };

	return apply_diff(&ac, oldtree, newtree, cause);
}

int
catalog_prepare(git_repository *repo, const char *nid, const git_oid *oldtree,
    const git_oid *newtree, struct catalog_change **out, char **cause)
{
	struct apply_ctx ac = { NULL, repo, nid, xcalloc(1, sizeof *ac.chg) };

	if (apply_diff(&ac, oldtree, newtree, cause) != 0) {
		catalog_change_free(ac.chg);
		return -1;
	}
	*out = ac.chg;
	return 0;
}

void
catalog_commit(struct catalog *cat, const char *nid, struct catalog_change *chg)
{
	size_t	 i;

	for (i = 0; i < chg->ngone; i++)
		remove_path(cat, nid, chg->gone[i]);
	/*
	 * Copied on the event loop's thread: made on a worker, the entries
	 * that live on sat between its short-lived blocks (with big blocks
	 * mapped apart, a mirror of 11,000 nodes in sync fell from 107 to 84
	 * MiB of heap; 78 MiB after a restart).
	 */
	for (i = 0; i < chg->nadd; i++) {
		entry_insert(cat, entry_copy(chg->add[i]), nid);
		free(chg->add[i]);
	}
	chg->nadd = 0;
}

void
catalog_change_free(struct catalog_change *chg)
{
	size_t	 i;

	if (chg == NULL)
		return;
	for (i = 0; i < chg->nadd; i++)
		free(chg->add[i]);
	free(chg->add);
	strv_free(chg->gone, chg->ngone);
	free(chg);
}

const struct catalog_entry *
catalog_find(const struct catalog *cat, const char *id, const char *nid,
    const char *prefer_nid)
{
	const struct catalog_entry *e, *found = NULL;

	for (e = hmap_gets(cat->by_id, id); e != NULL; e = e->same_id) {
		if (e->kind == RECORD_NODE)
			continue;
		if (nid != NULL && strcmp(e->nid, nid) != 0)
			continue;
		if (prefer_nid != NULL && strcmp(e->nid, prefer_nid) == 0)
			return e;
		if (found == NULL)
			found = e;
	}
	return found;
}

const struct catalog_entry *
catalog_at(const struct catalog *cat, const char *nid, const char *path)
{
	const struct catalog_node *cn = hmap_gets(cat->nodes, nid);

	return cn != NULL ? path_find(cn, path) : NULL;
}

const char *
catalog_node_name(const struct catalog *cat, const char *nid)
{
	const struct catalog_node *cn = hmap_gets(cat->nodes, nid);

	return cn != NULL && cn->node != NULL ? cn->node->title : NULL;
}

size_t
catalog_count(const struct catalog *cat, const char *nid, enum record_kind k)
{
	const struct catalog_node *cn = hmap_gets(cat->nodes, nid);

	return cn != NULL ? cn->count[k] : 0;
}

size_t
catalog_total(const struct catalog *cat, enum record_kind k)
{
	return cat->total[k];
}

const struct catalog_entry *
catalog_next(const struct catalog *cat, struct catalog_it *it)
{
	const struct catalog_node *cn;

	if (it->e != NULL && (it->e = TAILQ_NEXT(it->e, of_node)) != NULL)
		return it->e;
	while ((cn = hmap_next(cat->nodes, &it->node)) != NULL)
		if ((it->e = TAILQ_FIRST(&cn->entries)) != NULL)
			return it->e;
	return NULL;
}

const struct catalog_entry *
catalog_next_of(const struct catalog *cat, const char *nid,
    const struct catalog_entry *prev)
{
	const struct catalog_node *cn;

	if (prev != NULL)
		return TAILQ_NEXT(prev, of_node);
	if (cat->nodes == NULL || (cn = hmap_gets(cat->nodes, nid)) == NULL)
		return NULL;
	return TAILQ_FIRST(&cn->entries);
}

const struct catalog_entry *
catalog_next_vouch(const struct catalog *cat, const struct catalog_entry *prev)
{
	if (!cat->ready)
		return NULL;
	return prev != NULL ? TAILQ_NEXT(prev, of_vouches) :
	    TAILQ_FIRST(&cat->vouches);
}

const struct catalog_entry *
catalog_next_node(const struct catalog *cat, size_t *it)
{
	const struct catalog_node *cn;

	while ((cn = hmap_next(cat->nodes, it)) != NULL)
		if (cn->node != NULL)
			return cn->node;
	return NULL;
}

void
catalog_drop(struct catalog *cat, const char *nid)
{
	struct catalog_node *cn;

	/* A node's list is freed with its last entry. */
	while ((cn = hmap_gets(cat->nodes, nid)) != NULL)
		entry_remove(cat, TAILQ_FIRST(&cn->entries));
}

void
catalog_clear(struct catalog *cat)
{
	struct catalog_node *cn;
	struct catalog_entry *e;
	size_t		 it = 0;

	pthread_mutex_lock(&catalog_id_lock);
	while ((cn = hmap_next(cat->nodes, &it)) != NULL) {
		while ((e = TAILQ_FIRST(&cn->entries)) != NULL) {
			TAILQ_REMOVE(&cn->entries, e, of_node);
			free(e);
		}
		hmap_free(cn->by_path);
		free(cn);
	}
	hmap_free(cat->by_id);
	hmap_free(cat->nodes);
	memset(cat, 0, sizeof *cat);
	pthread_mutex_unlock(&catalog_id_lock);
}
