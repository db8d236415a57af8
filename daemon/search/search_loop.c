/*
 * search_loop.c — merging the index on the event loop: into one segment per
 * full-text table, in short steps (each about SEARCH_COMPACT_PAGES pages):
 * after a start, after a rebuild, and when the last merge is
 * SEARCH_COMPACT_EVERY old; after an erasure at once however few segments
 * it holds, with shorter pauses, and then its WAL emptied (search_forget).
 * And repairing it: when SQLite meets damage, the next turn of the loop
 * moves the file aside, opens an empty index and has the branches indexed
 * again (search_repair.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "search.h"
#include "search_int.h"
#include "util.h"

#define COMPACT_CHECK	60	/* seconds between looks at the segments */
#define COMPACT_STEP_MS	100	/* pause between two steps of a merge */
#define REPAIR_RETRY	10	/* seconds before a failed repair is tried again */
#define FORGET_STEP_MS	20	/* pause between two steps after an erasure */
#define FORGET_RETRY_MS	1000	/* a reader kept the WAL: emptying it again */

/* The merge's state on one event loop. */
struct search_loop {
	struct search	*search;	/* NULL: search is off */
	struct event	*timer;
	time_t		 due;		/* no merge before */
	time_t		 started;	/* of the merge running, or 0 */
	int64_t		 from;		/* segments when it started (-1: unknown) */
	int		 again;		/* a rebuild came during it: merge once more */
	int		 forget;	/* an erasure: merge fully, however few segments */
	int		 forgetting;	/* the merge running is one; then empty the WAL */
	int		 finishing;	/* merged; the WAL is still to be emptied */
	time_t		 forget_since;	/* of the first erasure not yet cleaned up */
	struct event	*repair;	/* damage met: repair on the next turn */
	struct timeval	 repair_delay;	/* KNOWD_TEST_REPAIR_DELAY (tests), else 0 */
	void		(*rebuild)(void *);
	void		*rebuild_arg;
};

/* Arms the timer for the next step or look. */
static void
loop_arm(struct search_loop *c, long ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

/* After an erasure's full merge: the WAL emptied, or tried again soon. */
static void
loop_finish(struct search_loop *c, time_t now)
{
	char	*why = NULL;
	int	 rv;

	if ((rv = search_forget_finish(c->search, &why)) == 1) {
		c->finishing = 1;
		loop_arm(c, FORGET_RETRY_MS);
		return;
	}
	c->finishing = 0;
	if (rv < 0) {
		log_warnx("search index: %s; forgetting again later", why);
		free(why);
		c->forget = 1;
	} else
		log_info("search index: erased text forgotten (%lld segments, "
		    "WAL emptied) %lld s after the erasure",
		    (long long)search_segments(c->search),
		    (long long)(now - c->forget_since));
	loop_arm(c, COMPACT_CHECK * 1000L);
}

/* Starts a merge when one is due (an erasure's at once, however few segments); 0 when none. */
static int
loop_begin(struct search_loop *c, time_t now)
{
	/* Unknown counts as segmented: a merge with nothing to do is quick. */
	if (!c->forget && (now < c->due || ((c->from =
	    search_segments(c->search)) >= 0 && c->from <= 2))) {
		loop_arm(c, COMPACT_CHECK * 1000L);
		return 0;
	}
	c->from = search_segments(c->search);
	/* From the start: the first step forced (one a repair cut short is void). */
	c->search->merging = c->search->merge_started = 0;
	c->started = now;
	c->forgetting = c->forget;
	c->forget = c->finishing = 0;
	log_info("search index: merging %lld segments%s", (long long)c->from,
	    c->forgetting ? " to forget erased text" : "");
	return 1;
}

/* Timer: starts a merge when one is due and the index is segmented, or runs its next step. */
static void
loop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct search_loop *c = arg;
	time_t		 now = time(NULL);
	char		*why = NULL;
	long		 next;
	int		 rv;

	if (c->search == NULL)
		return;
	if (c->finishing && !c->forget) {
		loop_finish(c, now);
		return;
	}
	if (c->started == 0 && !loop_begin(c, now))
		return;
	if ((rv = search_compact_step(c->search, SEARCH_COMPACT_PAGES,
	    &why)) == 1) {
		loop_arm(c, c->forgetting ? FORGET_STEP_MS : COMPACT_STEP_MS);
		return;
	}
	if (rv < 0) {
		log_warnx("search index: %s; merging again later", why);
		free(why);
	} else
		log_info("search index: %lld segments merged into %lld in %lld s",
		    (long long)c->from, (long long)search_segments(c->search),
		    (long long)(now - c->started));
	c->started = 0;
	c->due = c->again ? now : now + SEARCH_COMPACT_EVERY;
	/* A new erasure during it: merge again now; a failed one in a while. */
	next = c->again || (rv == 0 && c->forget) ? 0 : COMPACT_CHECK * 1000L;
	c->forget |= rv < 0 && c->forgetting;
	c->again = 0;
	/* After an erasure nothing of the text may stay in the WAL either. */
	if (rv == 0 && c->forgetting && !c->forget) {
		c->forgetting = 0;
		loop_finish(c, now);
		return;
	}
	c->forgetting = 0;
	loop_arm(c, next);
}

/* Damage met (any thread, maybe inside SQLite): repair on a coming turn of the loop. */
static void
loop_damage(void *arg)
{
	struct search_loop *c = arg;

	if (!evtimer_pending(c->repair, NULL))
		evtimer_add(c->repair, &c->repair_delay);
}

/* Timer: moves a damaged index aside, opens an empty one and has it rebuilt. */
static void
loop_repair_cb(evutil_socket_t fd, short what, void *arg)
{
	struct search_loop *c = arg;
	struct timeval	 tv = { REPAIR_RETRY, 0 };
	char		*why = NULL;

	if (c->search == NULL || !search_damaged(c->search))
		return;
	if (search_repair(c->search, &why) != 0) {
		log_warnx("search index: cannot repair it (%s); trying again in "
		    "%d s", why, REPAIR_RETRY);
		free(why);
		evtimer_add(c->repair, &tv);
		return;
	}
	/* A merge of the old file is void; the new one holds no erased text. */
	c->started = c->forget = c->forgetting = c->finishing = 0;
	if (c->rebuild != NULL)
		c->rebuild(c->rebuild_arg);
	else
		search_rebuilt(c->search);
}

/* search_forget: an erasure wants a full merge, started now. */
static void
loop_forgot(void *arg)
{
	struct search_loop *c = arg;

	if (!search_loop_forgetting(c))
		c->forget_since = time(NULL);
	c->forget = 1;
	search_loop_soon(c);
}

struct search_loop *
search_loop_start(struct event_base *base, struct search *s)
{
	struct search_loop *c = xcalloc(1, sizeof *c);
	const char	*delay = getenv("KNOWD_TEST_REPAIR_DELAY");

	c->search = s;
	c->timer = evtimer_new(base, loop_cb, c);
	event_priority_set(c->timer, 2);	/* background: after peers and knowctl */
	/* A first look soon after the start, once the peers are dialled. */
	loop_arm(c, 1000);
	c->repair = evtimer_new(base, loop_repair_cb, c);
	if (delay != NULL)
		c->repair_delay.tv_sec = strtol(delay, NULL, 10);
	if (s != NULL) {
		s->forgot = loop_forgot;
		s->forgot_arg = c;
		/* An erasure's clean-up a kill cut short: done first. */
		if (search_forget_pending(s)) {
			c->forget = 1;
			c->forget_since = time(NULL);
		}
		search_on_damage(loop_damage, c);
		if (search_damaged(s))		/* met while the node opened */
			loop_damage(c);
	}
	return c;
}

void
search_loop_on_damage(struct search_loop *c, void (*rebuild)(void *),
    void *arg)
{
	c->rebuild = rebuild;
	c->rebuild_arg = arg;
}

void
search_loop_soon(struct search_loop *c)
{
	if (c == NULL)
		return;
	if (c->started != 0) {
		c->again = 1;
		return;
	}
	c->due = 0;
	evtimer_del(c->timer);
	loop_arm(c, 0);
}

int
search_loop_merging(const struct search_loop *c)
{
	return c != NULL && c->started != 0;
}

int
search_loop_forgetting(const struct search_loop *c)
{
	return c != NULL && (c->forget || c->forgetting || c->finishing);
}

void
search_loop_stop(struct search_loop *c)
{
	if (c == NULL)
		return;
	if (c->search != NULL) {
		search_on_damage(NULL, NULL);
		c->search->forgot = NULL;
	}
	event_free(c->repair);
	event_free(c->timer);
	free(c);
}
