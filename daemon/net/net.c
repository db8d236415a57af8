/*
 * net.c — the net room's wiring: the operations it gives the peer room,
 * and what it does when the node tells of a move, a change of the
 * replicated set or a reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "log.h"
#include "net_int.h"
#include "util.h"

/*
 * How much a peer is wanted in an inbound slot: a node we trust (or one
 * vouched for along the trust chain) 2, another admitted node 1, a pending
 * stranger (or a denied node) 0.
 */
static int
net_peer_rank(const struct peer *p, void *arg)
{
	struct net	*net = arg;

	if (trust_find(net->node, p->nid) != NULL)
		return 2;
	return trust_admits(net->node, p->nid) == TRUST_ADMITTED ? 1 : 0;
}

int
net_admit(struct peer *p)
{
	struct buf	 b;
	char		*why;

	switch (trust_admits(NET(p)->node, p->nid)) {
	case TRUST_ADMITTED:
		SP(p)->admitted = 1;
		return 0;
	case TRUST_DENIED:
		SP(p)->admitted = 0;
		sync_fail(p, WIRE_E_ADMISSION, "denied here: the operator of "
		    "this node refused %s%s (knowctl deny)", KEYS_DID_PREFIX,
		    p->nid);
		return -1;
	default:
		break;
	}
	SP(p)->admitted = 0;
	gossip_pending_note(p);
	why = xasprintf("not admitted here: ask the operator to run knowctl "
	    "admit %s%s", KEYS_DID_PREFIX, p->nid);
	log_info("peer %s (%s): pending: not admitted; knowctl admit or deny "
	    "decides", p->nid, p->addr);
	buf_init(&b);
	wire_error_encode(&b, WIRE_E_ADMISSION, why);
	sync_send(p, &b);
	buf_free(&b);
	free(why);
	return -1;
}

/*
 * Admission may have changed: a newly admitted peer is welcomed (our NODEs
 * and SUMMARY), a denied one or one no longer admitted is closed (it comes
 * back pending), the others are asked for what we may now lack.
 */
static void
net_readmit(struct net *net, struct peer *p)
{
	enum trust_admission a = trust_admits(net->node, p->nid);

	if (a == TRUST_DENIED || (a == TRUST_PENDING && SP(p)->admitted)) {
		SP(p)->admitted = 0;
		sync_fail(p, WIRE_E_ADMISSION, "%s here: %s%s",
		    a == TRUST_DENIED ? "denied" : "no longer admitted",
		    KEYS_DID_PREFIX, p->nid);
		return;
	}
	if (a == TRUST_PENDING)
		return;
	if (!SP(p)->admitted) {
		SP(p)->admitted = 1;
		node_pending_forget(net->node, p->nid);
		log_info("peer %s (%s): admitted", p->nid, p->addr);
		sync_welcome(p);
	}
	sync_send_digest(p);
}

static const struct peers_ops net_peers_ops = {
	.datasize = sizeof(struct sync_peer),
	.ready = sync_peer_ready,
	.message = sync_message,
	.writable = sync_peer_writable,
	.tick = sync_peer_tick,
	.gone = sync_peer_gone,
	.dial_failed = gossip_dial_failed,
	.rank = net_peer_rank,
};

/*
 * Node listener: a branch moved. Our own commit is announced (signed
 * ANNOUNCE); a branch a peer brought (source: a struct peer ** naming the
 * sender, or NULL when it left) is relayed to every other peer.
 */
static int
net_moved(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	struct net	*net = arg;
	size_t		 i;

	if (source == NULL) {
		sync_published(net);
		return 0;
	}
	for (i = 0; i < n; i++)
		sync_relay(net, m[i].nid, *(struct peer **)source);
	return 0;
}

/* Node listener: the replicated set or admission changed: every peer is looked at again. */
static int
net_replication(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	struct net	*net = arg;
	struct peer	*p;

	TAILQ_FOREACH(p, &net->peers->list, entry)
		if (p->state == PEER_READY)
			net_readmit(net, p);
	return 0;
}

/* Node listener: knowd.conf was reloaded: dial new peers, drop removed ones. */
static int
net_reloaded(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	struct net	*net = arg;

	peers_sync_slots(net->peers);
	return 0;
}

struct worker *
net_worker(struct net *net)
{
	struct worker	*w = net->workers[0];
	size_t		 i;

	for (i = 1; i < NET_WORKERS; i++)
		if (worker_pending(net->workers[i]) < worker_pending(w))
			w = net->workers[i];
	return w;
}

int
net_jobs(struct net *net)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; net != NULL && i < NET_WORKERS; i++)
		if (net->workers[i] != NULL)
			n += worker_pending(net->workers[i]);
	return n;
}

int
net_start(struct net **out, struct event_base *base, struct node *nd,
    struct worker *const workers[NET_WORKERS], char **cause)
{
	struct peers_env env;
	struct net	*net;
	size_t		 i;

	net = xcalloc(1, sizeof *net);
	net->node = nd;
	net->base = base;
	net->fetch_timeout = SYNC_FETCH_TIMEOUT;
	if (getenv("KNOWD_TEST_FETCH_TIMEOUT") != NULL)
		net->fetch_timeout = atoi(getenv("KNOWD_TEST_FETCH_TIMEOUT"));
	for (i = 0; i < NET_WORKERS; i++)
		net->workers[i] = workers[i];
	chan_network_id(nd->conf.network, net->netid);
	*out = net;
	sync_init(net);
	env.base = base;
	env.kp = &nd->kp;
	env.nid = nd->nid;
	env.netid = net->netid;
	env.conf = &nd->conf;
	if (peers_start(&net->peers, &env, &net_peers_ops, net, cause) != 0)
		return -1;
	node_listen(nd, NODE_MOVED, net_moved, net);
	node_listen(nd, NODE_REPLICATION, net_replication, net);
	node_listen(nd, NODE_RELOADED, net_reloaded, net);
	sync_start(net);
	gossip_start(net);
	return 0;
}

void
net_stop(struct net *net)
{
	if (net == NULL)
		return;
	node_unlisten(net->node, net_moved, net);
	node_unlisten(net->node, net_replication, net);
	node_unlisten(net->node, net_reloaded, net);
	peers_stop(net->peers);
	net->peers = NULL;
	gossip_stop(net);
	sync_free(net);
	free(net);
}

const char *
net_listen_addr(const struct net *net)
{
	const char	*a = peers_listen_addr(net->peers);

	return a[0] != '\0' ? a : NULL;
}

size_t
net_lagging(struct net *net, struct net_lag **out)
{
	struct sync_ann	*a;
	struct net_lag	*v = NULL;
	git_oid		 head;
	uint64_t	 seq;
	size_t		 it = 0, n = 0;

	while ((a = hmap_next(net->sync->ann, &it)) != NULL) {
		seq = 0;
		store_head(net->node->store, a->nid, &head, &seq);
		if (a->a.seq <= seq)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		snprintf(v[n].nid, sizeof v[n].nid, "%s", a->nid);
		v[n].seq = seq;
		v[n].announced = a->a.seq;
		n++;
	}
	*out = v;
	return n;
}
