/*
 * backup.c — `knowctl backup`: a consistent snapshot of the node home as a
 * tar archive (ustar) that unpacks into a home knowd runs on: knowd.conf,
 * the public key (the secret key only when asked), and repo.git with every
 * ref in packed-refs and every object in one pack. The refs are read in one
 * go on the event loop, which is the only writer, so they are consistent;
 * the pack and the archive are then written to a temporary directory of the
 * home on the worker thread, and the archive (already unlinked) is streamed
 * to knowctl from its open file: no size limit, no copy in memory.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "home.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

#define ARCHIVE		"archive.tar"	/* in the temporary directory */

/* Where the archive goes: a file, with its size and SHA-256 as written. */
struct tarout {
	FILE				*f;
	crypto_hash_sha256_state	 sha;
	uint64_t			 size;
};

/* Writes n bytes of the archive. */
static void
tar_write(struct tarout *t, const void *p, size_t n)
{
	fwrite(p, 1, n, t->f);
	crypto_hash_sha256_update(&t->sha, p, n);
	t->size += n;
}

/* Writes one ustar header: a file of len bytes, or a directory. */
static void
tar_header(struct tarout *t, const char *name, uint64_t len, int mode, int dir)
{
	uint8_t		 h[512];
	unsigned int	 sum = 0;
	size_t		 i;

	memset(h, 0, sizeof h);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)len);
	snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)time(NULL));
	memset(h + 148, ' ', 8);
	h[156] = dir ? '5' : '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < sizeof h; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	tar_write(t, h, sizeof h);
}

/* Pads an entry of len bytes to the next 512-byte block. */
static void
tar_pad(struct tarout *t, uint64_t len)
{
	static const uint8_t zero[512];

	tar_write(t, zero, (512 - len % 512) % 512);
}

/* Writes one entry from memory (a file, or a directory when data is NULL). */
static void
tar_entry(struct tarout *t, const char *name, const void *data, size_t len,
    int mode)
{
	tar_header(t, name, data != NULL ? len : 0, mode, data == NULL);
	if (data == NULL)
		return;
	tar_write(t, data, len);
	tar_pad(t, len);
}

/* Copies the file at path into the archive as name, a block at a time. */
static int
tar_file(struct tarout *t, const char *path, const char *name, int mode,
    char **cause)
{
	uint8_t		 blk[65536];
	struct stat	 sb;
	uint64_t	 left;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || fstat(fd, &sb) == -1) {
		set_cause(cause, "backup: %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	tar_header(t, name, (uint64_t)sb.st_size, mode, 0);
	for (left = (uint64_t)sb.st_size; left > 0; left -= (uint64_t)n) {
		n = read(fd, blk, left < sizeof blk ? left : sizeof blk);
		if (n <= 0) {
			close(fd);
			return set_cause(cause, "backup: %s: short read", path);
		}
		tar_write(t, blk, (size_t)n);
	}
	explicit_bzero(blk, sizeof blk);	/* it may have held the key */
	close(fd);
	tar_pad(t, (uint64_t)sb.st_size);
	return 0;
}

/* Copies a file of the home into the archive. */
static int
tar_home(struct tarout *t, const char *home, const char *rel, int mode,
    char **cause)
{
	char	*path = home_path(home, rel);
	int	 rv = tar_file(t, path, rel, mode, cause);

	free(path);
	return rv;
}

/* A snapshot of the refs to archive, taken on the event loop. */
struct backup {
	char		*home;
	int		 with_key;
	struct buf	 packed;	/* packed-refs text */
	git_oid		*oids;		/* what the refs point at */
	size_t		 n;
	struct {
		char	*path, *name;
		int	 mode;
	}		 extra[BACKUP_EXTRA];	/* desk, invitations */
	size_t		 nextra;
};

/* Collects one ref into packed-refs and the list of tips. */
static int
refs_cb(const char *name, void *arg)
{
	struct backup	*b = ((void **)arg)[0];
	git_repository	*repo = ((void **)arg)[1];
	git_oid		 id;
	char		 hex[GIT_OID_HEXSZ + 1];

	if (git_reference_name_to_id(&id, repo, name) != 0)
		return 0;
	git_oid_tostr(hex, sizeof hex, &id);
	buf_printf(&b->packed, "%s %s\n", hex, name);
	b->oids = xreallocarray(b->oids, b->n + 1, sizeof *b->oids);
	b->oids[b->n++] = id;
	return 0;
}

/* nftw callback: removes the temporary pack directory. */
static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Adds every file of dir (the written pack and its index) under prefix. */
static int
tar_dir(struct tarout *t, const char *dir, const char *prefix, char **cause)
{
	struct dirent	*de;
	DIR		*d;
	char		*path, *name;
	int		 rv = 0;

	if ((d = opendir(dir)) == NULL)
		return set_cause(cause, "%s: cannot read", dir);
	while (rv == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, ARCHIVE) == 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		name = xasprintf("%s/%s", prefix, de->d_name);
		rv = tar_file(t, path, name, 0444, cause);
		free(path);
		free(name);
	}
	closedir(d);
	return rv;
}

/* Writes one pack of every object reachable from the snapshot's tips into dir. */
static int
backup_pack(git_repository *repo, const struct backup *b, const char *dir,
    char **cause)
{
	git_revwalk	*walk = NULL;
	git_packbuilder	*pb = NULL;
	char		*why = NULL, *p;
	size_t		 i;
	int		 rv = -1, erased = store_erased_count() > 0;

	if (git_revwalk_new(&walk, repo) != 0)
		goto out;
	for (i = 0; i < b->n; i++)
		if (git_revwalk_push(walk, &b->oids[i]) != 0)
			goto out;
	if (git_packbuilder_new(&pb, repo) != 0)
		goto out;
	/* Erased blobs stay out; the pack is then marked promised (erase.c). */
	if (erased ? packw_insert(pb, repo, walk, &why) != 0 :
	    git_packbuilder_insert_walk(pb, walk) != 0)
		goto out;
	if (git_packbuilder_write(pb, dir, 0444, NULL, NULL) != 0)
		goto out;
	if (erased) {
		p = xasprintf("%s/pack-%s.promisor", dir,
		    git_packbuilder_name(pb));
		rv = write_file_atomic(p, "", 0, 0444, &why);
		free(p);
		if (rv != 0)
			goto out;
	}
	rv = 0;
out:
	if (rv != 0)
		set_cause(cause, "backup: %s", why != NULL ? why :
		    store_git_error());
	free(why);
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	return rv;
}

struct backup *
backup_begin(struct store *st, const char *home, int with_key, char **cause)
{
	struct backup	*b = xcalloc(1, sizeof *b);
	void		*arg[2] = { b, store_repo(st) };

	b->home = xstrdup(home);
	b->with_key = with_key;
	buf_init(&b->packed);
	if (git_reference_foreach_name(store_repo(st), refs_cb,
	    arg) != 0) {
		set_cause(cause, "backup: %s", store_git_error());
		backup_free(b);
		return NULL;
	}
	return b;
}

void
backup_free(struct backup *b)
{
	if (b == NULL)
		return;
	while (b->nextra > 0) {
		b->nextra--;
		free(b->extra[b->nextra].path);
		free(b->extra[b->nextra].name);
	}
	free(b->home);
	buf_free(&b->packed);
	free(b->oids);
	free(b);
}

int
backup_add(struct backup *b, const char *path, const char *name, int mode)
{
	if (b->nextra == BACKUP_EXTRA)
		return -1;
	b->extra[b->nextra].path = xstrdup(path);
	b->extra[b->nextra].name = xstrdup(name);
	b->extra[b->nextra].mode = mode;
	b->nextra++;
	return 0;
}

/* Writes the archive's files and directories, the pack from dir among them. */
static int
backup_tar(const struct backup *b, const char *dir, struct tarout *t,
    char **cause)
{
	static const char head[] = "ref: refs/heads/main\n";
	static const char config[] = "[core]\n\trepositoryformatversion = 0\n"
	    "\tfilemode = true\n\tbare = true\n";
	static const char promisor[] = "[remote \"knowd\"]\n\tpromisor = true\n";
	static const uint8_t zero[1024];
	size_t		 i;

	tar_entry(t, "keys", NULL, 0, 0700);
	if (tar_home(t, b->home, CONFIG_FILE, 0640, cause) != 0 ||
	    tar_home(t, b->home, HOME_PUB, 0644, cause) != 0 ||
	    (b->with_key && tar_home(t, b->home, HOME_KEY, 0600, cause) != 0))
		return -1;
	for (i = 0; i < b->nextra; i++)
		if (tar_file(t, b->extra[i].path, b->extra[i].name,
		    b->extra[i].mode, cause) != 0)
			return -1;
	tar_entry(t, "repo.git", NULL, 0, 0755);
	tar_entry(t, "repo.git/HEAD", head, sizeof head - 1, 0644);
	if (store_erased_count() > 0) {		/* see erase.c */
		char *both = xasprintf("%s%s", config, promisor);

		tar_entry(t, "repo.git/config", both, strlen(both), 0644);
		free(both);
	} else
		tar_entry(t, "repo.git/config", config, sizeof config - 1, 0644);
	tar_entry(t, "repo.git/packed-refs", b->packed.data, b->packed.len,
	    0644);
	tar_entry(t, "repo.git/refs", NULL, 0, 0755);
	tar_entry(t, "repo.git/refs/heads", NULL, 0, 0755);
	tar_entry(t, "repo.git/objects", NULL, 0, 0755);
	tar_entry(t, "repo.git/objects/info", NULL, 0, 0755);
	tar_entry(t, "repo.git/objects/pack", NULL, 0, 0755);
	if (tar_dir(t, dir, "repo.git/objects/pack", cause) != 0)
		return -1;
	tar_write(t, zero, sizeof zero);	/* two zero blocks end it */
	return 0;
}

/* Writes the archive into dir/ARCHIVE; fills out with its size and hash. */
static int
backup_write(const struct backup *b, const char *dir, struct backup_out *out,
    char **cause)
{
	struct tarout	 t;
	char		*path = xasprintf("%s/%s", dir, ARCHIVE);
	int		 rv = -1;

	memset(&t, 0, sizeof t);
	crypto_hash_sha256_init(&t.sha);
	if ((t.f = fopen(path, "w+xe")) == NULL) {
		set_cause(cause, "backup: %s: %s", path, strerror(errno));
		goto out;
	}
	if (backup_tar(b, dir, &t, cause) != 0)
		goto out;
	if (fflush(t.f) != 0 || ferror(t.f)) {
		set_cause(cause, "backup: %s: %s", path, strerror(errno));
		goto out;
	}
	/* The open file outlives its name: nothing is left behind. */
	if ((out->fd = dup(fileno(t.f))) == -1) {
		set_cause(cause, "backup: %s", strerror(errno));
		goto out;
	}
	lseek(out->fd, 0, SEEK_SET);
	out->size = t.size;
	crypto_hash_sha256_final(&t.sha, out->sha256);
	rv = 0;
out:
	if (t.f != NULL)
		fclose(t.f);
	free(path);
	return rv;
}

int
backup_build(struct backup *b, git_repository *repo, struct backup_out *out,
    char **cause)
{
	char	*tmp;
	int	 rv = -1;

	memset(out, 0, sizeof *out);
	out->fd = -1;
	tmp = xasprintf("%s/.backup.XXXXXX", b->home);
	if (mkdtemp(tmp) == NULL) {
		free(tmp);
		return set_cause(cause, "backup: cannot make a temporary "
		    "directory in %s: %s", b->home, strerror(errno));
	}
	if (backup_pack(repo, b, tmp, cause) == 0 &&
	    backup_write(b, tmp, out, cause) == 0)
		rv = 0;
	nftw(tmp, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(tmp);
	return rv;
}
