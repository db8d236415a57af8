/*
 * fetch.c — WANT and PACK: asking a peer for the heads it has that we lack,
 * serving the packs peers ask us for (built on the worker thread and streamed
 * in chunks as the socket drains), and taking in received packs only after
 * the worker verified every new commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "net_int.h"
#include "util.h"

#define FETCH_STREAM_LOW	(256 * 1024)	/* refill below this many queued bytes */
#define FETCH_PACK_REFS		32	/* loose refs that make them worth packing */
#define FETCH_PACK_REFS_MAX	2048	/* packed even while fetches go on */

struct build_job {
	struct worker_job	 j;
	struct net		*net;
	uint64_t		 serial;
	uint64_t		 reqid;
	struct wire_want	 want;
	size_t			 step;		/* 0: the whole pack at once */
	struct buf		 pack;
	double			 ms;		/* build time, for the debug log */
	char			*cause;
	int			 rv;
};

struct refs_job {
	struct worker_job	 j;
	struct net		*net;
	char			*cause;
	int			 rv;
};

static void	fetch_pack_refs(struct net *);

struct recv_job {
	struct worker_job	 j;
	struct net		*net;
	uint64_t		 serial;
	char			 from[KEYS_NID_MAX];	/* the sender, for the log */
	struct sync_fetch	*f;		/* owned by the job while it runs */
	char			*cause;
	int			 rv;
	double			 ms;		/* verify time, for the debug log */
};

/* Milliseconds on the monotonic clock. */
static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
fetch_pending(struct peer *p, const char *nid)
{
	uint8_t	 pk[KEYS_PK_LEN];

	if (keys_did_decode(nid, pk, NULL) != 0)
		return 0;
	return hmap_get(SP(p)->pending, pk, KEYS_PK_LEN) != NULL;
}

/* The WANTs out for one nid: how many, and how many of them for a proven head. */
struct fetch_mark {
	char	 nid[KEYS_NID_MAX];
	int	 all, proven;
};

int
fetch_busy(struct sync *s, const char *nid)
{
	struct fetch_mark *m = hmap_gets(s->fetching, nid);

	return m != NULL && m->proven > 0;
}

int
fetch_busy_any(struct sync *s, const char *nid)
{
	return hmap_gets(s->fetching, nid) != NULL;
}

/* The WANTs out to one peer for one nid (a claimed head is not asked of the same peer twice). */
struct fetch_ask {
	uint8_t	 key[sizeof(uint64_t) + KEYS_NID_MAX];
	size_t	 len;
	int	 n;
};

/* The key of serial's WANTs for nid into a. */
static void
ask_key(struct fetch_ask *a, uint64_t serial, const char *nid)
{
	size_t	 l = strlen(nid);

	memset(a, 0, sizeof *a);
	memcpy(a->key, &serial, sizeof serial);
	memcpy(a->key + sizeof serial, nid, l);
	a->len = sizeof serial + l;
}

/* True when a WANT for nid is out to the peer of serial (or being verified). */
static int
fetch_asked(struct sync *s, uint64_t serial, const char *nid)
{
	struct fetch_ask k;

	ask_key(&k, serial, nid);
	return hmap_get(s->asked, k.key, k.len) != NULL;
}

/* Counts a WANT for nid to the peer of serial in (on) or out. */
static void
ask_mark(struct sync *s, uint64_t serial, const char *nid, int on)
{
	struct fetch_ask k, *a;

	ask_key(&k, serial, nid);
	if ((a = hmap_get(s->asked, k.key, k.len)) == NULL && on) {
		a = xcalloc(1, sizeof *a);
		*a = k;
		hmap_put(s->asked, a->key, a->len, a);
	}
	if (a == NULL)
		return;
	a->n += on ? 1 : -1;
	if (a->n <= 0) {
		hmap_del(s->asked, a->key, a->len);
		free(a);
	}
}

/* Counts a WANT for nid in (on) or out; proven: for a head with proof. */
static void
fetch_mark(struct sync *s, const char *nid, int on, int proven)
{
	struct fetch_mark *m = hmap_gets(s->fetching, nid);

	if (on && m == NULL) {
		m = xcalloc(1, sizeof *m);
		snprintf(m->nid, sizeof m->nid, "%s", nid);
		hmap_put(s->fetching, m->nid, strlen(m->nid), m);
	}
	if (m == NULL)
		return;
	m->all += on ? 1 : -1;
	m->proven += proven ? (on ? 1 : -1) : 0;
	if (m->all <= 0) {
		hmap_del(s->fetching, m->nid, strlen(m->nid));
		free(m);
	}
}

/*
 * A head offered by a peer has proof when the peer is its origin, or when
 * we hold the origin's signed ANNOUNCE of that seq or a newer one. Only a
 * WANT for a head with proof keeps other peers from fetching the branch:
 * a claimed seq never makes us wait on one peer while another has the real
 * head (a stranger's SUMMARY may claim any seq).
 */
static int
head_proven(struct peer *p, const char *nid, const struct wire_head *h)
{
	struct sync_ann	*a;

	if (strcmp(p->nid, nid) == 0)
		return 1;
	a = sync_ann_find(NET(p)->sync, nid);
	return a != NULL && a->a.seq >= h->seq;
}

/* Our seq for nid, 0 when we hold no branch of it. */
static uint64_t
our_seq(struct net *net, const char *nid, git_oid *head)
{
	uint64_t seq = 0;

	if (store_head(net->node->store, nid, head, &seq) != 0)
		return 0;
	return seq;
}

/* True when head is kept as a fork proof of nid. */
static int
fork_known(struct net *net, const char *nid, const uint8_t head[WIRE_OID_LEN])
{
	git_oid	*ids;
	size_t	 n, i;
	int	 found = 0;

	if (store_forks(net->node->store, nid, &ids, NULL, &n) != 0)
		return 0;
	for (i = 0; i < n && !found; i++)
		found = memcmp(ids[i].id, head, WIRE_OID_LEN) == 0;
	free(ids);
	return found;
}

void
fetch_note(struct peer *p, const struct wire_head *h)
{
	struct sync_peer *sp = SP(p);
	struct sync_pending *q;
	char		 nid[KEYS_NID_MAX];
	git_oid		 head;
	uint64_t	 seq;

	keys_nid_encode(h->pk, nid);
	if (!trust_replicates(NET(p)->node, nid))
		return;
	seq = our_seq(NET(p), nid, &head);
	if (h->seq < seq || (h->seq == seq && (memcmp(h->head, head.id,
	    WIRE_OID_LEN) == 0 || fork_known(NET(p), nid, h->head))))
		return;		/* old, the same, or a fork we hold as proof */
	if ((q = hmap_get(sp->pending, h->pk, KEYS_PK_LEN)) != NULL) {
		if (h->seq > q->h.seq)
			q->h = *h;
		return;
	}
	if (hmap_count(sp->pending) >= SYNC_MAX_PENDING)
		return;		/* bounded; anti-entropy brings the rest later */
	q = xcalloc(1, sizeof *q);
	q->h = *h;
	hmap_put(sp->pending, q->h.pk, KEYS_PK_LEN, q);
	TAILQ_INSERT_TAIL(&sp->queue, q, entry);
}

/* Forgets a noted head. */
static void
pending_drop(struct sync_peer *sp, struct sync_pending *q)
{
	hmap_del(sp->pending, q->h.pk, KEYS_PK_LEN);
	TAILQ_REMOVE(&sp->queue, q, entry);
	free(q);
}

void
fetch_pending_free(struct peer *p)
{
	struct sync_peer *sp = SP(p);

	while (!TAILQ_EMPTY(&sp->queue))
		pending_drop(sp, TAILQ_FIRST(&sp->queue));
	hmap_free(sp->pending);
	sp->pending = NULL;
}

/* Frees a fetch and unmarks its nids. */
static void
fetch_free(struct net *net, struct sync_fetch *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		fetch_mark(net->sync, f->u[i].nid, 0, f->proven[i]);
		ask_mark(net->sync, f->serial, f->u[i].nid, 0);
		if (f->chg != NULL)
			catalog_change_free(f->chg[i]);
	}
	free(f->chg);
	free(f->proven);
	free(f->u);
	free(f->want);
	buf_free(&f->data);
	free(f);
}

/*
 * Moves the first noted heads still newer than ours into a WANT (at most
 * WIRE_WANT_MAX), passing over those another peer is bringing.
 */
static struct sync_fetch *
fetch_build(struct peer *p, struct wire_want *w)
{
	struct sync_peer	*sp = SP(p);
	struct sync_pending	*q, *next;
	struct sync_fetch	*f;
	struct pack_update	*u;
	uint64_t		 seq;

	f = xcalloc(1, sizeof *f);
	f->serial = p->serial;
	f->u = xcalloc(WIRE_WANT_MAX, sizeof *f->u);
	f->want = xcalloc(WIRE_WANT_MAX, sizeof *f->want);
	f->proven = xcalloc(WIRE_WANT_MAX, sizeof *f->proven);
	for (q = TAILQ_FIRST(&sp->queue); q != NULL && w->nb < WIRE_WANT_MAX;
	    q = next) {
		next = TAILQ_NEXT(q, entry);
		u = &f->u[f->n];
		keys_nid_encode(q->h.pk, u->nid);
		if (fetch_busy(NET(p)->sync, u->nid) ||
		    fetch_asked(NET(p)->sync, p->serial, u->nid))
			continue;	/* another peer, or this one, brings it */
		seq = our_seq(NET(p), u->nid, &u->old);
		if (q->h.seq < seq || (q->h.seq == seq &&
		    memcmp(q->h.head, u->old.id, WIRE_OID_LEN) == 0)) {
			pending_drop(sp, q);
			continue;
		}
		u->has_old = seq > 0;
		git_oid_fromraw(&u->new, q->h.head);
		memcpy(w->b[w->nb].pk, q->h.pk, KEYS_PK_LEN);
		memcpy(w->b[w->nb].want, q->h.head, WIRE_OID_LEN);
		if (seq > 0) {
			memcpy(w->b[w->nb].haves[0], u->old.id, WIRE_OID_LEN);
			w->b[w->nb].nhaves = 1;
		}
		f->proven[f->n] = head_proven(p, u->nid, &q->h);
		fetch_mark(NET(p)->sync, u->nid, 1, f->proven[f->n]);
		ask_mark(NET(p)->sync, p->serial, u->nid, 1);
		f->want[f->n] = q->h;
		pending_drop(sp, q);
		w->nb++;
		f->n++;
	}
	if (f->n == 0) {
		fetch_free(NET(p), f);
		return NULL;
	}
	return f;
}

/* Lets every ready peer send its next WANT: a branch one peer failed to bring may come from another. */
static void
fetch_kick_all(struct net *net, struct peer *except)
{
	struct peer	*q;

	TAILQ_FOREACH(q, &net->peers->list, entry)
		if (q != except && q->state == PEER_READY)
			fetch_next(q);
}

void
fetch_next(struct peer *p)
{
	struct wire_want	*w;
	struct sync_fetch	*f;
	struct buf		 b;
	int			 banned;

	if (SP(p)->fetch != NULL || TAILQ_EMPTY(&SP(p)->queue) ||
	    SP(p)->verifying >= SYNC_MAX_VERIFYING ||
	    p->state != PEER_READY || penalty_wait(NET(p), p->nid, &banned) > 0)
		return;
	w = xcalloc(1, sizeof *w);
	if ((f = fetch_build(p, w)) != NULL) {
		w->reqid = f->reqid = ++SP(p)->next_reqid;
		f->progress = time(NULL);
		SP(p)->fetch = f;
		buf_init(&b);
		wire_want_encode(&b, w);
		log_debug("peer %s: WANT %zu branch(es)", p->nid, w->nb);
		sync_send(p, &b);
		buf_free(&b);
	}
	free(w);
}

/* Worker: builds the pack a peer asked for. */
static void
build_run(struct worker_job *j, git_repository *repo)
{
	struct build_job *bj = (struct build_job *)j;

	double t0 = mono_ms();

	bj->rv = pack_build(repo, &bj->want, bj->step, &bj->pack, &bj->cause);
	bj->ms = mono_ms() - t0;
}

/* Event loop: starts streaming the built pack, or tells the peer why not. */
static void
build_done(struct worker_job *j)
{
	struct build_job *bj = (struct build_job *)j;
	struct peer	*p = j->cancelled ? NULL : peers_by_serial(bj->net->peers,
			    bj->serial);
	struct buf	 b;

	if (p != NULL) {
		SP(p)->serving = 0;
		if (bj->rv != 0) {
			log_warnx("peer %s: cannot serve WANT: %s", p->nid,
			    bj->cause);
			buf_init(&b);
			wire_error_encode(&b, WIRE_E_UNKNOWN, bj->cause);
			sync_send(p, &b);
			buf_free(&b);
		} else {
			buf_free(&SP(p)->out);
			SP(p)->out = bj->pack;	/* moved: the peer owns it now */
			buf_init(&bj->pack);
			SP(p)->outpos = 0;
			SP(p)->outreqid = bj->reqid;
			log_debug("peer %s: sending pack of %zu bytes for %zu "
			    "branch(es), built in %.0f ms", p->nid,
			    SP(p)->out.len, bj->want.nb, bj->ms);
			fetch_stream(p);
		}
	}
	buf_free(&bj->pack);
	free(bj->cause);
	free(bj);
}

void
fetch_stream(struct peer *p)
{
	struct sync_peer *sp = SP(p);
	struct buf	 b;
	size_t		 n;
	int		 last;

	if (sp->out.data == NULL)
		return;
	buf_init(&b);
	while (p->state == PEER_READY && peer_queued(p) < FETCH_STREAM_LOW) {
		n = sp->out.len - sp->outpos;
		if (n > WIRE_CHUNK_MAX)
			n = WIRE_CHUNK_MAX;
		last = sp->outpos + n == sp->out.len;
		b.len = 0;
		wire_pack_encode(&b, sp->outreqid, sp->out.data + sp->outpos, n,
		    last);
		if (sync_send(p, &b) != 0)
			break;
		sp->outpos += n;
		if (last) {
			buf_free(&sp->out);
			break;
		}
	}
	buf_free(&b);
}

int
fetch_want(struct peer *p, const uint8_t *m, size_t len)
{
	struct build_job *bj;
	char		*why = NULL;

	bj = xcalloc(1, sizeof *bj);
	if (wire_want_decode(m, len, &bj->want, &why) != 0) {
		free(bj);
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (SP(p)->serving || SP(p)->out.data != NULL) {
		free(bj);
		return sync_fail(p, WIRE_E_PROTOCOL, "WANT while the previous "
		    "one is still being answered");
	}
	if (net_jobs(NET(p)) >= SYNC_MAX_JOBS) {
		struct buf b;

		free(bj);
		buf_init(&b);
		wire_error_encode(&b, WIRE_E_BUSY, "busy, try again later");
		sync_send(p, &b);
		buf_free(&b);
		return 0;
	}
	bj->j.run = build_run;
	bj->j.done = build_done;
	bj->net = NET(p);
	bj->serial = p->serial;
	bj->reqid = bj->want.reqid;
	if (SP(p)->features & WIRE_FEATURE_STEPS)
		bj->step = PACK_STEP_BYTES;
	SP(p)->serving = 1;
	worker_submit(net_worker(NET(p)), &bj->j);
	return 0;
}

/*
 * Worker: reads and parses what each verified branch's move changes in the
 * catalog, so that the loop only links it in (NULL where it could not: the
 * loop then does it itself).
 */
static void
recv_prepare(git_repository *repo, struct sync_fetch *f)
{
	struct pack_update *u;
	git_oid		 oldtree, newtree;
	char		*why = NULL;
	size_t		 i;

	f->chg = xcalloc(f->n, sizeof *f->chg);
	for (i = 0; i < f->n; i++) {
		u = &f->u[i];
		if (u->stale || u->absent || u->fork ||
		    (u->has_old && store_tree_of(repo, &u->old, &oldtree) != 0) ||
		    store_tree_of(repo, &u->new, &newtree) != 0)
			continue;
		if (catalog_prepare(repo, u->nid, u->has_old ? &oldtree : NULL,
		    &newtree, &f->chg[i], &why) != 0) {
			free(why);
			why = NULL;
		}
	}
}

/* Worker: indexes the received pack into quarantine and verifies every update. */
static void
recv_run(struct worker_job *j, git_repository *repo)
{
	struct recv_job *rj = (struct recv_job *)j;

	double t0 = mono_ms();

	verify_memo_begin();	/* records parsed once, for both */
	rj->rv = pack_receive(repo, rj->f->data.data, rj->f->data.len,
	    rj->f->u, rj->f->n, &rj->cause);
	if (rj->rv == 0)
		recv_prepare(repo, rj->f);
	verify_memo_end();
	rj->ms = mono_ms() - t0;
}

/*
 * Event loop: moves each verified branch by compare-and-swap; the node's
 * pipeline then relays it to the other peers (source: &from).
 */
static void
recv_apply(struct net *net, struct sync_fetch *f, struct peer *from)
{
	struct node	*nd = net->node;
	struct node_move *moves;
	struct pack_update *u;
	char		*why = NULL;
	size_t		 i, n = 0;

	moves = xcalloc(f->n + 1, sizeof *moves);
	for (i = 0; i < f->n; i++) {
		u = &f->u[i];
		if ((u->step || u->absent) && from != NULL)
			fetch_note(from, &f->want[i]);	/* the next step */
		if (u->stale || u->absent)
			continue;
		if (u->fork) {
			if (node_fork_seen(nd, u->nid, &u->new, &why) != 0) {
				log_warnx("branch %s: %s", u->nid, why);
				free(why);
				why = NULL;
			}
			continue;	/* a fork is kept, never relayed */
		}
		if (store_branch_move(nd->store, u->nid, u->has_old ? &u->old :
		    NULL, &u->new, &why) != 0) {
			log_warnx("branch %s: %s", u->nid, why);
			free(why);
			why = NULL;
			continue;
		}
		log_info("branch %s: +%llu commit(s) from %s%s", u->nid,
		    (unsigned long long)u->commits, from != NULL ? from->nid :
		    "a peer that left", u->step ? ", more to come" : "");
		memcpy(moves[n].nid, u->nid, sizeof moves[n].nid);
		moves[n].chg = f->chg != NULL ? f->chg[i] : NULL;
		moves[n].old = u->old;
		moves[n].has_old = u->has_old;
		moves[n].new = u->new;
		n++;
	}
	/* One batch down the pipeline: it settles forks, ends recovery, relays. */
	if (node_branches_moved(nd, moves, n, &from, &why) != 0) {
		log_warnx("a pack's %zu branches moved, but: %s", n, why);
		free(why);
	}
	free(moves);
	trust_settle(nd);	/* a vouch may have come or gone */
}

/* Worker: packs the loose refs after a burst of fetches. */
static void
refs_run(struct worker_job *j, git_repository *repo)
{
	struct refs_job *rj = (struct refs_job *)j;

	rj->rv = store_pack_refs(repo, &rj->cause);
}

/* Event loop: refs packed (or why not). */
static void
refs_done(struct worker_job *j)
{
	struct refs_job *rj = (struct refs_job *)j;

	if (!j->cancelled) {
		rj->net->packing_refs = 0;
		if (rj->rv != 0)
			log_warnx("%s", rj->cause);
	}
	free(rj->cause);
	free(rj);
}

/*
 * After a burst of fetched branches, their loose refs are packed on a
 * worker: when no WANT is out or being verified any more (packing deletes
 * the loose refs and their directories, and creating new ones right after
 * costs the file system dearly), or after FETCH_PACK_REFS_MAX moves. At a
 * burst's end the upkeep also merges the packs it brought (node_upkeep_burst).
 */
static void
fetch_pack_refs(struct net *net)
{
	struct refs_job *rj;
	size_t		 moves = store_moves(net->node->store);

	if (net->packing_refs || moves < FETCH_PACK_REFS ||
	    (hmap_count(net->sync->fetching) > 0 && moves < FETCH_PACK_REFS_MAX))
		return;
	store_moves_reset(net->node->store);
	if (hmap_count(net->sync->fetching) == 0)
		node_upkeep_burst(net->node);	/* its packs merged too */
	net->packing_refs = 1;
	rj = xcalloc(1, sizeof *rj);
	rj->j.run = refs_run;
	rj->j.done = refs_done;
	rj->net = net;
	worker_submit(net_worker(net), &rj->j);
}

/* Event loop: a received pack was verified (or not). */
static void
recv_done(struct worker_job *j)
{
	struct recv_job *rj = (struct recv_job *)j;
	struct peer	*p = j->cancelled ? NULL : peers_by_serial(rj->net->peers,
			    rj->serial);

	if (!j->cancelled && rj->rv == 0) {
		double t0 = mono_ms();

		penalty_verified(rj->net, rj->from);
		recv_apply(rj->net, rj->f, p);
		if (rj->f->n > 1)	/* a batch: no repack mid-burst */
			node_upkeep_busy(rj->net->node);
		log_debug("peer %s: pack of %zu bytes, %zu branch(es): verified "
		    "in %.0f ms, applied in %.0f ms", rj->from, rj->f->data.len,
		    rj->f->n, rj->ms, mono_ms() - t0);
	}
	else if (!j->cancelled && rj->rv == PACK_LOCAL)
		log_warnx("a pack from peer %s could not be taken in here, "
		    "nothing changed (asked again at the next anti-entropy "
		    "round): %s", rj->from, rj->cause);
	else if (!j->cancelled) {
		log_warnx("peer %s%s: pack rejected, nothing changed: %s",
		    rj->from, p != NULL ? "" : " (gone)", rj->cause);
		penalty_refused(rj->net, rj->from);
	}
	fetch_free(rj->net, rj->f);
	if (p != NULL) {
		SP(p)->verifying--;
		if (rj->rv != 0 && rj->rv != PACK_LOCAL)
			peer_close(p, "sent a pack that failed verification");
		else
			fetch_next(p);
	}
	if (!j->cancelled) {
		fetch_kick_all(rj->net, p);
		/* After the next WANTs went out: none out means the burst ended. */
		fetch_pack_refs(rj->net);
	}
	free(rj->cause);
	free(rj);
}

int
fetch_pack(struct peer *p, const uint8_t *m, size_t len)
{
	struct sync_fetch *f = SP(p)->fetch;
	struct wire_pack pk;
	struct recv_job	*rj;
	char		*why = NULL;

	if (wire_pack_decode(m, len, &pk, &why) != 0) {
		sync_fail(p, WIRE_E_PROTOCOL, "%s", why);
		free(why);
		return -1;
	}
	if (f == NULL || pk.reqid != f->reqid)
		return sync_fail(p, WIRE_E_PROTOCOL, "PACK for no request");
	if (f->data.len + pk.len > PACK_MAX_BYTES)
		return sync_fail(p, WIRE_E_LIMIT, "pack over %u bytes",
		    PACK_MAX_BYTES);
	buf_add(&f->data, pk.data, pk.len);
	f->progress = time(NULL);
	if (!pk.last)
		return 0;
	/*
	 * The pack is here: a worker verifies it while the next WANT goes out,
	 * so the peer builds the next pack meanwhile (at most
	 * SYNC_MAX_VERIFYING of one peer's packs wait for the workers).
	 */
	SP(p)->fetch = NULL;
	SP(p)->verifying++;
	f->indexing = 1;
	rj = xcalloc(1, sizeof *rj);
	rj->j.run = recv_run;
	rj->j.done = recv_done;
	rj->net = NET(p);
	rj->serial = p->serial;
	snprintf(rj->from, sizeof rj->from, "%s", p->nid);
	rj->f = f;
	worker_submit(net_worker(NET(p)), &rj->j);
	fetch_next(p);
	return 0;
}

void
fetch_error(struct peer *p, const struct wire_error *e)
{
	struct sync_fetch *f = SP(p)->fetch;

	if (f == NULL)
		return;
	SP(p)->fetch = NULL;
	fetch_free(NET(p), f);
	if (e->code != WIRE_E_BUSY)
		fetch_next(p);
	fetch_kick_all(NET(p), p);
}

void
fetch_peer_gone(struct peer *p)
{
	struct sync_fetch *f = SP(p)->fetch;

	/* Packs with the workers are freed by their jobs. */
	SP(p)->fetch = NULL;
	if (f != NULL) {
		fetch_free(NET(p), f);
		fetch_kick_all(NET(p), p);
	}
}

void
fetch_tick(struct peer *p, time_t now)
{
	struct sync_fetch *f = SP(p)->fetch;

	if (f != NULL && now - f->progress > NET(p)->fetch_timeout)
		peer_close(p, "WANT: no progress in %d s (%zu bytes of the "
		    "pack came)", NET(p)->fetch_timeout, f->data.len);
}
