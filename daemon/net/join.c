/*
 * join.c — JOIN (PROTOCOL.md §4.9): a node redeems an invitation of ours
 * inside the secure channel. A pending peer may send one JOIN per
 * connection; each address may try JOIN_BURST times, then once every
 * JOIN_EVERY seconds (a bounded table of addresses), and every refused
 * JOIN counts toward the peer's penalty (penalty.c). A good JOIN makes
 * this node vouch for the peer, which admits it (net_readmit via
 * NODE_REPLICATION), and is answered with our JOIN; a bad one gets ERROR 6
 * with a German sentence for the joiner's operator and the channel closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "invite.h"
#include "log.h"
#include "net_int.h"
#include "util.h"

#define JOIN_BURST	10		/* attempts an address may make at once */
#define JOIN_EVERY	30		/* then one every so many seconds */
#define JOIN_ADDRS	4096		/* addresses remembered */

struct join_rate {
	char	 host[PEER_ADDR_MAX];
	double	 tokens;
	time_t	 last;
};

/* Forgets the addresses whose bucket is full again (only when the table is full). */
static void
join_expire(struct hmap *m, time_t now)
{
	struct join_rate *r;
	char		**gone = NULL;
	size_t		  it = 0, n = 0, i;

	while ((r = hmap_next(m, &it)) != NULL)
		if (r->tokens + (double)(now - r->last) / JOIN_EVERY >= JOIN_BURST)
			strv_push(&gone, &n, r->host);
	for (i = 0; i < n; i++)
		free(hmap_del(m, gone[i], strlen(gone[i])));
	strv_free(gone, n);
}

/* Takes one attempt from host's bucket; 0 when it may try, -1 when over. */
static int
join_take(struct net *net, const char *host)
{
	struct hmap	 *m = net->sync->joins;
	struct join_rate *r = hmap_gets(m, host);
	time_t		  now = time(NULL);

	if (r == NULL) {
		if (hmap_count(m) >= JOIN_ADDRS)
			join_expire(m, now);
		if (hmap_count(m) >= JOIN_ADDRS)
			return -1;		/* a flood from everywhere: wait */
		r = xcalloc(1, sizeof *r);
		snprintf(r->host, sizeof r->host, "%s", host);
		r->tokens = JOIN_BURST;
		r->last = now;
		hmap_put(m, r->host, strlen(r->host), r);
	}
	r->tokens += (double)(now - r->last) / JOIN_EVERY;
	if (r->tokens > JOIN_BURST)
		r->tokens = JOIN_BURST;
	r->last = now;
	if (r->tokens < 1)
		return -1;
	r->tokens -= 1;
	return 0;
}

void
join_free(struct net *net)
{
	struct join_rate *r;
	size_t		  it = 0;

	while ((r = hmap_next(net->sync->joins, &it)) != NULL)
		free(r);
	hmap_free(net->sync->joins);
	net->sync->joins = NULL;
}

/* Refuses a JOIN: English in our log, German to the joiner; closes the channel. */
static int
join_refuse(struct peer *p, enum wire_errcode code, const char *en,
    const char *de)
{
	struct buf	 b;

	log_warnx("peer %s (%s): JOIN refused: %s", p->nid, p->addr, en);
	/* Its key goes with the home it could not make: not worth a pending entry. */
	if (!SP(p)->admitted)
		node_pending_forget(NET(p)->node, p->nid);
	buf_init(&b);
	wire_error_encode(&b, code, de);
	peer_send(p, &b);
	buf_free(&b);
	peer_close(p, "JOIN refused: %s", en);
	return -1;
}

int
join_in(struct peer *p, const uint8_t *m, size_t len)
{
	struct wire_join	 j, ans;
	struct buf		 b;
	enum node_invite_result	 v;
	const uint8_t		*hh = chan_handshake_hash(&p->chan);
	char			*why = NULL;

	if (wire_join_decode(m, len, &j, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (SP(p)->joined++ > 0)
		return sync_fail(p, WIRE_E_PROTOCOL, "JOIN: one per connection");
	if (SP(p)->admitted)
		return join_refuse(p, WIRE_E_JOIN, "already admitted",
		    "Dieser Knoten ist bei der Agentur schon zugelassen");
	if (join_take(NET(p), p->host) != 0)
		return join_refuse(p, WIRE_E_BUSY, "too many attempts from "
		    "this address", "Zu viele Versuche von dieser Adresse; "
		    "bitte später erneut versuchen");
	if (hh == NULL)
		return sync_fail(p, WIRE_E_PROTOCOL, "JOIN before the channel");
	v = node_invite_redeem(NET(p)->node, p->nid, j.id, j.proof, hh,
	    NOISE_HASHLEN, ans.proof, &why);
	if (v != NODE_INVITE_OK) {
		if (why != NULL)
			log_warnx("peer %s: JOIN: %s", p->nid, why);
		free(why);
		if (v != NODE_INVITE_BUSY && v != NODE_INVITE_FAILED)
			penalty_strike(NET(p), p->nid, "JOIN refused");
		return join_refuse(p, v == NODE_INVITE_BUSY ? WIRE_E_BUSY :
		    WIRE_E_JOIN, node_invite_why(v), node_invite_why_de(v));
	}
	memcpy(ans.id, j.id, sizeof ans.id);
	buf_init(&b);
	wire_join_encode(&b, &ans);
	sync_send(p, &b);
	buf_free(&b);
	sodium_memzero(&ans, sizeof ans);
	return 0;
}
