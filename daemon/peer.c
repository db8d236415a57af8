/* peer.c — peer connections: listen, dial with backoff, handshake, frames, keepalive, limits. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "knowd.h"
#include "log.h"
#include "gossip.h"
#include "peer.h"
#include "util.h"

#define PEER_TICK_SECS	1
#define PEER_READ_HIGH	(2 * (2 + CHAN_MAX_FRAME))	/* bytes read ahead */

static void	peer_read_cb(struct bufferevent *, void *);
static void	peer_write_cb(struct bufferevent *, void *);
static void	peer_event_cb(struct bufferevent *, short, void *);
static void	peer_timer_cb(evutil_socket_t, short, void *);
static void	slot_schedule(struct peer_slot *);
static void	slot_free(struct knowd *, struct peer_slot *);

/* The one place a peer's state changes. */
static void
peer_set_state(struct peer *p, enum peer_state s)
{
	static const char *const names[] = { "connecting", "handshake",
	    "ready", "closing" };

	log_debug("peer %s: %s -> %s", p->addr, names[p->state], names[s]);
	p->state = s;
}

const char *
peer_direction(const struct peer *p)
{
	return p->outbound ? "out" : "in";
}

size_t
peer_queued(const struct peer *p)
{
	return p->bev != NULL ?
	    evbuffer_get_length(bufferevent_get_output(p->bev)) : 0;
}

/* Sets TCP_NODELAY: a one-lesson update should cost one round trip, not a delayed ACK. */
static void
set_nodelay(evutil_socket_t fd)
{
	int	 one = 1;

	if (fd != -1)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Allocates a peer around a bufferevent and starts its timer. */
static struct peer *
peer_new(struct knowd *kd, struct bufferevent *bev, int outbound,
    const char *addr)
{
	struct peer	*p;
	struct timeval	 tv = { PEER_TICK_SECS, 0 };

	p = xcalloc(1, sizeof *p);
	p->kd = kd;
	p->serial = ++kd->peers->next_serial;
	p->outbound = outbound;
	p->bev = bev;
	p->since = p->last_rx = p->last_tx = time(NULL);
	snprintf(p->addr, sizeof p->addr, "%s", addr);
	p->state = outbound ? PEER_CONNECTING : PEER_HANDSHAKE;
	bufferevent_setcb(bev, peer_read_cb, peer_write_cb, peer_event_cb, p);
	bufferevent_setwatermark(bev, EV_READ, 0, PEER_READ_HIGH);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	p->timer = event_new(kd->base, -1, EV_PERSIST, peer_timer_cb, p);
	evtimer_add(p->timer, &tv);
	TAILQ_INSERT_TAIL(&kd->peers->list, p, entry);
	if (!outbound)
		kd->peers->nin++;
	return p;
}

/* Writes one frame: 2-byte length and bytes. */
static void
peer_write_frame(struct peer *p, const uint8_t *data, size_t len)
{
	uint8_t	 hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	bufferevent_write(p->bev, hdr, 2);
	bufferevent_write(p->bev, data, len);
	p->bytes_out += 2 + len;
	p->last_tx = time(NULL);
}

int
peer_send(struct peer *p, const struct buf *msg)
{
	uint8_t	*sealed;

	if (p->state != PEER_READY)
		return -1;
	if (msg->len > CHAN_MAX_PLAIN) {
		log_warnx("peer %s: message of %zu bytes not sent", p->addr,
		    msg->len);
		return -1;
	}
	if (peer_queued(p) > PEER_OUT_HIGH) {
		peer_close(p, "too slow: %zu bytes queued", peer_queued(p));
		return -1;
	}
	sealed = xmalloc(msg->len + CHAN_TAG);
	chan_seal(&p->chan, msg->data, msg->len, sealed);
	peer_write_frame(p, sealed, msg->len + CHAN_TAG);
	free(sealed);
	return 0;
}

/* Reaper callback: frees every closed peer whose output is flushed (or that waited long enough). */
static void
peers_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct knowd	*kd = arg;
	struct peer	*p, *next;

	time_t		 now = time(NULL);

	for (p = TAILQ_FIRST(&kd->peers->list); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		/* A closing peer gets a few seconds to flush a last ERROR. */
		if (p->state != PEER_CLOSING ||
		    (peer_queued(p) > 0 && now - p->closed_at < 3))
			continue;
		TAILQ_REMOVE(&kd->peers->list, p, entry);
		if (!p->outbound)
			kd->peers->nin--;
		if (p->bev != NULL)
			bufferevent_free(p->bev);
		event_free(p->timer);
		chan_wipe(&p->chan);
		free(p);
	}
}

void
peer_close(struct peer *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*why;

	if (p->state == PEER_CLOSING)
		return;
	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->state == PEER_READY)
		log_info("peer %s (%s, %s): closed: %s", p->nid, p->addr,
		    peer_direction(p), why);
	else
		log_debug("peer %s (%s): closed: %s", p->addr,
		    peer_direction(p), why);
	free(why);
	if (p->state == PEER_READY)
		sync_peer_gone(p);
	peer_set_state(p, PEER_CLOSING);
	p->closed_at = time(NULL);
	bufferevent_disable(p->bev, EV_READ);
	if (p->slot != NULL) {
		p->slot->conn = NULL;
		if (p->slot->dynamic)
			slot_free(p->kd, p->slot);	/* gossip picks again */
		else
			slot_schedule(p->slot);
		p->slot = NULL;
	}
	event_active(p->kd->peers->reaper, EV_TIMEOUT, 0);
}

/* Writes our next handshake message if it is our turn. */
static int
peer_hs_write(struct peer *p)
{
	uint8_t	 msg[CHAN_HS_MAX];
	size_t	 len;
	char	*why = NULL;

	if (!chan_want_write(&p->chan))
		return 0;
	if (chan_hs_write(&p->chan, msg, &len, &why) != 0) {
		peer_close(p, "handshake: %s", why);
		free(why);
		return -1;
	}
	peer_write_frame(p, msg, len);
	return 0;
}

/* Keeps one connection per node: the one dialed by the node with the smaller id. */
static int
peer_duplicate(struct peer *p)
{
	struct peer	*q;
	const char	*dialer_p, *dialer_q;

	TAILQ_FOREACH(q, &p->kd->peers->list, entry) {
		if (q == p || q->state != PEER_READY || strcmp(q->nid, p->nid) != 0)
			continue;
		dialer_p = p->outbound ? p->kd->nid : p->nid;
		dialer_q = q->outbound ? q->kd->nid : q->nid;
		if (strcmp(dialer_p, dialer_q) < 0 ||
		    (strcmp(dialer_p, dialer_q) == 0 && p->serial < q->serial)) {
			peer_close(q, "duplicate connection");
			return 0;
		}
		peer_close(p, "duplicate connection");
		return 1;
	}
	return 0;
}

/* The handshake completed: name the peer, drop self and duplicate connections, start sync. */
static void
peer_ready(struct peer *p)
{
	memcpy(p->pk, chan_remote_pk(&p->chan), KEYS_PK_LEN);
	keys_nid_encode(p->pk, p->nid);
	if (strcmp(p->nid, p->kd->nid) == 0) {
		peer_close(p, "connected to ourselves");
		return;
	}
	peer_set_state(p, PEER_READY);
	if (peer_duplicate(p))
		return;
	p->since = time(NULL);
	if (p->slot != NULL)
		p->slot->failures = 0;
	log_info("peer %s (%s, %s): connected", p->nid, p->addr,
	    peer_direction(p));
	sync_peer_ready(p);
}

/* Takes n tokens from a bucket refilled at rate per second up to burst; -1 when empty. */
static int
bucket_take(struct peer_bucket *b, double n, double rate, double burst)
{
	struct timespec	 now;
	double		 dt;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (b->last.tv_sec == 0)
		b->tokens = burst;
	else {
		dt = (double)(now.tv_sec - b->last.tv_sec) +
		    (double)(now.tv_nsec - b->last.tv_nsec) / 1e9;
		b->tokens += dt * rate;
		if (b->tokens > burst)
			b->tokens = burst;
	}
	b->last = now;
	if (b->tokens < n)
		return -1;
	b->tokens -= n;
	return 0;
}

/* Handles one whole frame. Returns -1 when the peer was closed. */
static int
peer_frame(struct peer *p, const uint8_t *f, size_t len)
{
	uint8_t	*plain;
	char	*why = NULL;
	int	 rv;

	p->last_rx = time(NULL);
	if (bucket_take(&p->tb_msgs, 1, PEER_MSG_RATE, PEER_MSG_BURST) != 0 ||
	    bucket_take(&p->tb_bytes, (double)len, PEER_BYTE_RATE,
	    PEER_BYTE_BURST) != 0) {
		peer_close(p, "flooding: over %d messages or %u bytes a second",
		    PEER_MSG_RATE, PEER_BYTE_RATE);
		return -1;
	}
	if (p->state == PEER_HANDSHAKE) {
		if (chan_hs_read(&p->chan, f, len, &why) != 0) {
			peer_close(p, "handshake: %s", why);
			free(why);
			return -1;
		}
		if (peer_hs_write(p) != 0)
			return -1;
		if (p->chan.state == CHAN_READY)
			peer_ready(p);
		return p->state == PEER_CLOSING ? -1 : 0;
	}
	if (len < CHAN_TAG) {
		peer_close(p, "short frame");
		return -1;
	}
	plain = xmalloc(len - CHAN_TAG + 1);
	if (chan_open(&p->chan, f, len, plain, &why) != 0) {
		peer_close(p, "%s", why);
		free(why);
		free(plain);
		return -1;
	}
	rv = sync_message(p, plain, len - CHAN_TAG);
	free(plain);
	if (rv != 0 && p->state != PEER_CLOSING)
		peer_close(p, "protocol error");
	return p->state == PEER_CLOSING ? -1 : 0;
}

/* Read callback: takes every whole frame out of the input buffer. */
static void
peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint8_t		 hdr[2], *f;
	size_t		 len;

	while (p->state == PEER_HANDSHAKE || p->state == PEER_READY) {
		if (evbuffer_get_length(in) < 2)
			return;
		evbuffer_copyout(in, hdr, 2);
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (len == 0) {
			peer_close(p, "empty frame");
			return;
		}
		if (p->state == PEER_HANDSHAKE && len > CHAN_HS_MAX) {
			peer_close(p, "handshake: message of %zu bytes, over %d", len,
			    CHAN_HS_MAX);
			return;		/* before reading it in */
		}
		if (evbuffer_get_length(in) < 2 + len)
			return;			/* PEER_READ_HIGH holds a whole frame */
		evbuffer_drain(in, 2);
		f = xmalloc(len);
		evbuffer_remove(in, f, len);
		p->bytes_in += 2 + len;
		if (peer_frame(p, f, len) != 0) {
			free(f);
			return;
		}
		free(f);
	}
}

/* Write callback: output drained; let sync stream more, or finish a close. */
static void
peer_write_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;

	if (p->state == PEER_CLOSING)
		event_active(p->kd->peers->reaper, EV_TIMEOUT, 0);
	else if (p->state == PEER_READY)
		sync_peer_writable(p);
}

/* Event callback: connected, EOF, or error. */
static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct peer	*p = arg;
	char		*why = NULL;
	uint8_t		 expect[KEYS_PK_LEN];
	const uint8_t	*ep = NULL;

	if (what & BEV_EVENT_CONNECTED) {
		set_nodelay(bufferevent_getfd(bev));
		peer_set_state(p, PEER_HANDSHAKE);
		if (p->slot != NULL && p->slot->cp.nid != NULL &&
		    keys_did_decode(p->slot->cp.nid, expect, NULL) == 0)
			ep = expect;
		if (chan_init(&p->chan, 1, &p->kd->kp, p->kd->netid, ep,
		    &why) != 0) {
			peer_close(p, "%s", why);
			free(why);
			return;
		}
		peer_hs_write(p);
		return;
	}
	if (what & BEV_EVENT_EOF)
		peer_close(p, "connection closed by peer");
	else if (what & BEV_EVENT_ERROR)
		peer_close(p, "%s", p->state == PEER_CONNECTING ?
		    "cannot connect" : evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
}

/* Timer: handshake and idle timeouts, keepalive pings, sync timeouts, reaping. */
static void
peer_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;
	struct buf	 b;
	time_t		 now = time(NULL);

	switch (p->state) {
	case PEER_CONNECTING:
	case PEER_HANDSHAKE:
		if (now - p->since > PEER_HS_TIMEOUT)
			peer_close(p, "handshake timed out");
		break;
	case PEER_READY:
		if (now - p->last_rx > p->kd->conf.idle_timeout) {
			peer_close(p, "idle for %ld s", (long)(now - p->last_rx));
			break;
		}
		if (now - p->last_tx >= p->kd->conf.keepalive) {
			buf_init(&b);
			wire_ping_encode(&b, WIRE_PING, (uint64_t)now);
			peer_send(p, &b);
			buf_free(&b);
		}
		if (p->state == PEER_READY)
			sync_peer_tick(p, now);
		break;
	case PEER_CLOSING:
		event_active(p->kd->peers->reaper, EV_TIMEOUT, 0);
		break;
	}
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

/* Accept callback: an inbound peer, within the inbound cap. */
static void
peer_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct knowd		*kd = arg;
	struct bufferevent	*bev;
	struct peer		*p;
	char			 addr[PEER_ADDR_MAX], *why = NULL;

	sockaddr_str(sa, addr, sizeof addr);
	if (kd->peers->nin >= kd->conf.max_peers_in) {
		log_warnx("peer %s: refused, %d inbound connections already",
		    addr, kd->peers->nin);
		evutil_closesocket(fd);
		return;
	}
	set_nodelay(fd);
	bev = bufferevent_socket_new(kd->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		evutil_closesocket(fd);
		return;
	}
	p = peer_new(kd, bev, 0, addr);
	if (chan_init(&p->chan, 0, &kd->kp, kd->netid, NULL, &why) != 0) {
		peer_close(p, "%s", why);
		free(why);
	}
}

/* Accept error callback: log and keep listening (EMFILE passes). */
static void
peer_accept_error_cb(struct evconnlistener *l, void *arg)
{
	log_warn("peer listener: accept");
}

/* Binds the listener to conf.listen; records the real address (port 0 → chosen port). */
static int
peers_listen(struct knowd *kd, char **cause)
{
	struct addrinfo		 hints, *ai = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			*host, *port;
	int			 r;

	if (kd->conf.listen == NULL)
		return 0;
	if (config_split_hostport(kd->conf.listen, &host, &port, cause) != 0)
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	r = getaddrinfo(host, port, &hints, &ai);
	free(host);
	free(port);
	if (r != 0)
		return set_cause(cause, "listen %s: %s", kd->conf.listen,
		    gai_strerror(r));
	kd->peers->listener = evconnlistener_new_bind(kd->base, peer_accept_cb,
	    kd, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64, ai->ai_addr,
	    (int)ai->ai_addrlen);
	freeaddrinfo(ai);
	if (kd->peers->listener == NULL)
		return set_cause(cause, "listen %s: %s", kd->conf.listen,
		    strerror(errno));
	evconnlistener_set_error_cb(kd->peers->listener, peer_accept_error_cb);
	getsockname(evconnlistener_get_fd(kd->peers->listener),
	    (struct sockaddr *)&ss, &sl);
	sockaddr_str((struct sockaddr *)&ss, kd->peers->listen_addr,
	    sizeof kd->peers->listen_addr);
	log_info("listening for peers on %s", kd->peers->listen_addr);
	return 0;
}

/* Dials a slot's address now. */
static void
slot_dial(struct peer_slot *s)
{
	struct knowd		*kd = s->kd;
	struct bufferevent	*bev;
	char			 addr[PEER_ADDR_MAX];

	snprintf(addr, sizeof addr, strchr(s->cp.host, ':') ? "[%s]:%s" :
	    "%s:%s", s->cp.host, s->cp.port);
	bev = bufferevent_socket_new(kd->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		slot_schedule(s);
		return;
	}
	s->conn = peer_new(kd, bev, 1, addr);
	s->conn->slot = s;
	if (bufferevent_socket_connect_hostname(bev, kd->peers->dns, AF_UNSPEC,
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
peers_add_slot(struct knowd *kd, const struct config_peer *cp)
{
	struct peer_slot *s;

	s = xcalloc(1, sizeof *s);
	s->kd = kd;
	s->cp.host = xstrdup(cp->host);
	s->cp.port = xstrdup(cp->port);
	s->cp.nid = cp->nid != NULL ? xstrdup(cp->nid) : NULL;
	s->retry = evtimer_new(kd->base, slot_retry_cb, s);
	TAILQ_INSERT_TAIL(&kd->peers->slots, s, entry);
	slot_dial(s);
}

/* Frees a slot, closing its connection. */
static void
slot_free(struct knowd *kd, struct peer_slot *s)
{
	if (s->dynamic && s->failures > 0 && s->cp.nid != NULL)
		gossip_dial_failed(kd, s->cp.nid);
	TAILQ_REMOVE(&kd->peers->slots, s, entry);
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
peers_dial(struct knowd *kd, const char *nid, const char *host,
    const char *port)
{
	struct peer_slot *s;

	s = xcalloc(1, sizeof *s);
	s->kd = kd;
	s->dynamic = 1;
	s->failures = 1;	/* cleared when the connection becomes ready */
	s->cp.host = xstrdup(host);
	s->cp.port = xstrdup(port);
	s->cp.nid = xstrdup(nid);
	s->retry = evtimer_new(kd->base, slot_retry_cb, s);
	TAILQ_INSERT_TAIL(&kd->peers->slots, s, entry);
	slot_dial(s);
}

int
peers_outbound(struct knowd *kd)
{
	struct peer_slot *s;
	int		  n = 0;

	TAILQ_FOREACH(s, &kd->peers->slots, entry)
		n++;
	return n;
}

int
peers_has(struct knowd *kd, const char *nid)
{
	struct peer_slot *s;
	struct peer	 *p;

	TAILQ_FOREACH(p, &kd->peers->list, entry)
		if (p->state != PEER_CLOSING && strcmp(p->nid, nid) == 0)
			return 1;
	TAILQ_FOREACH(s, &kd->peers->slots, entry)
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
peers_sync_slots(struct knowd *kd)
{
	struct peer_slot *s, *next;
	size_t		  i;

	for (s = TAILQ_FIRST(&kd->peers->slots); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->dynamic)
			continue;
		for (i = 0; i < kd->conf.npeers; i++)
			if (slot_matches(s, &kd->conf.peers[i]))
				break;
		if (i == kd->conf.npeers)
			slot_free(kd, s);
	}
	for (i = 0; i < kd->conf.npeers; i++) {
		TAILQ_FOREACH(s, &kd->peers->slots, entry)
			if (!s->dynamic && slot_matches(s, &kd->conf.peers[i]))
				break;
		if (s == NULL)
			peers_add_slot(kd, &kd->conf.peers[i]);
	}
}

struct peer *
peer_by_serial(struct knowd *kd, uint64_t serial)
{
	struct peer	*p;

	TAILQ_FOREACH(p, &kd->peers->list, entry)
		if (p->serial == serial && p->state == PEER_READY)
			return p;
	return NULL;
}

int
peers_start(struct knowd *kd, char **cause)
{
	struct peers	*ps;
	size_t		 i;

	ps = xcalloc(1, sizeof *ps);
	TAILQ_INIT(&ps->list);
	TAILQ_INIT(&ps->slots);
	ps->reaper = event_new(kd->base, -1, 0, peers_reap_cb, kd);
	ps->dns = evdns_base_new(kd->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (ps->dns == NULL)	/* no resolv.conf: numeric addresses still work */
		ps->dns = evdns_base_new(kd->base, 0);
	kd->peers = ps;
	if (peers_listen(kd, cause) != 0)
		return -1;
	for (i = 0; i < kd->conf.npeers; i++)
		peers_add_slot(kd, &kd->conf.peers[i]);
	return 0;
}

void
peers_stop(struct knowd *kd)
{
	struct peers	*ps = kd->peers;
	struct peer	*p;

	if (ps == NULL)
		return;
	while (!TAILQ_EMPTY(&ps->slots))
		slot_free(kd, TAILQ_FIRST(&ps->slots));
	TAILQ_FOREACH(p, &ps->list, entry)
		peer_close(p, "shutting down");
	TAILQ_FOREACH(p, &ps->list, entry)
		p->closed_at = 0;	/* no flushing at shutdown */
	peers_reap_cb(-1, 0, kd);
	if (ps->listener != NULL)
		evconnlistener_free(ps->listener);
	evdns_base_free(ps->dns, 0);
	event_free(ps->reaper);
	free(ps);
	kd->peers = NULL;
}
