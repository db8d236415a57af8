/* gossip.c — NODE announcements and the choice of outbound peers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "conf.h"
#include "log.h"
#include "net_int.h"
#include "util.h"

struct gossip {
	struct gossip_node	**v;		/* in the order learned */
	size_t			  n;
	struct hmap		 *by_nid;	/* nid → node */
	struct wire_node	 self;		/* our own, signed */
	time_t			 self_time;
	struct event		*timer;
};

/* The known entry for nid, or NULL. */
static struct gossip_node *
known_find(struct gossip *g, const char *nid)
{
	return hmap_gets(g->by_nid, nid);
}

/* Signs a fresh NODE announcement of ourselves. */
static void
gossip_sign_self(struct net *net)
{
	struct gossip	*g = net->gossip;
	const char	*listen = peers_listen_addr(net->peers);

	memset(&g->self, 0, sizeof g->self);
	memcpy(g->self.pk, net->node->kp.pk, KEYS_PK_LEN);
	snprintf(g->self.name, sizeof g->self.name, "%.*s", WIRE_NAME_MAX,
	    node_name(net->node));
	if (listen[0] != '\0' && strncmp(listen, "0.0.0.0:", 8) != 0 &&
	    strncmp(listen, "[::]:", 5) != 0) {
		snprintf(g->self.addrs[0], sizeof g->self.addrs[0], "%s",
		    listen);
		g->self.naddrs = 1;
	}
	g->self.time = (uint64_t)time(NULL);
	wire_node_sign(&g->self, &net->node->kp);
	g->self_time = time(NULL);
}

/* Sends one NODE to a peer. */
static void
send_node(struct peer *p, const struct wire_node *n)
{
	struct buf	 b;

	buf_init(&b);
	wire_node_encode(&b, n);
	sync_send(p, &b);
	buf_free(&b);
}

void
gossip_peer_ready(struct peer *p)
{
	struct gossip	*g = NET(p)->gossip;
	size_t		 i, sent = 0;

	if (g == NULL)
		return;
	send_node(p, &g->self);
	for (i = g->n; i > 0 && sent < GOSSIP_SEND_KNOWN; i--) {
		if (strcmp(g->v[i - 1]->nid, p->nid) == 0)
			continue;
		send_node(p, &g->v[i - 1]->n);
		sent++;
	}
}

/* Splits a NODE address into host and port; -1 when it is not one we dial. */
static int
node_hostport(const char *addr, char **host, char **port)
{
	return config_split_hostport(addr, host, port, NULL);
}

/* Opens outbound connections to known nodes until max_peers_out are up or being made. */
static void
gossip_fill(struct net *net)
{
	struct gossip		*g = net->gossip;
	struct gossip_node	*cand;
	char			*host, *port;
	time_t			 now = time(NULL);
	size_t			 i, tries;

	for (tries = 0; tries < 4 && peers_outbound(net->peers) <
	    net->node->conf.max_peers_out && g->n > 0; tries++) {
		i = randombytes_uniform((uint32_t)g->n);
		cand = g->v[i];
		if (cand->n.naddrs == 0 || cand->next_try > now ||
		    strcmp(cand->nid, net->node->nid) == 0 || peers_has(net->peers, cand->nid))
			continue;
		if (node_hostport(cand->n.addrs[0], &host, &port) != 0)
			continue;
		log_debug("gossip: dialing %s at %s", cand->nid, cand->n.addrs[0]);
		peers_dial(net->peers, cand->nid, host, port);
		free(host);
		free(port);
	}
}

void
gossip_dial_failed(const char *nid, void *arg)
{
	struct net	   *net = arg;
	struct gossip_node *k;
	int		    shift;

	if (net->gossip == NULL || (k = known_find(net->gossip, nid)) == NULL)
		return;
	k->failures++;
	shift = k->failures < 10 ? k->failures : 10;
	k->next_try = time(NULL) + (1L << shift);	/* 2 s … 17 min */
}

/* Timer: re-announce ourselves now and then, and keep outbound peers filled. */
static void
gossip_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net *net = arg;
	struct gossip	*g = net->gossip;
	struct timeval	 tv = { GOSSIP_TICK, 0 };
	struct peer	*p;

	if (time(NULL) - g->self_time >= GOSSIP_NODE_INTERVAL) {
		gossip_sign_self(net);
		TAILQ_FOREACH(p, &net->peers->list, entry)
			if (p->state == PEER_READY)
				send_node(p, &g->self);
	}
	gossip_fill(net);
	evtimer_add(g->timer, &tv);
}

/* Stores a verified NODE newer than what we knew; 1 when it was news. */
static int
known_update(struct gossip *g, const char *nid, const struct wire_node *n)
{
	struct gossip_node *k = known_find(g, nid);

	if (k != NULL && k->n.time >= n->time)
		return 0;
	if (k == NULL) {
		if (g->n >= GOSSIP_MAX_KNOWN)
			return 0;
		k = xcalloc(1, sizeof *k);
		snprintf(k->nid, sizeof k->nid, "%s", nid);
		g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
		g->v[g->n++] = k;
		hmap_put(g->by_nid, k->nid, strlen(k->nid), k);
	}
	k->n = *n;
	k->heard = time(NULL);
	k->failures = 0;
	k->next_try = 0;
	return 1;
}

int
gossip_node_in(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_node n;
	struct peer	*q;
	char		 nid[KEYS_NID_MAX], *why = NULL;
	time_t		 now = time(NULL);
	static struct log_limit stale;

	if (wire_node_decode(m, len, &n, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (wire_node_verify(&n) != 0)
		return sync_fail(p, WIRE_E_PROTOCOL, "NODE: bad signature");
	keys_nid_encode(n.pk, nid);
	if (strcmp(nid, NET(p)->node->nid) == 0)
		return 0;		/* ourselves: not kept, not relayed */
	if (!sync_time_fresh(p, n.time)) {
		log_warnx_limit(&stale, "peer %s: NODE of %s dropped: signed "
		    "%lld s %s our clock (stale or from the future)", p->nid,
		    nid, (long long)(n.time > (uint64_t)now ? n.time -
		    (uint64_t)now : (uint64_t)now - n.time),
		    n.time > (uint64_t)now ? "ahead of" : "behind");
		return 0;
	}
	if (!known_update(NET(p)->gossip, nid, &n))
		return 0;		/* a duplicate or older: not relayed */
	log_debug("gossip: learned %s (%s) from %s", nid, n.name, p->nid);
	TAILQ_FOREACH(q, &NET(p)->peers->list, entry)
		if (q != p && q->state == PEER_READY && strcmp(q->nid, nid) != 0)
			send_node(q, &n);
	return 0;
}

struct gossip_node *const *
gossip_known(struct net *net, size_t *n)
{
	*n = net->gossip != NULL ? net->gossip->n : 0;
	return net->gossip != NULL ? net->gossip->v : NULL;
}

void
gossip_start(struct net *net)
{
	struct gossip	*g;
	struct timeval	 tv = { GOSSIP_TICK, 0 };

	g = xcalloc(1, sizeof *g);
	g->by_nid = hmap_new();
	net->gossip = g;
	gossip_sign_self(net);
	g->timer = evtimer_new(net->base, gossip_tick_cb, net);
	evtimer_add(g->timer, &tv);
}

void
gossip_stop(struct net *net)
{
	struct gossip	*g = net->gossip;

	if (g == NULL)
		return;
	event_free(g->timer);
	while (g->n > 0)
		free(g->v[--g->n]);
	free(g->v);
	hmap_free(g->by_nid);
	free(g);
	net->gossip = NULL;
}
