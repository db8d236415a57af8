/*
 * erase.c — erasure from history (doc/DESIGN.md §3, PROTOCOL.md §3.6): the
 * blobs an owner's signed erasure notices (erasures/<id>.md in its origin
 * branch) name are deleted from the object store, never served, and
 * allowed to be missing in packs and histories. Commits and trees stay,
 * so every signature still verifies. The set of erased blobs is derived
 * from the notices the branches hold; repo.git/knowd-erased lists it for
 * operators. Stock git accepts the missing blobs as a partial clone does:
 * the trees that name them lie in packs marked .promisor and
 * remote.knowd.promisor is true.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>

#include "record.h"
#include "store_int.h"
#include "util.h"

#define ERASE_MAX_DEPTH		16	/* tree nesting followed */
#define ERASE_MAX_NOTICES	4096	/* notices read from one branch */

/* The blobs named by the notices held: shared by the loop and the workers. */
static pthread_mutex_t erased_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hmap *erased;		/* raw oid → git_oid * (its key) */

int
store_erased(const git_oid *id)
{
	int	 rv;

	pthread_mutex_lock(&erased_lock);
	rv = hmap_get(erased, id->id, GIT_OID_RAWSZ) != NULL;
	pthread_mutex_unlock(&erased_lock);
	return rv;
}

size_t
store_erased_count(void)
{
	size_t	 n;

	pthread_mutex_lock(&erased_lock);
	n = hmap_count(erased);
	pthread_mutex_unlock(&erased_lock);
	return n;
}

size_t
store_erased_add(const git_oid *ids, size_t n)
{
	git_oid	*k;
	size_t	 i, added = 0;

	pthread_mutex_lock(&erased_lock);
	if (erased == NULL)
		erased = hmap_new();
	for (i = 0; i < n; i++) {
		if (hmap_get(erased, ids[i].id, GIT_OID_RAWSZ) != NULL)
			continue;
		k = xmalloc(sizeof *k);
		git_oid_cpy(k, &ids[i]);
		hmap_put(erased, k->id, GIT_OID_RAWSZ, k);
		added++;
	}
	pthread_mutex_unlock(&erased_lock);
	return added;
}

void
store_erased_clear(void)
{
	git_oid	*k;
	size_t	 it = 0;

	pthread_mutex_lock(&erased_lock);
	while ((k = hmap_next(erased, &it)) != NULL)
		free(k);
	hmap_free(erased);
	erased = NULL;
	pthread_mutex_unlock(&erased_lock);
}

int
store_erased_save(git_repository *repo, char **cause)
{
	struct buf	 b;
	git_oid		*k;
	char		 hex[GIT_OID_HEXSZ + 1], *path;
	size_t		 it = 0;
	int		 rv;

	buf_init(&b);
	pthread_mutex_lock(&erased_lock);
	while ((k = hmap_next(erased, &it)) != NULL) {
		git_oid_tostr(hex, sizeof hex, k);
		buf_printf(&b, "%s\n", hex);
	}
	pthread_mutex_unlock(&erased_lock);
	path = xasprintf("%sknowd-erased", git_repository_path(repo));
	rv = write_file_atomic(path, b.len > 0 ? (const void *)b.data : "",
	    b.len, 0644, cause);
	free(path);
	buf_free(&b);
	return rv;
}

/* Adds the blob and record ids of one notice to sn; -1: not a valid one. */
static int
notice_read(git_repository *repo, const git_oid *id, const char *name,
    struct store_notices *sn, char **cause)
{
	struct record	*r = NULL;
	git_blob	*b = NULL;
	char		*why = NULL;
	size_t		 i;
	int		 rv = -1;

	if (git_blob_lookup(&b, repo, id) != 0)
		return set_cause(cause, "erasures/%s: notice missing", name);
	if (git_blob_rawsize(b) > RECORD_MAX_BYTES ||
	    record_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	    RECORD_STRICT, &r, &why) != 0 || r->kind != RECORD_ERASURE) {
		set_cause(cause, "erasures/%s: not an erasure notice%s%s", name,
		    why != NULL ? ": " : "", why != NULL ? why : "");
		goto out;
	}
	sn->ids = xreallocarray(sn->ids, sn->n + r->blobs.n, sizeof *sn->ids);
	for (i = 0; i < r->blobs.n; i++)
		if (git_oid_fromstr(&sn->ids[sn->n++], r->blobs.v[i]) != 0)
			goto out;	/* record_parse checked the shape */
	sn->records = xreallocarray(sn->records, sn->nrecords + 1,
	    sizeof *sn->records);
	sn->records[sn->nrecords++] = xstrdup(r->erases);
	rv = 0;
out:
	free(why);
	record_free(r);
	git_blob_free(b);
	return rv;
}

void
store_notices_free(struct store_notices *sn)
{
	free(sn->ids);
	strv_free(sn->records, sn->nrecords);
	memset(sn, 0, sizeof *sn);
}

int
store_notices_read(git_repository *repo, const git_oid *tree,
    struct store_notices *sn, char **cause)
{
	git_tree_entry	*te = NULL;
	git_tree	*root = NULL, *dir = NULL;
	const git_tree_entry *e;
	size_t		 i;
	int		 rv = -1;

	memset(sn, 0, sizeof *sn);
	if (git_tree_lookup(&root, repo, tree) != 0)
		return set_cause(cause, "tree %s missing", git_oid_tostr_s(tree));
	if (git_tree_entry_bypath(&te, root, "erasures") != 0) {
		git_tree_free(root);
		return 0;
	}
	if (git_tree_lookup(&dir, repo, git_tree_entry_id(te)) != 0) {
		set_cause(cause, "erasures: not a directory");
		goto out;
	}
	if (git_tree_entrycount(dir) > ERASE_MAX_NOTICES) {
		set_cause(cause, "erasures: more than %d notices",
		    ERASE_MAX_NOTICES);
		goto out;
	}
	for (i = 0; i < git_tree_entrycount(dir); i++) {
		e = git_tree_entry_byindex(dir, i);
		if (notice_read(repo, git_tree_entry_id(e), git_tree_entry_name(e),
		    sn, cause) != 0)
			goto out;
	}
	rv = 0;
out:
	if (rv != 0)
		store_notices_free(sn);
	git_tree_free(dir);
	git_tree_entry_free(te);
	git_tree_free(root);
	return rv;
}

/* A walk over trees that visits each distinct tree once. */
struct tree_walk {
	git_repository	*repo;
	struct hmap	*seen;		/* raw oid → git_oid * */
	/* Called for each entry of each tree visited; non-zero stops. */
	int		(*entry)(struct tree_walk *, const git_oid *tree,
			    const git_tree_entry *);
	void		*arg;
};

/* 1 the first time id is met in w. */
static int
walk_first(struct tree_walk *w, const git_oid *id)
{
	git_oid	*k;

	if (hmap_get(w->seen, id->id, GIT_OID_RAWSZ) != NULL)
		return 0;
	k = xmalloc(sizeof *k);
	git_oid_cpy(k, id);
	hmap_put(w->seen, k->id, GIT_OID_RAWSZ, k);
	return 1;
}

/* Frees the seen set of w. */
static void
walk_free(struct tree_walk *w)
{
	git_oid	*k;
	size_t	 it = 0;

	while ((k = hmap_next(w->seen, &it)) != NULL)
		free(k);
	hmap_free(w->seen);
	w->seen = NULL;
}

/* Visits tree id and the trees below not seen yet; -1: one is unreadable. */
static int
walk_tree(struct tree_walk *w, const git_oid *id, int depth)
{
	const git_tree_entry *te;
	git_tree	*t;
	size_t		 i;
	int		 rv = 0;

	if (depth > ERASE_MAX_DEPTH || !walk_first(w, id))
		return 0;
	if (git_tree_lookup(&t, w->repo, id) != 0)
		return -1;
	for (i = 0; i < git_tree_entrycount(t) && rv == 0; i++) {
		te = git_tree_entry_byindex(t, i);
		if (w->entry != NULL && (rv = w->entry(w, id, te)) != 0)
			break;
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE)
			rv = walk_tree(w, git_tree_entry_id(te), depth + 1);
	}
	git_tree_free(t);
	return rv;
}

/* Frees c and returns its first parent, or NULL (a branch is linear). */
static git_commit *
first_parent(git_commit *c)
{
	git_commit	*next = NULL;

	if (git_commit_parentcount(c) > 0)
		git_commit_parent(&next, c, 0);
	git_commit_free(c);
	return next;
}

/* The blobs a notice names, and which of them were found so far. */
struct notice_find {
	struct hmap	*want;		/* raw oid → (void *)1, removed when found */
};

/* tree_walk entry: a named blob under projects/ was found. */
static int
find_cb(struct tree_walk *w, const git_oid *tree, const git_tree_entry *te)
{
	struct notice_find *nf = w->arg;

	if (git_tree_entry_type(te) == GIT_OBJECT_BLOB)
		hmap_del(nf->want, git_tree_entry_id(te)->id, GIT_OID_RAWSZ);
	return hmap_count(nf->want) == 0;	/* all found: stop */
}

int
store_notice_check(git_repository *repo, const struct record *r,
    const git_commit *parent, char **cause)
{
	struct notice_find nf;
	struct tree_walk w = { repo, hmap_new(), find_cb, &nf };
	git_tree_entry	*te;
	git_commit	*c = NULL;
	git_tree	*t;
	git_oid		*ids;
	size_t		 i;
	int		 rv = 0;

	nf.want = hmap_new();
	ids = xcalloc(r->blobs.n, sizeof *ids);
	for (i = 0; i < r->blobs.n; i++)
		if (git_oid_fromstr(&ids[i], r->blobs.v[i]) == 0)
			hmap_put(nf.want, ids[i].id, GIT_OID_RAWSZ, (void *)1);
	if (parent != NULL)
		git_commit_dup(&c, (git_commit *)parent);
	/*
	 * Only lessons and projects (projects/…): the network-unique id
	 * inside makes their blobs the owner's alone.
	 */
	while (c != NULL && hmap_count(nf.want) > 0 && rv >= 0) {
		if (git_commit_tree(&t, c) == 0) {
			if (git_tree_entry_bypath(&te, t, "projects") == 0) {
				rv = walk_tree(&w, git_tree_entry_id(te), 0);
				git_tree_entry_free(te);
			}
			git_tree_free(t);
		}
		c = first_parent(c);
	}
	git_commit_free(c);
	for (i = 0, rv = 0; i < r->blobs.n && rv == 0; i++)
		if (hmap_get(nf.want, ids[i].id, GIT_OID_RAWSZ) != NULL)
			rv = set_cause(cause, "erasure notice %s names blob %s, "
			    "which no earlier lesson or project of this branch "
			    "holds", r->id, r->blobs.v[i]);
	free(ids);
	hmap_free(nf.want);
	walk_free(&w);
	return rv;
}

/* The erased blobs of one erasure, and the trees that name them. */
struct erase_ctx {
	struct hmap	*gone;		/* raw oid → (void *)1: to erase */
	git_oid		*trees;
	size_t		 ntrees;
};

/* tree_walk entry: notes a tree that names a blob being erased. */
static int
naming_cb(struct tree_walk *w, const git_oid *tree, const git_tree_entry *te)
{
	struct erase_ctx *ec = w->arg;

	if (git_tree_entry_type(te) == GIT_OBJECT_BLOB &&
	    hmap_get(ec->gone, git_tree_entry_id(te)->id, GIT_OID_RAWSZ)) {
		/* Named by the owner's own branch: may be erased. */
		hmap_put(ec->gone, git_tree_entry_id(te)->id, GIT_OID_RAWSZ,
		    (void *)2);
		if (ec->ntrees == 0 ||
		    !git_oid_equal(&ec->trees[ec->ntrees - 1], tree)) {
			ec->trees = xreallocarray(ec->trees, ec->ntrees + 1,
			    sizeof *ec->trees);
			git_oid_cpy(&ec->trees[ec->ntrees++], tree);
		}
	}
	return 0;
}

int
store_promisor_mark(git_repository *repo, const char *name)
{
	git_config	*cfg = NULL;
	char		*p;
	int		 fd, rv = -1;

	p = xasprintf("%sobjects/pack/pack-%s.promisor",
	    git_repository_path(repo), name);
	if ((fd = open(p, O_WRONLY | O_CREAT, 0444)) != -1) {
		fsync(fd);
		close(fd);
		rv = 0;
	}
	free(p);
	/* remote.knowd.promisor: stock git takes missing blobs as promised. */
	if (rv == 0 && (git_repository_config(&cfg, repo) != 0 ||
	    git_config_set_bool(cfg, "remote.knowd.promisor", 1) != 0))
		rv = -1;
	git_config_free(cfg);
	return rv;
}

/*
 * Writes a pack of the trees of nid's branch that name a blob in ec->gone,
 * marked .promisor, so stock git fsck takes those blobs as promised. The
 * blobs no tree of the branch names are marked 1 in ec->gone, the others 2.
 */
static int
erase_promisor_pack(git_repository *repo, const git_oid *head,
    struct erase_ctx *ec, char **cause)
{
	struct tree_walk w = { repo, hmap_new(), naming_cb, ec };
	git_packbuilder	*pb = NULL;
	git_revwalk	*rw = NULL;
	git_commit	*c;
	git_oid		 id;
	char		*dir = NULL;
	size_t		 i;
	int		 rv = -1;

	if (git_revwalk_new(&rw, repo) != 0 || git_revwalk_push(rw, head) != 0)
		goto out;
	while (git_revwalk_next(&id, rw) == 0) {
		if (git_commit_lookup(&c, repo, &id) != 0)
			goto out;
		i = walk_tree(&w, git_commit_tree_id(c), 0);
		git_commit_free(c);
		if (i != 0)
			goto out;
	}
	if (ec->ntrees == 0) {
		rv = 0;
		goto out;
	}
	if (git_packbuilder_new(&pb, repo) != 0)
		goto out;
	for (i = 0; i < ec->ntrees; i++)
		if (git_packbuilder_insert(pb, &ec->trees[i], NULL) != 0)
			goto out;
	dir = xasprintf("%sobjects/pack", git_repository_path(repo));
	if (git_packbuilder_write(pb, dir, 0444, NULL, NULL) != 0 ||
	    store_promisor_mark(repo, git_packbuilder_name(pb)) != 0)
		goto out;
	rv = 0;
out:
	if (rv != 0)
		set_cause(cause, "erasure: promisor pack: %s", store_git_error());
	free(dir);
	git_packbuilder_free(pb);
	git_revwalk_free(rw);
	walk_free(&w);
	return rv;
}

/* store_pack_rewrite's drop: the blobs being erased. */
static int
drop_cb(const git_oid *id, void *arg)
{
	return hmap_get(((struct erase_ctx *)arg)->gone, id->id,
	    GIT_OID_RAWSZ) != NULL;
}

/* Deletes the loose copies of the blobs; rewrites each pack holding one. */
static int
erase_objects(git_repository *repo, struct erase_ctx *ec,
    const git_oid *ids, size_t n, struct store_erasure *res, char **cause)
{
	git_odb_backend	*b;
	char		**bases, hex[GIT_OID_HEXSZ + 1], *p;
	size_t		 np, i, k;
	int		 has, rv = 0;

	for (i = 0; i < n; i++) {
		git_oid_tostr(hex, sizeof hex, &ids[i]);
		p = xasprintf("%sobjects/%.2s/%s", git_repository_path(repo), hex,
		    hex + 2);
		if (unlink(p) == 0)
			res->loose++;
		free(p);
	}
	np = store_list_packs(repo, &bases);
	for (i = 0; i < np && rv == 0; i++) {
		p = xasprintf("%s.idx", bases[i]);
		has = 0;
		if (git_odb_backend_one_pack(&b, p) == 0) {
			for (k = 0; k < n && !has; k++)
				has = b->exists(b, &ids[k]);
			b->free(b);
		}
		free(p);
		if (has && (rv = store_pack_rewrite(repo, bases[i], drop_cb, ec,
		    1)) != 0)
			set_cause(cause, "erasure: rewriting %s: %s", bases[i],
			    store_git_error());
		res->packs += has;
	}
	strv_free(bases, np);
	store_objects_changed();
	return rv;
}

int
store_erase(git_repository *repo, const git_oid *head, const git_oid *ids,
    size_t n, struct store_erasure *res, char **cause)
{
	struct erase_ctx ec = { hmap_new(), NULL, 0 };
	git_odb		*odb = NULL;
	git_oid		*here = xcalloc(n > 0 ? n : 1, sizeof *here);
	size_t		 i, nhere = 0;
	int		 rv = -1;

	memset(res, 0, sizeof *res);
	if (git_repository_odb(&odb, repo) != 0) {
		set_cause(cause, "%s", store_git_error());
		goto out;
	}
	for (i = 0; i < n; i++)
		if (git_odb_exists(odb, &ids[i]))
			hmap_put(ec.gone, ids[i].id, GIT_OID_RAWSZ, (void *)1);
	/* The promisor pack first: a kill between the two leaves only a spare one. */
	if (hmap_count(ec.gone) > 0 &&
	    erase_promisor_pack(repo, head, &ec, cause) != 0)
		goto out;
	/* Only blobs the branch's own trees name (a verified notice's always are). */
	for (i = 0; i < n; i++) {
		if (hmap_get(ec.gone, ids[i].id, GIT_OID_RAWSZ) == (void *)2)
			git_oid_cpy(&here[nhere++], &ids[i]);
		else if (hmap_del(ec.gone, ids[i].id, GIT_OID_RAWSZ) != NULL)
			res->refused++;
	}
	res->present = nhere;
	if (nhere > 0 && erase_objects(repo, &ec, here, nhere, res, cause) != 0)
		goto out;
	rv = 0;
out:
	git_odb_free(odb);
	hmap_free(ec.gone);
	free(ec.trees);
	free(here);
	return rv;
}

/* The path of lesson id under a projects tree, or NULL. Caller frees. */
static char *
lesson_in(git_repository *repo, const git_oid *projects_id, const char *id)
{
	const git_tree_entry *pe;
	git_tree_entry	*le;
	git_tree	*projects;
	char		*sub, *path = NULL;
	size_t		 i;

	if (git_tree_lookup(&projects, repo, projects_id) != 0)
		return NULL;
	for (i = 0; path == NULL && i < git_tree_entrycount(projects); i++) {
		pe = git_tree_entry_byindex(projects, i);
		sub = xasprintf("%s/lessons/%s.md", git_tree_entry_name(pe), id);
		if (git_tree_entry_bypath(&le, projects, sub) == 0) {
			path = xasprintf("projects/%s", sub);
			git_tree_entry_free(le);
		}
		free(sub);
	}
	git_tree_free(projects);
	return path;
}

int
store_find_lesson(git_repository *repo, const git_oid *head, const char *id,
    char **path)
{
	struct tree_walk w = { repo, hmap_new(), NULL, NULL };
	git_tree_entry	*te;
	git_commit	*c = NULL;
	git_tree	*t;

	*path = NULL;
	git_commit_lookup(&c, repo, head);
	while (c != NULL && *path == NULL) {
		/* Each distinct projects tree is looked at once. */
		if (git_commit_tree(&t, c) == 0) {
			if (git_tree_entry_bypath(&te, t, "projects") == 0) {
				if (walk_first(&w, git_tree_entry_id(te)))
					*path = lesson_in(repo,
					    git_tree_entry_id(te), id);
				git_tree_entry_free(te);
			}
			git_tree_free(t);
		}
		c = first_parent(c);
	}
	git_commit_free(c);
	walk_free(&w);
	return *path != NULL ? 0 : 1;
}
