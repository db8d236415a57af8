/* cmd_contact.c — knowctl contact set|show|clear: whom to ask, outside the history. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cards.h"
#include "cli.h"
#include "util.h"

/* Prints one line "Label: value" when value is set, the label translated; frees it. */
static void
print_line(const char *label, char *value)
{
	if (*value != '\0')
		printf("%-*s %s\n", cli_width(_(label), 18), _(label), value);
	free(value);
}

/* Prints a card as the web page shows it. */
static void
print_card(const msgpack_object *d)
{
	char	*name = cli_field(d, "name"), *consent = cli_field(d, "consent");

	print_line(N_("For:"), cli_field(d, "target"));
	print_line(N_("Role:"), cli_field(d, "role"));
	print_line(N_("Unit:"), cli_field(d, "unit"));
	print_line(N_("Function mailbox:"), cli_field(d, "mailbox"));
	print_line(N_("Phone:"), cli_field(d, "phone"));
	if (*name != '\0') {
		printf("%-*s ", cli_width(_("Name:"), 18), _("Name:"));
		printf(_("%s (consent given on %s)\n"), name, consent);
	}
	free(name);
	free(consent);
	print_line(N_("As of:"), cli_field(d, "date"));
	print_line(N_("Valid until:"), cli_field(d, "expires"));
	print_line(N_("Node:"), cli_field(d, "node"));
}

/* Prints what a set or clear was for. */
static void
print_target(const msgpack_object *d)
{
	char	*t = cli_field(d, "target");

	puts(t);
	free(t);
}

int
cmd_contact(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "node", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	const char		*node = NULL, *verb, *target;
	char			*text;
	size_t			 len;
	int			 ch, r, n;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'n')
			node = optarg;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	n = argc - optind;
	if (n < 2)
		return cli_usage(cmd, "%s", _("expected set, show or clear "
		    "and a project or lesson"));
	verb = argv[optind];
	target = argv[optind + 1];
	if (node != NULL && strcmp(verb, "show") != 0)
		return cli_usage(cmd, "%s", _("--node goes with show"));
	if (strcmp(verb, "set") == 0 && n <= 3) {
		if (cli_read_input("contact", n == 3 ? argv[optind + 2] : "-",
		    CARDS_FILE_MAX, N_("a card"), &text, &len) != 0)
			return 1;
		cli_request(&req, CTL_CONTACT_SET);
		ctl_set(&req, "body", text, len, 0);
		free(text);
	} else if (strcmp(verb, "show") == 0 && n == 2) {
		cli_request(&req, CTL_CONTACT_SHOW);
		if (node != NULL)
			ctl_set(&req, "node", node, strlen(node), 0);
	} else if (strcmp(verb, "clear") == 0 && n == 2)
		cli_request(&req, CTL_CONTACT_CLEAR);
	else
		return cli_usage(cmd, "%s", _("expected set PROJECT|ID [FILE], "
		    "show PROJECT|ID or clear PROJECT|ID"));
	ctl_set(&req, "target", target, strlen(target), 0);
	return cli_run(cli, &req, NULL, strcmp(verb, "show") == 0 ?
	    print_card : print_target);
}
