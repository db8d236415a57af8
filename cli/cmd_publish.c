/* cmd_publish.c — knowctl publish, retract and erase: change this node's records. */
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
				fprintf(stderr, "knowctl publish: %s: too large "
				    "(a record may have at most %d bytes)\n",
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

int
cmd_publish(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct ctl_request	 req;
	char			*text;
	size_t			 len;
	int			 r;

	if ((r = cli_common_only(cli, cmd, argc, argv)) != 0)
		return r - 1;
	if (argc - optind > 1)
		return cli_usage(cmd, "one file at a time");
	if (read_record(optind < argc ? argv[optind] : "-", &text, &len) != 0)
		return 1;
	cli_request(&req, CTL_PUBLISH);
	ctl_set(&req, "body", text, len, 0);
	free(text);
	return cli_run(cli, &req, NULL, print_result);
}

int
cmd_retract(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_one_id(cli, cmd, argc, argv, CTL_RETRACT, "record id",
	    print_result);
}

int
cmd_erase(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "commit", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	const char		*commit = NULL;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'c')
			commit = optarg;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind != 1)
		return cli_usage(cmd, "give exactly one record id");
	cli_request(&req, CTL_ERASE);
	ctl_set(&req, "id", argv[optind], strlen(argv[optind]), 0);
	if (commit != NULL)
		ctl_set(&req, "commit", commit, strlen(commit), 0);
	return cli_run(cli, &req, NULL, print_result);
}
