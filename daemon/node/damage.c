/*
 * damage.c — a branch found damaged on disk (an object that cannot be
 * read): named in the log, set aside, dropped from catalog, index and view,
 * and fetched again from the peers that hold it. Our own branch too: then
 * nothing is published until a peer brought it back, so a damaged branch is
 * never silently published over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "search.h"
#include "util.h"

void
node_quarantine(struct node *nd, const char *nid, const struct store_damage *d)
{
	const char	*name = node_name_of(nd, nid);
	char		*why = NULL;

	log_warnx("branch %s (%s) is damaged here: %s (%zu object(s) "
	    "unreadable); set aside as refs/knowd/quarantine/%s and fetched "
	    "again from peers", nid, name != NULL ? name : "?", d->what,
	    d->objects, nid);
	if (d->loose_moved > 0 || d->packs_rewritten > 0)
		log_info("%zu damaged loose object(s) and %zu damaged pack(s) "
		    "moved to repo.git/knowd-damaged", d->loose_moved,
		    d->packs_rewritten);
	if (store_reopen_objects(nd->store, &why) != 0 ||
	    store_branch_quarantine(nd->store, nid, &why) != 0) {
		log_warnx("%s", why);
		free(why);
		return;
	}
	catalog_drop(&nd->cat, nid);
	if (nd->search != NULL && search_drop_nid(nd->search, nid, &why) != 0) {
		log_warnx("search index: %s", why);
		free(why);
	}
	nd->quarantined++;
	if (strcmp(nid, nd->nid) == 0) {
		nd->own_damaged = 1;
		log_warnx("this node's own branch was damaged: nothing is "
		    "published until a peer has brought it back");
	}
}

int
node_check_branch(struct node *nd, const char *nid)
{
	struct store_damage d;
	git_oid		 head;
	int		 r;

	if (store_head(nd->store, nid, &head, NULL) != 0)
		return 0;
	if ((r = store_branch_check(store_repo(nd->store), &head, &d)) == 1)
		node_quarantine(nd, nid, &d);
	store_damage_free(&d);
	return r == 1;
}

void
node_damage_settle(struct node *nd)
{
	git_oid	 tree;
	char	*why = NULL;

	if (view_update(nd->store, &tree, &why) != 0) {
		log_warnx("%s", why);
		free(why);
	}
	node_replication_changed(nd);	/* peers are asked for what we lack */
}

/* Listener: a branch set aside came back from a peer: its damaged copy goes. */
static int
damage_healed(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	size_t	 i;

	for (i = 0; i < n && nd->quarantined > 0; i++) {
		if (m[i].has_old || !store_quarantined(nd->store, m[i].nid))
			continue;
		store_quarantine_clear(nd->store, m[i].nid);
		nd->quarantined--;
		if (strcmp(m[i].nid, nd->nid) == 0)
			nd->own_damaged = 0;
		log_info("branch %s came back whole from a peer; its damaged "
		    "copy was removed", m[i].nid);
	}
	return 0;
}

/* Counts the branches set aside by an earlier run; listens for their return. */
void
node_damage_init(struct node *nd)
{
	const struct store_branch *b;
	size_t		 it;

	nd->quarantined = store_quarantine_count(nd->store);
	if (nd->quarantined > 0) {
		log_warnx("%zu damaged branch(es) set aside are still waited "
		    "for from peers (refs/knowd/quarantine)", nd->quarantined);
		nd->own_damaged = store_quarantined(nd->store, nd->nid) &&
		    store_branch(nd->store, nd->nid) == NULL;
		/* Set aside but since brought back (a crash in between). */
		for (it = 0; (b = store_branch_next(nd->store, &it)) != NULL &&
		    nd->quarantined > 0;)
			if (store_quarantined(nd->store, b->nid)) {
				store_quarantine_clear(nd->store, b->nid);
				nd->quarantined--;
			}
	}
	node_listen(nd, NODE_MOVED, damage_healed, NULL);
}
