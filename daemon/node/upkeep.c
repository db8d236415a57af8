/*
 * upkeep.c — the node's repository stays small for years: every
 * UPKEEP_EVERY seconds, when received packs or loose objects have piled up
 * (store_wants_repack: like git gc --auto), a worker merges them into one
 * pack (store_repack); the event loop's handles then drop the merged packs.
 * Each tick also redoes the derived writes a full disk made fail: the view,
 * and the branches the search index could not take; and the worker hands
 * the heap memory a burst freed back to the system (malloc_trim), so that
 * a mirror's resident size after a sync is what it holds, not its peak.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "search.h"
#include "util.h"

#define UPKEEP_EVERY	60	/* seconds between looks */
/*
 * Seconds a burst of fetches counts as on after its last applied pack.
 * A repack then (48 MiB of packs deltified: most of a core for a minute
 * at 11,000 branches) would take a core from the verification; the burst's
 * end merges its packs (node_upkeep_burst).
 */
#define UPKEEP_BUSY	30

struct node_upkeep {
	struct node		*nd;
	int			 every;		/* seconds */
	struct worker		*worker;
	struct event		*timer;
	int			 running;	/* a repack job is out */
	time_t			 busy_until;	/* a burst is on until (monotonic s) */
	struct log_limit	 view_limit;	/* "view: no space left" */
};

/* A repack (when due) and a heap trim on the worker thread. */
struct repack_job {
	struct worker_job	 j;
	struct node_upkeep	*up;
	int			 due;		/* a repack is due */
	struct store_repacked	 res;
	char			*cause;
	int			 rv;
};

/* Seconds on the monotonic clock. */
static time_t
mono_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Worker: merges the packs. */
static void
repack_run(struct worker_job *j, git_repository *repo)
{
	struct repack_job *rj = (struct repack_job *)j;

	if (rj->due)
		rj->rv = store_repack(repo, &rj->res, &rj->cause);
	malloc_trim(0);
}

/* Event loop: the loop's handles drop the merged packs; the result is logged. */
static void
repack_done(struct worker_job *j)
{
	struct repack_job *rj = (struct repack_job *)j;
	char		*why = NULL;

	if (!j->cancelled && rj->due) {
		rj->up->running = 0;
		if (rj->rv != 0)
			log_warnx("%s", rj->cause);
		else if (rj->res.done)
			log_info("repacked %zu packs and %zu loose objects into "
			    "one pack of %zu objects", rj->res.packs,
			    rj->res.loose, rj->res.objects);
		if (store_reopen_objects(rj->up->nd->store, &why) != 0) {
			log_warnx("%s", why);
			free(why);
		}
	} else if (!j->cancelled)
		rj->up->running = 0;
	free(rj->cause);
	free(rj);
}

/* Submits a repack when one is due (and, from the timer, a heap trim anyway). */
static void
upkeep_submit(struct node *nd, int trim, int burst)
{
	struct node_upkeep *up = nd->upkeep;
	struct repack_job *rj;
	int		 due;

	if (up == NULL || up->running)
		return;
	if (burst)
		up->busy_until = 0;
	due = store_wants_repack(nd->store, mono_secs() < up->busy_until) ||
	    (burst && store_wants_merge(nd->store));
	if (!due && !trim)
		return;
	up->running = 1;
	rj = xcalloc(1, sizeof *rj);
	rj->due = due;
	rj->j.run = repack_run;
	rj->j.done = repack_done;
	rj->up = up;
	worker_submit(up->worker, &rj->j);
}

void
node_upkeep_now(struct node *nd)
{
	upkeep_submit(nd, 0, 0);
}

void
node_upkeep_trim(struct node *nd)
{
	upkeep_submit(nd, 1, 0);
}

void
node_upkeep_burst(struct node *nd)
{
	upkeep_submit(nd, 1, 1);
}

void
node_upkeep_busy(struct node *nd)
{
	if (nd->upkeep != NULL)
		nd->upkeep->busy_until = mono_secs() + UPKEEP_BUSY;
}

/* Derived state a write failure left behind (a full disk): written again. */
static void
upkeep_derived(struct node *nd)
{
	git_oid	 tree;
	char	*why = NULL;

	node_index_reopen(nd);
	node_index_retry(nd);
	if (nd->search != NULL && node_index_lag(nd) == 0)
		search_shrink(nd->search);	/* an idle index's page cache */
	if (!nd->view_stale)
		return;
	if (view_update(nd->store, &tree, &why) != 0) {
		log_warnx_limit(&nd->upkeep->view_limit, "%s", why);
		free(why);
		return;
	}
	nd->view_stale = 0;
	log_info("the view is written again");
}

/* Timer: look, then look again later. */
static void
upkeep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct node_upkeep *up = arg;
	struct timeval	 tv = { up->every, 0 };

	upkeep_derived(up->nd);
	upkeep_submit(up->nd, 1, 0);
	evtimer_add(up->timer, &tv);
}

void
node_upkeep_start(struct node *nd, struct event_base *base,
    struct worker *worker)
{
	struct node_upkeep *up = xcalloc(1, sizeof *up);
	struct timeval	 tv;
	const char	*e = getenv("KNOWD_TEST_UPKEEP_SECS");

	up->every = e != NULL && atoi(e) > 0 ? atoi(e) : UPKEEP_EVERY;
	tv.tv_sec = up->every;
	tv.tv_usec = 0;
	up->nd = nd;
	up->worker = worker;
	up->timer = evtimer_new(base, upkeep_cb, up);
	event_priority_set(up->timer, 2);	/* background work */
	evtimer_add(up->timer, &tv);
	nd->upkeep = up;
	node_erase_start(nd, worker);	/* the same worker carries out erasures */
}

void
node_upkeep_stop(struct node *nd)
{
	if (nd->upkeep == NULL)
		return;
	event_free(nd->upkeep->timer);
	/* A job still out is cancelled by worker_stop, which runs first. */
	free(nd->upkeep);
	nd->upkeep = NULL;
}
