/* cmd_export.c — knowctl export: everything the node holds, for an open-data portal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* Writes the export to path (atomically) or stdout; returns the exit code. */
static int
export_write(const char *path, const char *p, size_t n)
{
	char	*why = NULL;

	if (path == NULL) {
		if (fwrite(p, 1, n, stdout) != n || fflush(stdout) != 0) {
			fprintf(stderr, "knowctl export: stdout: %s\n",
			    strerror(errno));
			return 1;
		}
		return 0;
	}
	if (write_file_atomic(path, p, n, 0644, &why) != 0) {
		fprintf(stderr, "knowctl export: %s\n", why);
		free(why);
		return 1;
	}
	return 0;
}

int
cmd_export(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	const msgpack_object	*c;
	const char		*format = "json", *output = NULL;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'f')
			format = optarg;
		else if (ch == 'o')
			output = optarg;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (optind != argc)
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "atom") != 0 && strcmp(format, "dcat") != 0)
		return cli_usage(cmd, _("--format: \"%s\" is not json, csv, atom "
		    "or dcat"), format);
	cli_request(&req, CTL_EXPORT);
	ctl_set(&req, "format", format, strlen(format), 0);
	if ((r = cli_call(cli, &req, &rep)) == 0) {
		c = ctl_obj_get(rep.data, "content");
		if (c == NULL || c->type != MSGPACK_OBJECT_BIN) {
			fputs(_("knowctl export: knowd sent no content\n"), stderr);
			r = 1;
		} else
			r = export_write(output, c->via.bin.ptr, c->via.bin.size);
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(&req);
	return r;
}
