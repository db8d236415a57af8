/*
 * moved.c — "a branch moved": the one pipeline every change of an origin
 * branch goes through, whether we committed it or a peer's pack brought it.
 * Listeners subscribe to it; node_open subscribes the rooms below in this
 * order — catalog, search index, view, fork proofs, recovery — and the rooms
 * above (net's relay) subscribe after them. Also the replicated set's
 * changes and reloads of knowd.conf, which have listeners of their own.
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
    size_t n, void *source, char **cause)
{
	size_t	 i;

	for (i = 0; i < nd->nlisteners; i++)
		if (nd->listeners[i].ev == ev && nd->listeners[i].fn(nd, ev, m,
		    n, source, nd->listeners[i].arg, cause) != 0)
			return -1;
	return 0;
}

int
node_branches_moved(struct node *nd, struct node_move *m, size_t n,
    void *source, char **cause)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((m[i].has_old && store_commit_tree(nd->store, &m[i].old,
		    &m[i].oldtree) != 0) || store_commit_tree(nd->store,
		    &m[i].new, &m[i].newtree) != 0)
			return set_cause(cause, "%s: %s", m[i].nid,
			    store_git_error());
	return n > 0 ? node_tell(nd, NODE_MOVED, m, n, source, cause) : 0;
}

int
node_branch_moved(struct node *nd, const char *nid, const git_oid *old,
    const git_oid *new, void *source, char **cause)
{
	struct node_move m;

	memset(&m, 0, sizeof m);
	snprintf(m.nid, sizeof m.nid, "%s", nid);
	if ((m.has_old = old != NULL))
		git_oid_cpy(&m.old, old);
	git_oid_cpy(&m.new, new);
	return node_branches_moved(nd, &m, 1, source, cause);
}

/* Listener: the catalog follows each branch's tree (prepared on a worker when it could be). */
static int
moved_catalog(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (m[i].chg != NULL)
			catalog_commit(&nd->cat, m[i].nid, m[i].chg);
		else if (catalog_apply(&nd->cat, store_repo(nd->store),
		    m[i].nid, m[i].has_old ? &m[i].oldtree : NULL,
		    &m[i].newtree, cause) != 0)
			return -1;
	}
	return 0;
}

/* Listener: so does the search index, at once or from its backlog (index.c). */
static int
moved_search(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	node_index_moved(nd, m, n);
	return 0;
}

/* Listener: the view takes the new heads (their buckets rewritten, one commit). */
static int
moved_view(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	const char	**nids;
	git_oid		  tree;
	size_t		  i;
	int		  rv;

	nids = xcalloc(n, sizeof *nids);
	for (i = 0; i < n; i++)
		nids[i] = m[i].nid;
	rv = view_update_some(nd->store, nids, n, &tree, cause);
	free(nids);
	if (rv != 0) {
		/* Derived from the refs: written again at the next upkeep tick. */
		log_warnx("%s; the view is written again later", *cause);
		free(*cause);
		*cause = NULL;
		nd->view_stale = 1;
	}
	return 0;
}

/* Listener: fork proofs the new heads descend from are settled. */
static int
moved_forks(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		store_forks_settle(nd->store, m[i].nid, &m[i].new);
	return 0;
}

/* Listener: our own branch brought by a peer ends the recovery after a start. */
static int
moved_recovered(struct node *nd, enum node_event ev, const struct node_move *m,
    size_t n, void *source, void *arg, char **cause)
{
	size_t	 i;

	for (i = 0; i < n && source != NULL; i++)
		if (strcmp(m[i].nid, nd->nid) == 0) {
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
	size_t	  nn, i, dropped = 0;
	git_oid	  tree;

	if (store_nids(nd->store, &nids, &nn) != 0)
		return;
	for (i = 0; i < nn; i++) {
		if (trust_replicates(nd, nids[i]))
			continue;
		dropped++;
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
	if (dropped > 0 && view_update(nd->store, &tree, &why) != 0) {
		log_warnx("%s", why);
		free(why);
	}
}

/* The replicated set changed: drop what left it, tell the rooms above. */
void
node_replication_changed(struct node *nd)
{
	node_drop_unreplicated(nd);
	node_contacts_drop_unreplicated(nd);
	node_tell(nd, NODE_REPLICATION, NULL, 0, NULL, NULL);
}

/* knowd.conf was reloaded: tell the rooms above. */
void
node_reloaded(struct node *nd)
{
	node_tell(nd, NODE_RELOADED, NULL, 0, NULL, NULL);
}
