/* cmd_verify.c — knowctl verify: every commit signature of every branch. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* Prints one branch's verdict. */
static void
print_branch(const msgpack_object *e)
{
	const msgpack_object *okv = ctl_obj_get(e, "ok");
	char	*id = cli_field(e, "id"), *name = cli_field(e, "name");
	char	*err = cli_field(e, "error"), *personal;
	int	 good = okv != NULL && okv->type == MSGPACK_OBJECT_BOOLEAN &&
		    okv->via.boolean;

	printf("%-4s  %s  %s: %llu commits, seq %llu%s%s\n", good ? "ok" : "FAIL",
	    id, name, (unsigned long long)ctl_obj_uint(ctl_obj_get(e, "commits")),
	    (unsigned long long)ctl_obj_uint(ctl_obj_get(e, "seq")),
	    good ? "" : ": ", err);
	personal = cli_field(e, "personal");
	if (personal[0] != '\0')
		printf("      Hinweis: %s\n", personal);
	free(personal);
	free(id);
	free(name);
	free(err);
}

int
cmd_verify(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct ctl_request	 req;
	struct ctl_reply	 rep;
	uint32_t		 i;
	int			 r;

	if ((r = cli_common_only(cli, cmd, argc, argv)) != 0)
		return r - 1;
	if (optind != argc)
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	cli_request(&req, CTL_VERIFY);
	r = cli_call(cli, &req, &rep);
	/* A failed verification still carries the per-branch verdicts. */
	if (rep.data != NULL && rep.data->type == MSGPACK_OBJECT_ARRAY) {
		if (cli->json)
			cli_json(stdout, rep.data);
		else
			for (i = 0; i < rep.data->via.array.size; i++)
				print_branch(&rep.data->via.array.ptr[i]);
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(&req);
	return r;
}
