/* knowctl.c — the control tool: global options, then one subcommand from the table. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "util.h"

#define SEARCH_FILTER_HELP \
	"  --field F        Handlungsfeld, e.g. energie-umwelt\n" \
	"  --status S       idee, planung, umsetzung, regelbetrieb, beendet\n" \
	"  --hurdle H       finanziell, organisatorisch, technisch, sozial, rechtlich\n" \
	"  --tag T          only records with this tag\n" \
	"  --since DATE     modified on or after DATE (YYYY-MM-DD)\n"

static const struct cli_cmd cmds[] = {
	{ "id", cmd_id, "[--json]", "print this node's id (did:key)", "" },
	{ "new", cmd_new, "", "print a lesson template to fill in", "" },
	{ "publish", cmd_publish, "[--json] [--force] [FILE|-]",
	  "publish a lesson or project (from FILE or stdin); prints its id",
	  "  A record with an id of this node replaces that record (an edit).\n"
	  "  An edit whose modified is older than the held record's is refused\n"
	  "  (someone published in between); --force overwrites that change.\n" },
	{ "retract", cmd_retract, "[--json] ID", "remove one of this node's records", "" },
	{ "erase", cmd_erase, "[--json] [--commit C] ID",
	  "erase versions of one of this node's records from history, everywhere",
	  "  Publishes a signed erasure notice: every node deletes the named\n"
	  "  versions' text (the blobs) while commits and signatures stay.\n"
	  "  Without --commit: every version before the current one.\n"
	  "  --commit C       only the version commit C left; when that is the\n"
	  "                   current one, the record is retracted as well\n" },
	{ "list", cmd_list,
	  "[--json] [--node NODE] [--project SLUG] [--kind KIND] [FILTERS]",
	  "list records: id, node, project, title",
	  "  --node NODE      only this node's (did:key, node id or name)\n"
	  "  --project SLUG   only this project's\n"
	  "  --kind KIND      lesson, project, node or vouch (default: lessons and projects)\n"
	  SEARCH_FILTER_HELP },
	{ "search", cmd_search, "[--json] [FILTERS] [--limit N] WORDS…",
	  "find lessons and projects: id, node, title, snippet, best first",
	  "  Words are matched by their German stem (Beteiligung finds beteiligen),\n"
	  "  umlauts and \xc3\x9f folded (Strassen finds Stra\xc3\x9f""en); all words must occur.\n"
	  "  Words found nowhere are named on stderr with a spelling the index knows\n"
	  "  (\"Meinten Sie …?\"); no result prints \"keine Treffer\" and exits 1.\n"
	  "  --node NODE      only this node's (did:key, node id or name)\n"
	  "  --project SLUG   only this project's\n"
	  "  --kind KIND      lesson or project (default: both)\n"
	  SEARCH_FILTER_HELP
	  "  --limit N        at most N results (default 50)\n" },
	{ "reindex", cmd_reindex, "[--json]",
	  "rebuild the search index from every branch", "" },
	{ "export", cmd_export, "[--format json|csv|atom|dcat] [--output FILE]",
	  "everything this node holds, for an open-data portal",
	  "  --format F       json (records with their text, default), csv (one row\n"
	  "                   a record), atom (every lesson with its text) or dcat\n"
	  "                   (this node's DCAT-AP.de catalogue record, JSON-LD)\n"
	  "  --output FILE    write FILE (replaced atomically) instead of stdout\n"
	  "  Links are built from public_url in knowd.conf.\n" },
	{ "show", cmd_show, "[--json] [--node NODE] ID", "print one record",
	  "  --node NODE      the record of this node, when several hold the id\n" },
	{ "log", cmd_log, "[--json] [--node NODE] [--limit N]",
	  "history of this node's branch (or another's)",
	  "  --node NODE      another node's branch\n"
	  "  --limit N        at most N commits\n" },
	{ "verify", cmd_verify, "[--json]",
	  "check every commit signature of every branch", "" },
	{ "status", cmd_status, "[--json] [--branches]",
	  "this node, its view and what it holds",
	  "  --branches       also every branch held and every node known\n" },
	{ "peers", cmd_peers, "[--json]",
	  "connected peers: id, name, address, direction, since, bytes in/out", "" },
	{ "peer", cmd_peer, "add|remove [NID@]HOST:PORT",
	  "add or remove a peer to connect to (kept in knowd.conf)",
	  "  NID@ (did:key:…@) makes knowd check it reached that node.\n"
	  "  remove takes HOST:PORT or the NID.\n" },
	{ "trust", cmd_trust, "add [--name NAME] ID | remove ID | list",
	  "which nodes' lessons this node keeps and passes on (knowd.conf)",
	  "  --name NAME      a label for the node (add)\n" },
	{ "pending", cmd_pending, "[--json]",
	  "nodes that connected and are not admitted here",
	  "  Each with its id, the name it claims, its address, when it was first\n"
	  "  and last seen and who introduced it. Kept in memory (at most 1,024).\n"
	  "  A pending node gets HELLO and an ERROR, nothing else, and nothing it\n"
	  "  sends is acted on. knowctl admit or deny decides.\n" },
	{ "admit", cmd_admit, "ID",
	  "admit a node by hand (knowd.conf admit = ID)",
	  "  It is served and heard like a trusted peer, and with mirror = all its\n"
	  "  lessons are kept. Trusted nodes and those vouched for along the trust\n"
	  "  chain are admitted without this. Removes a deny of the node.\n" },
	{ "deny", cmd_deny, "ID",
	  "refuse a node (knowd.conf deny = ID)",
	  "  It is refused at the handshake with an ERROR, never passed on in peer\n"
	  "  exchange, and its branch is not kept, even if trusted or vouched for.\n"
	  "  Removes an admit of the node.\n" },
	{ "invite", cmd_invite,
	  "--name NAME [--ags CODE] [--expires 7d] [--addr HOST:PORT] | list | "
	  "revoke ID",
	  "invite a new node: prints the one line its knowd init takes",
	  "  --name NAME      the new node's name, e.g. \"Gemeinde Winterberg\"\n"
	  "  --ags CODE       its Amtlicher Gemeindeschlüssel\n"
	  "  --expires T      how long the line may be used once: 7d (default),\n"
	  "                   12h, 30m, 90s; at most a year\n"
	  "  --addr HOST:PORT where the new node reaches this one (default: listen)\n"
	  "  The line holds a one-time secret: pass it on safely and quoted. When\n"
	  "  the new node joins, this node vouches for it (as knowctl vouch).\n"
	  "  list shows every invitation (open, used, revoked, expired); revoke\n"
	  "  ID makes an open one useless.\n" },
	{ "vouch", cmd_vouch, "--name NAME [--ags CODE] ID",
	  "vouch for another node (a signed vouches/<id>.md in this node's branch)",
	  "  --name NAME      the node's name, e.g. \"Gemeinde Winterberg\"\n"
	  "  --ags CODE       its Amtlicher Gemeindeschlüssel\n"
	  "  Nodes that trust this one then replicate the vouched node too.\n" },
	{ "unvouch", cmd_unvouch, "[--yes] ID",
	  "withdraw this node's vouch for a node",
	  "  Says first how many lessons nodes that trust this one will drop (of\n"
	  "  the node and of nodes vouched for only through it), then asks (j/N)\n"
	  "  at a terminal; elsewhere it changes nothing without --yes.\n"
	  "  --yes            withdraw without asking\n" },
	{ "user", cmd_user,
	  "add NAME --role ROLE [--unit UNIT] | list | remove NAME | passwd NAME",
	  "staff accounts for writing in the browser (/redaktion)",
	  "  --role ROLE      author (writes drafts), reviewer (also approves\n"
	  "                   others' drafts) or admin (also retracts at once and\n"
	  "                   reads the audit log)\n"
	  "  --unit UNIT      organisational unit named in published commits\n"
	  "  The password is read from the terminal without echo, or as one line\n"
	  "  from stdin; knowctl hashes it (Argon2id) before sending it to knowd.\n" },
	{ "audit", cmd_audit, "[--json] [--limit N]",
	  "who drafted, approved, published or retracted which record when",
	  "  --limit N        the newest N entries (default 100)\n" },
	{ "contact", cmd_contact,
	  "set PROJECT|ID [FILE|-] | show [--node NODE] PROJECT|ID | clear PROJECT|ID",
	  "whom to ask about a project or lesson (a signed card, not in history)",
	  "  The card is a small YAML file (or stdin):\n"
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
	  "  --node NODE      show: the project slug is NODE's (default: this node's)\n" },
	{ "backup", cmd_backup, "[--with-key] FILE",
	  "write a consistent snapshot of the node home (a tar archive)",
	  "  --with-key       include keys/node.key (keep such a file safe)\n"
	  "  Restore: mkdir NEWHOME; tar -xf FILE -C NEWHOME. Without the key,\n"
	  "  the network restores a node instead (see knowd(8), RECOVERY).\n" },
};

/* Prints the overall usage. */
static void
usage(FILE *f)
{
	size_t	 i;

	fputs("usage: knowctl [--home DIR] [--json] COMMAND [ARGS]\n\n"
	    "Publish, find and read lessons learned on the local knowd node.\n\n"
	    "commands:\n", f);
	for (i = 0; i < nitems(cmds); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\noptions:\n"
	    "  --home DIR   node home (default: $KNOWD_HOME, else $XDG_DATA_HOME/knowd)\n"
	    "  --json       machine-readable output\n"
	    "  -h, --help   this help; knowctl COMMAND --help for a command's\n"
	    "\nexit status: 0 ok, 1 error (or, for search, no result), 2 usage error.\n", f);
}

int
main(int argc, char **argv)
{
	struct cli	 cli = { NULL, 0 };
	int		 i, rv;
	size_t		 c;

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
			fprintf(stderr, "knowctl: unknown option %s\n", argv[i]);
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
	fprintf(stderr, "knowctl: unknown command \"%s\" (knowctl --help lists "
	    "them)\n", argv[i]);
	free(cli.home);
	return 2;
}
