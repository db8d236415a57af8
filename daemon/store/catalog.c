/* catalog.c — the in-memory record index, updated from git tree diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "log.h"
#include "util.h"

struct apply_ctx {
	struct catalog	*cat;
	git_repository	*repo;
	const char	*nid;
};

/* Frees one entry's strings. */
static void
entry_free(struct catalog_entry *e)
{
	free(e->id);
	free(e->path);
	free(e->title);
	free(e->project);
	free(e->created);
	free(e->modified);
}

/* Index of nid's entry at path, or -1. */
static ssize_t
find_path(const struct catalog *cat, const char *nid, const char *path)
{
	size_t	 i;

	for (i = 0; i < cat->n; i++)
		if (strcmp(cat->v[i].path, path) == 0 &&
		    strcmp(cat->v[i].nid, nid) == 0)
			return (ssize_t)i;
	return -1;
}

/* Removes nid's entry at path, if any (order is not kept). */
static void
remove_path(struct catalog *cat, const char *nid, const char *path)
{
	ssize_t	 i = find_path(cat, nid, path);

	if (i == -1)
		return;
	if (cat->v[i].kind == RECORD_VOUCH)
		cat->vouch_gen++;
	entry_free(&cat->v[i]);
	cat->v[i] = cat->v[--cat->n];
}

/* Reads and parses the record blob at path and stores its entry. */
static void
add_path(struct apply_ctx *ac, const char *path, const git_oid *blobid)
{
	struct catalog_entry	 e;
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
	memset(&e, 0, sizeof e);
	e.id = xstrdup(r->id);
	snprintf(e.nid, sizeof e.nid, "%s", ac->nid);
	e.path = xstrdup(path);
	e.kind = r->kind;
	e.title = xstrdup(r->title != NULL ? r->title :
	    r->name != NULL ? r->name : "");
	e.project = r->project != NULL ? xstrdup(r->project) : NULL;
	e.created = xstrdup(r->created);
	e.modified = xstrdup(r->modified);
	git_oid_cpy(&e.blob, blobid);
	record_free(r);
	remove_path(ac->cat, ac->nid, path);
	if (e.kind == RECORD_VOUCH)
		ac->cat->vouch_gen++;
	ac->cat->v = xreallocarray(ac->cat->v, ac->cat->n + 1, sizeof e);
	ac->cat->v[ac->cat->n++] = e;
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
	const struct catalog_entry *found = NULL;
	size_t	 i;

	for (i = 0; i < cat->n; i++) {
		if (strcmp(cat->v[i].id, id) != 0 ||
		    cat->v[i].kind == RECORD_NODE)
			continue;
		if (nid != NULL && strcmp(cat->v[i].nid, nid) != 0)
			continue;
		if (prefer_nid != NULL && strcmp(cat->v[i].nid, prefer_nid) == 0)
			return &cat->v[i];
		if (found == NULL)
			found = &cat->v[i];
	}
	return found;
}

const char *
catalog_node_name(const struct catalog *cat, const char *nid)
{
	size_t	 i;

	for (i = 0; i < cat->n; i++)
		if (cat->v[i].kind == RECORD_NODE &&
		    strcmp(cat->v[i].nid, nid) == 0)
			return cat->v[i].title;
	return NULL;
}

size_t
catalog_count(const struct catalog *cat, const char *nid, enum record_kind k)
{
	size_t	 i, n = 0;

	for (i = 0; i < cat->n; i++)
		if (cat->v[i].kind == k && strcmp(cat->v[i].nid, nid) == 0)
			n++;
	return n;
}

void
catalog_drop(struct catalog *cat, const char *nid)
{
	size_t	 i = 0;

	while (i < cat->n) {
		if (strcmp(cat->v[i].nid, nid) == 0) {
			if (cat->v[i].kind == RECORD_VOUCH)
				cat->vouch_gen++;
			entry_free(&cat->v[i]);
			cat->v[i] = cat->v[--cat->n];
		} else
			i++;
	}
}

void
catalog_clear(struct catalog *cat)
{
	size_t	 i;

	for (i = 0; i < cat->n; i++)
		entry_free(&cat->v[i]);
	free(cat->v);
	cat->v = NULL;
	cat->n = 0;
}
