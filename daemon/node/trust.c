/* trust.c — the replicated set: self, trusted, and what they vouch for, to trust_depth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "util.h"

struct trust {
	struct trust_entry	**v;		/* in the order they were added */
	size_t			  n;
	struct hmap		 *by_nid;	/* nid → entry */
	struct hmap		 *admit;	/* nid → itself: admitted by hand */
	struct hmap		 *deny;		/* nid → itself: denied by hand */
	unsigned int		  gen;		/* catalog vouch_gen it was built at */
	int			  valid;
	unsigned int		  built;	/* rebuilds so far */
	unsigned int		  settled_built;	/* the rebuild last acted on */
	char			 *settled;	/* the set last acted on, as one string */
};

/* Empties the set. */
static void
set_clear(struct trust *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
	hmap_free(t->by_nid);
	t->by_nid = hmap_new();
	hmap_free(t->admit);
	t->admit = hmap_new();
	hmap_free(t->deny);
	t->deny = hmap_new();
}

/* Adds nid to the set unless it is there. */
static void
set_add(struct trust *t, const char *nid, const char *voucher, int depth)
{
	struct trust_entry *e;

	if (hmap_gets(t->by_nid, nid) != NULL || hmap_gets(t->deny, nid) != NULL)
		return;			/* there, or denied by hand */
	e = xcalloc(1, sizeof *e);
	snprintf(e->nid, sizeof e->nid, "%s", nid);
	snprintf(e->voucher, sizeof e->voucher, "%s", voucher);
	e->depth = depth;
	t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
	t->v[t->n++] = e;
	hmap_put(t->by_nid, e->nid, strlen(e->nid), e);
}

/* qsort comparator: vouch records by the voucher, then the vouched node. */
static int
vouch_cmp(const void *a, const void *b)
{
	const struct catalog_entry *x = *(const struct catalog_entry *const *)a;
	const struct catalog_entry *y = *(const struct catalog_entry *const *)b;

	int	 c = strcmp(x->nid, y->nid);

	return c != 0 ? c : strcmp(x->path, y->path);
}

/*
 * Rebuilds the set: level 0 self and trusted, then each level's vouches
 * (in a fixed order, so that the voucher named for a node is the same on
 * every rebuild). skip, when not NULL, is a vouch (by this node) left out.
 */
static void
trust_build_skip(struct node *nd, struct trust *t, const char *skip)
{
	const struct catalog_entry *e = NULL, **vouch = NULL;
	struct trust_entry *voucher;
	size_t	 i, nv = 0;
	int	 d;

	set_clear(t);
	for (i = 0; i < nd->conf.ndeny; i++)
		if (strcmp(nd->conf.deny[i], nd->nid) != 0)
			hmap_put(t->deny, nd->conf.deny[i],
			    strlen(nd->conf.deny[i]), nd->conf.deny[i]);
	for (i = 0; i < nd->conf.nadmit; i++)
		hmap_put(t->admit, nd->conf.admit[i], strlen(nd->conf.admit[i]),
		    nd->conf.admit[i]);
	set_add(t, nd->nid, "", 0);
	for (i = 0; i < nd->conf.ntrust; i++)
		set_add(t, nd->conf.trust[i].nid, "", 0);
	while ((e = catalog_next_vouch(&nd->cat, e)) != NULL) {
		vouch = xreallocarray(vouch, nv + 1, sizeof *vouch);
		vouch[nv++] = e;
	}
	if (nv > 0)
		qsort(vouch, nv, sizeof *vouch, vouch_cmp);
	for (d = 1; d <= nd->conf.trust_depth; d++) {
		for (i = 0; i < nv; i++) {
			voucher = hmap_gets(t->by_nid, vouch[i]->nid);
			if (skip != NULL && strcmp(vouch[i]->nid, nd->nid) == 0 &&
			    strcmp(vouch[i]->id, skip) == 0)
				continue;
			if (voucher != NULL && voucher->depth == d - 1)
				set_add(t, vouch[i]->id, vouch[i]->nid, d);
		}
	}
	free(vouch);
	t->gen = nd->cat.vouch_gen;
	t->valid = 1;
	t->built++;
}

static void
trust_build(struct node *nd, struct trust *t)
{
	trust_build_skip(nd, t, NULL);
}

static struct trust *trust_get(struct node *);

/*
 * What withdrawing our vouch for nid would drop here: the nodes of the set
 * that only that vouch brings in (nid and those vouched for through it),
 * and their lessons. Builds the set once more without it: an operator's
 * question, not the event loop's.
 */
size_t
trust_unvouch_impact(struct node *nd, const char *nid, size_t *nodes)
{
	struct trust	*now = trust_get(nd), *t;
	size_t		 i, lessons = 0;

	t = xcalloc(1, sizeof *t);
	trust_build_skip(nd, t, nid);
	*nodes = 0;
	for (i = 0; i < now->n; i++) {
		if (hmap_gets(t->by_nid, now->v[i]->nid) != NULL ||
		    (nd->conf.mirror_all &&
		    hmap_gets(t->admit, now->v[i]->nid) != NULL))
			continue;
		(*nodes)++;
		lessons += catalog_count(&nd->cat, now->v[i]->nid, RECORD_LESSON);
	}
	set_clear(t);
	hmap_free(t->by_nid);
	hmap_free(t->admit);
	hmap_free(t->deny);
	free(t);
	return lessons;
}

/* The set, rebuilt when vouches or the configuration changed. */
static struct trust *
trust_get(struct node *nd)
{
	if (nd->trust == NULL)
		nd->trust = xcalloc(1, sizeof *nd->trust);
	if (!nd->trust->valid || nd->trust->gen != nd->cat.vouch_gen)
		trust_build(nd, nd->trust);
	return nd->trust;
}

/*
 * The replicated set, and with mirror = all every node admitted by hand
 * too: never a node merely because it dialed.
 */
int
trust_replicates(struct node *nd, const char *nid)
{
	struct trust	*t = trust_get(nd);

	if (hmap_gets(t->by_nid, nid) != NULL)
		return 1;
	return nd->conf.mirror_all && hmap_gets(t->admit, nid) != NULL &&
	    hmap_gets(t->deny, nid) == NULL;
}

/* Admission: hash lookups in the cached set, never a walk of it. */
enum trust_admission
trust_admits(struct node *nd, const char *nid)
{
	struct trust	*t = trust_get(nd);

	if (hmap_gets(t->deny, nid) != NULL)
		return TRUST_DENIED;
	if (hmap_gets(t->by_nid, nid) != NULL || hmap_gets(t->admit, nid) != NULL)
		return TRUST_ADMITTED;
	return TRUST_PENDING;
}

const struct trust_entry *
trust_find(struct node *nd, const char *nid)
{
	return hmap_gets(trust_get(nd)->by_nid, nid);
}

struct trust_entry *const *
trust_set(struct node *nd, size_t *n)
{
	struct trust	*t = trust_get(nd);

	*n = t->n;
	return t->v;
}

void
trust_invalidate(struct node *nd)
{
	if (nd->trust != NULL)
		nd->trust->valid = 0;
}

/* The set as one string, to notice a change. Caller frees. */
static char *
set_string(const struct trust *t, int mirror_all)
{
	struct buf	 b;
	const char	*nid;
	size_t		 i, it;

	buf_init(&b);
	buf_printf(&b, "%d", mirror_all);
	for (i = 0; i < t->n; i++)
		buf_printf(&b, " %s", t->v[i]->nid);
	it = 0;
	while ((nid = hmap_next(t->admit, &it)) != NULL)
		buf_printf(&b, " +%s", nid);
	it = 0;
	while ((nid = hmap_next(t->deny, &it)) != NULL)
		buf_printf(&b, " -%s", nid);
	return buf_detach(&b, NULL);
}

void
trust_settle(struct node *nd)
{
	struct trust	*t = trust_get(nd);
	char		*now;

	if (t->settled != NULL && t->settled_built == t->built)
		return;			/* not rebuilt since: nothing changed */
	t->settled_built = t->built;
	now = set_string(t, nd->conf.mirror_all);
	if (t->settled != NULL && strcmp(now, t->settled) == 0) {
		free(now);
		return;
	}
	free(t->settled);
	t->settled = now;
	node_replication_changed(nd);
}

void
trust_free(struct node *nd)
{
	if (nd->trust == NULL)
		return;
	set_clear(nd->trust);
	hmap_free(nd->trust->by_nid);
	hmap_free(nd->trust->admit);
	hmap_free(nd->trust->deny);
	free(nd->trust->settled);
	free(nd->trust);
	nd->trust = NULL;
}
