/*
 * socket.c — the control socket DIR/control.sock (0660) for knowctl.
 *
 * Each client sends frames (4-byte big-endian length, msgpack request); each
 * gets one reply frame per request, in order. A frame over CTL_MAX_REQUEST or
 * a malformed request gets an error reply and the connection is closed.
 * Requests go to the dispatch function given to control_open, with the
 * client named explicitly. A handler may defer its reply (control_defer)
 * while a worker thread does
 * the work; the client's next request waits for it, and a client that hangs
 * up meanwhile is freed when the reply comes.
 *
 * No client can lock the operator out (doc/DESIGN.md §8): a request must
 * arrive whole within CONTROL_REQUEST_SECS of the connection or of the
 * previous answer (a deadline that bytes do not push back); clients
 * waiting for a request sit on an idle list in the order they began to
 * wait, and when the socket is full a newcomer evicts the oldest of them;
 * clients of other uids than the home's owner and knowd's own
 * (SO_PEERCRED) may take all slots but one per owner uid; and accepting
 * pauses a second when descriptors run out.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "control.h"
#include "ctl.h"
#include "log.h"
#include "peer.h"
#include "util.h"

#define CONTROL_MAX_CLIENTS	64	/* or an eighth of the open file limit, at least 8 */
#define CONTROL_WRITE_SECS	120	/* a client that reads nothing of its answer */
#define CONTROL_REQUEST_SECS	10	/* a whole request, from connect or the last answer */
#define CONTROL_MAX_OWNERS	2	/* the home's owner and knowd's own uid */
#define CONTROL_ACCEPT_ROUND	8	/* accepts before the loop reads the clients */

TAILQ_HEAD(control_clients, control_client);

struct control_client {
	struct control		*control;
	struct bufferevent	*bev;
	struct event		*deadline;	/* CONTROL_REQUEST_SECS, never pushed back */
	uid_t			 uid;		/* SO_PEERCRED, or (uid_t)-1 */
	int			 owner;		/* uid owns the home or runs knowd */
	int			 closing;	/* close once output is flushed */
	int			 deferred;	/* a reply is owed (control_defer) */
	int			 sending;	/* a file follows the reply */
	int			 gone;		/* hung up while one was owed */
	struct control_clients	*idle;		/* the idle list it is on, or NULL */
	unsigned long long	 idle_since;	/* order of joining an idle list */
	TAILQ_ENTRY(control_client) entry;
	TAILQ_ENTRY(control_client) idle_entry;
};

struct control {
	struct event_base	*base;
	control_dispatch_fn	*dispatch;
	void			*arg;
	struct evconnlistener	*listener;
	struct peers_backoff	*backoff;	/* pauses accept on EMFILE */
	char			*path;
	int			 nclients;
	int			 max;		/* CONTROL_MAX_CLIENTS, fewer when files are few */
	int			 nothers;	/* clients of other uids */
	uid_t			 owners[CONTROL_MAX_OWNERS];
	int			 nowners;
	unsigned long long	 idle_seq;	/* counts clients' turns to wait */
	unsigned		 accepted;	/* accepts since the last pause */
	struct control_clients	 clients;
	/* Clients waiting for a request, oldest first (eviction order). */
	struct control_clients	 idle_owner, idle_other;
};

static void	client_read_cb(struct bufferevent *, void *);

/* Takes cc off its idle list: it is being answered. */
static void
client_busy(struct control_client *cc)
{
	if (cc->idle == NULL)
		return;
	TAILQ_REMOVE(cc->idle, cc, idle_entry);
	cc->idle = NULL;
	evtimer_del(cc->deadline);
}

/* Puts cc at the end of its idle list and starts its request deadline. */
static void
client_idle(struct control_client *cc)
{
	struct control	*c = cc->control;
	struct timeval	 tv = { CONTROL_REQUEST_SECS, 0 };

	if (cc->idle != NULL || cc->closing || cc->deferred || cc->gone)
		return;
	cc->idle = cc->owner ? &c->idle_owner : &c->idle_other;
	cc->idle_since = ++c->idle_seq;
	TAILQ_INSERT_TAIL(cc->idle, cc, idle_entry);
	evtimer_add(cc->deadline, &tv);
}

/* Frees a client and its connection. */
static void
client_free(struct control_client *cc)
{
	client_busy(cc);
	cc->control->nclients--;
	if (!cc->owner)
		cc->control->nothers--;
	TAILQ_REMOVE(&cc->control->clients, cc, entry);
	if (cc->bev != NULL)
		bufferevent_free(cc->bev);
	event_free(cc->deadline);
	free(cc);
}

/* Queues one reply frame. */
static void
client_reply(struct control_client *cc, const msgpack_sbuffer *sb)
{
	uint8_t	 len[4];

	put_be32(len, (uint32_t)sb->size);
	bufferevent_write(cc->bev, len, 4);
	bufferevent_write(cc->bev, sb->data, sb->size);
}

/* Writes out what is still queued for cc (replies given while stopping), best effort. */
static void
client_flush(struct control_client *cc)
{
	struct evbuffer	*out;

	if (cc->bev == NULL)
		return;
	out = bufferevent_get_output(cc->bev);
	evbuffer_unfreeze(out, 1);	/* the bufferevent holds its front */
	while (evbuffer_get_length(out) > 0 &&
	    evbuffer_write(out, bufferevent_getfd(cc->bev)) > 0)
		;
}

/*
 * Ends a client at once with an error reply (sent best effort): too slow
 * (CTL_ERROR) or evicted (CTL_AGAIN: knowctl asks again shortly).
 */
static void
client_drop(struct control_client *cc, enum ctl_code code, const char *msg)
{
	msgpack_sbuffer	 sb;

	msgpack_sbuffer_init(&sb);
	ctl_reply_error(&sb, code, "%s", msg);
	client_reply(cc, &sb);
	msgpack_sbuffer_destroy(&sb);
	client_flush(cc);
	client_free(cc);
}

/* Deadline callback: no whole request within CONTROL_REQUEST_SECS. */
static void
client_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	static struct log_limit	 lim;
	struct control_client	*cc = arg;

	log_warnx_limit(&lim, "control: a client sent no whole request in "
	    "%d seconds, closed", CONTROL_REQUEST_SECS);
	client_drop(cc, CTL_ERROR, "no whole request in time");
}

/* Decodes one request payload and answers it. */
static void
client_request(struct control_client *cc, const uint8_t *p, size_t n)
{
	struct ctl_request	 req;
	msgpack_sbuffer		 sb;
	char			*why = NULL;

	msgpack_sbuffer_init(&sb);
	if (ctl_request_decode(p, n, &req, &why) != 0) {
		log_warnx("control: bad request: %s", why);
		ctl_reply_error(&sb, CTL_USAGE, "bad request: %s", why);
		cc->closing = 1;
		free(why);
	} else {
		cc->control->dispatch(cc, &req, &sb, cc->control->arg);
		ctl_request_clear(&req);
	}
	if (!cc->deferred)
		client_reply(cc, &sb);
	msgpack_sbuffer_destroy(&sb);
}

struct control_client *
control_defer(struct control_client *cc)
{
	cc->deferred = 1;
	bufferevent_disable(cc->bev, EV_READ);
	return cc;
}

void
control_answer_file(struct control_client *cc, const msgpack_sbuffer *sb,
    int fd, uint64_t size)
{
	if (cc->gone) {
		close(fd);
		control_answer(cc, sb);
		return;
	}
	client_reply(cc, sb);
	/* libevent sends it from the file as the socket drains. */
	if (size > 0 && evbuffer_add_file(bufferevent_get_output(cc->bev), fd,
	    0, (ev_off_t)size) == 0) {
		cc->sending = 1;
		return;
	}
	close(fd);
	cc->deferred = 0;
	if (size > 0) {
		/* The bytes promised cannot follow: end the connection. */
		log_warnx("control: cannot send a file of %llu bytes",
		    (unsigned long long)size);
		cc->closing = 1;
		return;
	}
	bufferevent_enable(cc->bev, EV_READ);
}

void
control_answer(struct control_client *cc, const msgpack_sbuffer *sb)
{
	cc->deferred = 0;
	if (cc->gone) {
		client_free(cc);
		return;
	}
	client_reply(cc, sb);
	if (cc->closing)
		return;
	bufferevent_enable(cc->bev, EV_READ);
	client_read_cb(cc->bev, cc);	/* requests that came meanwhile */
}

/* Read callback: answers every whole frame in the input buffer. */
static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct control_client	*cc = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	msgpack_sbuffer		 sb;
	uint8_t			 hdr[4], *p;
	uint32_t		 len;

	while (!cc->closing && !cc->deferred && evbuffer_get_length(in) >= 4) {
		evbuffer_copyout(in, hdr, 4);
		len = get_be32(hdr);
		if (len > CTL_MAX_REQUEST) {
			log_warnx("control: request of %u bytes refused", len);
			msgpack_sbuffer_init(&sb);
			ctl_reply_error(&sb, CTL_USAGE, "request of %u bytes is "
			    "too large (at most %d)", len, CTL_MAX_REQUEST);
			client_reply(cc, &sb);
			msgpack_sbuffer_destroy(&sb);
			cc->closing = 1;
			break;
		}
		if (evbuffer_get_length(in) < 4 + (size_t)len)
			break;
		evbuffer_drain(in, 4);
		p = xmalloc(len);
		evbuffer_remove(in, p, len);
		client_busy(cc);
		client_request(cc, p, len);
		free(p);
	}
	if (cc->closing)
		bufferevent_disable(bev, EV_READ);
	else
		client_idle(cc);
}

/* Write callback: output flushed; close if the client is done, read on after a file. */
static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_client *cc = arg;

	if (cc->closing) {
		client_free(cc);
		return;
	}
	if (cc->sending) {
		cc->sending = 0;
		cc->deferred = 0;
		bufferevent_enable(cc->bev, EV_READ);
		client_read_cb(cc->bev, cc);
	}
}

/* Event callback: EOF, error or write timeout ends the client (later if a reply is owed). */
static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *cc = arg;

	if (what & BEV_EVENT_TIMEOUT)
		log_debug("control: a client read nothing of its answer in %d "
		    "seconds, closed", CONTROL_WRITE_SECS);
	/* Owed a reply: the job still holds cc (a file being sent is not owed). */
	if (cc->deferred && !cc->sending) {
		bufferevent_free(cc->bev);
		cc->bev = NULL;
		cc->gone = 1;
		return;
	}
	client_free(cc);
}

/* The uid at the other end of a unix socket, or (uid_t)-1. */
static uid_t
control_peer_uid(int fd)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof cr;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return (uid_t)-1;
	return cr.uid;
}

/* True when uid owns the home or runs knowd. */
static int
control_is_owner(const struct control *c, uid_t uid)
{
	int	 i;

	for (i = 0; i < c->nowners; i++)
		if (c->owners[i] == uid)
			return 1;
	return 0;
}

/*
 * Makes room for a newcomer (owner or not) when the socket is full: evicts
 * the client that has waited longest for a request — among other uids'
 * for another uid's newcomer, so one slot per owner uid stays free of
 * them. 0 when there is room, -1 when every slot is busy answering.
 */
static int
control_make_room(struct control *c, int owner)
{
	struct control_client	*a, *b, *victim;
	static struct log_limit	 lim;

	if (c->nclients < c->max && (owner || c->nothers < c->max - c->nowners))
		return 0;
	victim = b = TAILQ_FIRST(&c->idle_other);
	if (owner && (a = TAILQ_FIRST(&c->idle_owner)) != NULL) {
		/* The one that began to wait first; both lists are in that order. */
		if (b == NULL || a->idle_since < b->idle_since)
			victim = a;
	}
	if (victim == NULL)
		return -1;
	log_warnx_limit(&lim, "control: socket full, the longest idle client "
	    "was closed");
	client_drop(victim, CTL_AGAIN, "too many control clients: closed the "
	    "one idle the longest");
	return 0;
}

/* Refuses a connection with one error reply (best effort, never blocks). */
static void
control_refuse(int fd)
{
	static struct log_limit	 lim;
	msgpack_sbuffer		 sb;
	uint8_t			 len[4];

	log_warnx_limit(&lim, "control: too many clients, all busy; refused one");
	msgpack_sbuffer_init(&sb);
	ctl_reply_error(&sb, CTL_AGAIN, "knowd is busy: every control client is "
	    "being answered; try again");
	put_be32(len, (uint32_t)sb.size);
	if (send(fd, len, 4, MSG_DONTWAIT | MSG_NOSIGNAL) == 4)
		(void)send(fd, sb.data, sb.size, MSG_DONTWAIT | MSG_NOSIGNAL);
	msgpack_sbuffer_destroy(&sb);
	close(fd);
}

/* Accept callback: one new knowctl connection, given a slot. */
static void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control		*c = arg;
	struct control_client	*cc;
	struct timeval		 tv = { CONTROL_WRITE_SECS, 0 };
	uid_t			 uid = control_peer_uid(fd);
	int			 owner = control_is_owner(c, uid);

	/*
	 * Every few accepts, let one turn of the loop read the new clients'
	 * requests: in a crowd that reconnects at once, a newcomer would be
	 * evicted by the next ones before its request is read.
	 */
	if (++c->accepted % CONTROL_ACCEPT_ROUND == 0)
		peers_backoff_turn(c->backoff);
	if (control_make_room(c, owner) != 0) {
		control_refuse(fd);
		return;
	}
	cc = xcalloc(1, sizeof *cc);
	cc->control = c;
	cc->uid = uid;
	cc->owner = owner;
	cc->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (cc->bev == NULL) {
		close(fd);
		free(cc);
		return;
	}
	cc->deadline = evtimer_new(c->base, client_deadline_cb, cc);
	c->nclients++;
	if (!owner)
		c->nothers++;
	TAILQ_INSERT_TAIL(&c->clients, cc, entry);
	bufferevent_setcb(cc->bev, client_read_cb, client_write_cb,
	    client_event_cb, cc);
	bufferevent_set_timeouts(cc->bev, NULL, &tv);
	bufferevent_enable(cc->bev, EV_READ | EV_WRITE);
	client_idle(cc);
}

/* Creates, binds and listens on the unix socket (mode 0660). Returns the fd or -1. */
static int
control_socket(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return set_cause(cause, "%s: path too long for a socket", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return set_cause(cause, "socket: %s", strerror(errno));
	/* We hold the home's lock: a socket file left here is stale. */
	if (unlink(path) == -1 && errno != ENOENT) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0660) == -1 || listen(fd, 16) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The uids that get a slot of their own: the home's owner and knowd's. */
static void
control_owners(struct control *c)
{
	struct stat	 st;
	char		*dir = xstrdup(c->path);

	c->owners[c->nowners++] = geteuid();
	if (stat(dirname(dir), &st) == 0 && st.st_uid != c->owners[0])
		c->owners[c->nowners++] = st.st_uid;
	free(dir);
}

int
control_open(struct control **out, struct event_base *base, const char *path,
    control_dispatch_fn *dispatch, void *arg, char **cause)
{
	struct control	*c;
	int		 fd;

	*out = NULL;
	c = xcalloc(1, sizeof *c);
	c->base = base;
	c->dispatch = dispatch;
	c->arg = arg;
	c->path = xstrdup(path);
	c->max = (int)nofile_share(8, 8, CONTROL_MAX_CLIENTS);
	if ((fd = control_socket(c->path, cause)) == -1) {
		free(c->path);
		free(c);
		return -1;
	}
	c->listener = evconnlistener_new(base, control_accept_cb, c,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (c->listener == NULL) {
		close(fd);
		free(c->path);
		free(c);
		return set_cause(cause, "control: cannot listen");
	}
	c->backoff = peers_backoff_new(base, c->listener, "control");
	TAILQ_INIT(&c->clients);
	TAILQ_INIT(&c->idle_owner);
	TAILQ_INIT(&c->idle_other);
	control_owners(c);
	*out = c;
	return 0;
}

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	while (!TAILQ_EMPTY(&c->clients)) {
		client_flush(TAILQ_FIRST(&c->clients));
		client_free(TAILQ_FIRST(&c->clients));
	}
	peers_backoff_free(c->backoff);
	evconnlistener_free(c->listener);
	unlink(c->path);
	free(c->path);
	free(c);
}
