/* peer.c — one peer connection: handshake, frames, limits, keepalive, close. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "peer.h"
#include "peer_int.h"
#include "util.h"

#define PEER_TICK_SECS	1
#define PEER_READ_HIGH	(2 * (2 + CHAN_MAX_FRAME))	/* bytes read ahead */

static void	peer_read_cb(struct bufferevent *, void *);
static void	peer_write_cb(struct bufferevent *, void *);
static void	peer_event_cb(struct bufferevent *, short, void *);
static void	peer_timer_cb(evutil_socket_t, short, void *);

static const char *const state_names[] = { "connecting", "handshake",
    "ready", "closing" };

/* The one place a peer's state changes (and the inbound counts follow). */
static void
peer_set_state(struct peer *p, enum peer_state s)
{
	struct peers	*ps = p->peers;

	log_debug("peer %s: %s -> %s", p->addr, peer_state_name(p),
	    state_names[s]);
	if (p->in_hs && s != PEER_HANDSHAKE) {
		TAILQ_REMOVE(&ps->hs, p, hs_entry);
		p->in_hs = 0;
		ps->nin_hs--;
	}
	if (!p->outbound && p->state == PEER_READY && s != PEER_READY)
		ps->nin_ready--;
	if (!p->outbound && p->state != PEER_READY && s == PEER_READY)
		ps->nin_ready++;
	p->state = s;
}

const char *
peer_state_name(const struct peer *p)
{
	return state_names[p->state];
}

void *
peer_data(const struct peer *p)
{
	return p->data;
}

void *
peer_arg(const struct peer *p)
{
	return p->peers->arg;
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

void
peer_set_nodelay(evutil_socket_t fd)
{
	int	 one = 1;

	if (fd != -1)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

struct peer *
peer_new(struct peers *ps, struct bufferevent *bev, int outbound,
    const char *addr)
{
	struct peer	*p;
	struct timeval	 tv = { PEER_TICK_SECS, 0 };

	p = xcalloc(1, sizeof *p);
	p->peers = ps;
	p->data = xcalloc(1, ps->ops->datasize > 0 ? ps->ops->datasize : 1);
	p->serial = ++ps->next_serial;
	p->outbound = outbound;
	p->bev = bev;
	p->since = p->last_rx = p->last_tx = time(NULL);
	snprintf(p->addr, sizeof p->addr, "%s", addr);
	p->state = outbound ? PEER_CONNECTING : PEER_HANDSHAKE;
	bufferevent_setcb(bev, peer_read_cb, peer_write_cb, peer_event_cb, p);
	bufferevent_setwatermark(bev, EV_READ, 0, PEER_READ_HIGH);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	p->timer = event_new(ps->env.base, -1, EV_PERSIST, peer_timer_cb, p);
	evtimer_add(p->timer, &tv);
	TAILQ_INSERT_TAIL(&ps->list, p, entry);
	if (!outbound) {
		ps->nin++;
		TAILQ_INSERT_TAIL(&ps->hs, p, hs_entry);
		p->in_hs = 1;
		ps->nin_hs++;
	}
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

void
peer_close(struct peer *p, const char *fmt, ...)
{
	static struct log_limit	 hs_refused;
	struct peer_slot *slot;
	va_list		  ap;
	char		 *why;

	if (p->state == PEER_CLOSING)
		return;
	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->state == PEER_READY)
		log_info("peer %s (%s, %s): closed: %s", p->nid, p->addr,
		    peer_direction(p), why);
	else {
		log_debug("peer %s (%s): closed: %s", p->addr,
		    peer_direction(p), why);
		/* A failed handshake (another network, not the node expected) is a refusal: said at the default level. */
		if (strncmp(why, "handshake: ", 11) == 0)
			log_warnx_limit(&hs_refused, "peer %s (%s): refused: %s",
			    p->addr, peer_direction(p), why + 11);
	}
	free(why);
	if (p->state == PEER_READY)
		p->peers->ops->gone(p, p->peers->arg);
	peer_set_state(p, PEER_CLOSING);
	p->closed_at = time(NULL);
	bufferevent_disable(p->bev, EV_READ);
	if ((slot = p->slot) != NULL) {
		p->slot = NULL;
		peers_slot_lost(slot);
	}
	event_active(p->peers->reaper, EV_TIMEOUT, 0);
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

	TAILQ_FOREACH(q, &p->peers->list, entry) {
		if (q == p || q->state != PEER_READY || strcmp(q->nid, p->nid) != 0)
			continue;
		dialer_p = p->outbound ? p->peers->env.nid : p->nid;
		dialer_q = q->outbound ? q->peers->env.nid : q->nid;
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

/* A peer's rank (ops->rank), 0 without one. */
static int
peer_rank(const struct peer *p)
{
	const struct peers *ps = p->peers;

	return ps->ops->rank != NULL ? ps->ops->rank(p, ps->arg) : 0;
}

/*
 * An inbound peer just became ready: over max_peers_in, the least wanted
 * inbound peer ranked below it (the longest silent among equals) gives way,
 * or else it does. 1 when p was closed.
 */
static int
peer_make_room(struct peer *p)
{
	struct peers	*ps = p->peers;
	struct peer	*q, *victim = NULL;
	int		 rp, rq, rv = 0;

	if (p->outbound || ps->nin_ready <= ps->env.conf->max_peers_in)
		return 0;
	rp = peer_rank(p);
	TAILQ_FOREACH(q, &ps->list, entry) {
		if (q == p || q->outbound || q->state != PEER_READY ||
		    (rq = peer_rank(q)) >= rp)
			continue;
		if (victim == NULL || rq < rv ||
		    (rq == rv && q->last_rx < victim->last_rx)) {
			victim = q;
			rv = rq;
		}
	}
	if (victim == NULL) {
		peer_close(p, "no inbound slot: %d inbound peers, none less "
		    "wanted", ps->nin_ready - 1);
		return 1;
	}
	peer_close(victim, "its inbound slot goes to %s, a more wanted peer",
	    p->nid);
	return 0;
}

/* The handshake completed: name the peer, drop self and duplicate connections, start sync. */
static void
peer_ready(struct peer *p)
{
	memcpy(p->pk, chan_remote_pk(&p->chan), KEYS_PK_LEN);
	keys_nid_encode(p->pk, p->nid);
	if (strcmp(p->nid, p->peers->env.nid) == 0) {
		peer_close(p, "connected to ourselves");
		return;
	}
	peer_set_state(p, PEER_READY);
	if (peer_duplicate(p) || peer_make_room(p))
		return;
	p->since = time(NULL);
	if (p->slot != NULL)
		p->slot->failures = 0;
	log_info("peer %s (%s, %s): connected", p->nid, p->addr,
	    peer_direction(p));
	p->peers->ops->ready(p, p->peers->arg);
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
	rv = p->peers->ops->message(p, plain, len - CHAN_TAG, p->peers->arg);
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
		event_active(p->peers->reaper, EV_TIMEOUT, 0);
	else if (p->state == PEER_READY)
		p->peers->ops->writable(p, p->peers->arg);
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
		peer_set_nodelay(bufferevent_getfd(bev));
		peer_set_state(p, PEER_HANDSHAKE);
		if (p->slot != NULL && p->slot->cp.nid != NULL &&
		    keys_did_decode(p->slot->cp.nid, expect, NULL) == 0)
			ep = expect;
		if (chan_init(&p->chan, 1, p->peers->env.kp, p->peers->env.netid, ep,
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
		if (now - p->last_rx > p->peers->env.conf->idle_timeout) {
			peer_close(p, "idle for %ld s", (long)(now - p->last_rx));
			break;
		}
		if (now - p->last_tx >= p->peers->env.conf->keepalive) {
			buf_init(&b);
			wire_ping_encode(&b, WIRE_PING, (uint64_t)now);
			peer_send(p, &b);
			buf_free(&b);
		}
		if (p->state == PEER_READY)
			p->peers->ops->tick(p, now, p->peers->arg);
		break;
	case PEER_CLOSING:
		event_active(p->peers->reaper, EV_TIMEOUT, 0);
		break;
	}
}

