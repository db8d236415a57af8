/*
 * evilpeer.c — a hostile peer for regression tests (tests/regress/hostile.sh).
 *
 *	evilpeer --home DIR --connect HOST:PORT --network NAME
 *	    [--wait SECONDS] [--base OID] [--lesson-id ID] [--erase-blob OID]
 *	    SCENARIO
 *
 * It is the node of a home made by `knowd init` (its key and repo.git),
 * speaks knowd's real protocol (chan.h, wire.h) and then misbehaves as the
 * scenario says, printing what it did and how the target reacted
 * ("conn N: reaction: ..." lines). Before the handshake: garbage, bigframe.
 * After it: stall, bomb, forged, cards (a forged and a tampered contact
 * card set, then a good one), claim (another node's branch at seq
 * 2^64-1, the WANT for it never answered), nodeflood (NODEs of fresh
 * keys, one address). Serving a WANT with a pack: honest (our
 * real head), good (a flawless next commit), unsigned, wrongkey, seqgap,
 * nodescend (a validly signed fork), badfork, badpath, truncated, badrecord,
 * bigblob, and those of evilpeer_forge.h: deltabomb, zlibbomb, extras,
 * badextras, badident, unsorted, duptree, dupid (with --lesson-id ID),
 * badnotice and keynotice (with --erase-blob OID).
 * Forged commits build on --base (the head the target holds for us) or
 * our real head; they are written to repo.git as objects only, no ref
 * there moves. Exit 0 when the scenario ran, 1 when the tool could not do
 * its part, 2 on usage errors; the test judges the target.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>
#include <sodium.h>

#include "cards.h"
#include "chan.h"
#include "conf.h"
#include "home.h"
#include "keys.h"
#include "node.h"
#include "record.h"
#include "store.h"
#include "util.h"
#include "wire.h"

#include "evilpeer_conn.h"

#define EVIL_GARBAGE	70000	/* bytes of noise: more than any frame claims */
#define EVIL_WAIT	10	/* default seconds to wait for a reaction */
#define EVIL_SETTLE	1	/* seconds to linger after a pack that should pass */
#define EVIL_BIGBLOB	(32u * 1024 * 1024)	/* bytes of the bigblob file */

struct evil {
	const char		*home;
	char			*host;
	char			*port;
	uint8_t			 netid[CHAN_NETID_LEN];
	int			 wait;
	struct keys_pair	 kp;
	char			 nid[KEYS_NID_MAX];
	struct store		*st;
	const char		*scenario;
	const char		*base;		/* --base: hex oid to build on */
	int			 nconn;
	git_oid			 extra[4];	/* objects packed beside the walk */
	size_t			 nextra;
};

static const char *lesson_id;	/* --lesson-id: the id forged lessons take */
static const char *erase_blob;	/* --erase-blob: the blob a forged notice names */

struct scenario {
	const char	*name;
	int		(*run)(struct evil *, const struct scenario *);
	int		(*forge)(struct evil *, const git_oid *, uint64_t,
			    git_oid *, uint64_t *);
	int		 truncate;	/* send half of the pack, flagged last */
	int		 passes;	/* a pack the target should take (or keep) */
	/* Rewrites the pack into out (evilpeer_forge.h). */
	int		(*alter)(struct evil *, const git_buf *, struct buf *out);
};

/* Connects, completes the handshake and sends HELLO: a peer like any other, so far. */
static int
conn_start(struct evil *ev, struct conn *c)
{
	struct wire_hello	 h;
	struct buf		 b;
	int			 rv;

	if (conn_open(c, ev->host, ev->port, ++ev->nconn) != 0)
		return -1;
	if (handshake(c, &ev->kp, ev->netid, ev->wait) != 0) {
		conn_close(c);
		return -1;
	}
	memset(&h, 0, sizeof h);
	h.version = WIRE_VERSION;
	/* $EVIL_HELLO_TIME: a clock of the peer's choosing (any uint64). */
	h.time = getenv("EVIL_HELLO_TIME") != NULL ?
	    strtoull(getenv("EVIL_HELLO_TIME"), NULL, 10) : (uint64_t)time(NULL);
	buf_init(&b);
	wire_hello_encode(&b, &h);
	rv = msg_send(c, &b);
	buf_free(&b);
	if (rv != 0)
		conn_close(c);
	return rv;
}

/* garbage: random bytes instead of a handshake (never a 32-byte message 1). */
static int
sc_garbage(struct evil *ev, const struct scenario *sc)
{
	struct conn	 c;
	uint8_t		*b = xmalloc(EVIL_GARBAGE);

	do
		randombytes_buf(b, EVIL_GARBAGE);
	while (b[0] == 0 && b[1] == 32);
	if (conn_open(&c, ev->host, ev->port, ++ev->nconn) != 0) {
		free(b);
		return -1;
	}
	printf("conn %d: sent: %d random bytes instead of a handshake (the "
	    "first frame claims %u bytes)\n", c.n, EVIL_GARBAGE,
	    (unsigned)b[0] << 8 | b[1]);
	send_all(&c, b, EVIL_GARBAGE);
	await_raw(&c, ev->wait);
	conn_close(&c);
	free(b);
	return 0;
}

/* bigframe: a 65535-byte frame as handshake message 1. */
static int
sc_bigframe(struct evil *ev, const struct scenario *sc)
{
	struct conn	 c;
	uint8_t		*b = xmalloc(2 + CHAN_MAX_FRAME);

	b[0] = b[1] = 0xff;
	randombytes_buf(b + 2, CHAN_MAX_FRAME);
	if (conn_open(&c, ev->host, ev->port, ++ev->nconn) != 0) {
		free(b);
		return -1;
	}
	printf("conn %d: sent: a %d-byte frame as handshake message 1\n", c.n,
	    CHAN_MAX_FRAME);
	send_all(&c, b, 2 + CHAN_MAX_FRAME);
	await_raw(&c, ev->wait);
	conn_close(&c);
	free(b);
	return 0;
}

/* stall: after HELLO, a frame header announcing 1000 bytes and only 10 of them. */
static int
sc_stall(struct evil *ev, const struct scenario *sc)
{
	struct conn	 c;
	uint8_t		 part[2 + 10] = { 0x03, 0xe8 };

	if (conn_start(ev, &c) != 0)
		return -1;
	randombytes_buf(part + 2, sizeof part - 2);
	if (send_all(&c, part, sizeof part) == 0) {
		printf("conn %d: sent: a frame header announcing 1000 bytes, then "
		    "10 of them; waiting up to %d s\n", c.n, ev->wait);
		await(&c, ev->wait, NULL);
	}
	conn_close(&c);
	return 0;
}

/* msgpack headers that claim far more than the frame holds. */
static const uint8_t bomb_flat[] = { 0xdd, 0x08, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t bomb_nested[] = {
	0xdd, 0x08, 0x00, 0x00, 0x00, 0xdd, 0x08, 0x00, 0x00, 0x00,
	0xdd, 0x08, 0x00, 0x00, 0x00, 0xdd, 0x08, 0x00, 0x00, 0x00,
	0xdd, 0x08, 0x00, 0x00, 0x00 };
static const uint8_t bomb_pack[] = { 0xdd, 0x08, 0x00, 0x00, 0x00, 0x07 };
static const uint8_t bomb_summary[] = { 0x94, 0x04, 0x00, 0xc2,
	0xdd, 0x08, 0x00, 0x00, 0x00, 0xdd, 0x08, 0x00, 0x00, 0x00,
	0xdd, 0x08, 0x00, 0x00, 0x00, 0xdd, 0x08, 0x00, 0x00, 0x00,
	0xdd, 0x08, 0x00, 0x00, 0x00 };

static const struct bomb {
	const char	*label;
	const uint8_t	*b;
	size_t		 len;
} bombs[] = {
	{ "array32 of 0x08000000 (dd 08 00 00 00 00)", bomb_flat,
	    sizeof bomb_flat },
	{ "five nested array32 headers", bomb_nested, sizeof bomb_nested },
	{ "array32 of 0x08000000 starting with type 7 (PACK)", bomb_pack,
	    sizeof bomb_pack },
	{ "SUMMARY whose heads are five nested array32", bomb_summary,
	    sizeof bomb_summary },
};

/* bomb: each msgpack bomb in a sealed frame after HELLO, one connection each. */
static int
sc_bomb(struct evil *ev, const struct scenario *sc)
{
	struct conn	 c;
	size_t		 i;

	for (i = 0; i < nitems(bombs); i++) {
		if (conn_start(ev, &c) != 0)
			return -1;
		printf("conn %d: sent: %s (%zu bytes)\n", c.n, bombs[i].label,
		    bombs[i].len);
		if (msg_send_raw(&c, bombs[i].b, bombs[i].len) == 0)
			await(&c, ev->wait, NULL);
		conn_close(&c);
	}
	return 0;
}

/*
 * The head to build on and its seq: --base (the head the target holds for
 * us, which may be a commit we forged earlier), else our branch's real head.
 */
static int
evil_head(struct evil *ev, git_oid *head, uint64_t *seq)
{
	git_commit	*c;

	if (ev->base == NULL) {
		if (store_head(ev->st, ev->nid, head, seq) == 0 && *seq > 0)
			return 0;
		fprintf(stderr, "evilpeer: %s has no origin branch\n", ev->home);
		return -1;
	}
	if (git_oid_fromstr(head, ev->base) != 0 ||
	    git_commit_lookup(&c, store_repo(ev->st), head) != 0) {
		fprintf(stderr, "evilpeer: --base %s: no such commit\n", ev->base);
		return -1;
	}
	*seq = store_message_seq(git_commit_message(c));
	git_commit_free(c);
	return *seq > 0 ? 0 : -1;
}

/* Replaces an ANNOUNCE's signature by one from another key over the same bytes. */
static void
resign(struct wire_announce *a, const struct keys_pair *other)
{
	uint8_t	 msg[sizeof WIRE_CTX_ANNOUNCE + WIRE_SIGNED_MAX];

	memcpy(msg, WIRE_CTX_ANNOUNCE, sizeof WIRE_CTX_ANNOUNCE);
	memcpy(msg + sizeof WIRE_CTX_ANNOUNCE, a->s.body, a->s.bodylen);
	crypto_sign_detached(a->s.sig, NULL, msg,
	    sizeof WIRE_CTX_ANNOUNCE + a->s.bodylen, other->sk);
}

/* forged: an ANNOUNCE of our own next head signed by another key, then one with a flipped bit. */
static int
sc_forged(struct evil *ev, const struct scenario *sc)
{
	struct wire_announce	 a;
	struct keys_pair	 other;
	struct conn		 c;
	struct buf		 b;
	git_oid			 head;
	uint64_t		 seq;
	int			 i;

	if (evil_head(ev, &head, &seq) != 0)
		return -1;
	keys_generate(&other);
	for (i = 0; i < 2; i++) {
		memset(&a, 0, sizeof a);
		memcpy(a.pk, ev->kp.pk, KEYS_PK_LEN);
		a.seq = seq + 1;
		randombytes_buf(a.head, sizeof a.head);
		a.time = (uint64_t)time(NULL);
		wire_announce_sign(&a, &ev->kp);
		if (i == 0)
			resign(&a, &other);
		else
			a.s.sig[17] ^= 0x04;
		if (conn_start(ev, &c) != 0)
			break;
		buf_init(&b);
		wire_announce_encode(&b, &a);
		printf("conn %d: sent: ANNOUNCE of our seq %llu, %s\n", c.n,
		    (unsigned long long)a.seq, i == 0 ? "signed by another key" :
		    "one signature bit flipped");
		if (msg_send(&c, &b) == 0)
			await(&c, ev->wait, NULL);
		buf_free(&b);
		conn_close(&c);
	}
	keys_wipe(&other);
	return i == 2 ? 0 : -1;
}

/* A card set of ours (target evil-project, mailbox addr), signed. Caller frees. */
static struct cards_set *
evil_cards(struct evil *ev, const char *addr)
{
	struct cards_set *s = xcalloc(1, sizeof *s);

	s->seq = s->time = (uint64_t)time(NULL);
	s->n = 1;
	snprintf(s->e[0].target, sizeof s->e[0].target, "evil-project");
	s->e[0].date = s->time;
	snprintf(s->e[0].c.role, sizeof s->e[0].c.role, "Rolle");
	snprintf(s->e[0].c.unit, sizeof s->e[0].c.unit, "Amt");
	snprintf(s->e[0].c.mailbox, sizeof s->e[0].c.mailbox, "%s", addr);
	cards_entry_seal(&s->e[0], NULL);
	cards_sign(s, &ev->kp);
	return s;
}

/*
 * cards: a card set of ours signed by another key, then one whose content
 * does not match its signed hash, then a good one (seq one higher), each
 * on a connection of its own.
 */
static int
sc_cards(struct evil *ev, const struct scenario *sc)
{
	static const char *what[] = { "signed by another key",
	    "a content changed after signing", "good" };
	struct cards_set *s;
	struct keys_pair other;
	struct conn	 c;
	struct buf	 b;
	uint8_t		 m[sizeof CARDS_CTX + CARDS_BODY_MAX], *p;
	int		 i;

	keys_generate(&other);
	for (i = 0; i < 3; i++) {
		s = evil_cards(ev, i == 2 ? "echt@evil.example" :
		    "forged@evil.example");
		s->seq += (uint64_t)i;
		if (i == 0) {
			memcpy(m, CARDS_CTX, sizeof CARDS_CTX);
			memcpy(m + sizeof CARDS_CTX, s->body, s->bodylen);
			crypto_sign_detached(s->sig, NULL, m, sizeof CARDS_CTX +
			    s->bodylen, other.sk);
		} else if (i == 1 && (p = memmem(s->e[0].raw, s->e[0].rawlen,
		    "forged", 6)) != NULL)
			*p = 'g';
		if (i == 2)
			cards_sign(s, &ev->kp);
		if (conn_start(ev, &c) != 0) {
			free(s);
			break;
		}
		buf_init(&b);
		cards_encode(&b, s);
		printf("conn %d: sent: CARDS, %s\n", c.n, what[i]);
		if (msg_send(&c, &b) == 0)
			await(&c, i == 2 ? EVIL_SETTLE : ev->wait, NULL);
		buf_free(&b);
		conn_close(&c);
		free(s);
	}
	keys_wipe(&other);
	return i == 3 ? 0 : -1;
}

/*
 * claim: a SUMMARY that lists another node's branch ($EVIL_CLAIM, a did:key)
 * at seq 2^64-1 with a made-up head; then every WANT goes unanswered.
 */
static int
sc_claim(struct evil *ev, const struct scenario *sc)
{
	struct wire_summary	*sum;
	struct wire_want	 w;
	struct conn		 c;
	struct buf		 b;
	const char		*did = getenv("EVIL_CLAIM");
	int			 rv = -1;

	sum = xcalloc(1, sizeof *sum);
	if (did == NULL || keys_did_decode(did, sum->heads[0].pk, NULL) != 0) {
		fprintf(stderr, "evilpeer: claim needs EVIL_CLAIM=did:key:…\n");
		free(sum);
		return -1;
	}
	sum->heads[0].seq = UINT64_MAX;
	randombytes_buf(sum->heads[0].head, sizeof sum->heads[0].head);
	sum->nheads = 1;
	if (conn_start(ev, &c) == 0) {
		buf_init(&b);
		wire_summary_encode(&b, sum);
		printf("conn %d: sent: SUMMARY claiming %s at seq 2^64-1\n", c.n,
		    did);
		if (msg_send(&c, &b) == 0 && await(&c, ev->wait, &w) == R_WANT) {
			printf("conn %d: got the WANT; answering nothing\n", c.n);
			await(&c, ev->wait, NULL);
		}
		buf_free(&b);
		conn_close(&c);
		rv = 0;
	}
	free(sum);
	return rv;
}

/*
 * nodeflood: $EVIL_FLOOD_N (default 3000) NODEs, each of a fresh key and
 * validly signed by it, all advertising $EVIL_FLOOD_ADDR (default
 * 127.0.0.1:1), sent at once; then the connection is held.
 */
static int
sc_nodeflood(struct evil *ev, const struct scenario *sc)
{
	struct keys_pair kp;
	struct wire_node n;
	struct conn	 c;
	struct buf	 b;
	const char	*e = getenv("EVIL_FLOOD_N"), *addr = getenv("EVIL_FLOOD_ADDR");
	int		 i, count = e != NULL ? atoi(e) : 3000, sent = 0;

	if (conn_start(ev, &c) != 0)
		return -1;
	for (i = 0; i < count; i++) {
		memset(&n, 0, sizeof n);
		keys_generate(&kp);
		memcpy(n.pk, kp.pk, KEYS_PK_LEN);
		snprintf(n.name, sizeof n.name, "Flutknoten %d", i);
		snprintf(n.addrs[0], sizeof n.addrs[0], "%s",
		    addr != NULL ? addr : "127.0.0.1:1");
		n.naddrs = 1;
		n.time = (uint64_t)time(NULL);
		wire_node_sign(&n, &kp);
		keys_wipe(&kp);
		buf_init(&b);
		wire_node_encode(&b, &n);
		sent += msg_send(&c, &b) == 0;
		buf_free(&b);
	}
	printf("conn %d: sent: %d NODEs of fresh keys\n", c.n, sent);
	await(&c, ev->wait, NULL);
	conn_close(&c);
	return 0;
}

#include "evilpeer_forge.h"

/* Packs what a WANT asks for: every wanted head minus the haves we hold. */
static int
pack_for(struct evil *ev, const struct wire_want *w, git_buf *pack)
{
	git_repository	*repo = store_repo(ev->st);
	git_revwalk	*walk = NULL;
	git_packbuilder	*pb = NULL;
	git_odb		*odb = NULL;
	git_oid		 id;
	size_t		 i, j;
	int		 rv = -1;

	if (git_revwalk_new(&walk, repo) != 0 ||
	    git_packbuilder_new(&pb, repo) != 0 ||
	    git_repository_odb(&odb, repo) != 0)
		goto out;
	for (i = 0; i < w->nb; i++) {
		git_oid_fromraw(&id, w->b[i].want);
		if (git_revwalk_push(walk, &id) != 0)
			goto out;
		for (j = 0; j < w->b[i].nhaves; j++) {
			git_oid_fromraw(&id, w->b[i].haves[j]);
			if (git_odb_exists(odb, &id) &&
			    git_revwalk_hide(walk, &id) != 0)
				goto out;
		}
	}
	for (i = 0; i < ev->nextra; i++)
		if (git_packbuilder_insert(pb, &ev->extra[i], NULL) != 0)
			goto out;
	if (git_packbuilder_insert_walk(pb, walk) == 0 &&
	    git_packbuilder_write_buf(pack, pb) == 0)
		rv = 0;
out:
	if (rv != 0)
		fprintf(stderr, "evilpeer: pack: %s\n", store_git_error());
	git_odb_free(odb);
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	return rv;
}

/* Sends a pack in PACK chunks answering reqid; truncate sends its first half only. */
static int
send_pack(struct conn *c, uint64_t reqid, const uint8_t *data, size_t len,
    int truncate)
{
	struct buf	 b;
	size_t		 off = 0, n, total = len;
	int		 chunks = 0, last = 0, rv = 0;

	if (truncate)
		len /= 2;
	buf_init(&b);
	while (!last && rv == 0) {
		n = len - off > WIRE_CHUNK_MAX ? WIRE_CHUNK_MAX : len - off;
		last = off + n == len;
		b.len = 0;
		wire_pack_encode(&b, reqid, data + off, n, last);
		rv = msg_send(c, &b);
		off += n;
		chunks++;
	}
	buf_free(&b);
	printf("conn %d: sent: PACK reqid %llu: %zu of %zu bytes in %d "
	    "chunk(s), the last flagged last%s\n", c->n,
	    (unsigned long long)reqid, off, total, chunks,
	    rv != 0 ? " (send failed)" : "");
	return rv;
}

/* Prints the forged tip and what the daemon's own verifier says of it, locally. */
static void
show_tip(struct evil *ev, const git_oid *head, const git_oid *tip,
    uint64_t seq)
{
	char		 hex[GIT_OID_HEXSZ + 1], *why = NULL;
	uint64_t	 n = 0;

	git_oid_tostr(hex, sizeof hex, tip);
	printf("tip: %s seq %llu\n", hex, (unsigned long long)seq);
	if (verify_range(store_repo(ev->st), ev->nid, tip, head, &n, &why) == 0)
		printf("local verify: ok, %llu new commit(s)\n",
		    (unsigned long long)n);
	else
		printf("local verify: %s\n", why);
	free(why);
}

/* Advertises one head of our branch in a one-page SUMMARY. */
static int
send_summary(struct evil *ev, struct conn *c, const git_oid *tip, uint64_t seq)
{
	struct wire_summary	*sum = xcalloc(1, sizeof *sum);
	struct buf		 b;
	int			 rv;

	memcpy(sum->heads[0].pk, ev->kp.pk, KEYS_PK_LEN);
	sum->heads[0].seq = seq;
	memcpy(sum->heads[0].head, tip->id, WIRE_OID_LEN);
	sum->nheads = 1;
	buf_init(&b);
	wire_summary_encode(&b, sum);
	rv = msg_send(c, &b);
	printf("conn %d: sent: SUMMARY with our head at seq %llu\n", c->n,
	    (unsigned long long)seq);
	buf_free(&b);
	free(sum);
	return rv;
}

/* The pack scenarios: advertise a forged head, answer the WANT with its pack. */
static int
sc_pack(struct evil *ev, const struct scenario *sc)
{
	struct wire_want	*w = xcalloc(1, sizeof *w);
	struct conn		 c;
	git_oid			 head, tip;
	uint64_t		 seq, tipseq;
	git_buf			 pack = { 0 };
	struct buf		 alt;
	int			 rv = -1;

	buf_init(&alt);
	if (evil_head(ev, &head, &seq) != 0 ||
	    sc->forge(ev, &head, seq, &tip, &tipseq) != 0) {
		free(w);
		return -1;
	}
	show_tip(ev, &head, &tip, tipseq);
	if (conn_start(ev, &c) != 0) {
		free(w);
		return -1;
	}
	if (send_summary(ev, &c, &tip, tipseq) != 0)
		goto out;
	if (await(&c, ev->wait, w) != R_WANT) {
		printf("conn %d: no WANT: nothing to serve\n", c.n);
		rv = 0;
		goto out;
	}
	if (pack_for(ev, w, &pack) != 0 ||
	    (sc->alter != NULL && sc->alter(ev, &pack, &alt) != 0))
		goto out;
	if (send_pack(&c, w->reqid, sc->alter != NULL ? alt.data :
	    (const uint8_t *)pack.ptr, sc->alter != NULL ? alt.len : pack.size,
	    sc->truncate) == 0)
		await(&c, sc->passes ? EVIL_SETTLE : ev->wait, NULL);
	rv = 0;
out:
	buf_free(&alt);
	git_buf_dispose(&pack);
	conn_close(&c);
	free(w);
	return rv;
}

static const struct scenario scenarios[] = {
	{ "garbage", sc_garbage, NULL, 0, 0, NULL },
	{ "bigframe", sc_bigframe, NULL, 0, 0, NULL },
	{ "stall", sc_stall, NULL, 0, 0, NULL },
	{ "bomb", sc_bomb, NULL, 0, 0, NULL },
	{ "forged", sc_forged, NULL, 0, 0, NULL },
	{ "cards", sc_cards, NULL, 0, 0, NULL },
	{ "claim", sc_claim, NULL, 0, 0, NULL },
	{ "nodeflood", sc_nodeflood, NULL, 0, 0, NULL },
	{ "honest", sc_pack, forge_honest, 0, 1, NULL },
	{ "good", sc_pack, forge_good, 0, 1, NULL },
	{ "unsigned", sc_pack, forge_unsigned, 0, 0, NULL },
	{ "seqgap", sc_pack, forge_seqgap, 0, 0, NULL },
	{ "nodescend", sc_pack, forge_nodescend, 0, 1, NULL },
	{ "badfork", sc_pack, forge_nodescend, 0, 0, NULL },
	{ "badpath", sc_pack, forge_badpath, 0, 0, NULL },
	{ "truncated", sc_pack, forge_good, 1, 0, NULL },
	{ "badrecord", sc_pack, forge_badfile, 0, 0, NULL },
	{ "wrongkey", sc_pack, forge_wrongkey, 0, 0, NULL },
	{ "bigblob", sc_pack, forge_badfile, 0, 0, NULL },
	{ "deltabomb", sc_pack, forge_good, 0, 0, alter_deltabomb },
	{ "zlibbomb", sc_pack, forge_zlibbomb, 0, 0, alter_zlibbomb },
	{ "extras", sc_pack, forge_extras, 0, 0, NULL },
	{ "badextras", sc_pack, forge_extras, 0, 0, NULL },
	{ "badident", sc_pack, forge_good, 0, 0, NULL },
	{ "unsorted", sc_pack, forge_badtree, 0, 0, NULL },
	{ "duptree", sc_pack, forge_badtree, 0, 0, NULL },
	{ "dupid", sc_pack, forge_good, 0, 0, NULL },
	{ "badnotice", sc_pack, forge_notice, 0, 0, NULL },
	{ "keynotice", sc_pack, forge_notice, 0, 0, NULL },
};

static void __attribute__((noreturn))
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: evilpeer --home DIR --connect HOST:PORT "
	    "--network NAME [--wait SECONDS] [--base OID] [--lesson-id ID] "
	    "[--erase-blob OID] "
	    "SCENARIO\n"
	    "scenarios:");
	for (i = 0; i < nitems(scenarios); i++)
		fprintf(stderr, " %s", scenarios[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

/* Parses the command line into ev; returns the scenario. */
static const struct scenario *
parse_args(struct evil *ev, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "connect", required_argument, NULL, 'c' },
		{ "network", required_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, 'w' },
		{ "base", required_argument, NULL, 'b' },
		{ "lesson-id", required_argument, NULL, 'l' },
		{ "erase-blob", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 } };
	const char	*connect_to = NULL, *network = CONFIG_DEFAULT_NETWORK;
	char		*why = NULL;
	size_t		 i;
	int		 ch;

	ev->wait = EVIL_WAIT;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			ev->home = optarg;
			break;
		case 'c':
			connect_to = optarg;
			break;
		case 'n':
			network = optarg;
			break;
		case 'w':
			ev->wait = atoi(optarg);
			break;
		case 'b':
			ev->base = optarg;
			break;
		case 'l':
			lesson_id = optarg;
			break;
		case 'e':
			erase_blob = optarg;
			break;
		default:
			usage();
		}
	}
	if (ev->home == NULL || connect_to == NULL || optind + 1 != argc ||
	    ev->wait < 1)
		usage();
	if (config_split_hostport(connect_to, &ev->host, &ev->port, &why) != 0) {
		fprintf(stderr, "evilpeer: %s\n", why);
		free(why);
		exit(2);
	}
	chan_network_id(network, ev->netid);
	for (i = 0; i < nitems(scenarios); i++)
		if (strcmp(argv[optind], scenarios[i].name) == 0)
			return &scenarios[i];
	usage();
}

/* Loads the node's key and opens its repository. */
static int
evil_open(struct evil *ev)
{
	char	*path, *why = NULL;
	int	 rv;

	path = home_path(ev->home, HOME_KEY);
	rv = keys_load(path, &ev->kp, &why);
	free(path);
	if (rv == 0) {
		keys_nid_encode(ev->kp.pk, ev->nid);
		path = home_path(ev->home, HOME_REPO);
		rv = store_open(path, &ev->st, &why);
		free(path);
	}
	if (rv != 0) {
		fprintf(stderr, "evilpeer: %s\n", why);
		free(why);
	}
	return rv;
}

int
main(int argc, char **argv)
{
	struct evil		 ev;
	const struct scenario	*sc;
	int			 rv;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	memset(&ev, 0, sizeof ev);
	sc = parse_args(&ev, argc, argv);
	ev.scenario = sc->name;
	if (sodium_init() < 0)
		return 1;
	store_global_init();
	if ((rv = evil_open(&ev)) == 0) {
		printf("evilpeer %s: node %s -> %s:%s\n", sc->name, ev.nid,
		    ev.host, ev.port);
		rv = sc->run(&ev, sc);
		printf("evilpeer %s: %s\n", sc->name, rv == 0 ? "done" :
		    "could not run");
	}
	store_close(ev.st);
	keys_wipe(&ev.kp);
	free(ev.host);
	free(ev.port);
	git_libgit2_shutdown();
	return rv == 0 ? 0 : 1;
}
