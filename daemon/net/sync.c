/* sync.c — the message dispatcher: HELLO, SUMMARY, ANNOUNCE, PING, and relaying what moved. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "log.h"
#include "net_int.h"
#include "util.h"

void
sync_init(struct net *net)
{
	net->sync = xcalloc(1, sizeof *net->sync);
	net->sync->ann = hmap_new();
	net->sync->fetching = hmap_new();
	net->sync->asked = hmap_new();
	net->sync->penalties = hmap_new();
	net->sync->joins = hmap_new();
}

/* Anti-entropy timer: compare digests with one random peer, then rearm. */
static void
sync_ae_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net	*net = arg;
	struct peer	*p, *pick = NULL;
	struct timeval	 tv;
	uint32_t	 n = 0, ms;

	TAILQ_FOREACH(p, &net->peers->list, entry)
		if (p->state == PEER_READY && SP(p)->admitted &&
		    randombytes_uniform(++n) == 0)
			pick = p;	/* reservoir sampling: uniform pick */
	if (pick != NULL) {
		log_debug("anti-entropy with %s", pick->nid);
		sync_send_digest(pick);
	}
	ms = (uint32_t)net->node->conf.sync_interval * 1000;
	ms = ms * 3 / 4 + randombytes_uniform(ms / 2 + 1);	/* ±25 % */
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(net->sync->ae_timer, &tv);
}

void
sync_start(struct net *net)
{
	net->sync->ae_timer = evtimer_new(net->base, sync_ae_cb, net);
	sync_ae_cb(-1, 0, net);
}

void
sync_free(struct net *net)
{
	struct sync_ann	*a;
	void		*m;
	size_t		 it;

	if (net->sync == NULL)
		return;
	if (net->sync->ae_timer != NULL)
		event_free(net->sync->ae_timer);
	it = 0;
	while ((a = hmap_next(net->sync->ann, &it)) != NULL)
		free(a);
	hmap_free(net->sync->ann);
	it = 0;
	while ((m = hmap_next(net->sync->fetching, &it)) != NULL)
		free(m);		/* left only if a fetch outlived its peer */
	hmap_free(net->sync->fetching);
	it = 0;
	while ((m = hmap_next(net->sync->asked, &it)) != NULL)
		free(m);
	hmap_free(net->sync->asked);
	penalty_free(net);
	join_free(net);
	free(net->sync);
	net->sync = NULL;
}

int
sync_send(struct peer *p, const struct buf *b)
{
	return peer_send(p, b);
}

int
sync_fail(struct peer *p, enum wire_errcode code, const char *fmt, ...)
{
	va_list		 ap;
	struct buf	 b;
	char		*why;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	log_warnx("peer %s (%s): %s", p->nid, p->addr, why);
	buf_init(&b);
	wire_error_encode(&b, code, why);
	peer_send(p, &b);
	buf_free(&b);
	peer_close(p, "%s", why);
	free(why);
	return -1;
}

struct sync_ann *
sync_ann_find(struct sync *s, const char *nid)
{
	return hmap_gets(s->ann, nid);
}

/* Keeps a if it is newer than what is held for its node. */
static void
sync_ann_keep(struct sync *s, const char *nid, const struct wire_announce *a)
{
	struct sync_ann	*h = sync_ann_find(s, nid);

	if (h == NULL) {
		h = xcalloc(1, sizeof *h);
		snprintf(h->nid, sizeof h->nid, "%s", nid);
		hmap_put(s->ann, h->nid, strlen(h->nid), h);
	} else if (h->a.seq >= a->seq)
		return;
	h->a = *a;
}

/* Fills a wire_head from our origin branch of nid; -1 when we hold none or do not admit nid. */
static int
head_of(struct net *net, const char *nid, struct wire_head *h)
{
	git_oid	 head;
	uint64_t seq;

	if (trust_admits(net->node, nid) != TRUST_ADMITTED ||
	    store_head(net->node->store, nid, &head, &seq) != 0 ||
	    keys_did_decode(nid, h->pk, NULL) != 0)
		return -1;
	h->seq = seq;
	memcpy(h->head, head.id, WIRE_OID_LEN);
	return 0;
}

/* Sends SUMMARY pages of every branch we hold. */
static void
sync_send_summary(struct peer *p)
{
	struct wire_summary	*sum;
	struct buf		 b;
	char			**nids;
	size_t			 n, i;

	if (store_nids(NET(p)->node->store, &nids, &n) != 0)
		return;
	sum = xcalloc(1, sizeof *sum);
	buf_init(&b);
	for (i = 0; i <= n; i++) {
		if (i < n && head_of(NET(p), nids[i], &sum->heads[sum->nheads]) == 0)
			sum->nheads++;
		if (sum->nheads == WIRE_SUMMARY_MAX || (i == n)) {
			sum->more = i < n;
			b.len = 0;
			wire_summary_encode(&b, sum);
			if (sync_send(p, &b) != 0)
				break;
			sum->page++;
			sum->nheads = 0;
		}
	}
	buf_free(&b);
	free(sum);
	store_nids_free(nids, n);
}

void
sync_peer_ready(struct peer *p, void *arg)
{
	struct wire_hello	 h;
	struct buf		 b;
	long			 wait;
	int			 banned;

	SP(p)->pending = hmap_new();
	TAILQ_INIT(&SP(p)->queue);
	if ((wait = penalty_wait(NET(p), p->nid, &banned)) > 0 && banned) {
		sync_fail(p, WIRE_E_BUSY, "refused for %ld s more: its packs "
		    "failed verification", wait);
		return;
	}
	memset(&h, 0, sizeof h);
	h.version = WIRE_VERSION;
	h.features = WIRE_FEATURE_STEPS | WIRE_FEATURE_JOIN | WIRE_FEATURE_CARDS;
	h.time = (uint64_t)time(NULL);
	if (peers_listen_addr(NET(p)->peers)[0] != '\0') {
		snprintf(h.listen[0], sizeof h.listen[0], "%s",
		    peers_listen_addr(NET(p)->peers));
		h.nlisten = 1;
	}
	buf_init(&b);
	wire_hello_encode(&b, &h);
	if (sync_send(p, &b) == 0 && net_admit(p) == 0)
		sync_welcome(p);
	buf_free(&b);
}

void
sync_welcome(struct peer *p)
{
	gossip_peer_ready(p);
	sync_send_summary(p);
}

void
sync_peer_gone(struct peer *p, void *arg)
{
	fetch_peer_gone(p);
	fetch_pending_free(p);
	contacts_peer_gone(p);
	free(SP(p)->theirs);
	SP(p)->theirs = NULL;
	buf_free(&SP(p)->out);
}

/* qsort comparator: heads by public key bytes. */
static int
head_cmp(const void *a, const void *b)
{
	return memcmp(((const struct wire_head *)a)->pk,
	    ((const struct wire_head *)b)->pk, KEYS_PK_LEN);
}

/* The digest of every head we hold (wire_digest over heads sorted by key). */
static void
sync_our_digest(struct net *net, struct wire_digest *d)
{
	struct wire_head *heads;
	char		**nids;
	size_t		  n = 0, i, k = 0;

	memset(d, 0, sizeof *d);
	if (store_nids(net->node->store, &nids, &n) != 0)
		return;
	heads = xcalloc(n + 1, sizeof *heads);
	for (i = 0; i < n; i++)
		if (head_of(net, nids[i], &heads[k]) == 0)
			k++;
	qsort(heads, k, sizeof *heads, head_cmp);
	wire_digest(heads, k, d->digest);
	d->count = k;
	free(heads);
	store_nids_free(nids, n);
}

void
sync_send_digest(struct peer *p)
{
	struct wire_digest	 d;
	struct buf		 b;

	SP(p)->ae = 1;		/* their SUMMARY, if any, tells what they lack */
	free(SP(p)->theirs);
	SP(p)->theirs = NULL;
	SP(p)->ntheirs = 0;
	sync_our_digest(NET(p), &d);
	buf_init(&b);
	wire_digest_encode(&b, &d);
	sync_send(p, &b);
	buf_free(&b);
	contacts_send_digest(p);	/* the card sets, with every DIGEST */
}

/* DIGEST: when the peer's heads differ from ours, it gets our SUMMARY. */
static int
sync_digest_in(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_digest	 theirs, ours;
	char			*why = NULL;

	if (wire_digest_decode(m, len, &theirs, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	sync_our_digest(NET(p), &ours);
	if (theirs.count != ours.count ||
	    memcmp(theirs.digest, ours.digest, sizeof ours.digest) != 0)
		sync_send_summary(p);
	return 0;
}

/*
 * After the SUMMARY that answered our DIGEST: sends the peer the heads we
 * hold that it lacks or has older, so anti-entropy heals both ways.
 */
static void
sync_send_delta(struct peer *p)
{
	struct wire_summary	*sum;
	struct wire_head	 h, *t;
	struct buf		 b;
	char			**nids;
	size_t			 n, i;

	SP(p)->ae = 0;
	if (store_nids(NET(p)->node->store, &nids, &n) != 0)
		goto out;
	if (SP(p)->ntheirs > 0)
		qsort(SP(p)->theirs, SP(p)->ntheirs, sizeof *SP(p)->theirs,
		    head_cmp);
	sum = xcalloc(1, sizeof *sum);
	buf_init(&b);
	for (i = 0; i <= n; i++) {
		if (i < n && head_of(NET(p), nids[i], &h) == 0) {
			t = SP(p)->ntheirs == 0 ? NULL : bsearch(&h,
			    SP(p)->theirs, SP(p)->ntheirs, sizeof h, head_cmp);
			if (t == NULL || t->seq < h.seq)
				sum->heads[sum->nheads++] = h;
		}
		if (sum->nheads == WIRE_SUMMARY_MAX ||
		    (i == n && sum->nheads > 0)) {
			sum->more = 0;	/* each page stands alone */
			b.len = 0;
			wire_summary_encode(&b, sum);
			if (sync_send(p, &b) != 0)
				break;
			sum->nheads = 0;
		}
	}
	buf_free(&b);
	free(sum);
	store_nids_free(nids, n);
out:
	free(SP(p)->theirs);
	SP(p)->theirs = NULL;
	SP(p)->ntheirs = 0;
}

/* Notes each head in a summary page that we replicate and lack; fetches after the last page. */
static int
sync_summary(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_summary	*sum;
	char			*why = NULL;
	size_t			 i;

	sum = xmalloc(sizeof *sum);
	if (wire_summary_decode(m, len, sum, &why) != 0) {
		free(sum);
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	for (i = 0; i < sum->nheads; i++) {
		fetch_note(p, &sum->heads[i]);
		if (SP(p)->ae && SP(p)->ntheirs < SYNC_MAX_THEIRS) {
			SP(p)->theirs = xreallocarray(SP(p)->theirs,
			    SP(p)->ntheirs + 1, sizeof *SP(p)->theirs);
			SP(p)->theirs[SP(p)->ntheirs++] = sum->heads[i];
		}
	}
	if (!sum->more) {
		if (SP(p)->ae)
			sync_send_delta(p);
		fetch_next(p);
		/* The peer knows nothing newer of our own branch: we are caught up. */
		if (!fetch_busy_any(NET(p)->sync, NET(p)->node->nid) &&
		    !fetch_pending(p, NET(p)->node->nid))
			node_recovered(NET(p)->node);
	}
	free(sum);
	return 0;
}

/* Notes the peer's clock from its HELLO; warns (once a connection) when it is off. */
static void
sync_clock(struct peer *p, uint64_t theirs)
{
	int64_t	 off;

	/* Peer bytes: any uint64. Beyond 2^62 s it is simply far ahead. */
	if (theirs > (uint64_t)INT64_MAX / 2)
		theirs = (uint64_t)INT64_MAX / 2;
	off = (int64_t)theirs - (int64_t)time(NULL);
	SP(p)->clock_offset = off;
	if (off > SYNC_CLOCK_WARN || off < -SYNC_CLOCK_WARN)
		log_warnx("peer %s: its clock is %lld s %s ours; signed "
		    "announcements are judged by both clocks, but check the "
		    "time on both nodes (timedatectl, NTP)", p->nid,
		    (long long)(off < 0 ? -off : off), off < 0 ? "behind" :
		    "ahead of");
}

/* 1 when t is fresh by the clock now + off. */
static int
fresh_at(uint64_t t, int64_t off)
{
	int64_t	 now = (int64_t)time(NULL) + off;

	return (int64_t)t <= now + SYNC_ANN_FUTURE &&
	    (int64_t)t + SYNC_ANN_MAXAGE >= now;
}

int
sync_time_fresh(const struct peer *p, uint64_t t)
{
	int64_t	 off = SP(p)->clock_offset;

	if (t > INT64_MAX / 2)
		return 0;
	if (off > SYNC_CLOCK_TRUST)
		off = SYNC_CLOCK_TRUST;
	if (off < -SYNC_CLOCK_TRUST)
		off = -SYNC_CLOCK_TRUST;
	return fresh_at(t, 0) || fresh_at(t, off);
}

/* A signed head announcement: verified, kept, and fetched when newer than ours. */
static int
sync_announce(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_announce	 a;
	struct wire_head	 h;
	char			 nid[KEYS_NID_MAX], *why = NULL;
	time_t			 now;
	static struct log_limit	 stale;

	if (wire_announce_decode(m, len, &a, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (wire_announce_verify(&a) != 0)
		return sync_fail(p, WIRE_E_PROTOCOL, "ANNOUNCE: bad signature");
	keys_nid_encode(a.pk, nid);
	if (!sync_time_fresh(p, a.time)) {
		now = time(NULL);
		log_warnx_limit(&stale, "peer %s: ANNOUNCE of %s dropped: "
		    "signed %lld s %s our clock (stale or from the future)",
		    p->nid, nid, (long long)(a.time > (uint64_t)now ?
		    a.time - (uint64_t)now : (uint64_t)now - a.time),
		    a.time > (uint64_t)now ? "ahead of" : "behind");
		return 0;
	}
	if (!trust_replicates(NET(p)->node, nid)) {
		log_debug("peer %s: announce of %s ignored: not replicated",
		    p->nid, nid);
		return 0;
	}
	sync_ann_keep(NET(p)->sync, nid, &a);
	memcpy(h.pk, a.pk, KEYS_PK_LEN);
	h.seq = a.seq;
	memcpy(h.head, a.head, WIRE_OID_LEN);
	fetch_note(p, &h);
	fetch_next(p);
	return 0;
}

/* HELLO: the peer's version and addresses. */
static int
sync_hello(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_hello	 h;
	char			*why = NULL;
	int			 first;

	if (wire_hello_decode(m, len, &h, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (h.version != WIRE_VERSION)
		return sync_fail(p, WIRE_E_PROTOCOL, "HELLO: version %llu, "
		    "we speak %d", (unsigned long long)h.version, WIRE_VERSION);
	first = !SP(p)->hello;
	SP(p)->hello = 1;
	SP(p)->features = h.features;
	sync_clock(p, h.time);
	if (first)
		contacts_send_digest(p);	/* once we know it takes sets */
	return 0;
}

/* PING gets a PONG with the same nonce. */
static int
sync_ping(struct peer *p, const uint8_t *m, size_t len, int type)
{
	struct wire_ping	 ping;
	struct buf		 b;
	char			*why = NULL;

	if (wire_ping_decode(m, len, &ping, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (type == WIRE_PONG)
		return 0;
	buf_init(&b);
	wire_ping_encode(&b, WIRE_PONG, ping.nonce);
	sync_send(p, &b);
	buf_free(&b);
	return 0;
}

/* ERROR from the peer: logged; fails the fetch it answers. */
static int
sync_error(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_error	 e;
	char			*why = NULL;

	if (wire_error_decode(m, len, &e, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	log_warnx("peer %s (%s) reports error %llu: %s", p->nid, p->addr,
	    (unsigned long long)e.code, e.text);
	fetch_error(p, &e);
	return 0;
}

int
sync_message(struct peer *p, const uint8_t *m, size_t len, void *arg)
{
	int	 type = wire_type(m, len);

	if (type != WIRE_HELLO && !SP(p)->hello)
		return sync_fail(p, WIRE_E_PROTOCOL, "message %d before HELLO",
		    type);
	if (!SP(p)->admitted && type >= 0 && type != WIRE_HELLO &&
	    type != WIRE_PING && type != WIRE_JOIN &&
	    type != WIRE_PONG && type != WIRE_ERROR) {
		/* Not admitted: nothing it says is acted on (PROTOCOL.md §4.8). */
		if (type == WIRE_NODE)
			return gossip_node_claim(p, m, len);
		return 0;
	}
	switch (type) {
	case WIRE_HELLO:
		return sync_hello(p, m, len);
	case WIRE_SUMMARY:
		return sync_summary(p, m, len);
	case WIRE_ANNOUNCE:
		return sync_announce(p, m, len);
	case WIRE_WANT:
		return fetch_want(p, m, len);
	case WIRE_PACK:
		return fetch_pack(p, m, len);
	case WIRE_PING:
	case WIRE_PONG:
		return sync_ping(p, m, len, type);
	case WIRE_ERROR:
		return sync_error(p, m, len);
	case WIRE_DIGEST:
		return sync_digest_in(p, m, len);
	case WIRE_NODE:
		return gossip_node_in(p, m, len);
	case WIRE_JOIN:
		return join_in(p, m, len);
	case WIRE_CARDS:
		return contacts_in(p, m, len);
	case WIRE_CARDSUM:
		return contacts_sum_in(p, m, len);
	default:
		return sync_fail(p, WIRE_E_PROTOCOL, "unknown message");
	}
}

void
sync_relay(struct net *net, const char *nid, struct peer *from)
{
	struct sync_ann		*h = sync_ann_find(net->sync, nid);
	struct wire_summary	*sum;
	struct wire_head	 head;
	struct buf		 b;
	struct peer		*p;

	if (head_of(net, nid, &head) != 0)
		return;
	buf_init(&b);
	if (h != NULL && h->a.seq == head.seq &&
	    memcmp(h->a.head, head.head, WIRE_OID_LEN) == 0)
		wire_announce_encode(&b, &h->a);	/* the signed bytes, unchanged */
	else {
		sum = xcalloc(1, sizeof *sum);
		sum->heads[0] = head;
		sum->nheads = 1;
		wire_summary_encode(&b, sum);
		free(sum);
	}
	TAILQ_FOREACH(p, &net->peers->list, entry)
		if (p != from && p->state == PEER_READY && SP(p)->admitted)
			sync_send(p, &b);
	buf_free(&b);
}

void
sync_published(struct net *net)
{
	struct wire_announce	 a;
	struct wire_head	 h;

	if (net->peers == NULL || head_of(net, net->node->nid, &h) != 0)
		return;
	memset(&a, 0, sizeof a);
	memcpy(a.pk, net->node->kp.pk, KEYS_PK_LEN);
	a.seq = h.seq;
	memcpy(a.head, h.head, WIRE_OID_LEN);
	a.time = (uint64_t)time(NULL);
	wire_announce_sign(&a, &net->node->kp);
	sync_ann_keep(net->sync, net->node->nid, &a);
	sync_relay(net, net->node->nid, NULL);
}

void
sync_peer_writable(struct peer *p, void *arg)
{
	fetch_stream(p);
	contacts_stream(p);
}

void
sync_peer_tick(struct peer *p, time_t now, void *arg)
{
	fetch_tick(p, now);
}
