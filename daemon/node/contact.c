/*
 * contact.c — contact cards outside the history (doc/DESIGN.md §11): one
 * signed card set per node, held in memory by nid (the CARDS message as
 * stored and sent) and on disk as HOME/contacts/<nid>, replaced atomically
 * so the old set's text is in no file. A newer set replaces the held one;
 * a content whose card expired (contact_max_age after its signed date) is
 * dropped here, on every node, by a timer set to the next expiry.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "cards.h"
#include "home.h"
#include "log.h"
#include "node.h"
#include "node_int.h"
#include "util.h"
#include "wire.h"

#define CONTACT_DIR	"contacts"
#define CONTACT_FUTURE	600	/* seconds a set's time may be ahead of ours */
#define CONTACT_TICK_MAX 3600	/* seconds between expiry looks at most */

/* One node's set as held: the CARDS message, stored and sent unchanged. */
struct contact_held {
	char		 nid[KEYS_NID_MAX];
	uint8_t		 pk[KEYS_PK_LEN];
	uint64_t	 seq;
	uint64_t	 oldest;	/* date of the oldest content held, or UINT64_MAX */
	uint8_t		*msg;
	size_t		 len;
};

struct node_contacts {
	struct hmap	*by_nid;	/* nid → struct contact_held */
	int		 digest_ok;
	uint64_t	 count;
	uint8_t		 digest[32];
	struct event	*timer;
	uint64_t	 timer_at;	/* when it fires, unix seconds */
	uint64_t	 gen;		/* bumped by every change */
};

/* The maximum age of a card, in seconds. */
static uint64_t
max_age(const struct node *nd)
{
	return (uint64_t)nd->conf.contact_max_age;
}

/* Frees a held set, wiping its bytes. */
static void
held_free(struct contact_held *h)
{
	if (h == NULL)
		return;
	sodium_memzero(h->msg, h->len);
	free(h->msg);
	free(h);
}

/* HOME/contacts/<nid>. Caller frees. */
static char *
held_path(const struct node *nd, const char *nid)
{
	return xasprintf("%s/%s/%s", nd->home, CONTACT_DIR, nid);
}

/* The date of the oldest content of s, or UINT64_MAX when none is held. */
static uint64_t
set_oldest(const struct cards_set *s)
{
	uint64_t	 t = UINT64_MAX;
	size_t		 i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].has && s->e[i].date < t)
			t = s->e[i].date;
	return t;
}

/* When the first content of h expires (by today's contact_max_age), or UINT64_MAX. */
static uint64_t
held_expires(const struct node *nd, const struct contact_held *h)
{
	if (h->oldest == UINT64_MAX || h->oldest > UINT64_MAX - max_age(nd))
		return UINT64_MAX;
	return h->oldest + max_age(nd);
}

/* Arms the expiry timer for t, or CONTACT_TICK_MAX seconds from now if sooner. */
static void
contacts_arm(struct node *nd, uint64_t t)
{
	struct node_contacts *nc = nd->contacts;
	struct timeval	 tv = { 0, 0 };
	uint64_t	 now = (uint64_t)time(NULL);

	if (nc == NULL || nc->timer == NULL)
		return;
	if (t > now + CONTACT_TICK_MAX)
		t = now + CONTACT_TICK_MAX;
	if (evtimer_pending(nc->timer, NULL) && nc->timer_at <= t)
		return;			/* already due sooner */
	nc->timer_at = t;
	tv.tv_sec = t > now ? (time_t)(t - now) : 0;
	evtimer_add(nc->timer, &tv);
}

/*
 * Stores s as nid's set: encoded, written to HOME/contacts/<nid> (replacing
 * the old file, so nothing of the old set stays) unless it is the file as
 * read at start (write 0), and held. An empty set with no content is kept
 * too: it is the tombstone older sets lose to.
 */
static int
held_put(struct node *nd, const char *nid, const struct cards_set *s,
    int write, char **cause)
{
	struct node_contacts *nc = nd->contacts;
	struct contact_held *h, *old;
	struct buf	 b;
	char		*path;
	int		 rv = 0;

	buf_init(&b);
	cards_encode(&b, s);
	if (write) {
		path = held_path(nd, nid);
		rv = write_file_atomic(path, b.data, b.len, 0600, cause);
		free(path);
	}
	if (rv != 0) {
		sodium_memzero(b.data, b.len);
		buf_free(&b);
		return -1;
	}
	h = xcalloc(1, sizeof *h);
	snprintf(h->nid, sizeof h->nid, "%s", nid);
	memcpy(h->pk, s->pk, KEYS_PK_LEN);
	h->seq = s->seq;
	h->oldest = set_oldest(s);
	h->len = b.len;
	h->msg = (uint8_t *)buf_detach(&b, NULL);
	old = hmap_del(nc->by_nid, nid, strlen(nid));
	held_free(old);
	hmap_put(nc->by_nid, h->nid, strlen(h->nid), h);
	nc->digest_ok = 0;
	nc->gen++;
	contacts_arm(nd, held_expires(nd, h));
	return 0;
}

/* Stores and writes s as nid's set. */
static int
held_store(struct node *nd, const char *nid, const struct cards_set *s,
    char **cause)
{
	return held_put(nd, nid, s, 1, cause);
}

/* Decodes a held set into *s (allocated). Caller frees. */
static struct cards_set *
held_decode(const struct contact_held *h)
{
	struct cards_set *s = xmalloc(sizeof *s);

	if (cards_decode(h->msg, h->len, s, NULL) != 0) {
		free(s);
		return NULL;		/* we wrote it: cannot happen */
	}
	return s;
}

/* Frees a decoded set, wiping the card texts. */
static void
set_free(struct cards_set *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, sizeof *s);
	free(s);
}

/* Loads one file of HOME/contacts; a bad one is removed. */
static void
contacts_load_one(struct node *nd, const char *name)
{
	struct cards_set *s;
	char		*path, *text = NULL, *why = NULL, nid[KEYS_NID_MAX];
	size_t		 len;

	path = held_path(nd, name);
	if (strstr(name, ".tmp.") != NULL) {
		unlink(path);		/* left by a crash mid-write */
		free(path);
		return;
	}
	s = xmalloc(sizeof *s);
	if (read_file(path, WIRE_MSG_MAX, &text, &len, &why) != 0 ||
	    cards_decode((uint8_t *)text, len, s, &why) != 0 ||
	    cards_verify(s) != 0) {
		log_warnx("contacts: %s: %s; removed", path, why != NULL ? why :
		    "bad signature");
		unlink(path);
	} else {
		keys_nid_encode(s->pk, nid);
		if (strcmp(nid, name) != 0) {
			log_warnx("contacts: %s holds the set of %s; removed",
			    path, nid);
			unlink(path);
		} else if (held_put(nd, nid, s, cards_prune(s,
		    (uint64_t)time(NULL), max_age(nd)) > 0, &why) != 0)
			log_warnx("contacts: %s", why);
	}
	if (text != NULL)
		sodium_memzero(text, len);
	free(text);
	free(why);
	set_free(s);
	free(path);
}

void
node_contacts_open(struct node *nd)
{
	struct dirent	*de;
	DIR		*d;
	char		*dir;

	nd->contacts = xcalloc(1, sizeof *nd->contacts);
	nd->contacts->by_nid = hmap_new();
	dir = home_path(nd->home, CONTACT_DIR);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		log_warn("contacts: %s", dir);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				contacts_load_one(nd, de->d_name);
		closedir(d);
	}
	free(dir);
}

/* The nids whose sets match (keep), collected before any is changed. Caller frees. */
static size_t
contacts_collect(struct node *nd, int (*keep)(struct node *,
    const struct contact_held *, uint64_t *), uint64_t *next, char ***out)
{
	struct contact_held *h;
	size_t		 it = 0, n = 0;

	*out = NULL;
	while ((h = hmap_next(nd->contacts->by_nid, &it)) != NULL)
		if (keep(nd, h, next))
			strv_push(out, &n, h->nid);
	return n;
}

/* Collects a set with a content due to expire; notes the next expiry otherwise. */
static int
expire_due(struct node *nd, const struct contact_held *h, uint64_t *next)
{
	uint64_t	 t = held_expires(nd, h);

	if (t <= (uint64_t)time(NULL))
		return 1;
	if (t < *next)
		*next = t;
	return 0;
}

/* Drops the content of every card that expired, everywhere held; rearms. */
static void
contacts_expire(struct node *nd)
{
	struct contact_held *h;
	struct cards_set *s;
	uint64_t	 now = (uint64_t)time(NULL), next = UINT64_MAX;
	size_t		 i, n, dropped;
	char		**nids, *why = NULL;

	n = contacts_collect(nd, expire_due, &next, &nids);
	for (i = 0; i < n; i++) {
		if ((h = hmap_gets(nd->contacts->by_nid, nids[i])) == NULL ||
		    (s = held_decode(h)) == NULL)
			continue;
		dropped = cards_prune(s, now, max_age(nd));
		if (held_store(nd, nids[i], s, &why) != 0) {
			log_warnx("contacts: %s", why);	/* again in a minute */
			free(why);
			why = NULL;
			if (now + 60 < next)
				next = now + 60;
		} else
			log_info("contacts: %zu expired card(s) of %s deleted",
			    dropped, nids[i]);
		set_free(s);
	}
	strv_free(nids, n);
	contacts_arm(nd, next);
}

/* Timer: expire what is due. */
static void
contacts_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	contacts_expire(arg);
}

void
node_contacts_reloaded(struct node *nd)
{
	if (nd->contacts != NULL && nd->contacts->timer != NULL) {
		evtimer_del(nd->contacts->timer);	/* contact_max_age may differ */
		contacts_expire(nd);
	}
}

void
node_contacts_start(struct node *nd, struct event_base *base)
{
	nd->contacts->timer = evtimer_new(base, contacts_timer_cb, nd);
	contacts_expire(nd);
}

void
node_contacts_stop(struct node *nd)
{
	if (nd->contacts != NULL && nd->contacts->timer != NULL) {
		event_free(nd->contacts->timer);
		nd->contacts->timer = NULL;
	}
}

void
node_contacts_close(struct node *nd)
{
	struct contact_held *h;
	size_t		 it = 0;

	if (nd->contacts == NULL)
		return;
	node_contacts_stop(nd);
	while ((h = hmap_next(nd->contacts->by_nid, &it)) != NULL)
		held_free(h);
	hmap_free(nd->contacts->by_nid);
	free(nd->contacts);
	nd->contacts = NULL;
}

/*
 * Why a set from a peer is not taken, or NULL when it may be (then it is
 * verified). A set of the held seq is taken only to fill in a live content
 * the held one lacks (*old: the held set, decoded).
 */
static const char *
take_why_not(struct node *nd, const char *nid, const struct cards_set *s,
    struct cards_set **old)
{
	struct contact_held *h = hmap_gets(nd->contacts->by_nid, nid);
	uint64_t	 now = (uint64_t)time(NULL);
	size_t		 i;

	if (!trust_replicates(nd, nid))
		return "not replicated";
	if (s->time > now + CONTACT_FUTURE)
		return "signed in the future";
	if (h == NULL || h->seq < s->seq)
		return NULL;
	if (h->seq > s->seq)
		return "older";
	if ((*old = held_decode(h)) == NULL || (*old)->bodylen != s->bodylen ||
	    memcmp((*old)->body, s->body, s->bodylen) != 0)
		return "held (another body under that seq)";
	for (i = 0; i < s->n; i++)
		if (!(*old)->e[i].has && s->e[i].has &&
		    !cards_expired(&s->e[i], now, max_age(nd)))
			return NULL;
	return "held";
}

int
node_contacts_take(struct node *nd, const uint8_t *m, size_t len,
    char nid[KEYS_NID_MAX], char **cause)
{
	struct cards_set *s, *old = NULL;
	const char	*whynot;
	char		*why = NULL;
	size_t		 i;
	int		 rv = 0;

	s = xmalloc(sizeof *s);
	if (cards_decode(m, len, s, cause) != 0) {
		rv = -1;
		goto out;
	}
	keys_nid_encode(s->pk, nid);
	if ((whynot = take_why_not(nd, nid, s, &old)) != NULL) {
		log_debug("contacts: set %llu of %s ignored: %s",
		    (unsigned long long)s->seq, nid, whynot);
		goto out;
	}
	if ((rv = cards_verify(s)) != 0) {
		rv = set_cause(cause, rv == -1 ? "CARDS: bad signature" :
		    "CARDS: a content does not match its signed hash");
		goto out;
	}
	cards_prune(s, (uint64_t)time(NULL), max_age(nd));
	for (i = 0; old != NULL && i < s->n; i++)
		if (!old->e[i].has && s->e[i].has)
			old->e[i] = s->e[i];	/* the same seq: fill in */
	if (held_store(nd, nid, old != NULL ? old : s, &why) != 0) {
		log_warnx("contacts: %s", why);	/* a full disk: a peer has it */
		free(why);
	} else {
		rv = 1;
		log_debug("contacts: set %llu of %s taken",
		    (unsigned long long)s->seq, nid);
	}
out:
	set_free(old);
	set_free(s);
	return rv;
}

uint64_t
node_contacts_gen(struct node *nd)
{
	return nd->contacts != NULL ? nd->contacts->gen : 0;
}

const uint8_t *
node_contacts_msg(struct node *nd, const char *nid, size_t *len)
{
	struct contact_held *h = hmap_gets(nd->contacts->by_nid, nid);

	if (h == NULL)
		return NULL;
	*len = h->len;
	return h->msg;
}

uint64_t
node_contacts_seq(struct node *nd, const char *nid)
{
	struct contact_held *h = hmap_gets(nd->contacts->by_nid, nid);

	return h != NULL ? h->seq : 0;
}

/* qsort comparator: entries by public key. */
static int
sum_cmp(const void *a, const void *b)
{
	return memcmp(((const struct cards_sum_entry *)a)->pk,
	    ((const struct cards_sum_entry *)b)->pk, KEYS_PK_LEN);
}

size_t
node_contacts_list(struct node *nd, struct cards_sum_entry **out)
{
	struct contact_held *h;
	struct cards_sum_entry *v;
	size_t		 it = 0, n = 0;

	v = xcalloc(hmap_count(nd->contacts->by_nid) + 1, sizeof *v);
	while ((h = hmap_next(nd->contacts->by_nid, &it)) != NULL) {
		memcpy(v[n].pk, h->pk, KEYS_PK_LEN);
		v[n++].seq = h->seq;
	}
	qsort(v, n, sizeof *v, sum_cmp);
	*out = v;
	return n;
}

void
node_contacts_digest(struct node *nd, uint64_t *count, uint8_t digest[32])
{
	struct node_contacts *nc = nd->contacts;
	struct cards_sum_entry *v;

	if (!nc->digest_ok) {
		nc->count = node_contacts_list(nd, &v);
		cards_digest(v, nc->count, nc->digest);
		free(v);
		nc->digest_ok = 1;
	}
	*count = nc->count;
	memcpy(digest, nc->digest, 32);
}

/* Collects a set of a node no longer replicated. */
static int
unreplicated(struct node *nd, const struct contact_held *h, uint64_t *next)
{
	return !trust_replicates(nd, h->nid);
}

void
node_contacts_drop_unreplicated(struct node *nd)
{
	struct contact_held *h;
	uint64_t	 unused = 0;
	size_t		 i, n;
	char		**nids, *path;

	if (nd->contacts == NULL)
		return;
	n = contacts_collect(nd, unreplicated, &unused, &nids);
	for (i = 0; i < n; i++) {
		path = held_path(nd, nids[i]);
		unlink(path);
		free(path);
		log_info("contacts: set of %s dropped: no longer replicated",
		    nids[i]);
		h = hmap_del(nd->contacts->by_nid, nids[i], strlen(nids[i]));
		held_free(h);
		nd->contacts->digest_ok = 0;
		nd->contacts->gen++;
	}
	strv_free(nids, n);
}

/*
 * The card target an argument of contact set or clear names among our
 * records: a lesson's id, or a project's slug (its id names it too).
 */
static int
own_target(struct node *nd, const char *arg, char target[CARDS_TARGET_MAX + 1],
    char **cause)
{
	const struct catalog_entry *e;
	char		*path;

	e = catalog_find(&nd->cat, arg, nd->nid, NULL);
	if (e != NULL && (e->kind == RECORD_LESSON || e->kind == RECORD_PROJECT)) {
		snprintf(target, CARDS_TARGET_MAX + 1, "%s", e->kind ==
		    RECORD_LESSON ? e->id : e->project);
		return cards_target_ok(target) ? 0 : set_cause(cause,
		    "\"%s\" cannot carry a contact card", target);
	}
	path = xasprintf("projects/%s/project.md", arg);
	e = cards_target_ok(arg) ? catalog_at(&nd->cat, nd->nid, path) : NULL;
	free(path);
	if (e != NULL) {
		snprintf(target, CARDS_TARGET_MAX + 1, "%s", arg);
		return 0;
	}
	return set_cause(cause, "\"%s\" ist weder die Kennung einer Lektion "
	    "oder eines Projekts dieses Knotens noch der Kurzname eines seiner "
	    "Projekte", arg);
}

/*
 * A new own set: the held one's live cards but target's, plus add (when
 * non-NULL), with a seq above the held one's (and at least the clock, so a
 * home that lost its file still outnumbers what peers hold).
 */
static int
own_replace(struct node *nd, const char *target, const struct cards_card *add,
    int *found, char **cause)
{
	struct contact_held *h = hmap_gets(nd->contacts->by_nid, nd->nid);
	struct cards_set *old = NULL, *s = xcalloc(1, sizeof *s);
	uint64_t	 now = (uint64_t)time(NULL);
	size_t		 i;
	int		 rv = -1;

	*found = 0;
	if (h != NULL && (old = held_decode(h)) != NULL)
		cards_prune(old, now, max_age(nd));
	for (i = 0; old != NULL && i < old->n; i++) {
		if (strcmp(old->e[i].target, target) == 0)
			*found = old->e[i].has;
		else if (old->e[i].has)
			s->e[s->n++] = old->e[i];
	}
	if (add != NULL) {
		if (s->n == CARDS_MAX) {
			/* CARDS_MAX is spelled out for the translation. */
			_Static_assert(CARDS_MAX == 64, "the message says 64");
			set_cause(cause, "this node has 64 cards already: "
			    "remove one first with knowctl contact clear");
			goto out;
		}
		snprintf(s->e[s->n].target, sizeof s->e[s->n].target, "%s",
		    target);
		s->e[s->n].date = now;
		s->e[s->n].c = *add;
		cards_entry_seal(&s->e[s->n++], NULL);
	}
	if (add == NULL && !*found) {
		rv = 0;			/* nothing to clear: nothing signed */
		goto out;
	}
	s->seq = h != NULL && h->seq >= now ? h->seq + 1 : now;
	s->time = now;
	cards_sign(s, &nd->kp);
	rv = held_store(nd, nd->nid, s, cause);
out:
	set_free(old);
	set_free(s);
	return rv;
}

int
node_contact_set(struct node *nd, const char *arg, const char *text,
    size_t len, char target[CARDS_TARGET_MAX + 1], char **cause)
{
	struct cards_card c;
	int		 found, rv;

	if (own_target(nd, arg, target, cause) != 0 ||
	    cards_card_parse(text, len, &c, cause) != 0)
		return -1;
	rv = own_replace(nd, target, &c, &found, cause);
	sodium_memzero(&c, sizeof c);
	if (rv == 0)
		log_info("contacts: card for %s %s", target, found ?
		    "replaced" : "set");
	return rv;
}

int
node_contact_clear(struct node *nd, const char *arg,
    char target[CARDS_TARGET_MAX + 1], char **cause)
{
	char	*why = NULL;
	int	 found;

	/* A card of a retracted record is cleared by the name it was set for. */
	if (own_target(nd, arg, target, &why) != 0)
		snprintf(target, CARDS_TARGET_MAX + 1, "%.*s", CARDS_TARGET_MAX,
		    arg);
	if (own_replace(nd, target, NULL, &found, cause) != 0) {
		free(why);
		return -1;
	}
	if (!found) {
		set_cause(cause, "no contact card for \"%s\"%s%s", arg,
		    why != NULL ? "\n" : "", why != NULL ? why : "");
		free(why);
		return -1;
	}
	free(why);
	log_info("contacts: card for %s cleared", target);
	return 0;
}

int
node_contact_find(struct node *nd, const char *nid, const char *target,
    struct cards_card *out, uint64_t *date)
{
	struct contact_held *h = hmap_gets(nd->contacts->by_nid, nid);
	struct cards_set *s;
	uint64_t	 now = (uint64_t)time(NULL);
	size_t		 i;
	int		 rv = -1;

	if (h == NULL || (s = held_decode(h)) == NULL)
		return -1;
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->e[i].target, target) != 0 || !s->e[i].has ||
		    cards_expired(&s->e[i], now, max_age(nd)))
			continue;
		*out = s->e[i].c;
		*date = s->e[i].date;
		rv = 0;
	}
	set_free(s);
	return rv;
}

int
node_contact_of(struct node *nd, const struct catalog_entry *e,
    struct cards_card *out, uint64_t *date, const char **target)
{
	*target = e->id;
	if (e->kind == RECORD_LESSON &&
	    node_contact_find(nd, e->nid, e->id, out, date) == 0)
		return 0;
	*target = e->project;
	if ((e->kind == RECORD_LESSON || e->kind == RECORD_PROJECT) &&
	    e->project != NULL)
		return node_contact_find(nd, e->nid, e->project, out, date);
	return -1;
}
