/*
 * cmd_backup.c — knowctl backup FILE: a consistent snapshot of the node home.
 * knowd answers with the archive's size and SHA-256, then sends its bytes on
 * the same connection; they go to a temporary file beside FILE, which is
 * checked, synced and renamed into place only when all arrived intact.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "util.h"

/* Copies size bytes from fd into out, checking them against the hex SHA-256. */
static int
receive(int fd, int out, uint64_t size, const char *sha, char **why)
{
	crypto_hash_sha256_state st;
	uint8_t		 blk[65536], digest[32];
	char		 hex[65];
	size_t		 n;

	crypto_hash_sha256_init(&st);
	for (; size > 0; size -= n) {
		n = size < sizeof blk ? (size_t)size : sizeof blk;
		if (cli_read_full(fd, blk, n) != 0)
			return set_cause(why, _("knowd stopped sending (%llu bytes "
			    "missing)"), (unsigned long long)size);
		crypto_hash_sha256_update(&st, blk, n);
		if (write(out, blk, n) != (ssize_t)n)
			return set_cause(why, "write: %s", strerror(errno));
	}
	explicit_bzero(blk, sizeof blk);
	crypto_hash_sha256_final(&st, digest);
	hex_encode(digest, sizeof digest, hex);
	if (sha == NULL || strcmp(hex, sha) != 0)
		return set_cause(why, "%s", _("the archive arrived damaged "
		    "(SHA-256 differs)"));
	return 0;
}

/* Opens a temporary file beside path, mode mode; *tmp gets its name. */
static int
open_temp(const char *path, int mode, char **tmp, char **why)
{
	int	 out;

	*tmp = xasprintf("%s.XXXXXX", path);
	if ((out = mkstemp(*tmp)) == -1 || fchmod(out, (mode_t)mode) != 0) {
		set_cause(why, "%s: %s", path, strerror(errno));
		if (out != -1) {
			close(out);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return out;
}

/* Receives the archive into the temporary file out, then renames it to path. */
static int
save(int fd, int out, const char *tmp, const char *path, uint64_t size,
    const char *sha, char **why)
{
	char	*dir;
	int	 d, rv = -1;

	if (receive(fd, out, size, sha, why) == 0) {
		if (fsync(out) != 0 || rename(tmp, path) != 0)
			set_cause(why, "%s: %s", path, strerror(errno));
		else
			rv = 0;
	}
	if (rv == 0) {
		/* The rename itself survives a crash once the directory is synced. */
		dir = xstrdup(path);
		if ((d = open(dirname(dir), O_RDONLY | O_DIRECTORY)) != -1) {
			fsync(d);
			close(d);
		}
		free(dir);
	}
	return rv;
}

int
cmd_backup(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "with-key", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	char			*why = NULL, *sha, *tmp;
	uint64_t		 size;
	int			 ch, r, fd, out, with_key = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'k')
			with_key = 1;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind != 1)
		return cli_usage(cmd, _("give the file to write"));
	/* Where it goes is checked before knowd does any work. */
	if ((out = open_temp(argv[optind], with_key ? 0600 : 0640, &tmp,
	    &why)) == -1) {
		fprintf(stderr, "knowctl backup: %s\n", why);
		free(why);
		return 1;
	}
	cli_request(&req, CTL_BACKUP);
	if (with_key)
		ctl_set(&req, "with_key", NULL, 0, 1);
	if ((r = cli_call_stream(cli, &req, &rep, &fd)) == 0) {
		size = ctl_obj_uint(ctl_obj_get(rep.data, "size"));
		sha = cli_field(rep.data, "sha256");
		if (save(fd, out, tmp, argv[optind], size, sha, &why) != 0) {
			fprintf(stderr, "knowctl backup: %s\n", why);
			free(why);
			r = 1;
		} else if (!cli->json)
			fprintf(stderr, _("knowctl backup: wrote %s (%llu bytes%s); "
			    "restore with: mkdir HOME && tar -xf %s -C HOME\n"),
			    argv[optind], (unsigned long long)size, with_key ?
			    _(", with the secret key") : _(", without the secret key"),
			    argv[optind]);
		free(sha);
	}
	close(out);
	if (r != 0)
		unlink(tmp);
	free(tmp);
	if (fd != -1)
		close(fd);
	ctl_reply_clear(&rep);
	ctl_request_clear(&req);
	return r;
}
