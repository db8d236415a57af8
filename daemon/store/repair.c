/*
 * repair.c — damage in the object store: an object that cannot be read (a
 * flipped byte in a loose file or a pack, a file gone). A branch's objects
 * are walked to name the damage (object, path, commit); corrupt loose files
 * are moved aside and a pack holding a corrupt object is rewritten without
 * it, so that the good copy a peer sends is the one read. The branch itself
 * is set aside as refs/knowd/quarantine/<nid> until peers bring it again.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>

#include "log.h"
#include "store_int.h"
#include "util.h"

#define REPAIR_DIR		"knowd-damaged"	/* inside repo.git */
#define REPAIR_MAX_DEPTH	16		/* tree nesting followed */
#define QUARANTINE_PREFIX	"refs/knowd/quarantine/"

struct repair {
	git_repository		*repo;
	git_odb			*odb;
	struct hmap		*seen;		/* oid → (void *)1 */
	char			 commit[GIT_OID_HEXSZ + 1];
	struct store_damage	*d;
};

/* "objects/ab/cdef…" of the repository, for a loose object. */
static char *
loose_path(git_repository *repo, const git_oid *id)
{
	char	 hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof hex, id);
	return xasprintf("%sobjects/%.2s/%s", git_repository_path(repo), hex,
	    hex + 2);
}

/* Moves path into repo.git/knowd-damaged/ under name; 0 when moved. */
static int
move_aside(git_repository *repo, const char *path, const char *name)
{
	char	*dir, *to;
	int	 rv;

	dir = xasprintf("%s" REPAIR_DIR, git_repository_path(repo));
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(dir);
		return -1;
	}
	to = xasprintf("%s/%s", dir, name);
	rv = rename(path, to);
	if (rv != 0)
		log_warn("moving %s aside", path);
	free(to);
	free(dir);
	return rv;
}

/* Removes the old pack at base: its index first; moved aside, or unlinked with destroy. */
static int
pack_remove(git_repository *repo, const char *base, int destroy)
{
	static const char *const ext[] = { ".idx", ".pack", ".promisor" };
	char	*p, *name;
	size_t	 i;
	int	 rv = 0;

	for (i = 0; i < nitems(ext) && rv == 0; i++) {
		p = xasprintf("%s%s", base, ext[i]);
		if (destroy || i == 2)
			rv = unlink(p) == 0 || errno == ENOENT ? 0 : -1;
		else {
			name = xasprintf("%s%s", strrchr(base, '/') + 1, ext[i]);
			rv = move_aside(repo, p, name);
			free(name);
			if (i == 1)
				rv = 0;	/* without its index it is ignored */
		}
		free(p);
	}
	return rv;
}

/*
 * Writes a new pack of the objects of the pack at base (without .idx/.pack)
 * that can be read and that drop (when given) does not want gone, then
 * removes the old one: moved into repo.git/knowd-damaged/ (a damaged pack
 * is evidence) or, with destroy, unlinked (erased objects must not stay on
 * disk). A .promisor mark goes along. 0 when rewritten.
 */
int
store_pack_rewrite(git_repository *repo, const char *base,
    int (*drop)(const git_oid *, void *), void *arg, int destroy)
{
	git_odb_backend	*b = NULL;
	git_packbuilder	*pb = NULL;
	git_odb		*one = NULL;
	git_odb_object	*o;
	git_oid		*ids = NULL;
	size_t		 n = 0, i;
	char		*p, *dir;
	int		 rv = -1, promisor;

	p = xasprintf("%s.idx", base);
	if (git_odb_backend_one_pack(&b, p) != 0 || git_odb_new(&one) != 0 ||
	    git_odb_add_backend(one, b, 1) != 0) {
		if (one == NULL && b != NULL)
			b->free(b);
		goto out;
	}
	if (store_odb_ids(one, &ids, &n) != 0 ||
	    git_packbuilder_new(&pb, repo) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (drop != NULL && drop(&ids[i], arg))
			continue;
		if (git_odb_read(&o, one, &ids[i]) != 0)
			continue;	/* the damage: left behind */
		git_odb_object_free(o);
		if (git_packbuilder_insert(pb, &ids[i], NULL) != 0)
			goto out;
	}
	dir = xasprintf("%sobjects/pack", git_repository_path(repo));
	rv = git_packbuilder_object_count(pb) == 0 ? 0 :
	    git_packbuilder_write(pb, dir, 0444, NULL, NULL);
	free(p);
	p = xasprintf("%s.promisor", base);
	promisor = access(p, F_OK) == 0;
	if (rv == 0 && promisor && git_packbuilder_object_count(pb) > 0)
		rv = store_promisor_mark(repo, git_packbuilder_name(pb));
	free(dir);
	if (rv == 0 && (rv = pack_remove(repo, base, destroy)) == 0)
		store_objects_changed();
out:
	git_packbuilder_free(pb);
	git_odb_free(one);
	free(ids);
	free(p);
	return rv;
}

/* Finds the pack that holds id and rewrites it without the damage. */
static void
repair_packed(struct repair *rp, const git_oid *id)
{
	git_odb_backend	*b;
	char		**bases;
	size_t		 n, i;
	int		 has;

	n = store_list_packs(rp->repo, &bases);
	for (i = 0; i < n; i++) {
		char	*idx = xasprintf("%s.idx", bases[i]);

		has = git_odb_backend_one_pack(&b, idx) == 0 && b->exists(b, id);
		if (b != NULL)
			b->free(b);
		b = NULL;
		free(idx);
		if (has) {
			if (store_pack_rewrite(rp->repo, bases[i], NULL, NULL,
			    0) != 0)
				log_warnx("rewriting the damaged pack %s: %s",
				    bases[i], store_git_error());
			else
				rp->d->packs_rewritten++;
			break;
		}
	}
	strv_free(bases, n);
}

/* Notes an unreadable object: named once, its loose file or pack repaired. */
static void
damage(struct repair *rp, const char *kind, const git_oid *id, const char *path)
{
	char		 hex[GIT_OID_HEXSZ + 1];
	char		*loose;
	struct stat	 sb;
	const git_error	*e = git_error_last();

	git_oid_tostr(hex, sizeof hex, id);
	if (rp->d->objects++ == 0 && strcmp(kind, "commit") == 0)
		rp->d->what = xasprintf("commit %s: %s", hex,
		    e != NULL ? e->message : "unreadable");
	else if (rp->d->objects == 1)
		rp->d->what = xasprintf("%s %s (%s) in commit %.12s: %s", kind,
		    hex, *path != '\0' ? path : "the root tree", rp->commit,
		    e != NULL ? e->message : "unreadable");
	loose = loose_path(rp->repo, id);
	if (stat(loose, &sb) == 0) {
		if (move_aside(rp->repo, loose, hex) == 0)
			rp->d->loose_moved++;
	} else if (git_odb_exists(rp->odb, id))
		repair_packed(rp, id);
	free(loose);
}

/* 1 the first time id is met. */
static int
first_seen(struct repair *rp, const git_oid *id)
{
	if (hmap_get(rp->seen, id->id, GIT_OID_RAWSZ) != NULL)
		return 0;
	hmap_put(rp->seen, id->id, GIT_OID_RAWSZ, (void *)1);
	return 1;
}

/* Reads a tree and everything below it once, noting what cannot be read. */
static void
check_tree(struct repair *rp, const git_oid *id, const char *path, int depth)
{
	const git_tree_entry *te;
	git_odb_object	*o;
	git_tree	*t;
	char		*sub;
	size_t		 i;

	if (!first_seen(rp, id) || depth > REPAIR_MAX_DEPTH)
		return;
	if (git_tree_lookup(&t, rp->repo, id) != 0) {
		damage(rp, "tree", id, path);
		return;
	}
	for (i = 0; i < git_tree_entrycount(t); i++) {
		te = git_tree_entry_byindex(t, i);
		sub = xasprintf("%s%s%s", path, *path != '\0' ? "/" : "",
		    git_tree_entry_name(te));
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE)
			check_tree(rp, git_tree_entry_id(te), sub, depth + 1);
		else if (first_seen(rp, git_tree_entry_id(te))) {
			if (git_odb_read(&o, rp->odb, git_tree_entry_id(te)) != 0) {
				/* Erased by its owner's notice: not damage. */
				if (!store_erased(git_tree_entry_id(te)))
					damage(rp, "blob", git_tree_entry_id(te),
					    sub);
			}
			else
				git_odb_object_free(o);
		}
		free(sub);
	}
	git_tree_free(t);
}

int
store_branch_check(git_repository *repo, const git_oid *head,
    struct store_damage *d)
{
	struct repair	 rp = { repo, NULL, hmap_new(), "", d };
	git_commit	*c;
	git_oid		*todo, id;
	size_t		 n = 1, cap = 16, i;

	memset(d, 0, sizeof *d);
	if (git_repository_odb(&rp.odb, repo) != 0) {
		hmap_free(rp.seen);
		return -1;
	}
	todo = xcalloc(cap, sizeof *todo);
	git_oid_cpy(&todo[0], head);
	while (n > 0) {
		id = todo[--n];
		if (!first_seen(&rp, &id))
			continue;
		git_oid_tostr(rp.commit, sizeof rp.commit, &id);
		if (git_commit_lookup(&c, repo, &id) != 0) {
			damage(&rp, "commit", &id, "");
			continue;
		}
		check_tree(&rp, git_commit_tree_id(c), "", 0);
		for (i = 0; i < git_commit_parentcount(c); i++) {
			if (n == cap)
				todo = xreallocarray(todo, cap *= 2, sizeof *todo);
			git_oid_cpy(&todo[n++], git_commit_parent_id(c, i));
		}
		git_commit_free(c);
	}
	free(todo);
	hmap_free(rp.seen);
	git_odb_free(rp.odb);
	return d->objects > 0;
}

void
store_damage_free(struct store_damage *d)
{
	free(d->what);
	memset(d, 0, sizeof *d);
}

int
store_branch_quarantine(struct store *st, const char *nid, char **cause)
{
	git_reference	*r = NULL;
	char		*q;
	git_oid		 head;
	int		 rv;

	if (store_head(st, nid, &head, NULL) != 0)
		return set_cause(cause, "%s: no branch to set aside", nid);
	q = xasprintf(QUARANTINE_PREFIX "%s", nid);
	rv = git_reference_create(&r, st->repo, q, &head, 1,
	    "knowd: damaged, set aside");
	git_reference_free(r);
	free(q);
	if (rv != 0)
		return set_cause(cause, "setting %s aside: %s", nid,
		    store_git_error());
	return store_branch_delete(st, nid, cause);
}

int
store_quarantined(struct store *st, const char *nid)
{
	git_oid	 id;
	char	*q = xasprintf(QUARANTINE_PREFIX "%s", nid);
	int	 rv = git_reference_name_to_id(&id, st->repo, q) == 0;

	free(q);
	return rv;
}

/* git_reference_foreach_glob callback: counts. */
static int
count_cb(const char *name, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

size_t
store_quarantine_count(struct store *st)
{
	size_t	 n = 0;

	git_reference_foreach_glob(st->repo, QUARANTINE_PREFIX "*", count_cb, &n);
	return n;
}

void
store_quarantine_clear(struct store *st, const char *nid)
{
	char	*q = xasprintf(QUARANTINE_PREFIX "%s", nid);
	git_reference *r;

	if (git_reference_lookup(&r, st->repo, q) == 0) {
		git_reference_delete(r);
		git_reference_free(r);
	}
	free(q);
}
