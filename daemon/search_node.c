/*
 * search_node.c — the search index in a running knowd: opened with the node,
 * following every branch move, rebuilt on request, and merged into one
 * segment per full-text table in short steps on the event loop (each about
 * SEARCH_COMPACT_PAGES pages): after a start, after a rebuild, and when the
 * last merge is SEARCH_COMPACT_EVERY old.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "home.h"
#include "knowd.h"
#include "log.h"
#include "search.h"
#include "search_int.h"
#include "util.h"

#define COMPACT_CHECK	60	/* seconds between looks at the segments */
#define COMPACT_STEP_MS	100	/* pause between two steps of a merge */

/* The merge's state in a running knowd. */
struct compact {
	struct event	*timer;
	time_t		 due;		/* no merge before */
	time_t		 started;	/* of the merge running, or 0 */
	int64_t		 from;		/* segments when it started (-1: unknown) */
	int		 again;		/* a rebuild came during it: merge once more */
};

/* Forgets nodes whose branch is gone from the repository. */
static void
prune_nids(struct knowd *kd)
{
	sqlite3_stmt	*st = NULL;
	git_oid		 head;
	char		*nid, *why = NULL;

	if (search_prepare(kd->search, "SELECT nid FROM branches", &st,
	    NULL) != 0)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		nid = search_col(st, 0);
		if (store_head(kd->store, nid, &head, NULL) == 1 &&
		    search_drop_nid(kd->search, nid, &why) != 0) {
			log_warnx("%s", why);
			free(why);
			why = NULL;
		}
		free(nid);
	}
	sqlite3_finalize(st);
}

void
search_open(struct knowd *kd)
{
	char	*path = home_path(kd->home, SEARCH_FILE), *why = NULL;

	if (search_db_open(path, &kd->search, &why) != 0) {
		log_warnx("search index %s: %s; search is off", path, why);
		free(why);
		kd->search = NULL;
	} else
		prune_nids(kd);
	free(path);
}

void
search_close(struct knowd *kd)
{
	search_db_close(kd->search);
	kd->search = NULL;
}

int
search_apply(struct knowd *kd, const char *nid, const git_oid *oldtree,
    const git_oid *newtree)
{
	char	*why = NULL;

	if (kd->search == NULL)
		return 0;
	if (search_index_tree(kd->search, store_repo(kd->store), nid, newtree,
	    &why) != 0) {
		log_warnx("search index: %s: %s", nid, why);
		free(why);
		return -1;
	}
	return 0;
}

void
search_forget(struct knowd *kd, const char *nid)
{
	char	*why = NULL;

	if (kd->search != NULL && search_drop_nid(kd->search, nid, &why) != 0) {
		log_warnx("search index: %s", why);
		free(why);
	}
}

int
search_rebuild(struct knowd *kd, char **cause)
{
	char	**nids;
	size_t	  n, i;
	git_oid	  head, tree;
	int	  rv = 0;

	if (kd->search == NULL)
		return set_cause(cause, "search index unavailable");
	if (store_nids(kd->store, &nids, &n) != 0)
		return set_cause(cause, "%s", store_git_error());
	if (search_clear(kd->search, cause) != 0) {
		store_nids_free(nids, n);
		return -1;
	}
	for (i = 0; i < n && rv == 0; i++) {
		if (store_head(kd->store, nids[i], &head, NULL) != 0 ||
		    store_commit_tree(kd->store, &head, &tree) != 0)
			rv = set_cause(cause, "%s: %s", nids[i],
			    store_git_error());
		else
			rv = search_index_tree(kd->search,
			    store_repo(kd->store), nids[i], &tree, cause);
	}
	store_nids_free(nids, n);
	return rv;
}

/* Arms the timer for the next step or look. */
static void
compact_arm(struct compact *c, long ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

/* Timer: starts a merge when one is due and the index is segmented, or runs its next step. */
static void
compact_cb(evutil_socket_t fd, short what, void *arg)
{
	struct knowd	*kd = arg;
	struct compact	*c = kd->compact;
	time_t		 now = time(NULL);
	char		*why = NULL;
	int		 rv;

	if (kd->search == NULL)
		return;
	if (c->started == 0) {
		/* Unknown counts as segmented: a merge with nothing to do is quick. */
		if (now < c->due || ((c->from = search_segments(kd->search)) >= 0 &&
		    c->from <= 2)) {
			compact_arm(c, COMPACT_CHECK * 1000L);
			return;
		}
		c->started = now;
		log_info("search index: merging %lld segments", (long long)c->from);
	}
	if ((rv = search_compact_step(kd->search, SEARCH_COMPACT_PAGES,
	    &why)) == 1) {
		compact_arm(c, COMPACT_STEP_MS);
		return;
	}
	if (rv < 0) {
		log_warnx("search index: %s; merging again later", why);
		free(why);
	} else
		log_info("search index: %lld segments merged into %lld in %lld s",
		    (long long)c->from, (long long)search_segments(kd->search),
		    (long long)(now - c->started));
	c->started = 0;
	c->due = c->again ? now : now + SEARCH_COMPACT_EVERY;
	compact_arm(c, c->again ? 0 : COMPACT_CHECK * 1000L);
	c->again = 0;
}

void
search_compact_start(struct knowd *kd)
{
	struct compact	*c = xcalloc(1, sizeof *c);

	kd->compact = c;
	c->timer = evtimer_new(kd->base, compact_cb, kd);
	/* A first look soon after the start, once the peers are dialled. */
	compact_arm(c, 1000);
}

void
search_compact_soon(struct knowd *kd)
{
	struct compact	*c = kd->compact;

	if (c == NULL)
		return;
	if (c->started != 0) {
		c->again = 1;
		return;
	}
	c->due = 0;
	evtimer_del(c->timer);
	compact_arm(c, 0);
}

int
search_compact_running(struct knowd *kd)
{
	return kd->compact != NULL && kd->compact->started != 0;
}

void
search_compact_stop(struct knowd *kd)
{
	if (kd->compact == NULL)
		return;
	event_free(kd->compact->timer);
	free(kd->compact);
	kd->compact = NULL;
}
