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

/* How many untrusted nodes one peer introduced (GOSSIP_PER_PEER at most). */
struct gossip_via {
	char		 nid[KEYS_NID_MAX];
	size_t		 n;
};

/* An advertised address and when it may be dialed again. */
struct gossip_addr {
	char		 addr[WIRE_ADDR_MAX + 1];
	int		 tries;
	time_t		 next_try;
};

struct gossip {
	struct gossip_node	**v;		/* unordered (swap-removed) */
	size_t			  n;
	struct hmap		 *by_nid;	/* nid → node */
	struct hmap		 *vias;		/* introducer nid → struct gossip_via */
	struct hmap		 *addrs;	/* address → struct gossip_addr */
	TAILQ_HEAD(, gossip_node) untrusted;	/* oldest learned first */
	struct wire_node	 self;		/* our own, signed */
	time_t			 self_time;
	struct event		*timer;
};

/* Frees a map and the values it holds. */
static void
map_free_values(struct hmap *m)
{
	void	*v;
	size_t	 it = 0;

	while ((v = hmap_next(m, &it)) != NULL)
		free(v);
	hmap_free(m);
}

/*
 * 1 when addr may be dialed now, and counts the try: each dial of one
 * address waits 2, 4 … 1,024 s after the last, whichever node it claims
 * to be (many strangers may advertise one address); a dial that reaches
 * READY resets it (addr_reached).
 */
static int
addr_may_dial(struct gossip *g, const char *addr, time_t now)
{
	struct gossip_addr *a = hmap_gets(g->addrs, addr);
	int		    shift;

	if (a == NULL) {
		if (hmap_count(g->addrs) >= GOSSIP_MAX_ADDRS) {
			map_free_values(g->addrs);	/* start over */
			g->addrs = hmap_new();
		}
		a = xcalloc(1, sizeof *a);
		snprintf(a->addr, sizeof a->addr, "%s", addr);
		hmap_put(g->addrs, a->addr, strlen(a->addr), a);
	}
	if (a->next_try > now)
		return 0;
	shift = a->tries < 10 ? ++a->tries : 10;
	a->next_try = now + (1L << shift);
	return 1;
}

/* A dial to addr reached a node: its backoff starts over. */
static void
addr_reached(struct gossip *g, const char *addr)
{
	struct gossip_addr *a = hmap_gets(g->addrs, addr);

	if (a != NULL) {
		a->tries = 0;
		a->next_try = 0;
	}
}

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
	if (p->outbound)
		addr_reached(g, p->addr);
	send_node(p, &g->self);
	for (i = g->n; i > 0 && sent < GOSSIP_SEND_KNOWN; i--) {
		if (strcmp(g->v[i - 1]->nid, p->nid) == 0 ||
		    trust_admits(NET(p)->node, g->v[i - 1]->nid) != TRUST_ADMITTED)
			continue;	/* only admitted nodes are passed on */
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
		    strcmp(cand->nid, net->node->nid) == 0 || peers_has(net->peers, cand->nid) ||
		    trust_admits(net->node, cand->nid) != TRUST_ADMITTED)
			continue;
		if (!addr_may_dial(g, cand->n.addrs[0], now) ||
		    node_hostport(cand->n.addrs[0], &host, &port) != 0)
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

/* Forgets one known node (swap-removed from the array). */
static void
known_drop(struct gossip *g, struct gossip_node *k)
{
	struct gossip_via *v;

	if (!k->trusted) {
		TAILQ_REMOVE(&g->untrusted, k, entry);
		if ((v = hmap_gets(g->vias, k->via)) != NULL && --v->n == 0) {
			hmap_del(g->vias, v->nid, strlen(v->nid));
			free(v);
		}
	}
	hmap_del(g->by_nid, k->nid, strlen(k->nid));
	g->v[k->idx] = g->v[--g->n];
	g->v[k->idx]->idx = k->idx;
	free(k);
}

/*
 * Room for a node introduced by via: a trusted node always finds it (the
 * oldest untrusted entry goes when the table is full); an untrusted one
 * only while via introduced fewer than GOSSIP_PER_PEER and the table has
 * space. NULL when there is none; else via's count (NULL for trusted).
 */
static int
known_room(struct gossip *g, int trusted, const char *via,
    struct gossip_via **vp)
{
	struct gossip_via *v;

	*vp = NULL;
	if (trusted) {
		if (g->n >= GOSSIP_MAX_KNOWN && !TAILQ_EMPTY(&g->untrusted))
			known_drop(g, TAILQ_FIRST(&g->untrusted));
		return g->n < GOSSIP_MAX_KNOWN;
	}
	if (g->n >= GOSSIP_MAX_KNOWN)
		return 0;
	if ((v = hmap_gets(g->vias, via)) == NULL) {
		v = xcalloc(1, sizeof *v);
		snprintf(v->nid, sizeof v->nid, "%s", via);
		hmap_put(g->vias, v->nid, strlen(v->nid), v);
	}
	if (v->n >= GOSSIP_PER_PEER)
		return 0;
	*vp = v;
	return 1;
}

/*
 * Stores a verified NODE newer than what we knew, introduced by peer via;
 * 1 when it was news. The table's rule: trusted (or vouched for) nodes
 * always; others at most GOSSIP_PER_PEER per introducing peer while the
 * table has room.
 */
static int
known_update(struct net *net, const char *nid, const struct wire_node *n,
    const char *via)
{
	struct gossip	   *g = net->gossip;
	struct gossip_node *k = known_find(g, nid);
	struct gossip_via  *v;
	int		    trusted;

	if (k != NULL && k->n.time >= n->time)
		return 0;
	if (k == NULL) {
		trusted = trust_find(net->node, nid) != NULL;
		if (!known_room(g, trusted, via, &v))
			return 0;
		k = xcalloc(1, sizeof *k);
		snprintf(k->nid, sizeof k->nid, "%s", nid);
		snprintf(k->via, sizeof k->via, "%s", via);
		k->trusted = trusted;
		if (!trusted) {
			v->n++;
			TAILQ_INSERT_TAIL(&g->untrusted, k, entry);
		}
		g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
		k->idx = g->n;
		g->v[g->n++] = k;
		hmap_put(g->by_nid, k->nid, strlen(k->nid), k);
	}
	k->n = *n;
	k->heard = time(NULL);
	k->failures = 0;
	k->next_try = 0;
	return 1;
}

/* Takes a token of p's NODE relay bucket; 0 when it is empty (not relayed). */
static int
relay_token(struct peer *p)
{
	struct sync_peer *sp = SP(p);
	struct timespec	 ts;
	double		 now, t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (sp->node_last == 0)
		sp->node_tokens = GOSSIP_RELAY_BURST;
	else {
		t = sp->node_tokens + (now - sp->node_last) * GOSSIP_RELAY_RATE;
		sp->node_tokens = t > GOSSIP_RELAY_BURST ? GOSSIP_RELAY_BURST : t;
	}
	sp->node_last = now;
	if (sp->node_tokens < 1)
		return 0;
	sp->node_tokens -= 1;
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
	if (!known_update(NET(p), nid, &n, p->nid))
		return 0;		/* old, or no room: not relayed */
	log_debug("gossip: learned %s (%s) from %s", nid, n.name, p->nid);
	if (trust_admits(NET(p)->node, nid) != TRUST_ADMITTED)
		return 0;		/* kept for who introduced it; not passed on */
	/* Relayed within each receiver's limits; the rest is not lost for good: a new peer gets the newest known. */
	TAILQ_FOREACH(q, &NET(p)->peers->list, entry)
		if (q != p && q->state == PEER_READY && SP(q)->admitted &&
		    strcmp(q->nid, nid) != 0 && relay_token(q))
			send_node(q, &n);
	return 0;
}

/*
 * A pending peer's own NODE: its claimed name is noted and the NODE kept
 * (not relayed); NODEs it sends of other nodes are dropped.
 */
int
gossip_node_claim(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_node n;
	char		 nid[KEYS_NID_MAX], *why = NULL;

	if (wire_node_decode(m, len, &n, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	keys_nid_encode(n.pk, nid);
	if (strcmp(nid, p->nid) != 0 || wire_node_verify(&n) != 0 ||
	    !sync_time_fresh(p, n.time))
		return 0;
	if (node_pending_has(NET(p)->node, nid))
		node_pending_note(NET(p)->node, nid, NULL, n.name, NULL);
	known_update(NET(p), nid, &n, p->nid);	/* kept, passed on once admitted */
	return 0;
}

/* Notes a pending peer, with what peer exchange told us of it. */
void
gossip_pending_note(struct peer *p)
{
	struct gossip_node *k = NET(p)->gossip != NULL ?
	    known_find(NET(p)->gossip, p->nid) : NULL;

	node_pending_note(NET(p)->node, p->nid, p->addr,
	    k != NULL ? k->n.name : NULL, k != NULL &&
	    strcmp(k->via, p->nid) != 0 ? k->via : NULL);	/* not itself */
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
	g->vias = hmap_new();
	g->addrs = hmap_new();
	TAILQ_INIT(&g->untrusted);
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
	map_free_values(g->vias);
	map_free_values(g->addrs);
	free(g);
	net->gossip = NULL;
}
