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
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	const char		*path;
	char			*text, *id, *action;
	size_t			 len;
	int			 ch, r, force = 0, hasid = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'f')
			force = 1;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (argc - optind > 1)
		return cli_usage(cmd, _("one file at a time"));
	path = optind < argc ? argv[optind] : "-";
	if (cli_read_input("publish", path, RECORD_MAX_BYTES, N_("a record"),
	    &text, &len) != 0)
		return 1;
	if (check_record(path, text, len, &hasid) != 0) {
		free(text);
		return 1;
	}
	cli_request(&req, CTL_PUBLISH);
	ctl_set(&req, "body", text, len, 0);
	if (force)
		ctl_set(&req, "force", NULL, 0, 1);
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
		return cli_usage(cmd, _("give exactly one %s"), _("record id"));
	cli_request(&req, CTL_ERASE);
	ctl_set(&req, "id", argv[optind], strlen(argv[optind]), 0);
	if (commit != NULL)
		ctl_set(&req, "commit", commit, strlen(commit), 0);
	return cli_run(cli, &req, NULL, print_result);
}
