/*
 * join.c — the joiner's side of JOIN (PROTOCOL.md §4.9), for `knowd init
 * --join`: one blocking connection to the agency named by an invitation,
 * before any event loop exists. Dial, Noise handshake expecting the
 * agency's identity, HELLO both ways, then JOIN with the proof over this
 * channel's handshake hash; the agency answers with its own JOIN (checked)
 * or ERROR. Everything within PEER_JOIN_TIMEOUT seconds.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "invite.h"
#include "peer.h"
#include "util.h"

struct joiner {
	int		 fd;
	time_t		 deadline;
	struct chan	 chan;
	uint8_t		 frame[2 + CHAN_MAX_FRAME];
	char		**cause;
};

/* Waits until fd is ready for events (POLLIN/POLLOUT) before the deadline. */
static int
join_wait(struct joiner *j, short events)
{
	struct pollfd	 pfd = { j->fd, events, 0 };
	time_t		 left = j->deadline - time(NULL);
	int		 r;

	if (left <= 0)
		return set_cause(j->cause, "Zeitüberschreitung: die Agentur "
		    "antwortet nicht");
	while ((r = poll(&pfd, 1, (int)left * 1000)) == -1 && errno == EINTR)
		;
	if (r <= 0)
		return set_cause(j->cause, "Zeitüberschreitung: die Agentur "
		    "antwortet nicht");
	return 0;
}

/* Connects to host:port (non-blocking, within the deadline). */
static int
join_connect(struct joiner *j, const char *addr)
{
	struct addrinfo	 hints, *ai = NULL, *a;
	char		*host = NULL, *port = NULL, *why = NULL;
	int		 err = 0, r;
	socklen_t	 sl = sizeof err;

	if (config_split_hostport(addr, &host, &port, &why) != 0) {
		set_cause(j->cause, "Adresse %s: %s", addr, why);
		free(why);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(host, port, &hints, &ai);
	free(host);
	free(port);
	if (r != 0)
		return set_cause(j->cause, "Adresse %s: %s", addr,
		    gai_strerror(r));
	for (a = ai; a != NULL; a = a->ai_next) {
		if ((j->fd = socket(a->ai_family, a->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
			continue;
		if (connect(j->fd, a->ai_addr, a->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && join_wait(j, POLLOUT) == 0 &&
		    getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &err, &sl) == 0 &&
		    err == 0))
			break;
		close(j->fd);
		j->fd = -1;
	}
	freeaddrinfo(ai);
	if (j->fd == -1)
		return set_cause(j->cause, "die Agentur unter %s ist nicht "
		    "erreichbar%s%s", addr, err != 0 ? ": " : "",
		    err != 0 ? strerror(err) : "");
	return 0;
}

/* Writes one frame: 2-byte length, then body. */
static int
join_write(struct joiner *j, const uint8_t *body, size_t len)
{
	size_t	 off = 0;
	ssize_t	 w;

	j->frame[0] = (uint8_t)(len >> 8);
	j->frame[1] = (uint8_t)len;
	memmove(j->frame + 2, body, len);
	while (off < len + 2) {
		if (join_wait(j, POLLOUT) != 0)
			return -1;
		if ((w = write(j->fd, j->frame + off, len + 2 - off)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return set_cause(j->cause, "Verbindung zur Agentur: %s",
			    strerror(errno));
		}
		off += (size_t)w;
	}
	return 0;
}

/* Reads exactly n bytes into p. */
static int
join_read_full(struct joiner *j, uint8_t *p, size_t n)
{
	size_t	 off = 0;
	ssize_t	 r;

	while (off < n) {
		if (join_wait(j, POLLIN) != 0)
			return -1;
		if ((r = read(j->fd, p + off, n - off)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return set_cause(j->cause, "Verbindung zur Agentur: %s",
			    strerror(errno));
		}
		if (r == 0)
			return set_cause(j->cause, "die Agentur hat die "
			    "Verbindung beendet");
		off += (size_t)r;
	}
	return 0;
}

/* Reads one frame into j->frame; *len its body's length. */
static int
join_read(struct joiner *j, size_t *len)
{
	if (join_read_full(j, j->frame, 2) != 0)
		return -1;
	*len = (size_t)j->frame[0] << 8 | j->frame[1];
	return join_read_full(j, j->frame, *len);
}

/* The Noise handshake as the dialer, expecting the agency's identity. */
static int
join_handshake(struct joiner *j, const struct keys_pair *kp,
    const struct invite_line *inv)
{
	uint8_t	 netid[CHAN_NETID_LEN], msg[CHAN_HS_MAX];
	size_t	 len;
	char	*why = NULL;

	chan_network_id(inv->network, netid);
	if (chan_init(&j->chan, 1, kp, netid, inv->pk, &why) != 0)
		goto fail;
	while (j->chan.state != CHAN_READY) {
		if (chan_want_write(&j->chan)) {
			if (chan_hs_write(&j->chan, msg, &len, &why) != 0)
				goto fail;
			if (join_write(j, msg, len) != 0)
				return -1;
		} else {
			if (join_read(j, &len) != 0)
				return -1;
			if (len > CHAN_HS_MAX) {
				why = xstrdup("handshake message too long");
				goto fail;
			}
			if (chan_hs_read(&j->chan, j->frame, len, &why) != 0)
				goto fail;
		}
	}
	return 0;
fail:
	set_cause(j->cause, "sichere Verbindung zur Agentur gescheitert "
	    "(falsches Netz, oder unter der Adresse antwortet ein anderer "
	    "Knoten): %s", why != NULL ? why : "?");
	free(why);
	return -1;
}

/* Seals and sends one message. */
static int
join_send(struct joiner *j, const struct buf *b)
{
	uint8_t	 out[CHAN_MAX_FRAME];

	if (b->len > CHAN_MAX_PLAIN || chan_seal(&j->chan, b->data, b->len,
	    out) != 0)
		return set_cause(j->cause, "Nachricht nicht verschlüsselt");
	return join_write(j, out, b->len + CHAN_TAG);
}

/* Sends our HELLO (no listen address: we are not serving yet). */
static int
join_hello(struct joiner *j)
{
	struct wire_hello h;
	struct buf	 b;
	int		 rv;

	memset(&h, 0, sizeof h);
	h.version = WIRE_VERSION;
	h.features = WIRE_FEATURE_JOIN;
	h.time = (uint64_t)time(NULL);
	buf_init(&b);
	wire_hello_encode(&b, &h);
	rv = join_send(j, &b);
	buf_free(&b);
	return rv;
}

/* Sends JOIN: the invitation's id and our proof over this channel. */
static int
join_request(struct joiner *j, const struct invite_line *inv,
    const uint8_t key[INVITE_KEY_LEN])
{
	struct wire_join w;
	struct buf	 b;
	int		 rv;

	memcpy(w.id, inv->id, sizeof w.id);
	invite_proof(key, chan_handshake_hash(&j->chan), NOISE_HASHLEN, 0,
	    w.proof);
	buf_init(&b);
	wire_join_encode(&b, &w);
	rv = join_send(j, &b);
	sodium_memzero(b.data, b.len);
	buf_free(&b);
	sodium_memzero(&w, sizeof w);
	return rv;
}

/*
 * Acts on one message from the agency: 1 when the JOIN was answered and
 * its proof holds, 0 to read on, -1 with *cause on a refusal.
 */
static int
join_reply(struct joiner *j, const uint8_t *m, size_t len,
    const struct invite_line *inv, const uint8_t key[INVITE_KEY_LEN],
    int *sent)
{
	struct wire_hello h;
	struct wire_error e;
	struct wire_join w;
	uint8_t		 want[INVITE_PROOF_LEN];
	int		 good;

	switch (wire_type(m, len)) {
	case WIRE_HELLO:
		if (wire_hello_decode(m, len, &h, NULL) != 0 ||
		    (h.features & WIRE_FEATURE_JOIN) == 0)
			return set_cause(j->cause, "die Agentur nimmt keine "
			    "Einladungen an (ältere knowd-Version?)");
		if (*sent)
			return 0;
		*sent = 1;
		return join_request(j, inv, key) == 0 ? 0 : -1;
	case WIRE_ERROR:
		if (wire_error_decode(m, len, &e, NULL) != 0)
			return set_cause(j->cause, "unlesbare Antwort der Agentur");
		if (e.code == WIRE_E_ADMISSION && strncmp(e.text, "denied", 6) != 0)
			return 0;	/* "not admitted here" before the JOIN */
		return set_cause(j->cause, "die Agentur lehnt ab: %s", e.text);
	case WIRE_JOIN:
		if (!*sent || wire_join_decode(m, len, &w, NULL) != 0)
			return set_cause(j->cause, "unerwartete Antwort der "
			    "Agentur");
		invite_proof(key, chan_handshake_hash(&j->chan), NOISE_HASHLEN,
		    1, want);
		good = sodium_memcmp(want, w.proof, sizeof want) == 0 &&
		    memcmp(w.id, inv->id, sizeof w.id) == 0;
		sodium_memzero(want, sizeof want);
		return good ? 1 : set_cause(j->cause, "die Antwort der Agentur "
		    "ist nicht bestätigt");
	default:
		return 0;	/* NODE, SUMMARY, PING …: not ours to answer now */
	}
}

int
peer_join_dial(const struct keys_pair *kp, const struct invite_line *inv,
    int timeout, char **cause)
{
	struct joiner	*j;
	uint8_t		 key[INVITE_KEY_LEN];
	size_t		 len;
	int		 sent = 0, r = -1;

	j = xcalloc(1, sizeof *j);
	j->fd = -1;
	j->deadline = time(NULL) + timeout;
	j->cause = cause;
	invite_key(inv->secret, key);
	if (join_connect(j, inv->addr) != 0 || join_handshake(j, kp, inv) != 0 ||
	    join_hello(j) != 0)
		goto out;
	for (;;) {
		if (join_read(j, &len) != 0)
			break;
		if (len < CHAN_TAG || chan_open(&j->chan, j->frame, len,
		    j->frame, NULL) != 0) {
			set_cause(cause, "gestörte Verbindung zur Agentur");
			break;
		}
		if ((r = join_reply(j, j->frame, len - CHAN_TAG, inv, key,
		    &sent)) != 0)
			break;
	}
	r = r == 1 ? 0 : -1;
out:
	if (j->fd != -1)
		close(j->fd);
	chan_wipe(&j->chan);
	sodium_memzero(key, sizeof key);
	sodium_memzero(j, sizeof *j);
	free(j);
	return r;
}
