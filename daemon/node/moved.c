/*
 * moved.c — "a branch moved": the one pipeline every change of an origin
 * branch goes through, whether we committed it or a peer's pack brought it.
 * Listeners subscribe to it; node_open subscribes the rooms below in this
 * order — catalog, search index, view, fork proofs, recovery — and the rooms
 * above (net's relay) subscribe after them. Also the replicated set's
 * changes and reloads of knowd.conf, which have listeners of their own.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "search.h"
#include "util.h"

void
node_listen(struct node *nd, enum node_event ev, node_listen_fn *fn, void *arg)
{
	if (nd->nlisteners == NODE_MAX_LISTENERS)
		fatalx("node: more than %d listeners", NODE_MAX_LISTENERS);
	nd->listeners[nd->nlisteners].ev = ev;
	nd->listeners[nd->nlisteners].fn = fn;
	nd->listeners[nd->nlisteners].arg = arg;
	nd->nlisteners++;
}

void
node_unlisten(struct node *nd, node_listen_fn *fn, void *arg)
{
	size_t	 i;

	for (i = 0; i < nd->nlisteners; i++) {
		if (nd->listeners[i].fn != fn || nd->listeners[i].arg != arg)
			continue;
		memmove(&nd->listeners[i], &nd->listeners[i + 1],
		    (nd->nlisteners - i - 1) * sizeof nd->listeners[0]);
		nd->nlisteners--;
		i--;
	}
}

/* Calls every listener of ev in order; stops at the first that fails. */
static int
node_tell(struct node *nd, enum node_event ev, const struct node_move *m,
    char **cause)
{
	size_t	 i;

	for (i = 0; i < nd->nlisteners; i++)
		if (nd->listeners[i].ev == ev && nd->listeners[i].fn(nd, ev, m,
		    nd->listeners[i].arg, cause) != 0)
			return -1;
	return 0;
}

int
node_branch_moved(struct node *nd, const char *nid, const git_oid *old,
    const git_oid *new, void *source, char **cause)
{
	struct node_move m;
	git_oid		 oldtree, newtree;

	if ((old != NULL && store_commit_tree(nd->store, old, &oldtree) != 0) ||
	    store_commit_tree(nd->store, new, &newtree) != 0)
		return set_cause(cause, "%s", store_git_error());
	m.nid = nid;
	m.old = old;
	m.new = new;
	m.oldtree = old != NULL ? &oldtree : NULL;
	m.newtree = &newtree;
	m.source = source;
	return node_tell(nd, NODE_MOVED, &m, cause);
}

/* Listener: the catalog follows the branch's tree. */
static int
moved_catalog(struct node *nd, enum node_event ev, const struct node_move *m,
    void *arg, char **cause)
{
	return catalog_apply(&nd->cat, store_repo(nd->store), m->nid, m->oldtree,
	    m->newtree, cause);
}

/* Listener: so does the search index (a failure is logged, not fatal: it is derived). */
static int
moved_search(struct node *nd, enum node_event ev, const struct node_move *m,
    void *arg, char **cause)
{
	char	*why = NULL;

	if (nd->search != NULL && search_index_tree(nd->search,
	    store_repo(nd->store), m->nid, m->newtree, &why) != 0) {
		log_warnx("search index: %s: %s", m->nid, why);
		free(why);
	}
	return 0;
}

/* Listener: the view takes the new head (one bucket rewritten). */
static int
moved_view(struct node *nd, enum node_event ev, const struct node_move *m,
    void *arg, char **cause)
{
	git_oid	 tree;

	return view_update_one(nd->store, m->nid, &tree, cause);
}

/* Listener: fork proofs the new head descends from are settled. */
static int
moved_forks(struct node *nd, enum node_event ev, const struct node_move *m,
    void *arg, char **cause)
{
	store_forks_settle(nd->store, m->nid, m->new);
	return 0;
}

/* Listener: our own branch brought by a peer ends the recovery after a start. */
static int
moved_recovered(struct node *nd, enum node_event ev, const struct node_move *m,
    void *arg, char **cause)
{
	if (m->source != NULL && strcmp(m->nid, nd->nid) == 0) {
		log_info("own branch restored from the network");
		node_recovered(nd);
	}
	return 0;
}

/* Subscribes the rooms below the node, in pipeline order (node_open calls it). */
void
node_listen_own(struct node *nd)
{
	node_listen(nd, NODE_MOVED, moved_catalog, NULL);
	node_listen(nd, NODE_MOVED, moved_search, NULL);
	node_listen(nd, NODE_MOVED, moved_view, NULL);
	node_listen(nd, NODE_MOVED, moved_forks, NULL);
	node_listen(nd, NODE_MOVED, moved_recovered, NULL);
}

void
node_drop_unreplicated(struct node *nd)
{
	char	**nids, *why = NULL;
	size_t	  nn, i;
	git_oid	  tree;

	if (store_nids(nd->store, &nids, &nn) != 0)
		return;
	for (i = 0; i < nn; i++) {
		if (trust_replicates(nd, nids[i]))
			continue;
		if (store_branch_delete(nd->store, nids[i], &why) != 0) {
			log_warnx("%s", why);
			free(why);
			why = NULL;
			continue;
		}
		catalog_drop(&nd->cat, nids[i]);
		if (nd->search != NULL && search_drop_nid(nd->search, nids[i],
		    &why) != 0) {
			log_warnx("search index: %s", why);
			free(why);
			why = NULL;
		}
		log_info("branch %s dropped: no longer replicated", nids[i]);
	}
	store_nids_free(nids, nn);
	if (view_update(nd->store, &tree, &why) != 0) {
		log_warnx("%s", why);
		free(why);
	}
}

/* The replicated set changed: drop what left it, tell the rooms above. */
void
node_replication_changed(struct node *nd)
{
	node_drop_unreplicated(nd);
	node_tell(nd, NODE_REPLICATION, NULL, NULL);
}

/* knowd.conf was reloaded: tell the rooms above. */
void
node_reloaded(struct node *nd)
{
	node_tell(nd, NODE_RELOADED, NULL, NULL);
}
