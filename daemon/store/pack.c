/* pack.c — build packs for peers; receive packs into quarantine, verify, then keep. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>

#include "packscan.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

void
pack_global_init(void)
{
	git_libgit2_opts(GIT_OPT_SET_PACK_MAX_OBJECTS, (size_t)PACK_MAX_OBJECTS);
}

/* Checks that want is nid's head or one of its ancestors. */
static int
want_served(git_repository *repo, const char *nid, const git_oid *want,
    char **cause)
{
	char	 ref[STORE_REF_MAX], hex[GIT_OID_HEXSZ + 1];
	git_oid	 head;

	store_branch_ref(nid, ref);
	if (git_reference_name_to_id(&head, repo, ref) != 0)
		return set_cause(cause, "branch %s not held here", nid);
	if (git_oid_equal(&head, want) ||
	    git_graph_descendant_of(repo, &head, want) == 1)
		return 0;
	git_oid_tostr(hex, sizeof hex, want);
	return set_cause(cause, "%s is not on branch %s here", hex, nid);
}

/* Hides the haves of one wanted branch that exist here (hiding an unknown oid fails). */
static int
hide_haves(git_repository *repo, git_revwalk *walk, const struct wire_wantb *b,
    char **cause)
{
	git_oid	 have;
	git_odb	*odb;
	size_t	 i;
	int	 rv = 0;

	if (git_repository_odb(&odb, repo) != 0)
		return set_cause(cause, "%s", store_git_error());
	for (i = 0; i < b->nhaves && rv == 0; i++) {
		git_oid_fromraw(&have, b->haves[i]);
		if (git_odb_exists(odb, &have) &&
		    git_revwalk_hide(walk, &have) != 0)
			rv = set_cause(cause, "%s", store_git_error());
	}
	git_odb_free(odb);
	return rv;
}

/* Adds one wanted branch to the walk: push tip (want when NULL), hide the haves we know. */
static int
walk_branch(git_repository *repo, git_revwalk *walk,
    const struct wire_wantb *b, const git_oid *tip, char **cause)
{
	char	 nid[KEYS_NID_MAX];
	git_oid	 want;

	keys_nid_encode(b->pk, nid);
	git_oid_fromraw(&want, b->want);
	if (want_served(repo, nid, &want, cause) != 0)
		return -1;
	if (git_revwalk_push(walk, tip != NULL ? tip : &want) != 0)
		return set_cause(cause, "%s", store_git_error());
	return hide_haves(repo, walk, b, cause);
}

/* One wanted branch's commits the asker lacks, oldest first. */
struct step_branch {
	git_oid		*c;
	size_t		 n;
	int		 whole;		/* never cut: it carries erasure notices */
};

/*
 * True when the wanted commit's tree holds erasure notices: a step cut
 * before them would bring a blob-less history without the notice that
 * lets the asker accept it (PROTOCOL.md §3.6), so the branch goes whole.
 */
static int
has_notices(git_repository *repo, const git_oid *want)
{
	git_commit	*c;
	git_tree	*t;
	int		 rv = 0;

	if (git_commit_lookup(&c, repo, want) != 0)
		return 0;
	if (git_commit_tree(&t, c) == 0) {
		rv = git_tree_entry_byname(t, "erasures") != NULL;
		git_tree_free(t);
	}
	git_commit_free(c);
	return rv;
}

/* Lists the commits of one wanted branch the asker lacks, oldest first. */
static int
step_list(git_repository *repo, const struct wire_wantb *b,
    struct step_branch *sb, char **cause)
{
	git_revwalk	*walk;
	git_oid		 id;
	size_t		 cap = 0;

	if (git_revwalk_new(&walk, repo) != 0)
		return set_cause(cause, "%s", store_git_error());
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (walk_branch(repo, walk, b, NULL, cause) != 0) {
		git_revwalk_free(walk);
		return -1;
	}
	git_oid_fromraw(&id, b->want);
	sb->whole = store_erased_count() > 0 && has_notices(repo, &id);
	while (git_revwalk_next(&id, walk) == 0) {
		if (sb->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			sb->c = xreallocarray(sb->c, cap, sizeof *sb->c);
		}
		git_oid_cpy(&sb->c[sb->n++], &id);
	}
	git_revwalk_free(walk);
	return 0;
}

/* The haves of the wanted branches that exist here. Caller frees. */
static git_oid *
known_haves(git_repository *repo, const struct wire_want *w, size_t *n)
{
	git_oid	*out = NULL, have;
	git_odb	*odb;
	size_t	 i, k;

	*n = 0;
	if (git_repository_odb(&odb, repo) != 0)
		return NULL;
	for (i = 0; i < w->nb; i++)
		for (k = 0; k < w->b[i].nhaves; k++) {
			git_oid_fromraw(&have, w->b[i].haves[k]);
			if (!git_odb_exists(odb, &have))
				continue;
			out = xreallocarray(out, *n + 1, sizeof *out);
			git_oid_cpy(&out[(*n)++], &have);
		}
	git_odb_free(odb);
	return out;
}

/*
 * Writes the pack of the wanted branches into pack (packw.c), taking at
 * most budget commits, oldest first, branch after branch (sb NULL:
 * everything wanted). PACKW_FULL when it would exceed max bytes.
 */
static int
pack_write(git_repository *repo, const struct wire_want *w,
    const struct step_branch *sb, size_t budget, size_t max, struct buf *pack,
    char **cause)
{
	git_revwalk	*walk = NULL;
	git_oid		*haves;
	size_t		 i, k, nhaves;
	int		 rv = -1;

	if (git_revwalk_new(&walk, repo) != 0)
		return set_cause(cause, "%s", store_git_error());
	for (i = 0; i < w->nb; i++) {
		k = sb == NULL ? 1 : (sb[i].n < budget || sb[i].whole ?
		    sb[i].n : budget);
		if (k == 0)
			continue;	/* this one waits for the next step */
		budget -= sb == NULL ? 0 : (k < budget ? k : budget);
		if (walk_branch(repo, walk, &w->b[i], sb == NULL ? NULL :
		    &sb[i].c[k - 1], cause) != 0)
			goto out;
	}
	haves = known_haves(repo, w, &nhaves);
	rv = packw_build(repo, walk, haves, nhaves, max, pack, cause);
	free(haves);
out:
	git_revwalk_free(walk);
	return rv;
}

/*
 * A pack of at most step bytes where one commit allows: the commits are
 * counted, and the budget shrunk in proportion to what the last try made
 * (halved when the try stopped at the limit).
 */
static int
pack_step(git_repository *repo, const struct wire_want *w, size_t step,
    struct buf *pack, char **cause)
{
	struct step_branch *sb = xcalloc(w->nb, sizeof *sb);
	size_t		 i, total = 0, budget;
	int		 rv = -1, full;

	for (i = 0; i < w->nb; i++) {
		if (step_list(repo, &w->b[i], &sb[i], cause) != 0)
			goto out;
		total += sb[i].n;
	}
	for (budget = total;;) {
		/* One commit goes whatever its size (up to the pack limit). */
		full = pack_write(repo, w, sb, budget, budget <= 1 ?
		    PACK_MAX_BYTES : PACK_STEP_TRY, pack, cause);
		if (full < 0 || (full == PACKW_FULL && budget <= 1)) {
			if (full == PACKW_FULL)
				set_cause(cause, "one commit's pack is over "
				    "%u bytes", PACK_MAX_BYTES);
			goto out;
		}
		if ((full == 0 && pack->len <= step) || budget <= 1)
			break;
		/* Nine tenths of the share that would have fitted. */
		budget = full == PACKW_FULL ? budget / 2 :
		    (size_t)((double)budget * step / pack->len * 0.9);
		if (budget < 1)
			budget = 1;
		pack->len = 0;
	}
	rv = 0;
out:
	for (i = 0; i < w->nb; i++)
		free(sb[i].c);
	free(sb);
	return rv;
}

int
pack_build(git_repository *repo, const struct wire_want *w, size_t step,
    struct buf *out, char **cause)
{
	int	 rv;

	out->len = 0;
	rv = step == 0 ? pack_write(repo, w, NULL, 0, PACK_MAX_BYTES, out,
	    cause) : pack_step(repo, w, step, out, cause);
	if (rv == PACKW_FULL)
		set_cause(cause, "pack of more than %u bytes is over the limit",
		    PACK_MAX_BYTES);
	if (rv != 0)
		out->len = 0;
	return rv == 0 ? 0 : -1;
}

/* nftw callback: removes everything under the quarantine. */
static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Indexes data into quarantine/pack; *name gets the pack's base name. */
static int
index_pack(git_repository *repo, const char *qpack, const uint8_t *data,
    size_t len, char **name, char **cause)
{
	git_indexer_options	 opts;
	git_indexer_progress	 stats;
	git_indexer		*idx = NULL;
	int			 rv = -1;

	git_indexer_options_init(&opts, GIT_INDEXER_OPTIONS_VERSION);
	/*
	 * No connectivity check here: it keeps a copy of every object in
	 * memory, and pack_objects_reach walks every new commit and tree anyway.
	 * No odb either: a thin pack (a delta whose base is not in the
	 * pack) then fails here instead of being completed from ours.
	 */
	opts.verify = 0;
	if (git_indexer_new(&idx, qpack, 0444, NULL, &opts) != 0 ||
	    git_indexer_append(idx, data, len, &stats) != 0 ||
	    git_indexer_commit(idx, &stats) != 0) {
		/* Out of space, or another failure of this host's: not the peer's fault. */
		if (git_error_last() != NULL &&
		    git_error_last()->klass == GIT_ERROR_OS) {
			set_cause(cause, "cannot store the pack: %s",
			    store_git_error());
			rv = PACK_LOCAL;
		} else
			set_cause(cause, "pack rejected: %s", store_git_error());
		goto out;
	}
	*name = xasprintf("pack-%s", git_indexer_name(idx));
	rv = 0;
out:
	git_indexer_free(idx);
	return rv;
}

/*
 * When new does not descend from old: an ancestor of old is stale; a head
 * whose whole history is validly signed is a fork; anything else fails.
 */
static int
verify_fork(git_repository *vrepo, struct pack_update *u)
{
	char	*why = NULL;

	if (git_graph_descendant_of(vrepo, &u->old, &u->new) == 1) {
		u->stale = 1;
		return 0;
	}
	if (verify_range(vrepo, u->nid, &u->new, NULL, &u->commits, &why) != 0) {
		free(why);
		return -1;
	}
	u->fork = 1;
	return 0;
}

/* A commit the pack brought, under the one it follows (a zero parent: a root). */
struct step_link {
	git_oid		 parent;
	git_oid		 child;
	int		 forked;	/* a second child: no step goes past */
};

/* The pack's commits by parent, to find how far a step went. */
struct step_map {
	git_repository	*vrepo;
	struct step_link *links;
	size_t		  n, cap;
	struct hmap	 *by_parent;	/* parent oid → struct step_link */
};

/* git_odb_foreach callback over the quarantine: notes each commit under its parent. */
static int
step_map_cb(const git_oid *id, void *arg)
{
	struct step_map	*m = arg;
	git_object_t	 type;
	git_commit	*c;
	git_odb		*odb;
	size_t		 len;
	int		 rv;

	if (git_repository_odb(&odb, m->vrepo) != 0)
		return -1;
	rv = git_odb_read_header(&len, &type, odb, id);
	git_odb_free(odb);
	if (rv != 0 || type != GIT_OBJECT_COMMIT ||
	    git_commit_lookup(&c, m->vrepo, id) != 0)
		return 0;	/* not a commit: the verification judges the rest */
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 64 : m->cap * 2;
		m->links = xreallocarray(m->links, m->cap, sizeof *m->links);
	}
	memset(&m->links[m->n], 0, sizeof m->links[m->n]);
	if (git_commit_parentcount(c) == 1)
		git_oid_cpy(&m->links[m->n].parent, git_commit_parent_id(c, 0));
	git_oid_cpy(&m->links[m->n++].child, id);
	git_commit_free(c);
	return 0;
}

/* Reads the quarantine's commits into m. */
static int
step_map_load(struct step_map *m, git_repository *vrepo, const char *quarantine)
{
	struct step_link *l;
	git_odb		*q = NULL;
	size_t		 i;
	int		 rv;

	memset(m, 0, sizeof *m);
	m->vrepo = vrepo;
	m->by_parent = hmap_new();
	if ((rv = git_odb_new(&q)) == 0 &&
	    (rv = git_odb_add_disk_alternate(q, quarantine)) == 0)
		rv = git_odb_foreach(q, step_map_cb, m);
	git_odb_free(q);
	for (i = 0; i < m->n; i++) {
		l = hmap_get(m->by_parent, m->links[i].parent.id, GIT_OID_RAWSZ);
		if (l != NULL)
			l->forked = 1;
		else
			hmap_put(m->by_parent, m->links[i].parent.id,
			    GIT_OID_RAWSZ, &m->links[i]);
	}
	return rv;
}

/* Follows the pack's commits from start, one child at a time, to the last. */
static void
step_follow(const struct step_map *m, const git_oid *start, git_oid *tip)
{
	struct step_link *l;
	size_t		 steps = 0;

	git_oid_cpy(tip, start);
	while (steps++ < m->n && (l = hmap_get(m->by_parent, tip->id,
	    GIT_OID_RAWSZ)) != NULL && !l->forked)
		git_oid_cpy(tip, &l->child);
}

/*
 * An update whose head the pack does not bring: a sender that cuts a long
 * backlog into steps (HELLO feature WIRE_FEATURE_STEPS) sent the oldest
 * commits only. The step ends where the chain from the old head (from a
 * root signed by the node, for a new branch) ends; nothing: absent.
 */
static void
step_resolve(git_repository *vrepo, const struct step_map *m,
    struct pack_update *u)
{
	static const git_oid zero;
	git_oid		 tip;
	uint64_t	 commits;
	char		*why = NULL;
	size_t		 i;

	if (u->has_old) {
		step_follow(m, &u->old, &tip);
		if (!git_oid_equal(&tip, &u->old)) {
			u->new = tip;
			u->step = 1;
			return;
		}
	} else
		for (i = 0; i < m->n; i++) {
			if (!git_oid_equal(&m->links[i].parent, &zero))
				continue;
			step_follow(m, &m->links[i].child, &tip);
			if (verify_range(vrepo, u->nid, &tip, NULL, &commits,
			    &why) == 0) {
				u->new = tip;
				u->step = 1;
				return;
			}
			free(why);
			why = NULL;
		}
	u->absent = 1;
}

/* Resolves the updates whose heads the pack lacks; fails when it brought none at all. */
static int
step_updates(git_repository *vrepo, git_odb *odb, const char *quarantine,
    struct pack_update *u, size_t n, char **cause)
{
	struct step_map	 m;
	size_t		 i, absent = 0;
	int		 loaded = 0;

	for (i = 0; i < n; i++) {
		if (git_odb_exists(odb, &u[i].new))
			continue;
		if (!loaded && quarantine != NULL) {
			if (step_map_load(&m, vrepo, quarantine) != 0) {
				hmap_free(m.by_parent);
				free(m.links);
				return set_cause(cause, "%s", store_git_error());
			}
			loaded = 1;
		}
		if (loaded)
			step_resolve(vrepo, &m, &u[i]);
		else
			u[i].absent = 1;
		absent += u[i].absent;
	}
	if (loaded) {
		hmap_free(m.by_parent);
		free(m.links);
	}
	if (n > 0 && absent == n)
		return set_cause(cause, "the pack brought none of the %zu "
		    "heads asked for", n);
	return 0;
}

/*
 * Adds the quarantine's pack to odb ahead of the repository's objects:
 * nearly every lookup of a verification is of an object the pack brought,
 * and going through the repository's packs first costs a search in each.
 */
static int
verify_odb_quarantine(git_odb *odb, const char *quarantine)
{
	git_odb_backend	*b;

	if (git_odb_backend_pack(&b, quarantine) != 0)
		return -1;
	if (git_odb_add_backend(odb, b, 3) != 0) {
		b->free(b);
		return -1;
	}
	return 0;
}

/* Verifies every update against the quarantine's objects plus the repository's. */
static int
verify_updates(git_repository *repo, const char *quarantine,
    struct pack_update *u, size_t n, char **cause)
{
	git_odb		*odb = NULL;
	git_repository	*vrepo = NULL;
	struct pack_objects	*objs = NULL;
	char		*objects, *why = NULL;
	size_t		 i;
	int		 rv = -1;

	objects = xasprintf("%sobjects", git_repository_path(repo));
	if (git_odb_new(&odb) != 0 ||
	    (quarantine != NULL && verify_odb_quarantine(odb, quarantine) != 0) ||
	    git_odb_add_disk_alternate(odb, objects) != 0 ||
	    git_repository_wrap_odb(&vrepo, odb) != 0) {
		set_cause(cause, "%s", store_git_error());
		goto out;
	}
	/* Every object as git fsck --strict takes it, before libgit2 parses any. */
	if (quarantine != NULL &&
	    pack_objects_load(odb, quarantine, &objs, cause) != 0)
		goto out;
	verify_ids_begin();
	if (step_updates(vrepo, odb, quarantine, u, n, cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (u[i].absent)
			continue;
		if (verify_range(vrepo, u[i].nid, &u[i].new,
		    u[i].has_old ? &u[i].old : NULL, &u[i].commits, &why) == 0)
			continue;
		if (u[i].has_old && verify_fork(vrepo, &u[i]) == 0) {
			free(why);
			why = NULL;
			continue;
		}
		set_cause(cause, "branch %s: %s", u[i].nid, why);
		free(why);
		goto out;
	}
	if (objs != NULL && pack_objects_reach(objs, odb, u, n, cause) != 0)
		goto out;
	rv = 0;
out:
	verify_ids_end();
	pack_objects_free(objs);
	git_repository_free(vrepo);
	git_odb_free(odb);
	free(objects);
	return rv;
}

/* Moves the verified pack (.pack first, then .idx, which makes it visible) into objects/pack. */
static int
keep_pack(git_repository *repo, const char *qpack, const char *name,
    char **cause)
{
	static const char *const ext[] = { ".pack", ".idx" };
	char	*from, *to, *dir;
	size_t	 i;
	int	 fd, rv = 0;

	dir = xasprintf("%sobjects/pack", git_repository_path(repo));
	for (i = 0; i < 2 && rv == 0; i++) {
		from = xasprintf("%s/%s%s", qpack, name, ext[i]);
		to = xasprintf("%s/%s%s", dir, name, ext[i]);
		if (rename(from, to) == -1)
			rv = set_cause(cause, "%s: %s", to, strerror(errno));
		free(from);
		free(to);
	}
	if (rv == 0 && (fd = open(dir, O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(fd);
		close(fd);
	}
	free(dir);
	return rv;
}

/* What packscan allows one received pack, before libgit2 sees it (PROTOCOL.md §3.3). */
static const struct packscan_limits scan_limits = {
	PACKSCAN_OBJECT_MAX, PACKSCAN_BUDGET, PACK_MAX_OBJECTS
};

int
pack_receive(git_repository *repo, const uint8_t *data, size_t len,
    struct pack_update *u, size_t n, char **cause)
{
	char	*quarantine = NULL, *qpack = NULL, *name = NULL;
	int	 rv = -1;

	if (len > PACK_MAX_BYTES)
		return set_cause(cause, "pack of %zu bytes is over the limit", len);
	if (len > 0 && packscan(data, len, &scan_limits, NULL, cause) != 0)
		return -1;
	if (len > 0) {
		quarantine = xasprintf("%sobjects/incoming-XXXXXX",
		    git_repository_path(repo));
		if (mkdtemp(quarantine) == NULL) {
			set_cause(cause, "%s: %s", quarantine, strerror(errno));
			free(quarantine);
			return PACK_LOCAL;
		}
		qpack = xasprintf("%s/pack", quarantine);
		if (mkdir(qpack, 0755) == -1) {
			set_cause(cause, "%s: %s", qpack, strerror(errno));
			rv = PACK_LOCAL;
			goto out;
		}
		if ((rv = index_pack(repo, qpack, data, len, &name, cause)) != 0)
			goto out;
		rv = -1;
	}
	(void)verify_erased_missing();
	if (verify_updates(repo, quarantine, u, n, cause) != 0)
		goto out;
	/* Trees naming blobs their owner erased: the pack is marked promised (erase.c). */
	if (name != NULL && verify_erased_missing() > 0 &&
	    store_promisor_mark(repo, name + 5) != 0) {
		set_cause(cause, "cannot mark the pack: %s", strerror(errno));
		rv = PACK_LOCAL;
		goto out;
	}
	if (name != NULL && keep_pack(repo, qpack, name, cause) != 0) {
		rv = PACK_LOCAL;
		goto out;
	}
	rv = 0;
out:
	if (quarantine != NULL)
		nftw(quarantine, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(name);
	free(qpack);
	free(quarantine);
	return rv;
}
