/*
 * knowd.c — the daemon's entry point and the top floor: `knowd init`,
 * `knowd -n`, and running a node, which wires the rooms together — the
 * node (its branches), the workers, the net (peers), the web pages and the
 * control socket — and runs the event loop until a signal stops it.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <getopt.h>
#include <malloc.h>
#include <stddef.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <sodium.h>

#include "conf.h"
#include "control.h"
#include "ctl.h"
#include "desk.h"
#include "home.h"
#include "log.h"
#include "net.h"
#include "node.h"
#include "search.h"
#include "store.h"
#include "util.h"
#include "web.h"

#define KNOWD_VERSION "0.1.0"
#define KNOWD_NOFILE	4096	/* descriptors asked for: peers, web and knowctl clients, packs */
#define KNOWD_NOFILE_LOW 512	/* below this, a warning */

static const char usage[] =
"usage: knowd [-d] [--home DIR]           run the node in the foreground\n"
"       knowd init --name NAME [options]  create a node (knowd init --help)\n"
"       knowd -n [--home DIR]             check knowd.conf and print it back\n"
"\n"
"  --home DIR     node home (default: $KNOWD_HOME, else $XDG_DATA_HOME/knowd)\n"
"  -d, --debug    log debug messages too\n"
"  -n, --check    check the configuration and print it in canonical form\n"
"  -V, --version  print the version\n"
"  -h, --help     this help\n"
"\n"
"knowd logs to stderr, stops cleanly on SIGTERM or SIGINT, and on SIGHUP\n"
"reloads knowd.conf (trust, peers, limits) without dropping connections.\n";

/* A running knowd: the rooms, wired together. */
struct knowd {
	struct node		 node;
	struct event_base	*base;
	struct worker		*fast[NET_WORKERS];	/* packs from and for peers */
	struct worker		*slow;		/* knowctl verify and backup */
	struct net		*net;
	struct web		*web;
	struct search_loop	*search_loop;
	struct control		*control;
	struct desk		*desk;		/* staff accounts, drafts, audit */
	struct worker		*hasher;	/* the desk's password checks */
	struct control_env	 env;		/* what the control operations reach */
};

/* Signal callback: stop the event loop. */
static void
knowd_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct knowd *kd = arg;

	log_info("signal %d: shutting down", (int)sig);
	event_base_loopbreak(kd->base);
}

/*
 * Tells systemd (Type=notify) that knowd is ready: "READY=1" as one datagram
 * to $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace). No-op
 * when not started by systemd.
 */
static void
knowd_notify_ready(void)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	static const char	 msg[] = "READY=1";
	socklen_t		 len;
	int			 fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof sun.sun_path)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, msg, sizeof msg - 1, 0, (struct sockaddr *)&sun, len) == -1)
		log_warn("sd_notify %s", path);
	close(fd);
}

/* SIGHUP: reload knowd.conf — trust, peers and limits — keeping healthy connections. */
static void
knowd_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct knowd	*kd = arg;
	char		*why = NULL;

	if (node_reload(&kd->node, &why) != 0) {
		log_warnx("reload refused, configuration unchanged: %s", why);
		free(why);
		return;
	}
	trust_settle(&kd->node);
	log_info("configuration reloaded");
}

/* The search index was damaged and is empty again: index every branch anew. */
static void
knowd_reindex_cb(void *arg)
{
	struct knowd	*kd = arg;
	char		*why = NULL;
	size_t		 queued;

	if (node_reindex(&kd->node, &queued, &why) != 0) {
		log_warnx("search index: rebuild: %s", why);
		free(why);
		return;
	}
	if (queued > 0)
		log_info("search index: rebuilding %zu branches in the background",
		    queued);
	search_loop_soon(kd->search_loop);
}

/* Starts the rooms above the node: workers, net, web, control socket, index merges. */
static int
knowd_start(struct knowd *kd, char **cause)
{
	const char	*repo = git_repository_path(store_repo(kd->node.store));
	char		*path, *why = NULL;
	size_t		 i;
	int		 rv;

	/*
	 * Workers for packs (one per core: a mirror verifies two packs at a
	 * time) and one for knowctl's verify and backup, which never delay
	 * gossip.
	 */
	for (i = 0; i < NET_WORKERS; i++)
		if (worker_start(&kd->fast[i], kd->base, repo, cause) != 0)
			return -1;
	if (worker_start(&kd->slow, kd->base, repo, cause) != 0 ||
	    net_start(&kd->net, kd->base, &kd->node, kd->fast, cause) != 0)
		return -1;
	if (kd->node.conf.npeers > 0)
		node_expect_peers(&kd->node);
	if (web_start(&kd->web, kd->base, &kd->node, &why) != 0) {
		log_warnx("%s; the web pages are off", why);
		free(why);
	}
	if (desk_open(&kd->desk, kd->node.home, &why) != 0) {
		log_warnx("desk: %s; /redaktion and knowctl user are off", why);
		free(why);
	}
	/* Argon2id takes 0.1 s: on a thread of its own, not the loop's. */
	if (kd->desk != NULL && kd->web != NULL &&
	    worker_start(&kd->hasher, kd->base, repo, cause) != 0)
		return -1;
	web_set_desk(kd->web, kd->desk, kd->hasher);
	kd->search_loop = search_loop_start(kd->base, kd->node.search);
	search_loop_on_damage(kd->search_loop, knowd_reindex_cb, kd);
	node_index_start(&kd->node, kd->base);
	node_upkeep_start(&kd->node, kd->base, kd->slow);
	node_contacts_start(&kd->node, kd->base);
	kd->env.node = &kd->node;
	kd->env.net = kd->net;
	kd->env.web = kd->web;
	kd->env.search_loop = kd->search_loop;
	kd->env.slow = kd->slow;
	kd->env.desk = kd->desk;
	path = home_path(kd->node.home, CTL_SOCKET);
	rv = control_open(&kd->control, kd->base, path, control_dispatch,
	    &kd->env, cause);
	free(path);
	return rv;
}

/* Stops them in the reverse order (workers first: their last jobs' done() look up peers). */
static void
knowd_stop(struct knowd *kd)
{
	size_t	 i;

	for (i = 0; i < NET_WORKERS; i++)
		worker_stop(kd->fast[i]);
	worker_stop(kd->slow);
	worker_stop(kd->hasher);
	control_close(kd->control);
	web_stop(kd->web);
	desk_close(kd->desk);
	net_stop(kd->net);
	search_loop_stop(kd->search_loop);
	node_index_stop(&kd->node);
	node_upkeep_stop(&kd->node);
	node_contacts_stop(&kd->node);
}

/*
 * Raises the soft limit on open files towards KNOWD_NOFILE (as far as the
 * hard limit allows), warns when it stays low, and shares what there is:
 * libgit2 keeps at most an eighth of it in pack files.
 */
static void
knowd_fd_limit(void)
{
	struct rlimit	 rl;
	rlim_t		 want = KNOWD_NOFILE;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < want) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
			want = rl.rlim_max;
		if (want > rl.rlim_cur) {
			rl.rlim_cur = want;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (rl.rlim_cur < KNOWD_NOFILE_LOW)
		log_warnx("open file limit is %llu, knowd wants %d: peers, web "
		    "clients and knowctl will be refused sooner (set "
		    "LimitNOFILE=%d in knowd.service, or ulimit -n)",
		    (unsigned long long)rl.rlim_cur, KNOWD_NOFILE, KNOWD_NOFILE);
	if (rl.rlim_cur / 8 < STORE_OPEN_PACKS)
		store_set_open_packs(rl.rlim_cur / 8 < 4 ? 4 : rl.rlim_cur / 8);
}

/* Runs the node until SIGTERM or SIGINT. */
static int
knowd_run(const char *home)
{
	struct knowd	 kd;
	struct event	*sigterm, *sigint, *sighup;
	char		*why = NULL;
	int		 rv = 1;

	memset(&kd, 0, sizeof kd);
	if (node_open(&kd.node, home, &why) != 0) {
		log_warnx("%s", why);
		free(why);
		node_close(&kd.node);
		return 1;
	}
	evthread_use_pthreads();
	if ((kd.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	/*
	 * Three priorities: every event gets the middle one (1) unless it asks
	 * otherwise; background work (index catch-up, index merges) takes 2,
	 * so it runs only when no peer or knowctl is waiting.
	 */
	if (event_base_priority_init(kd.base, 3) != 0)
		fatalx("event_base_priority_init failed");
	sigterm = evsignal_new(kd.base, SIGTERM, knowd_signal_cb, &kd);
	sigint = evsignal_new(kd.base, SIGINT, knowd_signal_cb, &kd);
	sighup = evsignal_new(kd.base, SIGHUP, knowd_hup_cb, &kd);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sighup, NULL);
	if (knowd_start(&kd, &why) != 0) {
		log_warnx("%s", why);
		free(why);
		goto out;
	}
	log_info("node %s (%s) running in %s", kd.node.did, node_name(&kd.node),
	    home);
	knowd_notify_ready();
	event_base_dispatch(kd.base);
	rv = 0;
out:
	knowd_stop(&kd);
	event_free(sigterm);
	event_free(sigint);
	event_free(sighup);
	event_base_free(kd.base);
	node_close(&kd.node);
	log_info("stopped");
	return rv;
}

/* knowd -n: loads knowd.conf and prints it back in canonical form. */
static int
knowd_check(const char *home)
{
	struct config	 c;
	char		*path, *why = NULL, *text;

	path = home_path(home, CONFIG_FILE);
	if (config_load(path, &c, &why) != 0) {
		fprintf(stderr, "knowd: %s\n", why);
		free(why);
		free(path);
		return 1;
	}
	text = config_print(&c);
	fputs(text, stdout);
	free(text);
	free(path);
	config_free(&c);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*homeflag = NULL;
	char		*home;
	int		 ch, debug = 0, check = 0, rv;

	signal(SIGPIPE, SIG_IGN);
	/*
	 * Two heaps for all threads: memory one thread freed serves the next.
	 * Blocks from 256 KiB (packs, their buffers) are mapped on their own
	 * and unmapped when freed, always: glibc's moving threshold put them
	 * into the heaps, between records that live on, once one was freed.
	 */
	mallopt(M_ARENA_MAX, 2);
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	i18n_bind();		/* no locale set: the log stays English */
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialise");
	store_global_init();
	pack_global_init();
	if (argc > 1 && strcmp(argv[1], "init") == 0) {
		rv = node_init_main(argc - 1, argv + 1);
		git_libgit2_shutdown();
		return rv;
	}
	while ((ch = getopt_long(argc, argv, "dnVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': homeflag = optarg; break;
		case 'd': debug = 1; break;
		case 'n': check = 1; break;
		case 'V':
			puts("knowd " KNOWD_VERSION);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "knowd: unexpected argument \"%s\"\n%s",
		    argv[optind], usage);
		return 2;
	}
	log_init(debug, "knowd");
	home = home_resolve(homeflag);
	if (!check)
		knowd_fd_limit();
	rv = check ? knowd_check(home) : knowd_run(home);
	free(home);
	git_libgit2_shutdown();
	return rv;
}
