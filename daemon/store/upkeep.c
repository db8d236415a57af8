/*
 * upkeep.c — keeping the repository small on disk and in descriptors, on a
 * worker thread: loose refs (one file and three directories per origin
 * branch) are packed into packed-refs after a burst of fetches; received
 * packs and loose objects are consolidated into one pack (like git gc
 * --auto, by their count), after which every repository handle drops the
 * old packs (store_objects_generation).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>

#include "log.h"
#include "store_int.h"
#include "util.h"

/* Removes the empty directories below dir, bottom up; 1 when dir itself is empty now. */
static int
prune_empty(const char *dir, int depth)
{
	struct dirent	*de;
	DIR		*d;
	char		*p;
	int		 left = 0;

	if (depth > 8 || (d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR && prune_empty(p, depth + 1) &&
		    rmdir(p) == 0) {
			free(p);
			continue;
		}
		left = 1;
		free(p);
	}
	closedir(d);
	return !left;
}

int
store_pack_refs(git_repository *repo, char **cause)
{
	git_refdb	*db = NULL;
	char		*dir;
	int		 rv;

	if (git_repository_refdb(&db, repo) != 0 || git_refdb_compress(db) != 0) {
		git_refdb_free(db);
		return set_cause(cause, "packing refs: %s", store_git_error());
	}
	git_refdb_free(db);
	/*
	 * A ref the loop writes meanwhile makes its directories again; one
	 * whose directory vanished under it fails and is fetched again.
	 */
	dir = xasprintf("%srefs/namespaces", git_repository_path(repo));
	rv = prune_empty(dir, 0);
	free(dir);
	(void)rv;
	return 0;
}

unsigned int
store_moves(struct store *st)
{
	return st->moves;
}

void
store_moves_reset(struct store *st)
{
	st->moves = 0;
}

/* Bumped by every repack: handles opened before must reopen their objects. */
static unsigned int odb_generation;

void
store_objects_changed(void)
{
	__atomic_add_fetch(&odb_generation, 1, __ATOMIC_RELEASE);
}

unsigned int
store_objects_generation(void)
{
	return __atomic_load_n(&odb_generation, __ATOMIC_ACQUIRE);
}

/* Counts the entries of dir whose names end in suffix (NULL: all but . and ..). */
static size_t
count_dir(const char *dir, const char *suffix)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 n = 0, l, sl = suffix != NULL ? strlen(suffix) : 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		l = strlen(de->d_name);
		n += suffix == NULL || (l > sl &&
		    strcmp(de->d_name + l - sl, suffix) == 0);
	}
	closedir(d);
	return n;
}

void
store_objects_count(const char *repo_path, size_t *packs, size_t *loose)
{
	char	*dir;

	dir = xasprintf("%s/objects/pack", repo_path);
	*packs = count_dir(dir, ".pack");
	free(dir);
	/* Like git gc --auto: one of the 256 fan-out directories, times 256. */
	dir = xasprintf("%s/objects/17", repo_path);
	*loose = count_dir(dir, NULL) * 256;
	free(dir);
}

int
store_wants_repack(struct store *st, int busy)
{
	size_t	 packs, loose;

	store_objects_count(st->path, &packs, &loose);
	if (busy)
		return packs > STORE_REPACK_BUSY;
	return packs > STORE_REPACK_PACKS || loose > STORE_REPACK_LOOSE;
}

int
store_wants_merge(struct store *st)
{
	size_t	 packs, loose;

	store_objects_count(st->path, &packs, &loose);
	return packs > 1;	/* loose objects go along (they are only sampled) */
}

/* A pack chosen for the repack, and the loose objects taken along. */
struct repack {
	char		**packs;	/* base paths (…/pack-<hex>), smallest first */
	size_t		  npacks;
	git_oid		 *loose;
	size_t		  nloose;
	git_packbuilder	 *pb;
};

/* Pack base names with a .idx beside, and their sizes. */
struct pack_file {
	char	*base;
	off_t	 size;
};

/* qsort comparator: packs by size, smallest first. */
static int
pack_cmp(const void *a, const void *b)
{
	off_t	 x = ((const struct pack_file *)a)->size;
	off_t	 y = ((const struct pack_file *)b)->size;

	return x < y ? -1 : x > y;
}

/* Lists the complete packs (.pack and .idx) of objects/pack. */
static size_t
list_packs(const char *dir, struct pack_file **out)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	char		*p, *idx;
	size_t		 n = 0, l;

	*out = NULL;
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 10 || strncmp(de->d_name, "pack-", 5) != 0 ||
		    strcmp(de->d_name + l - 5, ".pack") != 0)
			continue;
		p = xasprintf("%s/%.*s", dir, (int)(l - 5), de->d_name);
		idx = xasprintf("%s.idx", p);
		if (stat(idx, &sb) == 0) {
			free(idx);
			idx = xasprintf("%s.pack", p);
			if (stat(idx, &sb) == 0) {
				*out = xreallocarray(*out, n + 1, sizeof **out);
				(*out)[n].base = p;
				(*out)[n++].size = sb.st_size;
				p = NULL;
			}
		}
		free(idx);
		free(p);
	}
	closedir(d);
	if (n > 1)
		qsort(*out, n, sizeof **out, pack_cmp);
	return n;
}

size_t
store_list_packs(git_repository *repo, char ***bases)
{
	struct pack_file *pf;
	char		*dir;
	size_t		 n, i;

	dir = xasprintf("%sobjects/pack", git_repository_path(repo));
	n = list_packs(dir, &pf);
	free(dir);
	*bases = n > 0 ? xcalloc(n, sizeof **bases) : NULL;
	for (i = 0; i < n; i++)
		(*bases)[i] = pf[i].base;
	free(pf);
	return n;
}

/* Object ids collected by collect_cb. */
struct id_list {
	git_oid	*v;
	size_t	 n;
};

/* git_odb_foreach callback: collects ids into a growing array. */
static int
collect_cb(const git_oid *id, void *arg)
{
	struct id_list	*c = arg;

	if (c->n % 256 == 0)
		c->v = xreallocarray(c->v, c->n + 256, sizeof *c->v);
	git_oid_cpy(&c->v[c->n++], id);
	return 0;
}

int
store_odb_ids(git_odb *odb, git_oid **ids, size_t *n)
{
	struct id_list	 c = { NULL, 0 };

	if (git_odb_foreach(odb, collect_cb, &c) != 0) {
		free(c.v);
		return -1;
	}
	*ids = c.v;
	*n = c.n;
	return 0;
}

/* git_odb_foreach callback: one object into the new pack. */
static int
repack_insert_cb(const git_oid *id, void *arg)
{
	struct repack	*rp = arg;

	return git_packbuilder_insert(rp->pb, id, NULL);
}

/* git_odb_foreach callback over the loose objects: insert and remember. */
static int
repack_loose_cb(const git_oid *id, void *arg)
{
	struct repack	*rp = arg;

	if (rp->nloose % 256 == 0)
		rp->loose = xreallocarray(rp->loose, rp->nloose + 256,
		    sizeof *rp->loose);
	git_oid_cpy(&rp->loose[rp->nloose++], id);
	return git_packbuilder_insert(rp->pb, id, NULL);
}

/* Inserts every object of one backend (a pack, or the loose objects). */
static int
repack_add(struct repack *rp, git_odb_backend *b,
    int (*cb)(const git_oid *, void *))
{
	git_odb	*odb = NULL;
	int	 rv;

	if ((rv = git_odb_new(&odb)) == 0 &&
	    (rv = git_odb_add_backend(odb, b, 1)) == 0)
		rv = git_odb_foreach(odb, cb, rp);
	else
		b->free(b);
	git_odb_free(odb);
	return rv;
}

/* Chooses the smallest packs (up to STORE_REPACK_BYTES) and inserts them and the loose objects. */
static int
repack_fill(struct repack *rp, const char *objects)
{
	struct pack_file *pf;
	git_odb_backend	*b;
	char		*dir, *idx;
	off_t		 total = 0;
	size_t		 n, i;
	int		 rv = 0;

	dir = xasprintf("%s/pack", objects);
	n = list_packs(dir, &pf);
	free(dir);
	for (i = 0; i < n && rv == 0; i++) {
		if (total + pf[i].size > STORE_REPACK_BYTES)
			break;		/* smallest first: the rest are larger */
		/* A promised pack (erase.c) stays as it is: git needs its mark. */
		idx = xasprintf("%s.promisor", pf[i].base);
		if (access(idx, F_OK) == 0) {
			free(idx);
			continue;
		}
		free(idx);
		idx = xasprintf("%s.idx", pf[i].base);
		if ((rv = git_odb_backend_one_pack(&b, idx)) == 0 &&
		    (rv = repack_add(rp, b, repack_insert_cb)) == 0) {
			rp->packs = xreallocarray(rp->packs, rp->npacks + 1,
			    sizeof *rp->packs);
			rp->packs[rp->npacks++] = pf[i].base;
			pf[i].base = NULL;
			total += pf[i].size;
		}
		free(idx);
	}
	for (i = 0; i < n; i++)
		free(pf[i].base);
	free(pf);
	if (rv == 0 && (rv = git_odb_backend_loose(&b, objects, -1, 0, 0, 0)) == 0)
		rv = repack_add(rp, b, repack_loose_cb);
	return rv;
}

/* Removes what the new pack now holds: the packs merged, the loose objects taken. */
static void
repack_prune(struct repack *rp, const char *objects, const char *keep)
{
	char	 hex[GIT_OID_HEXSZ + 1], *p;
	size_t	 i;

	for (i = 0; i < rp->npacks; i++) {
		if (strstr(rp->packs[i], keep) != NULL)
			continue;	/* the same objects made the same pack */
		p = xasprintf("%s.idx", rp->packs[i]);
		unlink(p);		/* the index first: a pack without one is ignored */
		free(p);
		p = xasprintf("%s.pack", rp->packs[i]);
		unlink(p);
		free(p);
	}
	for (i = 0; i < rp->nloose; i++) {
		git_oid_tostr(hex, sizeof hex, &rp->loose[i]);
		p = xasprintf("%s/%.2s/%s", objects, hex, hex + 2);
		unlink(p);
		free(p);
	}
}

int
store_repack(git_repository *repo, struct store_repacked *res, char **cause)
{
	struct repack	 rp;
	char		*objects, *dir;
	int		 rv = -1;

	memset(&rp, 0, sizeof rp);
	memset(res, 0, sizeof *res);
	objects = xasprintf("%sobjects", git_repository_path(repo));
	dir = xasprintf("%s/pack", objects);
	if (git_packbuilder_new(&rp.pb, repo) != 0 ||
	    repack_fill(&rp, objects) != 0) {
		set_cause(cause, "repack: %s", store_git_error());
		goto out;
	}
	res->packs = rp.npacks;
	res->loose = rp.nloose;
	res->objects = git_packbuilder_object_count(rp.pb);
	if (rp.npacks + (rp.nloose > 0) < 2) {
		rv = 0;			/* nothing to merge */
		goto out;
	}
	/* Written and fsynced (libgit2's indexer) before anything is removed. */
	if (git_packbuilder_write(rp.pb, dir, 0444, NULL, NULL) != 0) {
		set_cause(cause, "repack: %s", store_git_error());
		goto out;
	}
	repack_prune(&rp, objects, git_packbuilder_name(rp.pb));
	store_objects_changed();
	res->done = 1;
	rv = 0;
out:
	git_packbuilder_free(rp.pb);
	strv_free(rp.packs, rp.npacks);
	free(rp.loose);
	free(dir);
	free(objects);
	return rv;
}
