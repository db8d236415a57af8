/* peers.c — the set of peer connections: the listener, dialing with backoff, reaping. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "log.h"
#include "peer.h"
#include "peer_int.h"
#include "util.h"

static void	slot_schedule(struct peer_slot *);
static void	slot_free(struct peer_slot *);

/* Frees every closed peer whose output is flushed (or that waited long enough). */
void
peers_reap(struct peers *ps)
{
	struct peer	*p, *next;
	time_t		 now = time(NULL);

	for (p = TAILQ_FIRST(&ps->list); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		/* A closing peer gets a few seconds to flush a last ERROR. */
		if (p->state != PEER_CLOSING ||
		    (peer_queued(p) > 0 && now - p->closed_at < 3))
			continue;
		TAILQ_REMOVE(&ps->list, p, entry);
		if (!p->outbound)
			ps->nin--;
		if (p->bev != NULL)
			bufferevent_free(p->bev);
		event_free(p->timer);
		chan_wipe(&p->chan);
		free(p->data);
		free(p);
	}
}

/* Reaper callback. */
static void
peers_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	peers_reap(arg);
}

/* Formats a socket address as "host:port". */
static void
sockaddr_str(const struct sockaddr *sa, char *out, size_t sz)
{
	char	 host[INET6_ADDRSTRLEN] = "?";
	int	 port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
		snprintf(out, sz, "%s:%d", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		port = ntohs(s6->sin6_port);
		snprintf(out, sz, "[%s]:%d", host, port);
	} else
		snprintf(out, sz, "?");
}

/* Copies addr without its ":port" into host. */
static void
addr_host(const char *addr, char *host, size_t sz)
{
	const char	*c = strrchr(addr, ':');
	size_t		 n = c != NULL ? (size_t)(c - addr) : strlen(addr);

	snprintf(host, sz, "%.*s", (int)n, addr);
}

/*
 * A new inbound connection: when PEER_HS_PER_ADDR handshakes from its
 * address, or PEER_HS_MAX_IN in all, are under way, the oldest of them
 * gives way, so that connections that never finish a handshake cannot
 * keep others out.
 */
static void
hs_make_room(struct peers *ps, const char *addr)
{
	static struct log_limit	 lim;
	struct peer	*q, *same = NULL;
	char		 host[PEER_ADDR_MAX];
	int		 n = 0;

	addr_host(addr, host, sizeof host);
	TAILQ_FOREACH(q, &ps->hs, hs_entry)
		if (strcmp(q->host, host) == 0 && n++ == 0)
			same = q;
	if (n >= PEER_HS_PER_ADDR)
		q = same;
	else if (ps->nin_hs >= PEER_HS_MAX_IN)
		q = TAILQ_FIRST(&ps->hs);
	else
		return;
	log_warnx_limit(&lim, "peer listener: %d handshakes under way (%d "
	    "from %s); the oldest gives way", ps->nin_hs, n, host);
	peer_close(q, "handshake: gave way to a newer connection");
}

/* Accept callback: an inbound peer, within the inbound cap. */
static void
peer_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct peers		*ps = arg;
	struct bufferevent	*bev;
	struct peer		*p;
	char			 addr[PEER_ADDR_MAX], *why = NULL;

	static struct log_limit	 lim;

	sockaddr_str(sa, addr, sizeof addr);
	if (ps->nin >= ps->env.conf->max_peers_in + PEER_HS_MAX_IN) {
		log_warnx_limit(&lim, "peer %s: refused, %d inbound connections "
		    "already", addr, ps->nin);
		evutil_closesocket(fd);
		return;
	}
	hs_make_room(ps, addr);
	peer_set_nodelay(fd);
	bev = bufferevent_socket_new(ps->env.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		evutil_closesocket(fd);
		return;
	}
	p = peer_new(ps, bev, 0, addr);
	addr_host(addr, p->host, sizeof p->host);
	if (chan_init(&p->chan, 0, ps->env.kp, ps->env.netid, NULL, &why) != 0) {
		peer_close(p, "%s", why);
		free(why);
	}
}

/* Binds the listener to conf.listen; records the real address (port 0 → chosen port). */
static int
peers_listen(struct peers *ps, char **cause)
{
	struct addrinfo		 hints, *ai = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			*host, *port;
	int			 r;

	const char		*listen = ps->env.conf->listen;

	if (listen == NULL)
		return 0;
	if (config_split_hostport(listen, &host, &port, cause) != 0)
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	r = getaddrinfo(host, port, &hints, &ai);
	free(host);
	free(port);
	if (r != 0)
		return set_cause(cause, "listen %s: %s", listen,
		    gai_strerror(r));
	ps->listener = evconnlistener_new_bind(ps->env.base, peer_accept_cb,
	    ps, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64, ai->ai_addr,
	    (int)ai->ai_addrlen);
	freeaddrinfo(ai);
	if (ps->listener == NULL)
		return set_cause(cause, "listen %s: %s", listen,
		    strerror(errno));
	ps->backoff = peers_backoff_new(ps->env.base, ps->listener,
	    "peer listener");
	getsockname(evconnlistener_get_fd(ps->listener),
	    (struct sockaddr *)&ss, &sl);
	sockaddr_str((struct sockaddr *)&ss, ps->listen_addr,
	    sizeof ps->listen_addr);
	log_info("listening for peers on %s", ps->listen_addr);
	return 0;
}

/* Dials a slot's address now. */
static void
slot_dial(struct peer_slot *s)
{
	struct peers		*ps = s->peers;
	struct bufferevent	*bev;
	char			 addr[PEER_ADDR_MAX];

	snprintf(addr, sizeof addr, strchr(s->cp.host, ':') ? "[%s]:%s" :
	    "%s:%s", s->cp.host, s->cp.port);
	bev = bufferevent_socket_new(ps->env.base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		slot_schedule(s);
		return;
	}
	s->conn = peer_new(ps, bev, 1, addr);
	s->conn->slot = s;
	if (bufferevent_socket_connect_hostname(bev, ps->dns, AF_UNSPEC,
	    s->cp.host, atoi(s->cp.port)) != 0)
		peer_close(s->conn, "cannot connect");
}

/* Retry timer callback: dial again. */
static void
slot_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer_slot *s = arg;

	if (s->conn == NULL)
		slot_dial(s);
}

/* Schedules the next dial with exponential backoff and jitter. */
static void
slot_schedule(struct peer_slot *s)
{
	struct timeval	 tv;
	long		 ms;
	int		 shift = s->failures < 6 ? s->failures : 6;

	ms = 1000L << shift;			/* 1, 2, 4 … 64 s */
	if (ms > PEER_BACKOFF_MAX * 1000L)
		ms = PEER_BACKOFF_MAX * 1000L;
	ms = ms * 4 / 5 + (long)(randombytes_uniform((uint32_t)(ms * 2 / 5 + 1)));
	s->failures++;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(s->retry, &tv);
}

void
peers_add_slot(struct peers *ps, const struct config_peer *cp)
{
	struct peer_slot *s;

	s = xcalloc(1, sizeof *s);
	s->peers = ps;
	s->cp.host = xstrdup(cp->host);
	s->cp.port = xstrdup(cp->port);
	s->cp.nid = cp->nid != NULL ? xstrdup(cp->nid) : NULL;
	s->retry = evtimer_new(ps->env.base, slot_retry_cb, s);
	TAILQ_INSERT_TAIL(&ps->slots, s, entry);
	slot_dial(s);
}

/* Frees a slot, closing its connection. */
static void
slot_free(struct peer_slot *s)
{
	struct peers	*ps = s->peers;

	if (s->dynamic && s->failures > 0 && s->cp.nid != NULL &&
	    ps->ops->dial_failed != NULL)
		ps->ops->dial_failed(s->cp.nid, ps->arg);
	TAILQ_REMOVE(&ps->slots, s, entry);
	if (s->conn != NULL) {
		s->conn->slot = NULL;
		peer_close(s->conn, "peer removed");
	}
	event_free(s->retry);
	free(s->cp.host);
	free(s->cp.port);
	free(s->cp.nid);
	free(s);
}

void
peers_dial(struct peers *ps, const char *nid, const char *host,
    const char *port)
{
	struct peer_slot *s;

	s = xcalloc(1, sizeof *s);
	s->peers = ps;
	s->dynamic = 1;
	s->failures = 1;	/* cleared when the connection becomes ready */
	s->cp.host = xstrdup(host);
	s->cp.port = xstrdup(port);
	s->cp.nid = xstrdup(nid);
	s->retry = evtimer_new(ps->env.base, slot_retry_cb, s);
	TAILQ_INSERT_TAIL(&ps->slots, s, entry);
	slot_dial(s);
}

int
peers_outbound(struct peers *ps)
{
	struct peer_slot *s;
	int		  n = 0;

	TAILQ_FOREACH(s, &ps->slots, entry)
		n++;
	return n;
}

int
peers_has(struct peers *ps, const char *nid)
{
	struct peer_slot *s;
	struct peer	 *p;

	TAILQ_FOREACH(p, &ps->list, entry)
		if (p->state != PEER_CLOSING && strcmp(p->nid, nid) == 0)
			return 1;
	TAILQ_FOREACH(s, &ps->slots, entry)
		if (s->cp.nid != NULL && strcmp(s->cp.nid, nid) == 0)
			return 1;
	return 0;
}

/* True when a slot and a configured peer name the same address and node. */
static int
slot_matches(const struct peer_slot *s, const struct config_peer *cp)
{
	if (strcmp(s->cp.host, cp->host) != 0 || strcmp(s->cp.port, cp->port) != 0)
		return 0;
	if (s->cp.nid == NULL || cp->nid == NULL)
		return s->cp.nid == cp->nid;
	return strcmp(s->cp.nid, cp->nid) == 0;
}

void
peers_sync_slots(struct peers *ps)
{
	const struct config *conf = ps->env.conf;
	struct peer_slot *s, *next;
	size_t		  i;

	for (s = TAILQ_FIRST(&ps->slots); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->dynamic)
			continue;
		for (i = 0; i < conf->npeers; i++)
			if (slot_matches(s, &conf->peers[i]))
				break;
		if (i == conf->npeers)
			slot_free(s);
	}
	for (i = 0; i < conf->npeers; i++) {
		TAILQ_FOREACH(s, &ps->slots, entry)
			if (!s->dynamic && slot_matches(s, &conf->peers[i]))
				break;
		if (s == NULL)
			peers_add_slot(ps, &conf->peers[i]);
	}
}

struct peer *
peers_by_serial(struct peers *ps, uint64_t serial)
{
	struct peer	*p;

	TAILQ_FOREACH(p, &ps->list, entry)
		if (p->serial == serial && p->state == PEER_READY)
			return p;
	return NULL;
}

/*
 * Sets up the peers; *out is set even on failure (the listener could not
 * bind) so that peers_stop can undo what was done.
 */
int
peers_start(struct peers **out, const struct peers_env *env,
    const struct peers_ops *ops, void *arg, char **cause)
{
	struct peers	*ps;
	size_t		 i;

	ps = xcalloc(1, sizeof *ps);
	ps->env = *env;
	ps->ops = ops;
	ps->arg = arg;
	TAILQ_INIT(&ps->list);
	TAILQ_INIT(&ps->slots);
	TAILQ_INIT(&ps->hs);
	ps->reaper = event_new(env->base, -1, 0, peers_reap_cb, ps);
	ps->dns = evdns_base_new(env->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (ps->dns == NULL)	/* no resolv.conf: numeric addresses still work */
		ps->dns = evdns_base_new(env->base, 0);
	*out = ps;
	if (peers_listen(ps, cause) != 0)
		return -1;
	for (i = 0; i < env->conf->npeers; i++)
		peers_add_slot(ps, &env->conf->peers[i]);
	return 0;
}

void
peers_stop(struct peers *ps)
{
	struct peer	*p;

	if (ps == NULL)
		return;
	while (!TAILQ_EMPTY(&ps->slots))
		slot_free(TAILQ_FIRST(&ps->slots));
	TAILQ_FOREACH(p, &ps->list, entry)
		peer_close(p, "shutting down");
	TAILQ_FOREACH(p, &ps->list, entry)
		p->closed_at = 0;	/* no flushing at shutdown */
	peers_reap(ps);
	peers_backoff_free(ps->backoff);
	if (ps->listener != NULL)
		evconnlistener_free(ps->listener);
	evdns_base_free(ps->dns, 0);
	event_free(ps->reaper);
	free(ps);
}

void
peers_slot_lost(struct peer_slot *s)
{
	s->conn = NULL;
	if (s->dynamic)
		slot_free(s);		/* peer exchange picks again */
	else
		slot_schedule(s);
}

const char *
peers_listen_addr(const struct peers *ps)
{
	return ps->listen_addr;
}
