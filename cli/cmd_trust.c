/* cmd_trust.c — knowctl trust add|remove|list: which nodes this node replicates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"

/* Prints one trusted node. */
static void
print_trust(const msgpack_object *e)
{
	char	*id = cli_field(e, "id"), *name = cli_field(e, "name");
	char	*why = cli_field(e, "why"), *kind = cli_field(e, "kind");

	/* The kind as the node's own node.md says (not known before it arrived). */
	printf("%-56s  %-28s  %-11s  seq %-5llu  %s\n", id,
	    *name != '\0' ? name : "-", *kind != '\0' ?
	    record_role_label(kind) : "-",
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(e, "seq")), why);
	free(kind);
	free(id);
	free(name);
	free(why);
}

/* trust list. */
static int
trust_list(struct cli *cli)
{
	struct ctl_request	 req;

	cli_request(&req, CTL_TRUST_LIST);
	return cli_run(cli, &req, print_trust, NULL);
}

int
cmd_trust(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	const char		*name = NULL, *verb;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'n')
			name = optarg;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (optind == argc)
		return cli_usage(cmd, _("expected add, remove or list"));
	verb = argv[optind];
	if (strcmp(verb, "list") == 0 && argc - optind == 1)
		return trust_list(cli);
	if ((strcmp(verb, "add") != 0 && strcmp(verb, "remove") != 0) ||
	    argc - optind != 2)
		return cli_usage(cmd, _("expected add ID, remove ID or list"));
	if (strcmp(verb, "remove") == 0 && name != NULL)
		return cli_usage(cmd, _("--name goes with add"));
	cli_request(&req, strcmp(verb, "add") == 0 ? CTL_TRUST_ADD :
	    CTL_TRUST_REMOVE);
	ctl_set(&req, "id", argv[optind + 1], strlen(argv[optind + 1]), 0);
	if (name != NULL)
		ctl_set(&req, "name", name, strlen(name), 0);
	return cli_simple(cli, &req);
}
