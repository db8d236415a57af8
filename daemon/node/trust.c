/* trust.c — the replicated set: self, trusted, and what they vouch for, to trust_depth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "util.h"

struct trust {
	struct trust_entry	*v;
	size_t			 n;
	unsigned int		 gen;		/* catalog vouch_gen it was built at */
	int			 valid;
	char			*settled;	/* the set last acted on, as one string */
};

/* Index of nid in the set, or -1. */
static ssize_t
set_find(const struct trust *t, const char *nid)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].nid, nid) == 0)
			return (ssize_t)i;
	return -1;
}

/* Adds nid to the set unless it is there. */
static void
set_add(struct trust *t, const char *nid, const char *voucher, int depth)
{
	struct trust_entry *e;

	if (set_find(t, nid) != -1)
		return;
	t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
	e = &t->v[t->n++];
	snprintf(e->nid, sizeof e->nid, "%s", nid);
	snprintf(e->voucher, sizeof e->voucher, "%s", voucher);
	e->depth = depth;
}

/* Rebuilds the set: level 0 self and trusted, then each level's vouches. */
static void
trust_build(struct node *nd, struct trust *t)
{
	const struct catalog_entry *e;
	size_t	 i, from, to;
	ssize_t	 v;
	int	 d;

	t->n = 0;
	set_add(t, nd->nid, "", 0);
	for (i = 0; i < nd->conf.ntrust; i++)
		set_add(t, nd->conf.trust[i].nid, "", 0);
	from = 0;
	for (d = 1; d <= nd->conf.trust_depth; d++) {
		to = t->n;
		for (i = 0; i < nd->cat.n; i++) {
			e = &nd->cat.v[i];
			if (e->kind != RECORD_VOUCH)
				continue;
			v = set_find(t, e->nid);
			if (v >= (ssize_t)from && v < (ssize_t)to)
				set_add(t, e->id, e->nid, d);
		}
		from = to;
	}
	t->gen = nd->cat.vouch_gen;
	t->valid = 1;
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

int
trust_replicates(struct node *nd, const char *nid)
{
	return nd->conf.mirror_all || set_find(trust_get(nd), nid) != -1;
}

const struct trust_entry *
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
	size_t		 i;

	buf_init(&b);
	buf_printf(&b, "%d", mirror_all);
	for (i = 0; i < t->n; i++)
		buf_printf(&b, " %s", t->v[i].nid);
	return buf_detach(&b, NULL);
}

void
trust_settle(struct node *nd)
{
	struct trust	*t = trust_get(nd);
	char		*now = set_string(t, nd->conf.mirror_all);

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
	free(nd->trust->v);
	free(nd->trust->settled);
	free(nd->trust);
	nd->trust = NULL;
}
