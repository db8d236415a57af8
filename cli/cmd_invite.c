/* cmd_invite.c — knowctl invite [list | revoke ID]: invitations to join through this node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Seconds of "7d", "12h", "30m", "90s" or "90"; 0 when malformed or over a year. */
static unsigned long
invite_ttl(const char *s)
{
	char		*end;
	unsigned long	 v, mul = 1;

	if (*s < '0' || *s > '9')
		return 0;
	v = strtoul(s, &end, 10);
	if (strcmp(end, "d") == 0)
		mul = 86400;
	else if (strcmp(end, "h") == 0)
		mul = 3600;
	else if (strcmp(end, "m") == 0)
		mul = 60;
	else if (strcmp(end, "s") != 0 && *end != '\0')
		return 0;
	if (v == 0 || v > 365UL * 86400 / mul)
		return 0;
	return v * mul;
}

/* Prints the new invitation: the line alone on stdout, the rest on stderr. */
static void
print_invite(const msgpack_object *o)
{
	char	*line = cli_field(o, "line"), *name = cli_field(o, "name");
	char	*until = cli_field(o, "expires");

	printf("%s\n", line);
	/* TRANSLATORS: LINE is a placeholder the user replaces; translate it. */
	fprintf(stderr, _("Invitation for \"%s\", valid once until %s (UTC).\n"
	    "On the new node, with the line in quotes:\n"
	    "  knowd init --join 'LINE' --name \"%s\"\n"
	    "The line is a secret: pass it on only by a safe way.\n"),
	    name, until, name);
	memset(line, 0, strlen(line));
	free(line);
	free(name);
	free(until);
}

/* Prints one invitation of the list. */
static void
print_invite_row(const msgpack_object *e)
{
	char	*id = cli_field(e, "id"), *state = cli_field(e, "state");
	char	*name = cli_field(e, "name"), *until = cli_field(e, "expires");
	char	*by = cli_field(e, "used_by");

	printf(_("%-16s  %-8s  %-28s  until %s  %s\n"), id, state, name, until,
	    *by != '\0' ? by : "-");
	free(id);
	free(state);
	free(name);
	free(until);
	free(by);
}

int
cmd_invite(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "name", required_argument, NULL, 'n' },
		{ "ags", required_argument, NULL, 'a' },
		{ "expires", required_argument, NULL, 'e' },
		{ "addr", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	const char		*name = NULL, *ags = NULL, *addr = NULL;
	unsigned long		 ttl = 7 * 86400;
	int			 ch, r, rest;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'n')
			name = optarg;
		else if (ch == 'a')
			ags = optarg;
		else if (ch == 'A')
			addr = optarg;
		else if (ch == 'e' && (ttl = invite_ttl(optarg)) == 0)
			return cli_usage(cmd, _("--expires %s: expected e.g. "
			    "7d, 12h, 30m or 90s (at most a year)"), optarg);
		else if (ch != 'e' && (r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	rest = argc - optind;
	if (rest == 1 && strcmp(argv[optind], "list") == 0) {
		cli_request(&req, CTL_INVITE_LIST);
		return cli_run(cli, &req, print_invite_row, NULL);
	}
	if (rest == 2 && strcmp(argv[optind], "revoke") == 0) {
		cli_request(&req, CTL_INVITE_REVOKE);
		ctl_set(&req, "id", argv[optind + 1], strlen(argv[optind + 1]), 0);
		return cli_simple(cli, &req);
	}
	if (rest != 0)
		return cli_usage(cmd, _("expected --name NAME, list or revoke ID"));
	if (name == NULL)
		return cli_usage(cmd, _("--name is required"));
	cli_request(&req, CTL_INVITE);
	ctl_set(&req, "name", name, strlen(name), 0);
	ctl_set(&req, "expires", NULL, 0, ttl);
	if (ags != NULL)
		ctl_set(&req, "ags", ags, strlen(ags), 0);
	if (addr != NULL)
		ctl_set(&req, "address", addr, strlen(addr), 0);
	return cli_run(cli, &req, NULL, print_invite);
}
