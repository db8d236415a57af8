/*
 * catalog.c — the in-memory record index, updated from git tree diffs.
 * Every lookup is by hash: an entry by node and path (what a diff names),
 * by id (show, publish, retract), and the records of one node (its name,
 * its counts, dropping it), so no lookup walks every record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "util.h"

/* One node's records: its node.md, counts by kind, and the list of them all. */
struct catalog_node {
	char			 nid[KEYS_NID_MAX];
	const struct catalog_entry *node;	/* its node.md, or NULL */
	size_t			 count[RECORD_VOUCH + 1];
	TAILQ_HEAD(, catalog_entry) entries;
};

struct apply_ctx {
	struct catalog	*cat;
	git_repository	*repo;
	const char	*nid;
};

void
catalog_init(struct catalog *cat)
{
	unsigned int	 gen = cat->vouch_gen;

	memset(cat, 0, sizeof *cat);
	cat->vouch_gen = gen;
	cat->by_path = hmap_new();
	cat->by_id = hmap_new();
	cat->nodes = hmap_new();
	cat->vouches = hmap_new();
}

/* Frees one entry and its strings. */
static void
entry_free(struct catalog_entry *e)
{
	free(e->id);
	free(e->path);
	free(e->title);
	free(e->project);
	free(e->created);
	free(e->modified);
	free(e->key);
	free(e);
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

/* Takes e out of every index and frees it. */
static void
entry_remove(struct catalog *cat, struct catalog_entry *e)
{
	struct catalog_node *cn = e->node;
	struct catalog_entry **pp, *first;

	hmap_del(cat->by_path, e->key, strlen(e->key));
	first = hmap_gets(cat->by_id, e->id);
	if (first == e) {
		if (e->same_id != NULL)
			hmap_put(cat->by_id, e->same_id->id,
			    strlen(e->same_id->id), e->same_id);
		else
			hmap_del(cat->by_id, e->id, strlen(e->id));
	} else if (first != NULL) {
		for (pp = &first->same_id; *pp != NULL && *pp != e;
		    pp = &(*pp)->same_id)
			;
		if (*pp == e)
			*pp = e->same_id;
	}
	if (e->kind == RECORD_VOUCH) {
		hmap_del(cat->vouches, e->key, strlen(e->key));
		cat->vouch_gen++;
	}
	TAILQ_REMOVE(&cn->entries, e, of_node);
	cn->count[e->kind]--;
	cat->total[e->kind]--;
	if (cn->node == e)
		cn->node = NULL;
	if (TAILQ_EMPTY(&cn->entries)) {
		hmap_del(cat->nodes, cn->nid, strlen(cn->nid));
		free(cn);
	}
	cat->n--;
	entry_free(e);
}

/* Puts e into every index (replacing what was at its path). */
static void
entry_insert(struct catalog *cat, struct catalog_entry *e)
{
	struct catalog_entry *old, *first;
	struct catalog_node *cn;

	if (cat->by_path == NULL)
		catalog_init(cat);	/* a zeroed catalog is an empty one */
	if ((old = hmap_gets(cat->by_path, e->key)) != NULL)
		entry_remove(cat, old);
	cn = node_get(cat, e->nid);
	e->node = cn;
	hmap_put(cat->by_path, e->key, strlen(e->key), e);
	if ((first = hmap_gets(cat->by_id, e->id)) != NULL) {
		e->same_id = first->same_id;
		first->same_id = e;
	} else
		hmap_put(cat->by_id, e->id, strlen(e->id), e);
	if (e->kind == RECORD_VOUCH) {
		hmap_put(cat->vouches, e->key, strlen(e->key), e);
		cat->vouch_gen++;
	}
	if (e->kind == RECORD_NODE)
		cn->node = e;
	TAILQ_INSERT_TAIL(&cn->entries, e, of_node);
	cn->count[e->kind]++;
	cat->total[e->kind]++;
	cat->n++;
}

/* Removes nid's entry at path, if any. */
static void
remove_path(struct catalog *cat, const char *nid, const char *path)
{
	struct catalog_entry *e;
	char		*key = xasprintf("%s/%s", nid, path);

	if ((e = hmap_gets(cat->by_path, key)) != NULL)
		entry_remove(cat, e);
	free(key);
}

void
catalog_add(struct catalog *cat, const char *nid, const char *path,
    enum record_kind kind, const char *id, const char *title,
    const char *project, const char *created, const char *modified,
    const git_oid *blob)
{
	struct catalog_entry *e = xcalloc(1, sizeof *e);

	e->id = xstrdup(id);
	snprintf(e->nid, sizeof e->nid, "%s", nid);
	e->path = xstrdup(path);
	e->key = xasprintf("%s/%s", nid, path);
	e->kind = kind;
	e->title = xstrdup(title);
	e->project = project != NULL && *project != '\0' ? xstrdup(project) :
	    NULL;
	e->created = xstrdup(created);
	e->modified = xstrdup(modified);
	git_oid_cpy(&e->blob, blob);
	entry_insert(cat, e);
}

/* Reads and parses the record blob at path and stores its entry. */
static void
add_path(struct apply_ctx *ac, const char *path, const git_oid *blobid)
{
	git_blob		*b;
	struct record		*r = NULL;
	char			*why = NULL;

	if (git_blob_lookup(&b, ac->repo, blobid) != 0)
		return;
	if (record_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	    RECORD_STRICT, &r, &why) != 0) {
		log_warnx("%s: %s: unreadable record: %s", ac->nid, path, why);
		free(why);
		git_blob_free(b);
		return;
	}
	git_blob_free(b);
	catalog_add(ac->cat, ac->nid, path, r->kind, r->id, r->title != NULL ?
	    r->title : r->name != NULL ? r->name : "", r->project, r->created,
	    r->modified, blobid);
	record_free(r);
}

/* git_diff_foreach file callback: mirrors one changed file into the catalog. */
static int
apply_delta_cb(const git_diff_delta *d, float progress, void *arg)
{
	struct apply_ctx *ac = arg;

	if (d->status == GIT_DELTA_DELETED) {
		remove_path(ac->cat, ac->nid, d->old_file.path);
		return 0;
	}
	if (record_path_allowed(d->new_file.path) &&
	    d->new_file.mode == GIT_FILEMODE_BLOB)
		add_path(ac, d->new_file.path, &d->new_file.id);
	return 0;
}

int
catalog_apply(struct catalog *cat, git_repository *repo, const char *nid,
    const git_oid *oldtree, const git_oid *newtree, char **cause)
{
	struct apply_ctx ac = { cat, repo, nid };
	git_tree	*old = NULL, *new = NULL;
	git_diff	*diff = NULL;
	int		 rv = -1;

	if ((oldtree != NULL && git_tree_lookup(&old, repo, oldtree) != 0) ||
	    git_tree_lookup(&new, repo, newtree) != 0 ||
	    git_diff_tree_to_tree(&diff, repo, old, new, NULL) != 0 ||
	    git_diff_foreach(diff, apply_delta_cb, NULL, NULL, NULL, &ac) != 0) {
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
	const struct catalog_entry *e;
	char		*key = xasprintf("%s/%s", nid, path);

	e = hmap_gets(cat->by_path, key);
	free(key);
	return e;
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
catalog_next(const struct catalog *cat, size_t *it)
{
	return hmap_next(cat->by_path, it);
}

const struct catalog_entry *
catalog_next_vouch(const struct catalog *cat, size_t *it)
{
	return hmap_next(cat->vouches, it);
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
	while ((cn = hmap_next(cat->nodes, &it)) != NULL) {
		while ((e = TAILQ_FIRST(&cn->entries)) != NULL) {
			TAILQ_REMOVE(&cn->entries, e, of_node);
			entry_free(e);
		}
		free(cn);
	}
	hmap_free(cat->by_path);
	hmap_free(cat->by_id);
	hmap_free(cat->nodes);
	hmap_free(cat->vouches);
	memset(cat, 0, sizeof *cat);
}
