/*
 * evilpeer_conn.h — the plumbing of tests/tools/evilpeer.c, included by it
 * alone (header-only, so every test tool stays one program per .c file):
 * a blocking TCP connection to the target, frames, the secure channel as
 * the dialer, and reading the target's reaction with a deadline.
 */
#ifndef EVILPEER_CONN_H
#define EVILPEER_CONN_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "chan.h"
#include "keys.h"
#include "util.h"
#include "wire.h"

#define EVIL_ADDR_MAX	64	/* "[v6]:port" */

enum reaction {
	R_CLOSED,		/* the target closed the connection */
	R_TIMEOUT,		/* nothing decisive before the deadline */
	R_WANT,			/* the target sent the WANT we waited for */
};

/* One connection to the target. */
struct conn {
	int		 fd;
	int		 n;		/* numbered from 1 per run */
	struct chan	 chan;
	char		 local[EVIL_ADDR_MAX];
	double		 sent_at;	/* when we last sent anything */
};

static const char *const msg_names[] = { "?", "HELLO", "NODE", "ANNOUNCE",
    "SUMMARY", "DIGEST", "WANT", "PACK", "PING", "PONG", "ERROR" };

/* Monotonic seconds. */
static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until fd is readable or the deadline passes: 1 readable, 0 timeout. */
static int
wait_readable(int fd, double deadline)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	double		 left;
	int		 r;

	for (;;) {
		left = deadline - now_s();
		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r > 0)
			return 1;
		if (r == -1 && errno != EINTR)
			return 1;	/* let recv report it */
	}
}

/* Connects to the target as connection n and names our end ("host:port", as the target logs it). */
static int
conn_open(struct conn *c, const char *host, const char *port, int n)
{
	struct addrinfo		 hints, *ai = NULL, *a;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 name[INET6_ADDRSTRLEN] = "?";
	int			 r, lport = 0;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0) {
		fprintf(stderr, "evilpeer: %s: %s\n", host, gai_strerror(r));
		return -1;
	}
	for (a = ai; a != NULL && c->fd == -1; a = a->ai_next) {
		c->fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (c->fd != -1 && connect(c->fd, a->ai_addr, a->ai_addrlen) == -1) {
			close(c->fd);
			c->fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (c->fd == -1) {
		fprintf(stderr, "evilpeer: connect %s:%s: %s\n", host, port,
		    strerror(errno));
		return -1;
	}
	getsockname(c->fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, name,
		    sizeof name);
		lport = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		snprintf(c->local, sizeof c->local, "%s:%d", name, lport);
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    name, sizeof name);
		lport = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		snprintf(c->local, sizeof c->local, "[%s]:%d", name, lport);
	}
	c->n = n;
	c->sent_at = now_s();
	printf("conn %d: local %s\n", c->n, c->local);
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	chan_wipe(&c->chan);
}

/* Sends all of data; -1 when the target is gone. */
static int
send_all(struct conn *c, const void *data, size_t len)
{
	const uint8_t	*p = data;
	ssize_t		 n;

	c->sent_at = now_s();
	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("conn %d: send: %s\n", c->n, strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	c->sent_at = now_s();
	return 0;
}

/* Reads exactly len bytes: 1 done, 0 closed or reset, -1 deadline passed. */
static int
recv_full(struct conn *c, uint8_t *buf, size_t len, double deadline)
{
	ssize_t	 n;

	while (len > 0) {
		if (!wait_readable(c->fd, deadline))
			return -1;
		n = recv(c->fd, buf, len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		buf += n;
		len -= (size_t)n;
	}
	return 1;
}

/* Sends one frame: 2-byte big-endian length, then the body, in one write. */
static int
frame_send(struct conn *c, const uint8_t *body, size_t len)
{
	uint8_t	*f = xmalloc(len + 2);
	int	 rv;

	f[0] = (uint8_t)(len >> 8);
	f[1] = (uint8_t)len;
	memcpy(f + 2, body, len);
	rv = send_all(c, f, len + 2);
	free(f);
	return rv;
}

/* Reads one frame into buf (CHAN_MAX_FRAME bytes); returns as recv_full. */
static int
frame_recv(struct conn *c, uint8_t *buf, size_t *len, double deadline)
{
	uint8_t	 hdr[2];
	int	 r;

	if ((r = recv_full(c, hdr, 2, deadline)) != 1)
		return r;
	*len = (size_t)hdr[0] << 8 | hdr[1];
	return recv_full(c, buf, *len, deadline);
}

/* Seals and sends one message (any bytes, well-formed or not). */
static int
msg_send_raw(struct conn *c, const uint8_t *m, size_t len)
{
	uint8_t	*sealed = xmalloc(len + CHAN_TAG);
	int	 rv = -1;

	if (chan_seal(&c->chan, m, len, sealed) == 0)
		rv = frame_send(c, sealed, len + CHAN_TAG);
	free(sealed);
	return rv;
}

static int
msg_send(struct conn *c, const struct buf *b)
{
	return msg_send_raw(c, b->data, b->len);
}

/* Reads and opens one message: 1 done, 0 closed, -1 deadline, -2 bad frame. */
static int
msg_recv(struct conn *c, uint8_t *buf, size_t *len, double deadline)
{
	char	*why = NULL;
	size_t	 flen;
	int	 r;

	if ((r = frame_recv(c, buf, &flen, deadline)) != 1)
		return r;
	if (chan_open(&c->chan, buf, flen, buf, &why) != 0) {
		printf("conn %d: target's frame does not open: %s\n", c->n, why);
		free(why);
		return -2;
	}
	*len = flen - CHAN_TAG;
	return 1;
}

/* Runs the Noise XX handshake as the dialer, waiting up to wait seconds for message 2. */
static int
handshake(struct conn *c, const struct keys_pair *kp,
    const uint8_t netid[CHAN_NETID_LEN], int wait)
{
	uint8_t	 msg[CHAN_MAX_FRAME];
	char	 nid[KEYS_NID_MAX], *why = NULL;
	size_t	 len;

	if (chan_init(&c->chan, 1, kp, netid, NULL, &why) != 0 ||
	    chan_hs_write(&c->chan, msg, &len, &why) != 0)
		goto fail;
	if (frame_send(c, msg, len) != 0)
		return -1;
	if (frame_recv(c, msg, &len, now_s() + wait) != 1) {
		printf("conn %d: no handshake message 2\n", c->n);
		return -1;
	}
	if (chan_hs_read(&c->chan, msg, len, &why) != 0 ||
	    chan_hs_write(&c->chan, msg, &len, &why) != 0)
		goto fail;
	if (frame_send(c, msg, len) != 0)
		return -1;
	keys_nid_encode(chan_remote_pk(&c->chan), nid);
	printf("conn %d: handshake done, reached %s\n", c->n, nid);
	return 0;
fail:
	fprintf(stderr, "evilpeer: handshake: %s\n", why);
	free(why);
	return -1;
}

/* Prints one message from the target; returns its type. */
static int
show_msg(struct conn *c, const uint8_t *m, size_t len, struct wire_want *w)
{
	struct wire_error	 e;
	struct wire_ping	 ping;
	char			 hex[GIT_OID_HEXSZ + 1];
	int			 type = wire_type(m, len);

	printf("conn %d: recv: %s", c->n, type >= WIRE_HELLO &&
	    type <= WIRE_ERROR ? msg_names[type] : "unknown message");
	if (type == WIRE_ERROR && wire_error_decode(m, len, &e, NULL) == 0)
		printf(" %llu: %s", (unsigned long long)e.code, e.text);
	else if (type == WIRE_WANT && wire_want_decode(m, len, w, NULL) == 0) {
		printf(" reqid %llu, %zu branch(es)", (unsigned long long)w->reqid,
		    w->nb);
		if (w->nb > 0) {
			hex_encode(w->b[0].want, WIRE_OID_LEN, hex);
			printf(", want %s, %zu have(s)", hex, w->b[0].nhaves);
		}
	} else if (type == WIRE_PING && wire_ping_decode(m, len, &ping,
	    NULL) == 0)
		printf(" %llu", (unsigned long long)ping.nonce);
	printf(" (%zu bytes)\n", len);
	return type;
}

/* Answers a PING with its PONG, as a live peer would. */
static void
pong(struct conn *c, const uint8_t *m, size_t len)
{
	struct wire_ping	 ping;
	struct buf		 b;

	if (wire_ping_decode(m, len, &ping, NULL) != 0)
		return;
	buf_init(&b);
	wire_ping_encode(&b, WIRE_PONG, ping.nonce);
	msg_send(c, &b);
	buf_free(&b);
}

/*
 * Reads what the target sends for up to secs seconds, until it closes, or
 * (want non-NULL) until it sends a WANT, which is stored in *want.
 */
static enum reaction
await(struct conn *c, double secs, struct wire_want *want)
{
	struct wire_want	*w = xcalloc(1, sizeof *w);
	uint8_t			*m = xmalloc(CHAN_MAX_FRAME);
	double			 deadline = now_s() + secs;
	size_t			 len = 0;
	enum reaction		 rv;
	int			 r, type;

	for (;;) {
		r = msg_recv(c, m, &len, deadline);
		if (r == 0 || r == -2) {
			printf("conn %d: reaction: closed %.1f s after our last "
			    "send\n", c->n, now_s() - c->sent_at);
			rv = R_CLOSED;
			break;
		}
		if (r == -1) {
			printf("conn %d: reaction: none within %.0f s\n", c->n,
			    secs);
			rv = R_TIMEOUT;
			break;
		}
		type = show_msg(c, m, len, w);
		if (type == WIRE_PING)
			pong(c, m, len);
		if (type == WIRE_WANT && want != NULL) {
			*want = *w;
			rv = R_WANT;
			break;
		}
	}
	free(m);
	free(w);
	return rv;
}

/* Before a handshake: reads and discards until the target closes or secs pass. */
static void
await_raw(struct conn *c, double secs)
{
	uint8_t	 buf[4096];
	double	 deadline = now_s() + secs;
	size_t	 got = 0;
	ssize_t	 n;

	for (;;) {
		if (!wait_readable(c->fd, deadline)) {
			printf("conn %d: reaction: none within %.0f s\n", c->n,
			    secs);
			return;
		}
		n = recv(c->fd, buf, sizeof buf, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	printf("conn %d: reaction: closed %.1f s after our last send (%zu "
	    "bytes received%s%s)\n", c->n, now_s() - c->sent_at, got,
	    n == -1 ? ", " : "", n == -1 ? strerror(errno) : "");
}

#endif
