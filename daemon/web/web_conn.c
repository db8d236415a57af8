/*
 * web_conn.c — the web listener's connections: deadlines that bytes do not
 * push back, a cap with the idlest connection evicted, a limit per client
 * address, and the accept back-off. See doc/DESIGN.md §8.
 *
 * libevent 2.1's evhttp tells nobody of a new connection, so the
 * bufferevent callback (evhttp_set_bevcb) makes each connection's
 * bufferevent and notes it as fresh; a deferred event then adopts it once
 * evhttp has set it up in the same turn of the loop: the connection is
 * the bufferevent's callback argument, its close callback tells us when
 * it goes. libevent's own read timeout restarts with every byte (a
 * slowloris sending a byte a second never meets it); ours does not: a
 * request, headers and body, must arrive whole within WEB_REQUEST_SECS of
 * the connection or of the previous answer, and an answer must be read
 * within WEB_ANSWER_SECS.
 *
 * Connections sit on two lists in the order of their last activity
 * (connection, request, answer sent): all of them, and their address's.
 * A newcomer over the cap evicts the head of its address's list when that
 * address holds WEB_MAX_PER_ADDR, else the head of all: O(1) per event.
 * Both caps shrink with the open file limit (a quarter of it, a quarter of
 * that per address), so web clients cannot take every descriptor.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "log.h"
#include "peer.h"
#include "util.h"
#include "web_int.h"

/* The connections of one client address. */
struct web_addr {
	char			 key[64];	/* the address as evhttp names it */
	int			 n;
	struct web_conns	 conns;		/* oldest activity first */
};

struct web_conn {
	struct web		*w;
	struct bufferevent	*bev;
	struct evhttp_connection *evcon;	/* NULL while fresh */
	struct web_addr		*addr;
	struct event		*deadline;
	int			 answering;	/* a request is being answered */
	void			(*cancel)(void *);	/* a deferred answer's, or NULL */
	void			*cancel_arg;
	TAILQ_ENTRY(web_conn)	 entry;		/* w->conns or w->fresh */
	TAILQ_ENTRY(web_conn)	 aentry;	/* addr->conns */
};

/* Restarts c's deadline (never pushed back by bytes: only by a request or an answer). */
static void
conn_touch(struct web_conn *c, int secs)
{
	struct timeval	 tv = { secs, 0 };

	TAILQ_REMOVE(&c->w->conns, c, entry);
	TAILQ_INSERT_TAIL(&c->w->conns, c, entry);
	TAILQ_REMOVE(&c->addr->conns, c, aentry);
	TAILQ_INSERT_TAIL(&c->addr->conns, c, aentry);
	evtimer_add(c->deadline, &tv);
}

/* evhttp close callback: the connection goes; forget it. */
static void
conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct web_conn	*c = arg;
	struct web	*w = c->w;

	if (c->cancel != NULL)
		c->cancel(c->cancel_arg);	/* its request goes with it */
	TAILQ_REMOVE(&w->conns, c, entry);
	TAILQ_REMOVE(&c->addr->conns, c, aentry);
	w->nconns--;
	if (--c->addr->n == 0) {
		hmap_del(w->addrs, c->addr->key, strlen(c->addr->key));
		free(c->addr);
	}
	hmap_del(w->byconn, &c->evcon, sizeof c->evcon);
	event_free(c->deadline);
	free(c);
}

/* Deadline callback: no whole request, or an answer not read, in time. */
static void
conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	static struct log_limit	 lim;
	struct web_conn		*c = arg;

	if (c->answering)
		log_warnx_limit(&lim, "web pages: a client read no whole answer "
		    "in %d seconds, closed", WEB_ANSWER_SECS);
	else
		log_warnx_limit(&lim, "web pages: a client sent no whole request "
		    "in %d seconds, closed", WEB_REQUEST_SECS);
	evhttp_connection_free(c->evcon);	/* calls conn_close_cb */
}

/* Closes the connection at the head of list to make room. */
static void
conn_evict(struct web_conns *list, int per_addr)
{
	static struct log_limit	 lim;

	log_warnx_limit(&lim, "web pages: %s, closed the idlest connection",
	    per_addr ? "too many connections from one address" :
	    "too many connections");
	evhttp_connection_free(TAILQ_FIRST(list)->evcon);
}

/* The tracked record of a client address, made when new. */
static struct web_addr *
conn_addr(struct web *w, const char *host)
{
	struct web_addr	*a;

	if ((a = hmap_gets(w->addrs, host)) != NULL)
		return a;
	a = xcalloc(1, sizeof *a);
	snprintf(a->key, sizeof a->key, "%s", host);
	TAILQ_INIT(&a->conns);
	hmap_put(w->addrs, a->key, strlen(a->key), a);
	return a;
}

/* Takes a fresh connection evhttp has set up into the lists, making room first. */
static void
conn_adopt(struct web *w, struct web_conn *c)
{
	static struct log_limit	 lim;
	struct timeval	 tv = { WEB_REQUEST_SECS, 0 };
	void		*arg = NULL;
	char		*host = NULL;
	ev_uint16_t	 port;

	bufferevent_getcb(c->bev, NULL, NULL, NULL, &arg);
	if (arg == NULL || evhttp_connection_get_bufferevent(arg) != c->bev) {
		/* Not as libevent 2.1 does it: serve it, untracked. */
		log_warnx_limit(&lim, "web pages: a connection evhttp made is "
		    "not its bufferevent's argument; not limited");
		free(c);
		return;
	}
	c->evcon = arg;
	evhttp_connection_get_peer(c->evcon, &host, &port);
	c->addr = conn_addr(w, host != NULL ? host : "");
	c->addr->n++;		/* first: an eviction must not free c->addr */
	if (c->addr->n > w->max_per_addr)
		conn_evict(&c->addr->conns, 1);
	else if (w->nconns >= w->max_conns)
		conn_evict(&w->conns, 0);
	w->nconns++;
	TAILQ_INSERT_TAIL(&w->conns, c, entry);
	TAILQ_INSERT_TAIL(&c->addr->conns, c, aentry);
	hmap_put(w->byconn, &c->evcon, sizeof c->evcon, c);
	c->deadline = evtimer_new(w->base, conn_deadline_cb, c);
	evtimer_add(c->deadline, &tv);
	evhttp_connection_set_closecb(c->evcon, conn_close_cb, c);
}

/* Deferred callback: adopts the connections accepted this turn. */
static void
conn_adopt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct web	*w = arg;
	struct web_conn	*c;

	while ((c = TAILQ_FIRST(&w->fresh)) != NULL) {
		TAILQ_REMOVE(&w->fresh, c, entry);
		conn_adopt(w, c);
	}
}

/*
 * evhttp's bufferevent callback, on each accept: the bufferevent, noted as
 * fresh. Every few accepts the listener pauses for a turn of the loop, so
 * the new connections' requests are read before a crowd evicts them.
 */
static struct bufferevent *
conn_bev_cb(struct event_base *base, void *arg)
{
	struct web	*w = arg;
	struct web_conn	*c;

	c = xcalloc(1, sizeof *c);
	c->w = w;
	if ((c->bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&w->fresh, c, entry);
	event_active(w->adopt, EV_TIMEOUT, 0);
	if (++w->accepted % WEB_ACCEPT_ROUND == 0 && w->backoff != NULL)
		peers_backoff_turn(w->backoff);
	return c->bev;
}

void
web_conn_request(struct web *w, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct web_conn		 *c;

	if (evcon == NULL ||
	    (c = hmap_get(w->byconn, &evcon, sizeof evcon)) == NULL)
		return;
	c->answering = 1;
	conn_touch(c, WEB_ANSWER_SECS);
	evhttp_request_set_on_complete_cb(req, web_conn_answered_cb, c);
}

/* The tracked connection of req, or NULL. */
static struct web_conn *
conn_of(struct web *w, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	return evcon != NULL ? hmap_get(w->byconn, &evcon, sizeof evcon) : NULL;
}

int
web_conn_defer(struct web *w, struct evhttp_request *req,
    void (*cancel)(void *), void *arg)
{
	struct web_conn	*c = conn_of(w, req);

	if (c == NULL || c->cancel != NULL)
		return -1;
	c->cancel = cancel;
	c->cancel_arg = arg;
	return 0;
}

void
web_conn_undefer(struct web *w, struct evhttp_request *req)
{
	struct web_conn	*c = conn_of(w, req);

	if (c != NULL) {
		c->cancel = NULL;
		c->cancel_arg = NULL;
	}
}

void
web_conn_answered_cb(struct evhttp_request *req, void *arg)
{
	struct web_conn	*c = arg;

	c->answering = 0;
	conn_touch(c, WEB_REQUEST_SECS);
}

void
web_conn_start(struct web *w, struct event_base *base)
{
	w->base = base;
	w->max_conns = (int)nofile_share(4, 8, WEB_MAX_CONNS);
	w->max_per_addr = w->max_conns / 4 < WEB_MAX_PER_ADDR ?
	    w->max_conns / 4 : WEB_MAX_PER_ADDR;
	TAILQ_INIT(&w->conns);
	TAILQ_INIT(&w->fresh);
	w->addrs = hmap_new();
	w->byconn = hmap_new();
	w->adopt = event_new(base, -1, 0, conn_adopt_cb, w);
	evhttp_set_bevcb(w->http, conn_bev_cb, w);
}

void
web_conn_listen(struct web *w)
{
	w->backoff = peers_backoff_new(w->base,
	    evhttp_bound_socket_get_listener(w->sock), "web pages");
}

void
web_conn_stop(struct web *w)
{
	struct web_conn	*c;

	/* evhttp_free has closed every adopted connection (conn_close_cb). */
	while ((c = TAILQ_FIRST(&w->fresh)) != NULL) {
		TAILQ_REMOVE(&w->fresh, c, entry);
		free(c);
	}
	peers_backoff_free(w->backoff);
	event_free(w->adopt);
	hmap_free(w->addrs);
	hmap_free(w->byconn);
}
