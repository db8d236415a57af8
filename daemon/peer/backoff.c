/*
 * backoff.c — the accept back-off every listener of knowd uses (peers,
 * control, web). Out of descriptors (EMFILE, ENFILE) or memory, the
 * pending connection stays queued and accept would fail again at once, so
 * the listener stops accepting for a second (as tmux's server does) and
 * says so once a minute. A listener's callbacks share one argument, which
 * evhttp keeps for itself, so the error callback finds its back-off by the
 * listener in a map.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "peer.h"
#include "util.h"

struct peers_backoff {
	struct evconnlistener	*l;		/* the map's key */
	struct event		*resume;
	struct log_limit	 lim;
	char			 who[32];
};

static struct hmap	*backoffs;		/* listener → its back-off */

/* Timer callback: accept again after a pause. */
static void
backoff_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peers_backoff	*b = arg;

	evconnlistener_enable(b->l);
}

/* Accept error callback: pauses a second on EMFILE, ENFILE, ENOBUFS, ENOMEM. */
static void
backoff_error_cb(struct evconnlistener *l, void *arg)
{
	struct peers_backoff	*b;
	struct timeval		 tv = { 1, 0 };
	int			 err = EVUTIL_SOCKET_ERROR();

	if ((b = hmap_get(backoffs, &l, sizeof l)) == NULL)
		return;
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		log_warn_limit(&b->lim, "%s: accept, paused for a second",
		    b->who);
		evconnlistener_disable(l);
		evtimer_add(b->resume, &tv);
	} else
		log_warn_limit(&b->lim, "%s: accept", b->who);
}

struct peers_backoff *
peers_backoff_new(struct event_base *base, struct evconnlistener *l,
    const char *who)
{
	struct peers_backoff	*b;

	b = xcalloc(1, sizeof *b);
	b->l = l;
	b->resume = evtimer_new(base, backoff_resume_cb, b);
	snprintf(b->who, sizeof b->who, "%s", who);
	if (backoffs == NULL)
		backoffs = hmap_new();
	hmap_put(backoffs, &b->l, sizeof b->l, b);
	evconnlistener_set_error_cb(l, backoff_error_cb);
	return b;
}

void
peers_backoff_turn(struct peers_backoff *b)
{
	struct timeval	 now = { 0, 0 };

	evconnlistener_disable(b->l);
	if (!evtimer_pending(b->resume, NULL))
		evtimer_add(b->resume, &now);
}

void
peers_backoff_free(struct peers_backoff *b)
{
	if (b == NULL)
		return;
	hmap_del(backoffs, &b->l, sizeof b->l);
	if (hmap_count(backoffs) == 0) {
		hmap_free(backoffs);
		backoffs = NULL;
	}
	event_free(b->resume);
	free(b);
}
