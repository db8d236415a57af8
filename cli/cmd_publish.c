/* cmd_publish.c — knowctl publish and retract: change this node's records. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "util.h"

/* Reads a record from path ("-" is stdin), refusing more than a record may hold. */
static int
read_record(const char *path, char **text, size_t *len)
{
	struct buf	 b;
	char		 chunk[65536];
	ssize_t		 n;
	int		 fd = 0;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "knowctl publish: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + (size_t)n > RECORD_MAX_BYTES) {
			if (n == -1)
				fprintf(stderr, "knowctl publish: %s: %s\n",
				    path, strerror(errno));
			else
				fprintf(stderr, _("knowctl publish: %s: too large "
				    "(a record may have at most %d bytes)\n"),
				    strcmp(path, "-") == 0 ? "stdin" : path,
				    RECORD_MAX_BYTES);
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

/* Prints a publish or retract result: the record id. */
static void
print_result(const msgpack_object *d)
{
	char	*id = cli_field(d, "id");

	puts(id);
	free(id);
}

/*
 * Reads the record as knowd will, so that what is wrong is said here in
 * the user's language; *hasid says whether it names a record already.
 */
static int
check_record(const char *path, const char *text, size_t len, int *hasid)
{
	struct record	*r = NULL;
	char		*why = NULL;

	if (record_parse(text, len, RECORD_DRAFT, &r, &why) != 0) {
		fprintf(stderr, _("knowctl publish: %s: not published:\n%s\n"),
		    strcmp(path, "-") == 0 ? "stdin" : path, why);
		free(why);
		return -1;
	}
	*hasid = r->id != NULL;
	record_free(r);
	return 0;
}

int
cmd_publish(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	const char		*path;
	char			*text, *id, *action;
	size_t			 len;
	int			 r, hasid = 0;

	if ((r = cli_common_only(cli, cmd, argc, argv)) != 0)
		return r - 1;
	if (argc - optind > 1)
		return cli_usage(cmd, _("one file at a time"));
	path = optind < argc ? argv[optind] : "-";
	if (read_record(path, &text, &len) != 0)
		return 1;
	if (check_record(path, text, len, &hasid) != 0) {
		free(text);
		return 1;
	}
	cli_request(&req, CTL_PUBLISH);
	ctl_set(&req, "body", text, len, 0);
	if ((r = cli_call(cli, &req, &rep)) == 0) {
		if (cli->json)
			cli_json(stdout, rep.data);
		else
			print_result(rep.data);
		fflush(stdout);
		id = cli_field(rep.data, "id");
		action = cli_field(rep.data, "action");
		if (!hasid && strcmp(action, "created") == 0)
			(void)cli_publish_write_id(path, text, len, id);
		free(action);
		free(id);
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(&req);
	free(text);
	return r;
}

int
cmd_retract(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_one_id(cli, cmd, argc, argv, CTL_RETRACT, N_("record id"),
	    print_result);
}
