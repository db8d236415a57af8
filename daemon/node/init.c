/*
 * init.c — `knowd init`: creates a node home (key pair, knowd.conf, bare
 * repository whose first signed commit holds node.md).
 *
 * Everything is built in a temporary sibling directory and renamed into
 * place at the end, so a failed or interrupted init leaves nothing behind.
 */
#include <sys/stat.h>

#include <errno.h>
#include <dirent.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "home.h"
#include "invite.h"
#include "keys.h"
#include "node.h"
#include "peer.h"
#include "record.h"
#include "store.h"
#include "util.h"

struct init_opts {
	const char	*home;
	const char	*name;
	const char	*role;
	const char	*ags;
	const char	*region;
	const char	*website;
	const char	*keyfile;	/* --key: use this secret key */
	int		 recover;	/* --recover: the branch comes from peers */
	struct invite_line *join;	/* --join: redeem this invitation */
	struct config	 conf;
};

static const char init_usage[] =
"usage: knowd init --name NAME [options]\n"
"       knowd init --recover --key FILE --peer ADDR [options]\n"
"       knowd init --join 'LINE' --name NAME [options]\n"
"\n"
"Creates a new node in the home directory: an Ed25519 key pair, knowd.conf\n"
"and a git repository whose first signed commit describes the node.\n"
"\n"
"  --home DIR        node home (default: $KNOWD_HOME, else $XDG_DATA_HOME/knowd)\n"
"  --name NAME       the node's public name, e.g. \"Stadt Münster\" (required)\n"
"  --kind KIND       municipality (default), county, region, agency, state,\n"
"                    association, company, research or other\n"
"  --ags CODE        Amtlicher Gemeindeschlüssel (8 digits) or Regionalschlüssel (12)\n"
"  --region TEXT     region, e.g. \"Münsterland\"\n"
"  --website URL     the node's website (https://…)\n"
"  --listen ADDR     HOST:PORT to accept peers on (default 127.0.0.1:7700; off)\n"
"  --network NAME    network name (default \"knowd\")\n"
"  --peer ADDR       [NID@]HOST:PORT of a peer; repeatable\n"
"  --mirror MODE     trusted (default) or all\n"
"  --key FILE        use this existing OpenSSH ed25519 secret key\n"
"  --join LINE       join a network with an invitation (knowctl invite on the\n"
"                    agency): trusts and dials the agency, which vouches for\n"
"                    this node; quote the line, or give - to read it from\n"
"                    stdin. Nothing is left behind when the agency refuses\n"
"  --recover         restore a lost node from the network: with --key and at\n"
"                    least one --peer, its own branch is fetched from peers\n"
"                    (--name is then not needed)\n"
"  -h, --help        this help\n";

/* True when dir does not exist or is an empty directory. */
static int
dir_unused(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 empty = 1;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* Builds and checks the node.md record; nothing is written yet. */
static int
init_record(const struct init_opts *o, const char *nid, char **text,
    size_t *len, char **cause)
{
	struct record	 r;
	char		 now[32];
	int		 rv;

	memset(&r, 0, sizeof r);
	time_iso(time(NULL), now);
	r.kind = RECORD_NODE;
	r.id = (char *)nid;
	r.name = (char *)o->name;
	r.role = (char *)o->role;
	r.ags = (char *)o->ags;
	r.region = (char *)o->region;
	r.website = (char *)o->website;
	r.created = r.modified = now;
	r.body = (char *)"";
	if ((rv = record_validate(&r, RECORD_STRICT, cause)) == 0)
		rv = record_write(&r, text, len);
	return rv;
}

/* The initial knowd.conf: the canonical settings and commented examples. */
static char *
init_config_text(const struct config *c)
{
	char	*body, *text;

	body = config_print(c);
	text = xasprintf("# knowd configuration: \"key = value\" lines, # for comments.\n"
	    "# See knowd.conf(5). Examples:\n"
	    "#   peer = did:key:z6Mk…@knowd.example.org:7700\n"
	    "#   trust = did:key:z6Mk… Stadt Paderborn\n%s", body);
	free(body);
	return text;
}

/* Writes keys/ and knowd.conf into dir. */
static int
init_files(const struct init_opts *o, const char *dir,
    const struct keys_pair *kp, const char *nid, char **cause)
{
	char	*p, *q, *conf;
	int	 rv;

	p = home_path(dir, "keys");
	if (mkdir(p, 0700) == -1) {
		set_cause(cause, "%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	p = home_path(dir, HOME_KEY);
	q = home_path(dir, HOME_PUB);
	rv = keys_save(p, q, kp, nid, cause);
	free(p);
	free(q);
	if (rv != 0)
		return -1;
	conf = init_config_text(&o->conf);
	p = home_path(dir, CONFIG_FILE);
	rv = write_file_atomic(p, conf, strlen(conf), 0640, cause);
	free(p);
	free(conf);
	return rv;
}

/* Creates repo.git; unless recovering, its first signed commit holds node.md. */
static int
init_repo(const struct init_opts *o, const char *dir,
    const struct keys_pair *kp, const char *nid, const char *text,
    size_t len, char **cause)
{
	struct store	*st = NULL;
	struct store_change ch;
	git_oid		 head, tree;
	char		*p;
	int		 rv = -1;

	p = home_path(dir, HOME_REPO);
	if (store_create(p, cause) == 0 && store_open(p, &st, cause) == 0) {
		ch = (struct store_change){ "node.md", text, len };
		if (o->recover)
			rv = 0;		/* the branch comes from the network */
		else if (store_commit(st, kp, nid, o->name, &ch, 1,
		    "knowd init: node.md", &head, NULL, cause) == 0 &&
		    view_update(st, &tree, cause) == 0)
			rv = 0;
	}
	store_close(st);
	free(p);
	return rv;
}

/* Creates key (or takes the given one), config and repository inside dir. */
static int
init_build(const struct init_opts *o, const char *dir, char **cause)
{
	struct keys_pair kp;
	char		 nid[KEYS_NID_MAX], *text = NULL;
	size_t		 len = 0;
	int		 rv = -1;

	if (o->keyfile != NULL) {
		if (keys_load(o->keyfile, &kp, cause) != 0)
			return -1;
	} else
		keys_generate(&kp);
	keys_nid_encode(kp.pk, nid);
	if ((o->recover || init_record(o, nid, &text, &len, cause) == 0) &&
	    init_files(o, dir, &kp, nid, cause) == 0 &&
	    init_repo(o, dir, &kp, nid, text, len, cause) == 0 &&
	    (o->join == NULL || peer_join_dial(&kp, o->join, PEER_JOIN_TIMEOUT,
	    cause) == 0)) {
		printf("%s%s\n", KEYS_DID_PREFIX, nid);
		if (o->join != NULL)
			fprintf(stderr, "knowd init: beigetreten: die Agentur "
			    "%s%s (%s, Netz \"%s\") bürgt für diesen Knoten; "
			    "jetzt knowd starten\n", KEYS_DID_PREFIX,
			    o->conf.trust[0].nid, o->join->addr, o->join->network);
		rv = 0;
	}
	free(text);
	keys_wipe(&kp);
	return rv;
}

/* nftw callback: removes one file or directory. */
static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Removes a directory tree we created. */
static void
rm_rf(const char *dir)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes everything inside dir, keeping dir itself. */
static void
rm_contents(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	char		*p;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		rm_rf(p);
		free(p);
	}
	closedir(d);
}

/* Prints a usage error; returns 2. */
static int
init_usage_error(const char *what)
{
	fprintf(stderr, "knowd init: %s\n%s", what, init_usage);
	return 2;
}

/*
 * --join LINE (or - for a line on stdin): parsed into o->join before
 * anything is made; the argument is overwritten at once, so ps shows
 * the secret no longer than needed.
 */
static int
init_join_line(struct init_opts *o, char *arg)
{
	char	 buf[INVITE_LINE_MAX + 2], *line = arg, *why = NULL;
	int	 rv;

	if (strcmp(arg, "-") == 0) {
		if (fgets(buf, sizeof buf, stdin) == NULL) {
			fprintf(stderr, "knowd init: keine Einladung auf der "
			    "Standardeingabe\n");
			return -1;
		}
		line = buf;
	}
	if (o->join == NULL)
		o->join = xmalloc(sizeof *o->join);
	rv = invite_parse(line, o->join, &why);
	sodium_memzero(line, line == buf ? sizeof buf : strlen(line));
	if (rv != 0) {
		fprintf(stderr, "knowd init: %s\n", why);
		free(why);
		return -1;
	}
	return 0;
}

/* The settings an invitation makes: its network, the agency as peer and trusted. */
static int
init_join_conf(struct init_opts *o)
{
	char	 did[KEYS_DID_MAX], *line[3], *why = NULL;
	size_t	 i;
	int	 rv = 0;

	if (strcmp(o->conf.network, CONFIG_DEFAULT_NETWORK) != 0 &&
	    strcmp(o->conf.network, o->join->network) != 0) {
		fprintf(stderr, "knowd init: die Einladung gilt für das Netz "
		    "\"%s\", nicht \"%s\"\n", o->join->network, o->conf.network);
		return -1;
	}
	keys_did_encode(o->join->pk, did);
	line[0] = xasprintf("network = %s", o->join->network);
	line[1] = xasprintf("peer = %s@%s", did, o->join->addr);
	line[2] = xasprintf("trust = %s Agentur (Einladung)", did);
	for (i = 0; i < 3; i++) {
		if (rv == 0 && config_apply_line(&o->conf, line[i], &why) != 0) {
			fprintf(stderr, "knowd init: Einladung: %s\n", why);
			free(why);
			rv = -1;
		}
		free(line[i]);
	}
	return rv;
}

/* Parses the init options into *o; returns 2 on a usage error. */
static int
init_options(int argc, char **argv, struct init_opts *o)
{
	static const struct option longopts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'N' },
		{ "kind", required_argument, NULL, 'k' },
		{ "ags", required_argument, NULL, 'a' },
		{ "region", required_argument, NULL, 'r' },
		{ "website", required_argument, NULL, 'w' },
		{ "listen", required_argument, NULL, 'l' },
		{ "network", required_argument, NULL, 'n' },
		{ "peer", required_argument, NULL, 'p' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "key", required_argument, NULL, 'K' },
		{ "recover", no_argument, NULL, 'R' },
		{ "join", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char	*line, *why = NULL;
	int	 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': o->home = optarg; break;
		case 'N': o->name = optarg; break;
		case 'k': o->role = optarg; break;
		case 'a': o->ags = optarg; break;
		case 'r': o->region = optarg; break;
		case 'w': o->website = optarg; break;
		case 'K': o->keyfile = optarg; break;
		case 'R': o->recover = 1; break;
		case 'J':
			if (init_join_line(o, optarg) != 0)
				return 1;
			break;
		case 'h':
			fputs(init_usage, stdout);
			exit(0);
		case 'l': case 'n': case 'p': case 'm':
			line = xasprintf("%s = %s", ch == 'l' ? "listen" :
			    ch == 'n' ? "network" : ch == 'p' ? "peer" : "mirror",
			    optarg);
			if (config_apply_line(&o->conf, line, &why) != 0) {
				fprintf(stderr, "knowd init: %s\n", why);
				free(why);
				free(line);
				return 2;
			}
			free(line);
			break;
		default:
			fputs(init_usage, stderr);
			return 2;
		}
	}
	if (o->join != NULL && (o->recover || init_join_conf(o) != 0))
		return o->recover ? init_usage_error("--join and --recover "
		    "exclude each other") : 1;
	if (optind != argc || (o->name == NULL && !o->recover) ||
	    (o->recover && (o->keyfile == NULL || o->conf.npeers == 0))) {
		fprintf(stderr, "knowd init: %s\n%s", optind != argc ?
		    "unexpected argument" : o->recover ? "--recover needs "
		    "--key FILE and at least one --peer" : "--name is required",
		    init_usage);
		return 2;
	}
	return 0;
}

/* A fresh temporary directory beside home, to build the node in. */
static char *
init_tmpdir(const char *home, char **cause)
{
	char	*copy, *tmpl;

	copy = xstrdup(home);
	tmpl = xasprintf("%s/.knowd-init.XXXXXX", dirname(copy));
	free(copy);
	if (mkdtemp(tmpl) == NULL) {
		set_cause(cause, "%s: %s", tmpl, strerror(errno));
		free(tmpl);
		return NULL;
	}
	chmod(tmpl, 0750);
	return tmpl;
}

int
node_init_main(int argc, char **argv)
{
	struct init_opts o;
	char		*home = NULL, *tmp = NULL, *why = NULL;
	int		 rv;

	memset(&o, 0, sizeof o);
	o.role = "municipality";
	config_defaults(&o.conf);
	if ((rv = init_options(argc, argv, &o)) != 0)
		goto out;
	rv = 1;
	home = home_resolve(o.home);
	if (!dir_unused(home)) {
		fprintf(stderr, "knowd init: %s is not empty; a node may "
		    "already live there\n", home);
		goto out;
	}
	if (access(home, W_OK) == 0) {
		/*
		 * An existing empty directory we may write to (the systemd
		 * StateDirectory, whose parent we may not): build in place, and
		 * empty it again on failure.
		 */
		if (init_build(&o, home, &why) != 0) {
			rm_contents(home);
			goto fail;
		}
		rv = 0;
		goto out;
	}
	if ((tmp = init_tmpdir(home, &why)) == NULL)
		goto fail;
	if (init_build(&o, tmp, &why) != 0) {
		rm_rf(tmp);
		goto fail;
	}
	rmdir(home);	/* an empty directory is replaced */
	if (rename(tmp, home) == -1) {
		set_cause(&why, "%s: %s", home, strerror(errno));
		rm_rf(tmp);
		goto fail;
	}
	rv = 0;
	goto out;
fail:
	fprintf(stderr, "knowd init: %s\n", why);
out:
	free(why);
	free(tmp);
	free(home);
	config_free(&o.conf);
	if (o.join != NULL) {
		sodium_memzero(o.join, sizeof *o.join);
		free(o.join);
	}
	return rv;
}
