/* pack.c — build packs for peers; receive packs into quarantine, verify, then keep. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

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

/* Adds one wanted branch to the walk: push want, hide the haves we know. */
static int
walk_branch(git_repository *repo, git_revwalk *walk,
    const struct wire_wantb *b, char **cause)
{
	char	 nid[KEYS_NID_MAX];
	git_oid	 want, have;
	git_odb	*odb;
	size_t	 i;
	int	 rv = 0;

	keys_nid_encode(b->pk, nid);
	git_oid_fromraw(&want, b->want);
	if (want_served(repo, nid, &want, cause) != 0)
		return -1;
	if (git_revwalk_push(walk, &want) != 0)
		return set_cause(cause, "%s", store_git_error());
	if (git_repository_odb(&odb, repo) != 0)
		return set_cause(cause, "%s", store_git_error());
	for (i = 0; i < b->nhaves && rv == 0; i++) {
		git_oid_fromraw(&have, b->haves[i]);
		/* Hiding an unknown oid fails: only hide what we have. */
		if (git_odb_exists(odb, &have) &&
		    git_revwalk_hide(walk, &have) != 0)
			rv = set_cause(cause, "%s", store_git_error());
	}
	git_odb_free(odb);
	return rv;
}

int
pack_build(git_repository *repo, const struct wire_want *w, struct buf *out,
    char **cause)
{
	git_revwalk	*walk = NULL;
	git_packbuilder	*pb = NULL;
	git_buf		 pack = { 0 };
	size_t		 i;
	int		 rv = -1;

	if (git_revwalk_new(&walk, repo) != 0 ||
	    git_packbuilder_new(&pb, repo) != 0) {
		set_cause(cause, "%s", store_git_error());
		goto out;
	}
	for (i = 0; i < w->nb; i++)
		if (walk_branch(repo, walk, &w->b[i], cause) != 0)
			goto out;
	if (git_packbuilder_insert_walk(pb, walk) != 0 ||
	    git_packbuilder_write_buf(&pack, pb) != 0) {
		set_cause(cause, "%s", store_git_error());
		goto out;
	}
	if (pack.size > PACK_MAX_BYTES) {
		set_cause(cause, "pack of %zu bytes is over the limit", pack.size);
		goto out;
	}
	buf_add(out, pack.ptr, pack.size);
	rv = 0;
out:
	git_buf_dispose(&pack);
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	return rv;
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
	git_odb			*odb = NULL;
	int			 rv = -1;

	git_indexer_options_init(&opts, GIT_INDEXER_OPTIONS_VERSION);
	/*
	 * No connectivity check here: it keeps a copy of every object in
	 * memory, and verify_updates walks every new commit and tree anyway.
	 */
	opts.verify = 0;
	if (git_repository_odb(&odb, repo) != 0 ||
	    git_indexer_new(&idx, qpack, 0444, odb, &opts) != 0 ||
	    git_indexer_append(idx, data, len, &stats) != 0 ||
	    git_indexer_commit(idx, &stats) != 0) {
		set_cause(cause, "pack rejected: %s", store_git_error());
		goto out;
	}
	*name = xasprintf("pack-%s", git_indexer_name(idx));
	rv = 0;
out:
	git_indexer_free(idx);
	git_odb_free(odb);
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

/* Verifies every update against the repository's objects plus the quarantine's. */
static int
verify_updates(git_repository *repo, const char *quarantine,
    struct pack_update *u, size_t n, char **cause)
{
	git_odb		*odb = NULL;
	git_repository	*vrepo = NULL;
	char		*objects, *why = NULL;
	size_t		 i;
	int		 rv = -1;

	objects = xasprintf("%sobjects", git_repository_path(repo));
	if (git_odb_new(&odb) != 0 ||
	    git_odb_add_disk_alternate(odb, objects) != 0 ||
	    (quarantine != NULL &&
	    git_odb_add_disk_alternate(odb, quarantine) != 0) ||
	    git_repository_wrap_odb(&vrepo, odb) != 0) {
		set_cause(cause, "%s", store_git_error());
		goto out;
	}
	for (i = 0; i < n; i++) {
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
	rv = 0;
out:
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

int
pack_receive(git_repository *repo, const uint8_t *data, size_t len,
    struct pack_update *u, size_t n, char **cause)
{
	char	*quarantine = NULL, *qpack = NULL, *name = NULL;
	int	 rv = -1;

	if (len > PACK_MAX_BYTES)
		return set_cause(cause, "pack of %zu bytes is over the limit", len);
	if (len > 0) {
		quarantine = xasprintf("%sobjects/incoming-XXXXXX",
		    git_repository_path(repo));
		if (mkdtemp(quarantine) == NULL) {
			set_cause(cause, "%s: %s", quarantine, strerror(errno));
			free(quarantine);
			return -1;
		}
		qpack = xasprintf("%s/pack", quarantine);
		if (mkdir(qpack, 0755) == -1 ||
		    index_pack(repo, qpack, data, len, &name, cause) != 0)
			goto out;
	}
	if (verify_updates(repo, quarantine, u, n, cause) != 0)
		goto out;
	if (name != NULL && keep_pack(repo, qpack, name, cause) != 0)
		goto out;
	rv = 0;
out:
	if (quarantine != NULL)
		nftw(quarantine, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(name);
	free(qpack);
	free(quarantine);
	return rv;
}
