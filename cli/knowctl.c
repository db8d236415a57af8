/* knowctl.c — the control tool: global options, then one subcommand from the table. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "util.h"

/*
 * The subcommands. Summaries and help are msgids (N_) translated when
 * printed; each help is one literal so that xgettext sees all of it.
 */
static const struct cli_cmd cmds[] = {
	{ "id", cmd_id, "[--json]", N_("print this node's id (did:key)"), "" },
	{ "new", cmd_new, "", N_("print a lesson template to fill in"), "" },
	{ "publish", cmd_publish, "[--json] [--force] [FILE|-]",
	  N_("publish a lesson or project (from FILE or stdin); prints its id"),
	  N_("  A record with an id of this node replaces that record (an edit).\n"
	  "  A new record's id is written into FILE (or the command to do so is\n"
	  "  printed), so publishing FILE again changes that record.\n"
	  "  An edit whose modified is older than the held record's is refused\n"
	  "  (someone published in between); --force overwrites that change.\n") },
	{ "retract", cmd_retract, "[--json] ID", N_("remove one of this node's records"), "" },
	{ "erase", cmd_erase, "[--json] [--commit C] ID",
	  N_("erase versions of one of this node's records from history, everywhere"),
	  N_("  Publishes a signed erasure notice: every node deletes the named\n"
	  "  versions' text (the blobs) while commits and signatures stay.\n"
	  "  Without --commit: every version before the current one.\n"
	  "  --commit C       only the version commit C left; when that is the\n"
	  "                   current one, the record is retracted as well\n") },
	{ "list", cmd_list,
	  "[--json] [--node NODE] [--project SLUG] [--kind KIND] [FILTERS]",
	  N_("list records: id, node, project, title"),
	  N_("  --node NODE      only this node's (did:key, node id or name)\n"
	  "  --project SLUG   only this project's\n"
	  "  --kind KIND      lesson, project, node or vouch (default: lessons and projects)\n"
	  "  --field F        Handlungsfeld, e.g. energie-umwelt\n"
	  "  --status S       idee, planung, umsetzung, regelbetrieb, beendet\n"
	  "  --hurdle H       finanziell, organisatorisch, technisch, sozial, rechtlich\n"
	  "  --tag T          only records with this tag\n"
	  "  --since DATE     modified on or after DATE (YYYY-MM-DD)\n") },
	{ "search", cmd_search, "[--json] [FILTERS] [--limit N] WORDS…",
	  N_("find lessons and projects: id, node, title, snippet, best first"),
	  N_("  Words are matched by their German stem (Beteiligung finds beteiligen),\n"
	  "  umlauts and ß folded (Strassen finds Straßen); all words must occur.\n"
	  "  Words found nowhere are named on stderr with a spelling the index knows\n"
	  "  (\"Meinten Sie …?\"); no result prints \"keine Treffer\" and exits 1.\n"
	  "  --node NODE      only this node's (did:key, node id or name)\n"
	  "  --project SLUG   only this project's\n"
	  "  --kind KIND      lesson or project (default: both)\n"
	  "  --field F        Handlungsfeld, e.g. energie-umwelt\n"
	  "  --status S       idee, planung, umsetzung, regelbetrieb, beendet\n"
	  "  --hurdle H       finanziell, organisatorisch, technisch, sozial, rechtlich\n"
	  "  --tag T          only records with this tag\n"
	  "  --since DATE     modified on or after DATE (YYYY-MM-DD)\n"
	  "  --limit N        at most N results (default 50)\n") },
	{ "reindex", cmd_reindex, "[--json]",
	  N_("rebuild the search index from every branch"), "" },
	{ "export", cmd_export, "[--format json|csv|atom|dcat] [--output FILE]",
	  N_("everything this node holds, for an open-data portal"),
	  N_("  --format F       json (records with their text, default), csv (one row\n"
	  "                   a record), atom (every lesson with its text) or dcat\n"
	  "                   (this node's DCAT-AP.de catalogue record, JSON-LD)\n"
	  "  --output FILE    write FILE (replaced atomically) instead of stdout\n"
	  "  Links are built from public_url in knowd.conf.\n") },
	{ "show", cmd_show, "[--json] [--node NODE] ID", N_("print one record"),
	  N_("  --node NODE      the record of this node, when several hold the id\n") },
	{ "log", cmd_log, "[--json] [--node NODE] [--limit N]",
	  N_("history of this node's branch (or another's)"),
	  N_("  --node NODE      another node's branch\n"
	  "  --limit N        at most N commits\n") },
	{ "verify", cmd_verify, "[--json]",
	  N_("check every commit signature of every branch"), "" },
	{ "status", cmd_status, "[--json] [--branches]",
	  N_("this node, its view and what it holds"),
	  N_("  --branches       also every branch held and every node known\n") },
	{ "peers", cmd_peers, "[--json]",
	  N_("connected peers: id, name, address, direction, since, bytes in/out"), "" },
	{ "peer", cmd_peer, "add|remove [NID@]HOST:PORT",
	  N_("add or remove a peer to connect to (kept in knowd.conf)"),
	  N_("  NID@ (did:key:…@) makes knowd check it reached that node.\n"
	  "  remove takes HOST:PORT or the NID.\n") },
	{ "trust", cmd_trust, "add [--name NAME] ID | remove ID | list",
	  N_("which nodes' lessons this node keeps and passes on (knowd.conf)"),
	  N_("  --name NAME      a label for the node (add)\n") },
	{ "pending", cmd_pending, "[--json]",
	  N_("nodes that connected and are not admitted here"),
	  N_("  Each with its id, the name it claims, its address, when it was first\n"
	  "  and last seen and who introduced it. Kept in memory (at most 1,024).\n"
	  "  A pending node gets HELLO and an ERROR, nothing else, and nothing it\n"
	  "  sends is acted on. knowctl admit or deny decides.\n") },
	{ "admit", cmd_admit, "ID",
	  N_("admit a node by hand (knowd.conf admit = ID)"),
	  N_("  It is served and heard like a trusted peer, and with mirror = all its\n"
	  "  lessons are kept. Trusted nodes and those vouched for along the trust\n"
	  "  chain are admitted without this. Removes a deny of the node.\n") },
	{ "deny", cmd_deny, "ID",
	  N_("refuse a node (knowd.conf deny = ID)"),
	  N_("  It is refused at the handshake with an ERROR, never passed on in peer\n"
	  "  exchange, and its branch is not kept, even if trusted or vouched for.\n"
	  "  Removes an admit of the node.\n") },
	{ "invite", cmd_invite,
	  "--name NAME [--ags CODE] [--expires 7d] [--addr HOST:PORT] | list | "
	  "revoke ID",
	  N_("invite a new node: prints the one line its knowd init takes"),
	  N_("  --name NAME      the new node's name, e.g. \"Gemeinde Winterberg\"\n"
	  "  --ags CODE       its Amtlicher Gemeindeschlüssel\n"
	  "  --expires T      how long the line may be used once: 7d (default),\n"
	  "                   12h, 30m, 90s; at most a year\n"
	  "  --addr HOST:PORT where the new node reaches this one (default: listen)\n"
	  "  The line holds a one-time secret: pass it on safely and quoted. When\n"
	  "  the new node joins, this node vouches for it (as knowctl vouch).\n"
	  "  list shows every invitation (open, used, revoked, expired); revoke\n"
	  "  ID makes an open one useless.\n") },
	{ "vouch", cmd_vouch, "--name NAME [--ags CODE] ID",
	  N_("vouch for another node (a signed vouches/<id>.md in this node's branch)"),
	  N_("  --name NAME      the node's name, e.g. \"Gemeinde Winterberg\"\n"
	  "  --ags CODE       its Amtlicher Gemeindeschlüssel\n"
	  "  Nodes that trust this one then replicate the vouched node too.\n") },
	{ "unvouch", cmd_unvouch, "[--yes] ID",
	  N_("withdraw this node's vouch for a node"),
	  N_("  Says first how many lessons nodes that trust this one will drop (of\n"
	  "  the node and of nodes vouched for only through it), then asks (y/N)\n"
	  "  at a terminal; elsewhere it changes nothing without --yes.\n"
	  "  --yes            withdraw without asking\n") },
	{ "user", cmd_user,
	  "add NAME --role ROLE [--unit UNIT] | list | remove NAME | passwd NAME",
	  N_("staff accounts for writing in the browser (/redaktion)"),
	  N_("  --role ROLE      author (writes drafts), reviewer (also approves\n"
	  "                   others' drafts) or admin (also retracts at once and\n"
	  "                   reads the audit log)\n"
	  "  --unit UNIT      organisational unit named in published commits\n"
	  "  The password is read from the terminal without echo, or as one line\n"
	  "  from stdin; knowctl hashes it (Argon2id) before sending it to knowd.\n") },
	{ "audit", cmd_audit, "[--json] [--limit N]",
	  N_("who drafted, approved, published or retracted which record when"),
	  N_("  --limit N        the newest N entries (default 100)\n") },
	{ "contact", cmd_contact,
	  "set PROJECT|ID [FILE|-] | show [--node NODE] PROJECT|ID | clear PROJECT|ID",
	  N_("whom to ask about a project or lesson (a signed card, not in history)"),
	  N_("  The card is a small YAML file (or stdin):\n"
	  "    role: Projektleitung Digitalisierung\n"
	  "    unit: Amt f\xc3\xbcr Digitalisierung\n"
	  "    mailbox: digitalisierung@stadt.example\n"
	  "    phone: 0251 492-0\n"
	  "    name: Erika Beispiel        # optional, only with:\n"
	  "    consent: 2026-11-30         # the date the person agreed\n"
	  "  It goes to every admitted node, replaces the card before it there\n"
	  "  (nothing of the old one is kept), and is deleted everywhere after\n"
	  "  contact_max_age (knowd.conf, default 365d) unless set again.\n"
	  "  A lesson shows its own card, else its project's.\n"
	  "  --node NODE      show: the project slug is NODE's (default: this node's)\n") },
	{ "backup", cmd_backup, "[--with-key] FILE",
	  N_("write a consistent snapshot of the node home (a tar archive)"),
	  N_("  The archive holds the repository, knowd.conf and a copy of the desk\n"
	  "  (staff accounts, drafts, audit log).\n"
	  "  --with-key       also keys/node.key and the open invitations (keep\n"
	  "                   such a file safe: it can act as this node)\n"
	  "  Restore: mkdir NEWHOME; tar -xf FILE -C NEWHOME. Without the key,\n"
	  "  the network restores a node instead (see knowd(8), RECOVERY).\n") },
	{ "profile", cmd_profile,
	  "[--json] [set [--name N] [--website URL] [--region R] [--ags CODE] "
	  "[--description TEXT]]",
	  N_("show or change this node's profile (its signed node.md)"),
	  N_("  Without set: name, role, website, region, AGS and description.\n"
	  "  set changes the values given (an empty value removes one but the\n"
	  "  name); the new node.md is signed and reaches every peer.\n"
	  "  --name N         the organisation, e.g. \"Stadt Paderborn\"\n"
	  "  --website URL    https://… or http://…\n"
	  "  --region R       e.g. \"Ostwestfalen-Lippe\"\n"
	  "  --ags CODE       Amtlicher Gemeindeschlüssel, 8 digits\n"
	  "  --description T  a few sentences (Markdown), - reads them from stdin\n") },
};

/* Prints the overall usage. */
static void
usage(FILE *f)
{
	size_t	 i;

	fputs(_("usage: knowctl [--home DIR] [--json] COMMAND [ARGS]\n\n"
	    "Publish, find and read lessons learned on the local knowd node.\n\n"
	    "commands:\n"), f);
	for (i = 0; i < nitems(cmds); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, _(cmds[i].summary));
	fputs(_("\noptions:\n"
	    "  --home DIR   node home (default: $KNOWD_HOME, else $XDG_DATA_HOME/knowd)\n"
	    "  --json       machine-readable output\n"
	    "  -h, --help   this help; knowctl COMMAND --help for a command's\n"
	    "\nexit status: 0 ok, 1 error (or, for search, no result), 2 usage error.\n"), f);
}

int
main(int argc, char **argv)
{
	struct cli	 cli = { NULL, 0 };
	int		 i, rv;
	size_t		 c;

	cli_i18n();
	if (sodium_init() < 0)
		return 1;
	/* A connection knowd closed is an error message, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli.json = 1;
		else if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			cli.home = xstrdup(argv[++i]);
		else if (strncmp(argv[i], "--home=", 7) == 0)
			cli.home = xstrdup(argv[i] + 7);
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, _("knowctl: unknown option %s\n"), argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (c = 0; c < nitems(cmds); c++) {
		if (strcmp(cmds[c].name, argv[i]) == 0) {
			rv = cmds[c].fn(&cli, &cmds[c], argc - i, argv + i);
			free(cli.home);
			return rv;
		}
	}
	fprintf(stderr, _("knowctl: unknown command \"%s\" (knowctl --help lists "
	    "them)\n"), argv[i]);
	free(cli.home);
	return 2;
}
