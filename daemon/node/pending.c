/*
 * pending.c — nodes that connected and are not admitted (PROTOCOL.md
 * §4.8): kept in memory for knowctl pending, at most NODE_PENDING_MAX,
 * the one seen longest ago giving way. knowctl admit or deny decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "util.h"

struct node_pendings {
	struct hmap		*by_nid;	/* nid → entry */
	TAILQ_HEAD(, node_pending) list;	/* least recently seen first */
	size_t			 n;
};

/* The table, made on first use. */
static struct node_pendings *
pendings(struct node *nd)
{
	if (nd->pending == NULL) {
		nd->pending = xcalloc(1, sizeof *nd->pending);
		nd->pending->by_nid = hmap_new();
		TAILQ_INIT(&nd->pending->list);
	}
	return nd->pending;
}

/* Removes one entry from the table and frees it. */
static void
pending_drop(struct node_pendings *t, struct node_pending *e)
{
	hmap_del(t->by_nid, e->nid, strlen(e->nid));
	TAILQ_REMOVE(&t->list, e, entry);
	t->n--;
	free(e);
}

/* Notes that nid connected (or claimed a name, or was introduced); NULL fields keep theirs. */
void
node_pending_note(struct node *nd, const char *nid, const char *addr,
    const char *name, const char *via)
{
	struct node_pendings *t = pendings(nd);
	struct node_pending *e = hmap_gets(t->by_nid, nid);

	if (e == NULL) {
		if (t->n >= NODE_PENDING_MAX)
			pending_drop(t, TAILQ_FIRST(&t->list));
		e = xcalloc(1, sizeof *e);
		snprintf(e->nid, sizeof e->nid, "%s", nid);
		e->first = time(NULL);
		hmap_put(t->by_nid, e->nid, strlen(e->nid), e);
		t->n++;
	} else
		TAILQ_REMOVE(&t->list, e, entry);
	TAILQ_INSERT_TAIL(&t->list, e, entry);
	e->last = time(NULL);
	if (addr != NULL)
		snprintf(e->addr, sizeof e->addr, "%s", addr);
	if (name != NULL)
		snprintf(e->name, sizeof e->name, "%s", name);
	if (via != NULL && *via != '\0')
		snprintf(e->via, sizeof e->via, "%s", via);
}

/* True when nid is in the table. */
int
node_pending_has(struct node *nd, const char *nid)
{
	return nd->pending != NULL && hmap_gets(nd->pending->by_nid, nid) != NULL;
}

void
node_pending_forget(struct node *nd, const char *nid)
{
	struct node_pending *e;

	if (nd->pending != NULL &&
	    (e = hmap_gets(nd->pending->by_nid, nid)) != NULL)
		pending_drop(nd->pending, e);
}

const struct node_pending *
node_pending_next(struct node *nd, const struct node_pending *prev)
{
	if (nd->pending == NULL)
		return NULL;
	return prev == NULL ? TAILQ_FIRST(&nd->pending->list) :
	    TAILQ_NEXT(prev, entry);
}

size_t
node_pending_count(const struct node *nd)
{
	return nd->pending != NULL ? nd->pending->n : 0;
}

void
node_pending_free(struct node *nd)
{
	if (nd->pending == NULL)
		return;
	while (!TAILQ_EMPTY(&nd->pending->list))
		pending_drop(nd->pending, TAILQ_FIRST(&nd->pending->list));
	hmap_free(nd->pending->by_nid);
	free(nd->pending);
	nd->pending = NULL;
}
