/*
 * contacts.c — contact card sets between peers (PROTOCOL.md §4.10): CARDS
 * carries one node's signed set, relayed to every other admitted peer when
 * it was newer than the one held; CARDSUM compares digests of the (pk, seq)
 * held and swaps lists, so a node that was away learns every newer set,
 * a clear included. Sets go out through a queue per peer (each nid once,
 * the newest set at the time it is sent), refilled as the socket drains.
 * Only peers whose HELLO set WIRE_FEATURE_CARDS are sent any of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "net_int.h"
#include "util.h"

#define CONTACTS_STREAM_LOW	(256 * 1024)	/* refill below this many queued bytes */
#define CONTACTS_LIST_EVERY	2	/* seconds between our lists to one peer, at least */

/* True when p takes card sets. */
static int
contacts_peer_ok(struct peer *p)
{
	return p->state == PEER_READY && SP(p)->admitted &&
	    (SP(p)->features & WIRE_FEATURE_CARDS) != 0;
}

/* Queues nid's set for p (once). */
static void
contacts_queue(struct peer *p, const char *nid)
{
	struct sync_peer *sp = SP(p);
	struct contacts_q *q;

	if (sp->cards_q == NULL) {
		sp->cards_q = hmap_new();
		TAILQ_INIT(&sp->cards_queue);
	}
	if (hmap_gets(sp->cards_q, nid) != NULL)
		return;
	q = xcalloc(1, sizeof *q);
	snprintf(q->nid, sizeof q->nid, "%s", nid);
	hmap_put(sp->cards_q, q->nid, strlen(q->nid), q);
	TAILQ_INSERT_TAIL(&sp->cards_queue, q, entry);
}

void
contacts_stream(struct peer *p)
{
	struct sync_peer *sp = SP(p);
	struct contacts_q *q;
	const uint8_t	*m;
	struct buf	 b;
	size_t		 len;

	if (sp->cards_q == NULL)
		return;
	buf_init(&b);
	while (p->state == PEER_READY && peer_queued(p) < CONTACTS_STREAM_LOW &&
	    (q = TAILQ_FIRST(&sp->cards_queue)) != NULL) {
		TAILQ_REMOVE(&sp->cards_queue, q, entry);
		hmap_del(sp->cards_q, q->nid, strlen(q->nid));
		if ((m = node_contacts_msg(NET(p)->node, q->nid, &len)) != NULL) {
			b.len = 0;
			buf_add(&b, m, len);
			if (sync_send(p, &b) != 0) {
				free(q);
				break;	/* p is closed */
			}
		}
		free(q);
	}
	buf_free(&b);
}

void
contacts_peer_gone(struct peer *p)
{
	struct sync_peer *sp = SP(p);
	struct contacts_q *q;

	if (sp->cards_q == NULL)
		return;
	while ((q = TAILQ_FIRST(&sp->cards_queue)) != NULL) {
		TAILQ_REMOVE(&sp->cards_queue, q, entry);
		free(q);
	}
	hmap_free(sp->cards_q);
	sp->cards_q = NULL;
}

/* Sends nid's set to every admitted peer that takes sets but from. */
static void
contacts_relay(struct net *net, const char *nid, struct peer *from)
{
	struct peer	*p;

	TAILQ_FOREACH(p, &net->peers->list, entry) {
		if (p == from || !contacts_peer_ok(p))
			continue;
		contacts_queue(p, nid);
		contacts_stream(p);
	}
}

void
net_contacts_published(struct net *net)
{
	if (net != NULL && net->peers != NULL)
		contacts_relay(net, net->node->nid, NULL);
}

/* Sends CARDSUM pages: mode with our digest and the entries v[0..n). */
static void
contacts_send_sum(struct peer *p, enum cards_mode mode,
    const struct cards_sum_entry *v, size_t n)
{
	struct cards_sum *s = xcalloc(1, sizeof *s);
	struct buf	 b;
	size_t		 i = 0;

	s->mode = mode;
	node_contacts_digest(NET(p)->node, &s->count, s->digest);
	buf_init(&b);
	do {
		s->n = 0;
		while (i < n && s->n < CARDS_SUM_MAX)
			s->e[s->n++] = v[i++];
		b.len = 0;
		cards_sum_encode(&b, s);
		if (sync_send(p, &b) != 0)
			break;
	} while (i < n);
	buf_free(&b);
	free(s);
}

void
contacts_send_digest(struct peer *p)
{
	if (contacts_peer_ok(p))
		contacts_send_sum(p, CARDS_DIGEST, NULL, 0);
}

/* Sends our list of every set held. */
static void
contacts_send_list(struct peer *p)
{
	struct cards_sum_entry *v;
	size_t		 n;

	n = node_contacts_list(NET(p)->node, &v);
	if (n > 0)
		contacts_send_sum(p, CARDS_LIST, v, n);
	free(v);
}

/*
 * The peer's sets (LIST) or what it lacks (WANT): ours that are newer go
 * out; for LIST, those it holds newer are asked for with a WANT of ours.
 */
static void
contacts_compare(struct peer *p, const struct cards_sum *s)
{
	struct cards_sum_entry *want = NULL;
	size_t		 i, nwant = 0;
	uint64_t	 ours;
	char		 nid[KEYS_NID_MAX];

	if (s->mode == CARDS_LIST)
		want = xcalloc(s->n + 1, sizeof *want);
	for (i = 0; i < s->n; i++) {
		keys_nid_encode(s->e[i].pk, nid);
		ours = node_contacts_seq(NET(p)->node, nid);
		if (ours > s->e[i].seq)
			contacts_queue(p, nid);
		else if (want != NULL && ours < s->e[i].seq &&
		    trust_replicates(NET(p)->node, nid)) {
			memcpy(want[nwant].pk, s->e[i].pk, KEYS_PK_LEN);
			want[nwant++].seq = ours;
		}
	}
	if (nwant > 0)
		contacts_send_sum(p, CARDS_WANT, want, nwant);
	free(want);
	contacts_stream(p);
}

int
contacts_sum_in(struct peer *p, const uint8_t *m, size_t len)
{
	struct cards_sum *s = xmalloc(sizeof *s);
	uint64_t	 count;
	uint8_t		 digest[32];
	char		*why = NULL;

	if (cards_sum_decode(m, len, s, &why) != 0) {
		free(s);
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (!contacts_peer_ok(p)) {
		free(s);
		return 0;		/* it did not say it takes sets */
	}
	node_contacts_digest(NET(p)->node, &count, digest);
	if (s->mode == CARDS_DIGEST || s->mode == CARDS_DIGEST_REPLY) {
		/* A list answers a digest at most every CONTACTS_LIST_EVERY s. */
		if ((count != s->count || memcmp(digest, s->digest, 32) != 0) &&
		    time(NULL) - SP(p)->cards_listed >= CONTACTS_LIST_EVERY) {
			SP(p)->cards_listed = time(NULL);
			contacts_send_list(p);
			if (s->mode == CARDS_DIGEST)
				contacts_send_sum(p, CARDS_DIGEST_REPLY, NULL, 0);
		}
	} else
		contacts_compare(p, s);
	free(s);
	return 0;
}

int
contacts_in(struct peer *p, const uint8_t *m, size_t len)
{
	char	 nid[KEYS_NID_MAX], *why = NULL;
	int	 r;

	r = node_contacts_take(NET(p)->node, m, len, nid, &why);
	if (r < 0) {
		penalty_refused(NET(p), p->nid);
		sync_fail(p, WIRE_E_PROTOCOL, "card set refused: %s", why);
		free(why);
		return -1;
	}
	if (r == 1)
		contacts_relay(NET(p), nid, p);
	return 0;
}
