/*
 * index.c — the search index follows the branches. A small change (a
 * publish, one fetched lesson) is indexed at once, inside the pipeline; a
 * large one (a mirror fetching thousands of branches, a start after the
 * index was lost, a rebuild) goes into a backlog of nodes to index, worked
 * off in short steps on the event loop, so that neither the loop nor the
 * fetching waits for the index; while batches keep coming (a burst), the
 * steps are spaced wider, so that the branches are held first and indexed
 * after. The backlog is a set of nids: a branch that moves again before its
 * turn is indexed once, at its newest tree.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "search.h"
#include "util.h"

#define INDEX_NOW	4	/* branches of a batch indexed at once, no backlog */
#define INDEX_START_NOW	64	/* lagging branches a start indexes before it answers */
#define INDEX_STEP_MS	10	/* work per step of the backlog */
#define INDEX_PAUSE_MS	5	/* pause between steps, so the loop serves others */
#define INDEX_BURST_MS	1000	/* batches this close together are a burst */
#define INDEX_YIELD_MS	90	/* pause between steps during a burst */

/* One nid waiting in the backlog. */
struct index_wait {
	char			 nid[KEYS_NID_MAX];
	TAILQ_ENTRY(index_wait)	 entry;
};

struct node_index {
	struct hmap	*backlog;	/* nid → struct index_wait */
	TAILQ_HEAD(, index_wait) queue;	/* the same, first come first */
	struct event	*timer;
	size_t		 done;		/* branches indexed from the backlog so far */
	time_t		 since;		/* the backlog is non-empty since */
	uint64_t	 last_batch;	/* when the last batch of moves came (ms) */
	struct hmap	*retry;		/* nid → its own copy: failed, try again */
};

/* Milliseconds on a monotonic clock. */
static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void	index_later(struct node *, const char *);

/* Remembers nid to index again at the next upkeep tick (the disk was full). */
static void
index_retry_later(struct node *nd, const char *nid)
{
	struct node_index *ix = nd->index;
	char		*k;

	if (hmap_gets(ix->retry, nid) != NULL)
		return;
	k = xstrdup(nid);
	hmap_put(ix->retry, k, strlen(k), k);
}

/* Indexes nid's branch at its current head (or forgets it when gone). */
static void
index_one(struct node *nd, const char *nid)
{
	const struct store_branch *b = store_branch(nd->store, nid);
	char		*why = NULL;
	int		 rv;

	if (nd->search == NULL)
		return;
	if (b != NULL)
		rv = search_index_tree(nd->search, store_repo(nd->store), nid,
		    &b->tree, &why);
	else
		rv = search_drop_nid(nd->search, nid, &why);
	if (rv != 0) {
		log_warnx("search index: %s: %s; indexed again later", nid, why);
		free(why);
		index_retry_later(nd, nid);
	}
}

/* Arms the backlog's timer. */
static void
index_arm(struct node_index *ix, long ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ix->timer != NULL)
		evtimer_add(ix->timer, &tv);
}

/* Timer: works off the backlog for about INDEX_STEP_MS, then yields. */
static void
index_step_cb(evutil_socket_t fd, short what, void *arg)
{
	struct node	*nd = arg;
	struct node_index *ix = nd->index;
	struct index_wait *w;
	uint64_t	 start = now_ms();

	while ((w = TAILQ_FIRST(&ix->queue)) != NULL) {
		TAILQ_REMOVE(&ix->queue, w, entry);
		hmap_del(ix->backlog, w->nid, strlen(w->nid));
		index_one(nd, w->nid);
		free(w);
		ix->done++;
		if (now_ms() - start >= INDEX_STEP_MS)
			break;
	}
	if (hmap_count(ix->backlog) > 0) {
		/* Fetching comes first: the branches are held, then indexed. */
		index_arm(ix, now_ms() - ix->last_batch < INDEX_BURST_MS ?
		    INDEX_YIELD_MS : INDEX_PAUSE_MS);
		return;
	}
	log_info("search index: caught up (%zu branches indexed in %lld s)",
	    ix->done, (long long)(time(NULL) - ix->since));
	ix->done = 0;
	search_rebuilt(nd->search);
	search_shrink(nd->search);	/* its page cache, */
	node_upkeep_trim(nd);		/* and the backlog's memory go back */
}

/* Puts nid into the backlog (once) and makes sure it is being worked off. */
static void
index_later(struct node *nd, const char *nid)
{
	struct node_index *ix = nd->index;
	struct index_wait *w;

	if (hmap_gets(ix->backlog, nid) != NULL)
		return;
	if (hmap_count(ix->backlog) == 0) {
		ix->since = time(NULL);
		index_arm(ix, 0);
	}
	w = xcalloc(1, sizeof *w);
	memcpy(w->nid, nid, strnlen(nid, KEYS_NID_MAX - 1));
	hmap_put(ix->backlog, w->nid, strlen(w->nid), w);
	TAILQ_INSERT_TAIL(&ix->queue, w, entry);
}

/* Empties the retry set; each nid goes into the backlog when nd is given. */
static void
index_retry_take(struct node_index *ix, struct node *nd)
{
	char	**v = NULL, *nid;
	size_t	  it = 0, n = 0, i;

	while ((nid = hmap_next(ix->retry, &it)) != NULL)
		strv_push(&v, &n, nid);
	for (i = 0; i < n; i++) {
		free(hmap_del(ix->retry, v[i], strlen(v[i])));
		if (nd != NULL)
			index_later(nd, v[i]);
	}
	strv_free(v, n);
}

void
node_index_retry(struct node *nd)
{
	if (nd->index != NULL && hmap_count(nd->index->retry) > 0)
		index_retry_take(nd->index, nd);
}

void
node_index_init(struct node *nd)
{
	nd->index = xcalloc(1, sizeof *nd->index);
	nd->index->backlog = hmap_new();
	nd->index->retry = hmap_new();
	TAILQ_INIT(&nd->index->queue);
}

void
node_index_start(struct node *nd, struct event_base *base)
{
	nd->index->timer = evtimer_new(base, index_step_cb, nd);
	/* Background work: peers and knowctl come first (knowd.c's priorities). */
	event_priority_set(nd->index->timer, 2);
	if (hmap_count(nd->index->backlog) > 0)
		index_arm(nd->index, 0);
}

void
node_index_stop(struct node *nd)
{
	if (nd->index != NULL && nd->index->timer != NULL) {
		event_free(nd->index->timer);
		nd->index->timer = NULL;
	}
}

void
node_index_free(struct node *nd)
{
	struct index_wait *w;

	if (nd->index == NULL)
		return;
	node_index_stop(nd);
	while ((w = TAILQ_FIRST(&nd->index->queue)) != NULL) {
		TAILQ_REMOVE(&nd->index->queue, w, entry);
		free(w);
	}
	hmap_free(nd->index->backlog);
	index_retry_take(nd->index, NULL);
	hmap_free(nd->index->retry);
	free(nd->index);
	nd->index = NULL;
}

size_t
node_index_lag(const struct node *nd)
{
	return nd->index != NULL ? hmap_count(nd->index->backlog) : 0;
}

/*
 * The index follows a batch of moves: at once when it is small and nothing
 * waits (a publish is searchable when knowctl returns), else later.
 */
void
node_index_moved(struct node *nd, const struct node_move *m, size_t n)
{
	size_t	 i;
	int	 now = n <= INDEX_NOW && hmap_count(nd->index->backlog) == 0;

	nd->index->last_batch = now_ms();
	for (i = 0; i < n; i++) {
		if (now || nd->index->timer == NULL)
			index_one(nd, m[i].nid);
		else
			index_later(nd, m[i].nid);
	}
}

/*
 * At start: every branch the index does not hold at its head (not in
 * fresh) is indexed —
 * at once when few are, else from the backlog once the loop runs.
 */
void
node_index_check(struct node *nd, const struct hmap *fresh)
{
	const struct store_branch *b;
	char		**lag = NULL;
	size_t		  it = 0, n = 0, i;

	if (nd->search == NULL)
		return;
	while ((b = store_branch_next(nd->store, &it)) != NULL) {
		if (hmap_gets(fresh, b->nid) != NULL)
			continue;
		lag = xreallocarray(lag, n + 1, sizeof *lag);
		lag[n++] = xstrdup(b->nid);
	}
	for (i = 0; i < n; i++) {
		if (n <= INDEX_START_NOW)
			index_one(nd, lag[i]);
		else
			index_later(nd, lag[i]);
	}
	if (n > INDEX_START_NOW)
		log_info("search index: %zu branches to index, in the background",
		    n);
	strv_free(lag, n);
}

int
node_reindex(struct node *nd, size_t *queued, char **cause)
{
	const struct store_branch *b;
	size_t		 it = 0, n;

	*queued = 0;
	if (nd->search == NULL)
		return set_cause(cause, "search index unavailable");
	if (search_clear(nd->search, cause) != 0)
		return -1;
	n = store_nbranches(nd->store);
	while ((b = store_branch_next(nd->store, &it)) != NULL) {
		if (n <= INDEX_START_NOW || nd->index->timer == NULL)
			index_one(nd, b->nid);
		else
			index_later(nd, b->nid);
	}
	*queued = hmap_count(nd->index->backlog);
	if (*queued == 0)
		search_rebuilt(nd->search);
	return 0;
}
