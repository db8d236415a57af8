/* cli.c — knowctl's plumbing: common options, help, the round trip to knowd. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "home.h"
#include "util.h"

#define CLI_AGAIN_SECS	30

void
cli_help(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, _("usage: knowctl %s %s\n\n%s.\n\n"), cmd->name, cmd->args,
	    _(cmd->summary));
	if (*cmd->help != '\0')
		fputs(_(cmd->help), f);
	fputs(_("  --home DIR       node home (default: $KNOWD_HOME, else "
	    "$XDG_DATA_HOME/knowd)\n"
	    "  --json           machine-readable output\n"
	    "  -h, --help       this help\n"), f);
}

int
cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "knowctl %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("\nusage: knowctl %s %s\n"), cmd->name, cmd->args);
	return 2;
}

int
cli_common_opt(struct cli *cli, const struct cli_cmd *cmd, int ch)
{
	switch (ch) {
	case 'H':
		free(cli->home);
		cli->home = xstrdup(optarg);
		return 0;
	case 'j':
		cli->json = 1;
		return 0;
	case 'h':
		cli_help(cmd, stdout);
		return 1;			/* exit 0 */
	default:
		fprintf(stderr, _("usage: knowctl %s %s\n"), cmd->name, cmd->args);
		return 3;			/* exit 2 */
	}
}

void
cli_request(struct ctl_request *req, enum ctl_op op)
{
	memset(req, 0, sizeof *req);
	req->op = &ctl_ops[op];
}

/* Connects to the control socket; prints why not and returns -1 on failure. */
static int
cli_connect(const char *home)
{
	struct sockaddr_un sun;
	char	*path;
	int	 fd;

	path = home_path(home, CTL_SOCKET);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, _("knowctl: %s: path too long for a socket\n"), path);
		free(path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, _("knowctl: no knowd is running for %s "
			    "(start it with: knowd --home %s)\n"), home, home);
		else
			fprintf(stderr, _("knowctl: cannot connect to %s: %s%s\n"),
			    path, strerror(errno), errno == EACCES ?
			    _(" (are you in the knowd group?)") : "");
		if (fd != -1)
			close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

/* Reads exactly n bytes; -1 on error or early EOF. */
static int
read_full(int fd, void *p, size_t n)
{
	uint8_t	*q = p;
	ssize_t	 r;

	while (n > 0) {
		r = read(fd, q, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		q += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Sends one framed request and reads the framed reply. Caller frees *out. */
static int
cli_roundtrip(int fd, const uint8_t *req, size_t len, uint8_t **out,
    size_t *outlen)
{
	uint8_t	 hdr[4];
	uint32_t n;

	put_be32(hdr, (uint32_t)len);
	/*
	 * SIGPIPE is ignored (main): knowd may refuse or drop us with a reply
	 * already sent, so a failed write still reads what came back.
	 */
	if (write_all(fd, hdr, 4) == -1 || write_all(fd, req, len) == -1)
		(void)shutdown(fd, SHUT_WR);
	if (read_full(fd, hdr, 4) == -1)
		return -1;
	if ((n = get_be32(hdr)) > CTL_MAX_REPLY)
		return -1;
	*out = xmalloc(n);
	if (read_full(fd, *out, n) == -1) {
		free(*out);
		return -1;
	}
	*outlen = n;
	return 0;
}

/* One request and its reply; see cli_call. With keep, the connection stays open in *keep. */
static int
cli_call_once(struct cli *cli, struct ctl_request *req, struct ctl_reply *reply,
    int quiet_again, int *keep)
{
	uint8_t	*buf = NULL, *in = NULL;
	size_t	 len, inlen;
	char	*why = NULL;
	int	 fd, rv = 1;

	memset(reply, 0, sizeof *reply);
	if (cli->home == NULL)
		cli->home = home_resolve_client(NULL);
	if (ctl_request_encode(req, &buf, &len, &why) != 0) {
		fprintf(stderr, "knowctl: %s\n", why);
		free(why);
		return 1;
	}
	if ((fd = cli_connect(cli->home)) == -1)
		goto out;
	if (cli_roundtrip(fd, buf, len, &in, &inlen) != 0) {
		fprintf(stderr, "%s", _("knowctl: knowd closed the connection "
		    "without answering\n"));
		close(fd);
		goto out;
	}
	if (keep != NULL)
		*keep = fd;
	else
		close(fd);
	if (ctl_reply_decode(in, inlen, reply, &why) != 0) {
		fprintf(stderr, "knowctl: %s\n", why);
		goto out;
	}
	if (reply->code == CTL_AGAIN && quiet_again) {
		rv = CTL_AGAIN;
		goto out;
	}
	if (reply->code != CTL_OK) {
		free(why);
		why = cli_tr_reply(reply->message);
		fprintf(stderr, "knowctl: %s\n", why);
		rv = reply->code == CTL_USAGE ? 2 : 1;
		goto out;
	}
	rv = 0;
out:
	free(why);
	free(buf);
	free(in);
	return rv;
}

char *
cli_field(const msgpack_object *o, const char *key)
{
	return ctl_obj_strdup(ctl_obj_get(o, key));
}

/*
 * Sends a request; when knowd answers "again" (still catching up after a
 * start), waits and asks again for up to CLI_AGAIN_SECS seconds.
 */
int
cli_call(struct cli *cli, struct ctl_request *req, struct ctl_reply *reply)
{
	struct timespec	 ts = { 0, 250 * 1000 * 1000 };
	int		 i, rv;

	for (i = 0; i < CLI_AGAIN_SECS * 4; i++) {
		rv = cli_call_once(cli, req, reply, 1, NULL);
		if (rv != CTL_AGAIN)
			return rv;
		ctl_reply_clear(reply);
		nanosleep(&ts, NULL);
	}
	return cli_call_once(cli, req, reply, 0, NULL);
}

int
cli_call_stream(struct cli *cli, struct ctl_request *req,
    struct ctl_reply *reply, int *fd)
{
	*fd = -1;
	return cli_call_once(cli, req, reply, 0, fd);
}

int
cli_read_full(int fd, void *p, size_t n)
{
	return read_full(fd, p, n);
}

int
cli_run(struct cli *cli, struct ctl_request *req,
    void (*item)(const msgpack_object *), void (*whole)(const msgpack_object *))
{
	struct ctl_reply rep;
	uint32_t	 i;
	int		 r;

	if ((r = cli_call(cli, req, &rep)) == 0) {
		if (cli->json)
			cli_json(stdout, rep.data);
		else if (whole != NULL)
			whole(rep.data);
		else if (item != NULL && rep.data->type == MSGPACK_OBJECT_ARRAY)
			for (i = 0; i < rep.data->via.array.size; i++)
				item(&rep.data->via.array.ptr[i]);
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(req);
	return r;
}

int
cli_simple(struct cli *cli, struct ctl_request *req)
{
	return cli_run(cli, req, NULL, NULL);
}

int
cli_common_only(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	int	 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r;
	return 0;
}

int
cli_one_id(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    enum ctl_op op, const char *what, void (*whole)(const msgpack_object *))
{
	struct ctl_request	 req;
	int			 r;

	if ((r = cli_common_only(cli, cmd, argc, argv)) != 0)
		return r - 1;
	if (argc - optind != 1)
		return cli_usage(cmd, _("give exactly one %s"), _(what));
	cli_request(&req, op);
	ctl_set(&req, "id", argv[optind], strlen(argv[optind]), 0);
	return cli_run(cli, &req, NULL, whole);
}

int
cli_plain(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    enum ctl_op op, void (*item)(const msgpack_object *),
    void (*whole)(const msgpack_object *))
{
	struct ctl_request	 req;
	int			 r;

	if ((r = cli_common_only(cli, cmd, argc, argv)) != 0)
		return r - 1;
	if (optind != argc)
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	cli_request(&req, op);
	return cli_run(cli, &req, item, whole);
}

int
cli_read_input(const char *cmd, const char *path, size_t max,
    const char *what, char **text, size_t *len)
{
	struct buf	 b;
	char		 chunk[65536];
	ssize_t		 n;
	int		 fd = 0;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "knowctl %s: %s: %s\n", cmd, path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + (size_t)n > max) {
			if (n == -1)
				fprintf(stderr, "knowctl %s: %s: %s\n", cmd, path,
				    strerror(errno));
			else
				fprintf(stderr, _("knowctl %s: %s: too large (%s "
				    "may have at most %zu bytes)\n"), cmd,
				    strcmp(path, "-") == 0 ? "stdin" : path,
				    _(what), max);
			buf_free(&b);
			if (fd != 0)
				close(fd);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if (fd != 0)
		close(fd);
	*text = buf_detach(&b, len);
	return 0;
}

/* The printf field width that pads s (UTF-8) to width characters. */
int
cli_width(const char *s, int width)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) == 0x80)
			width++;
	return width;
}
