/*
 * backup.c — `knowctl backup`: a consistent snapshot of the node home as a
 * tar archive (ustar) that unpacks into a home knowd runs on: knowd.conf,
 * the public key (the secret key only when asked), and repo.git with every
 * ref in packed-refs and every object in one pack. The refs are read in one
 * go on the event loop, which is the only writer, so they are consistent;
 * the pack and the archive are then built on the worker thread.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "home.h"
#include "knowd.h"
#include "store.h"
#include "util.h"

#define BACKUP_MAX	(200u * 1024 * 1024)	/* fits a control reply */

/* Appends one ustar entry (a file, or a directory when data is NULL). */
static void
tar_entry(struct buf *t, const char *name, const void *data, size_t len,
    int mode)
{
	uint8_t		 h[512];
	unsigned int	 sum = 0;
	size_t		 i, pad;

	memset(h, 0, sizeof h);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", data != NULL ? len : 0);
	snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)time(NULL));
	memset(h + 148, ' ', 8);
	h[156] = data != NULL ? '0' : '5';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < sizeof h; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	buf_add(t, h, sizeof h);
	if (data == NULL)
		return;
	buf_add(t, data, len);
	pad = (512 - len % 512) % 512;
	memset(h, 0, sizeof h);
	buf_add(t, h, pad);
}

/* Appends a file of the home to the archive. */
static int
tar_file(struct buf *t, const char *home, const char *rel, const char *name,
    int mode, char **cause)
{
	char	*path, *data;
	size_t	 len;
	int	 rv;

	path = home_path(home, rel);
	rv = read_file(path, BACKUP_MAX, &data, &len, cause);
	free(path);
	if (rv != 0)
		return -1;
	tar_entry(t, name, data, len, mode);
	if (strstr(rel, "node.key") != NULL)
		explicit_bzero(data, len);
	free(data);
	return 0;
}

/* A snapshot of the refs to archive, taken on the event loop. */
struct backup {
	char		*home;
	int		 with_key;
	struct buf	 packed;	/* packed-refs text */
	git_oid		*oids;		/* what the refs point at */
	size_t		 n;
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

/* Adds every file of dir (the written pack and index) under prefix. */
static int
tar_dir(struct buf *t, const char *dir, const char *prefix, char **cause)
{
	struct dirent	*de;
	DIR		*d;
	char		*rel, *name;
	int		 rv = 0;

	if ((d = opendir(dir)) == NULL)
		return set_cause(cause, "%s: cannot read", dir);
	while (rv == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		rel = xasprintf("%s", de->d_name);
		name = xasprintf("%s/%s", prefix, de->d_name);
		rv = tar_file(t, dir, rel, name, 0444, cause);
		free(rel);
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
	size_t		 i;
	int		 rv = -1;

	if (git_revwalk_new(&walk, repo) != 0)
		goto out;
	for (i = 0; i < b->n; i++)
		if (git_revwalk_push(walk, &b->oids[i]) != 0)
			goto out;
	if (git_packbuilder_new(&pb, repo) != 0 ||
	    git_packbuilder_insert_walk(pb, walk) != 0 ||
	    git_packbuilder_write(pb, dir, 0444, NULL, NULL) != 0)
		goto out;
	rv = 0;
out:
	if (rv != 0)
		set_cause(cause, "backup: %s", store_git_error());
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	return rv;
}

struct backup *
backup_begin(struct knowd *kd, int with_key, char **cause)
{
	struct backup	*b = xcalloc(1, sizeof *b);
	void		*arg[2] = { b, store_repo(kd->store) };

	b->home = xstrdup(kd->home);
	b->with_key = with_key;
	buf_init(&b->packed);
	if (git_reference_foreach_name(store_repo(kd->store), refs_cb,
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
	free(b->home);
	buf_free(&b->packed);
	free(b->oids);
	free(b);
}

/* Appends the archive's files and directories, the pack from dir among them. */
static int
backup_tar(const struct backup *b, const char *dir, struct buf *out,
    char **cause)
{
	static const char head[] = "ref: refs/heads/main\n";
	static const char config[] = "[core]\n\trepositoryformatversion = 0\n"
	    "\tfilemode = true\n\tbare = true\n";
	static const uint8_t zero[1024];

	tar_entry(out, "keys", NULL, 0, 0700);
	if (tar_file(out, b->home, CONFIG_FILE, CONFIG_FILE, 0640, cause) != 0 ||
	    tar_file(out, b->home, HOME_PUB, HOME_PUB, 0644, cause) != 0 ||
	    (b->with_key && tar_file(out, b->home, HOME_KEY, HOME_KEY, 0600,
	    cause) != 0))
		return -1;
	tar_entry(out, "repo.git", NULL, 0, 0755);
	tar_entry(out, "repo.git/HEAD", head, sizeof head - 1, 0644);
	tar_entry(out, "repo.git/config", config, sizeof config - 1, 0644);
	tar_entry(out, "repo.git/packed-refs", b->packed.data, b->packed.len,
	    0644);
	tar_entry(out, "repo.git/refs", NULL, 0, 0755);
	tar_entry(out, "repo.git/refs/heads", NULL, 0, 0755);
	tar_entry(out, "repo.git/objects", NULL, 0, 0755);
	tar_entry(out, "repo.git/objects/info", NULL, 0, 0755);
	tar_entry(out, "repo.git/objects/pack", NULL, 0, 0755);
	if (tar_dir(out, dir, "repo.git/objects/pack", cause) != 0)
		return -1;
	buf_add(out, zero, sizeof zero);	/* two zero blocks end it */
	if (out->len > BACKUP_MAX)
		return set_cause(cause, "backup of %zu bytes is over %u",
		    out->len, BACKUP_MAX);
	return 0;
}

int
backup_build(struct backup *b, git_repository *repo, struct buf *out,
    char **cause)
{
	char	*tmp;
	int	 rv = -1;

	buf_init(out);
	tmp = xasprintf("%s/.backup.XXXXXX", b->home);
	if (mkdtemp(tmp) == NULL) {
		free(tmp);
		return set_cause(cause, "backup: cannot make a temporary "
		    "directory in %s: %s", b->home, strerror(errno));
	}
	if (backup_pack(repo, b, tmp, cause) == 0 &&
	    backup_tar(b, tmp, out, cause) == 0)
		rv = 0;
	if (rv != 0 && out->data != NULL) {
		explicit_bzero(out->data, out->len);
		buf_free(out);
	}
	nftw(tmp, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(tmp);
	return rv;
}
