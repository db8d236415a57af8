/* store.c — the bare git repository: origin branches, signed commits, the network view. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <ftw.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "store_int.h"
#include "util.h"

void
store_global_init(void)
{
	git_libgit2_init();
	/* Objects and refs reach the disk before a ref points at them. */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
	/* The daemon opens only its own home; ownership checks would refuse a system user's repo. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/*
	 * No user or system git configuration: knowd's behaviour must not
	 * depend on ~/.gitconfig, and under systemd's ProtectHome it cannot
	 * even be read.
	 */
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, "");
	/*
	 * Bounded memory and descriptors, whatever the repository grows to:
	 * at most STORE_MAPPED of pack data mapped, in windows of
	 * STORE_WINDOW (see store.h; libgit2's defaults are 8 GiB and 1 GiB),
	 * STORE_OPEN_PACKS pack files open (fewer under a low descriptor
	 * limit), STORE_CACHE of parsed objects cached (shared by every
	 * repository handle).
	 */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)STORE_WINDOW);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)STORE_MAPPED);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, (size_t)STORE_OPEN_PACKS);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)STORE_CACHE);
	/*
	 * An object's id is computed from its bytes when it comes in (the
	 * indexer of a received pack, every write); a read is checked by
	 * zlib's checksum, as git does, not hashed again (it was 6 % of a
	 * mirror's and its source's CPU).
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

void
store_set_open_packs(size_t n)
{
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, n);
}

const char *
store_git_error(void)
{
	const git_error	*e = git_error_last();

	return e != NULL && e->message != NULL ? e->message : "unknown git error";
}

int
store_create(const char *path, char **cause)
{
	git_repository_init_options opts;
	git_repository	*repo;
	struct stat	 sb;

	git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	if (stat(path, &sb) == 0)
		return set_cause(cause, "%s: already exists", path);
	opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = "main";	/* HEAD names the view */
	if (git_repository_init_ext(&repo, path, &opts) != 0)
		return set_cause(cause, "%s: %s", path, store_git_error());
	git_repository_free(repo);
	return 0;
}

/*
 * Opens a second handle on the repository whose writes are not fsynced:
 * for what can be had again — heads fetched from peers (they hold them
 * too) and the view (derived, rebuilt at start). libgit2 decides about
 * fsync when a handle's ref and object databases are made, from a process
 * option: this runs at start, before any other thread opens a repository.
 */
static int
store_open_bulk(const char *path, git_repository **out)
{
	git_refdb	*refdb = NULL;
	git_odb		*odb = NULL;
	int		 rv;

	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	if ((rv = git_repository_open_bare(out, path)) == 0 &&
	    ((rv = git_repository_refdb(&refdb, *out)) != 0 ||
	    (rv = git_repository_odb(&odb, *out)) != 0)) {
		git_repository_free(*out);
		*out = NULL;
	}
	git_refdb_free(refdb);
	git_odb_free(odb);
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	return rv;
}

/* A fresh object database for a handle: packs first, then loose objects (fsynced or not). */
static int
store_new_odb(const char *path, int fsync_loose, git_odb **out)
{
	git_odb_backend	*pack = NULL, *loose = NULL;
	char		*objects = xasprintf("%s/objects", path);
	int		 rv = -1;

	*out = NULL;
	if (git_odb_new(out) != 0 || git_odb_backend_pack(&pack, objects) != 0 ||
	    git_odb_add_backend(*out, pack, 2) != 0)
		goto out;
	pack = NULL;
	if (git_odb_backend_loose(&loose, objects, -1, fsync_loose, 0, 0) != 0 ||
	    git_odb_add_backend(*out, loose, 1) != 0)
		goto out;
	loose = NULL;
	rv = 0;
out:
	if (pack != NULL)
		pack->free(pack);
	if (loose != NULL)
		loose->free(loose);
	if (rv != 0) {
		git_odb_free(*out);
		*out = NULL;
	}
	free(objects);
	return rv;
}

int
store_reopen_objects(struct store *st, char **cause)
{
	git_odb	*a = NULL, *b = NULL;

	if (st->objects_gen == store_objects_generation())
		return 0;
	if (store_new_odb(st->path, 1, &a) != 0 ||
	    store_new_odb(st->path, 0, &b) != 0 ||
	    git_repository_set_odb(st->repo, a) != 0 ||
	    git_repository_set_odb(st->bulk, b) != 0) {
		git_odb_free(a);
		git_odb_free(b);
		return set_cause(cause, "objects: %s", store_git_error());
	}
	git_odb_free(a);	/* the repositories hold their own references */
	git_odb_free(b);
	st->objects_gen = store_objects_generation();
	return 0;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	git_repository	*repo;
	struct store	*st;

	if (git_repository_open_bare(&repo, path) != 0)
		return set_cause(cause, "%s: %s", path, store_git_error());
	st = xcalloc(1, sizeof *st);
	st->repo = repo;
	st->path = xstrdup(path);
	st->objects_gen = store_objects_generation();
	if (store_open_bulk(path, &st->bulk) != 0) {
		set_cause(cause, "%s: %s", path, store_git_error());
		store_close(st);
		return -1;
	}
	if (branches_load(st, cause) != 0) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	branches_free(st);
	git_repository_free(st->bulk);
	git_repository_free(st->repo);
	free(st->path);
	free(st);
}

static int stale_locks;

/* nftw callback: removes one *.lock file under refs/. */
static int
stale_lock_cb(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	size_t	 n = strlen(path);

	if (flag == FTW_F && n > 5 && strcmp(path + n - 5, ".lock") == 0 &&
	    unlink(path) == 0)
		stale_locks++;
	return 0;
}

/* nftw callback: removes everything under a quarantine directory. */
static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Removes objects/incoming-* quarantines a killed pack receive left behind. */
static int
clear_quarantines(struct store *st)
{
	struct dirent	*de;
	DIR		*d;
	char		*dir, *p;
	int		 n = 0;

	dir = xasprintf("%s/objects", st->path);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "incoming-", 9) != 0)
				continue;
			p = xasprintf("%s/%s", dir, de->d_name);
			if (nftw(p, rm_cb, 8, FTW_DEPTH | FTW_PHYS) == 0)
				n++;
			free(p);
		}
		closedir(d);
	}
	free(dir);
	return n;
}

int
store_clear_stale_locks(struct store *st)
{
	static const char *const top[] = { "packed-refs.lock", "HEAD.lock",
	    "config.lock" };
	char	*p;
	size_t	 i;

	stale_locks = 0;
	p = xasprintf("%s/refs", st->path);
	nftw(p, stale_lock_cb, 16, FTW_PHYS);
	free(p);
	for (i = 0; i < nitems(top); i++) {
		p = xasprintf("%s/%s", st->path, top[i]);
		if (unlink(p) == 0)
			stale_locks++;
		free(p);
	}
	stale_locks += clear_quarantines(st);
	return stale_locks;
}

git_repository *
store_repo(struct store *st)
{
	return st->repo;
}

void
store_branch_ref(const char *nid, char *out)
{
	snprintf(out, STORE_REF_MAX, "refs/namespaces/%s/refs/heads/main", nid);
}

uint64_t
store_message_seq(const char *message)
{
	git_message_trailer_array arr;
	uint64_t	 seq = 0;
	size_t		 i;
	char		*end;

	if (git_message_trailers(&arr, message) != 0)
		return 0;
	for (i = 0; i < arr.count; i++) {
		if (strcmp(arr.trailers[i].key, STORE_SEQ_KEY) != 0)
			continue;
		if (seq != 0 || arr.trailers[i].value[0] < '1' ||
		    arr.trailers[i].value[0] > '9') {
			seq = 0;	/* twice, or not a positive number */
			break;
		}
		errno = 0;
		seq = strtoull(arr.trailers[i].value, &end, 10);
		if (errno != 0 || *end != '\0')
			seq = 0;
		if (seq == 0)
			break;
	}
	git_message_trailer_array_free(&arr);
	return seq;
}

int
store_commit_tree(struct store *st, const git_oid *commit, git_oid *tree)
{
	return store_tree_of(st->repo, commit, tree);
}

int
store_tree_of(git_repository *repo, const git_oid *commit, git_oid *tree)
{
	git_commit	*c;

	if (git_commit_lookup(&c, repo, commit) != 0)
		return -1;
	git_oid_cpy(tree, git_commit_tree_id(c));
	git_commit_free(c);
	return 0;
}

/* Looks up the tree to change: the head's, or an empty one for a new branch. */
static int
baseline_tree(struct store *st, const git_oid *head, git_tree **out)
{
	git_treebuilder	*tb;
	git_oid		 id;
	int		 rv;

	if (head != NULL) {
		if (store_commit_tree(st, head, &id) != 0)
			return -1;
	} else {
		if (git_treebuilder_new(&tb, st->repo, NULL) != 0)
			return -1;
		rv = git_treebuilder_write(&id, tb);
		git_treebuilder_free(tb);
		if (rv != 0)
			return -1;
	}
	return git_tree_lookup(out, st->repo, &id);
}

/* Writes the blobs of changes and builds the new tree on top of base. */
static int
changed_tree(struct store *st, git_tree *base, const struct store_change *ch,
    size_t n, git_oid *tree)
{
	git_tree_update	*up;
	size_t		 i;
	int		 rv = -1;

	up = xcalloc(n, sizeof *up);
	for (i = 0; i < n; i++) {
		up[i].path = ch[i].path;
		if (ch[i].data == NULL) {
			up[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].filemode = GIT_FILEMODE_BLOB;
		if (git_blob_create_from_buffer(&up[i].id, st->repo, ch[i].data,
		    ch[i].len) != 0)
			goto out;
	}
	rv = git_tree_create_updated(tree, st->repo, base, n, up);
out:
	free(up);
	return rv;
}

char *
store_commit_message(const char *subject, uint64_t seq)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; subject[i] != '\0' && i < 200; i++)
		buf_addc(&b, (unsigned char)subject[i] < 0x20 ? ' ' : subject[i]);
	buf_printf(&b, "\n\n%s: %llu\n", STORE_SEQ_KEY, (unsigned long long)seq);
	return buf_detach(&b, NULL);
}

int
store_write_signed(struct store *st, const struct keys_pair *kp,
    const char *nid, const char *author, const char *msg, const git_oid *treeid,
    const git_commit **parents, size_t nparents, git_oid *out, char **cause)
{
	git_signature	*sig = NULL;
	git_tree	*tree = NULL;
	git_buf		 raw = { 0 };
	char		*email, *armored = NULL;
	int		 rv = -1;

	email = xasprintf("%s@knowd.invalid", nid);
	if (git_signature_now(&sig, author, email) != 0 ||
	    git_tree_lookup(&tree, st->repo, treeid) != 0 ||
	    git_commit_create_buffer(&raw, st->repo, sig, sig, NULL, msg, tree,
	    nparents, parents) != 0) {
		set_cause(cause, "commit: %s", store_git_error());
		goto out;
	}
	if (keys_sshsig_sign(kp, "git", raw.ptr, raw.size, &armored) != 0) {
		set_cause(cause, "commit: signing failed");
		goto out;
	}
	if (git_commit_create_with_signature(out, st->repo, raw.ptr, armored,
	    "gpgsig") != 0) {
		set_cause(cause, "commit: %s", store_git_error());
		goto out;
	}
	rv = 0;
out:
	free(armored);
	free(email);
	git_buf_dispose(&raw);
	git_tree_free(tree);
	git_signature_free(sig);
	return rv;
}

/* Moves ref from old (NULL: must not exist) to new, failing if it moved meanwhile. */
static int
cas_ref(git_repository *repo, const char *ref, const git_oid *new,
    const git_oid *old, const char *logmsg, char **cause)
{
	git_reference	*r = NULL;
	int		 rv;

	if (old != NULL)
		rv = git_reference_create_matching(&r, repo, ref, new, 1, old,
		    logmsg);
	else
		rv = git_reference_create(&r, repo, ref, new, 0, logmsg);
	git_reference_free(r);
	if (rv == GIT_EMODIFIED || rv == GIT_EEXISTS)
		return set_cause(cause, "%s moved meanwhile; nothing changed", ref);
	if (rv != 0)
		return set_cause(cause, "%s: %s", ref, store_git_error());
	return 0;
}

int
store_commit(struct store *st, const struct keys_pair *kp, const char *nid,
    const char *author, const struct store_change *ch, size_t n,
    const char *subject, git_oid *out, uint64_t *seqout, char **cause)
{
	char		 ref[STORE_REF_MAX];
	git_oid		 head, tree;
	git_commit	*parent = NULL;
	git_tree	*base = NULL;
	uint64_t	 seq = 0;
	char		*msg = NULL;
	int		 r, rv = -1;

	store_branch_ref(nid, ref);
	if ((r = store_head(st, nid, &head, &seq)) == -1)
		return set_cause(cause, "%s: %s", ref, store_git_error());
	if (r == 0 && (seq == 0 ||
	    git_commit_lookup(&parent, st->repo, &head) != 0))
		return set_cause(cause, "%s: head has no valid %s", ref,
		    STORE_SEQ_KEY);
	if (baseline_tree(st, r == 0 ? &head : NULL, &base) != 0 ||
	    changed_tree(st, base, ch, n, &tree) != 0) {
		set_cause(cause, "commit: %s", store_git_error());
		goto out;
	}
	msg = store_commit_message(subject, seq + 1);
	if (store_write_signed(st, kp, nid, author, msg, &tree,
	    (const git_commit **)&parent, parent != NULL ? 1 : 0, out,
	    cause) != 0 ||
	    cas_ref(st->repo, ref, out, r == 0 ? &head : NULL, "knowd: commit",
	    cause) != 0)
		goto out;
	branches_set(st, nid, out);
	if (seqout != NULL)
		*seqout = seq + 1;
	rv = 0;
out:
	free(msg);
	git_tree_free(base);
	git_commit_free(parent);
	return rv;
}

int
store_branch_move(struct store *st, const char *nid, const git_oid *old,
    const git_oid *new, char **cause)
{
	char	 ref[STORE_REF_MAX];

	store_branch_ref(nid, ref);
	/* A fetched head: peers hold it too, so its ref is not fsynced (bulk). */
	if (cas_ref(st->bulk, ref, new, old, "knowd: fetched", cause) != 0)
		return -1;
	if (branches_set(st, nid, new) != 0)
		return set_cause(cause, "%s: %s", ref, store_git_error());
	return 0;
}

int
store_branch_delete(struct store *st, const char *nid, char **cause)
{
	char	 ref[STORE_REF_MAX];

	store_branch_ref(nid, ref);
	if (git_reference_remove(st->repo, ref) != 0)
		return set_cause(cause, "%s: %s", ref, store_git_error());
	branches_forget(st, nid);
	return 0;
}

int
store_read(struct store *st, const git_oid *commit, const char *path,
    size_t max, char **data, size_t *len)
{
	git_commit	*c = NULL;
	git_tree	*t = NULL;
	git_tree_entry	*e = NULL;
	git_blob	*b = NULL;
	int		 rv = -1, r;

	if (git_commit_lookup(&c, st->repo, commit) != 0 ||
	    git_commit_tree(&t, c) != 0)
		goto out;
	if ((r = git_tree_entry_bypath(&e, t, path)) == GIT_ENOTFOUND) {
		rv = 1;
		goto out;
	}
	if (r != 0 || git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_blob_lookup(&b, st->repo, git_tree_entry_id(e)) != 0 ||
	    (size_t)git_blob_rawsize(b) > max)
		goto out;
	*len = (size_t)git_blob_rawsize(b);
	*data = xstrndup(git_blob_rawcontent(b), *len);
	rv = 0;
out:
	git_blob_free(b);
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	return rv;
}
