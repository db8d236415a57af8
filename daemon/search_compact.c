/*
 * search_compact.c — keeping the index's full-text tables in one segment
 * each. FTS5 writes a new b-tree segment per transaction and merges them in
 * tiers, which leaves up to three per level: about ten at 100,000 lessons.
 * A query seeks every segment for every term, so knowd merges them into
 * one, in short steps on its event loop (each its own transaction of about
 * SEARCH_COMPACT_PAGES pages): after a start, after a rebuild, and when the
 * last merge is SEARCH_COMPACT_EVERY old. A step cut short by a crash or a
 * full disk leaves a valid index; the next start merges on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

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
};

/* Reads an SQLite varint (big-endian 7-bit groups, 9 bytes at most) at *p; -1 past end. */
static int64_t
varint(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < 9 && *p < end; i++) {
		if (i == 8)
			return (int64_t)((v << 8) | *(*p)++);
		v = (v << 7) | (**p & 0x7f);
		if ((*(*p)++ & 0x80) == 0)
			return (int64_t)v;
	}
	return -1;
}

/*
 * The segment count of an FTS5 table, from its structure record (rowid 10
 * of table_data): a 4-byte cookie, from SQLite 3.45 a 4-byte mark of the
 * second version, then varints for the levels and the segments. -1 when
 * unreadable.
 */
static int64_t
table_segments(struct search *s, const char *table)
{
	static const unsigned char v2[4] = { 0xff, 0x00, 0x00, 0x01 };
	sqlite3_stmt	*st = NULL;
	const unsigned char *p, *end;
	int64_t		 n = -1;
	char		*sql;
	int		 rc;

	sql = xasprintf("SELECT block FROM %s_data WHERE id = 10", table);
	rc = search_prepare(s, sql, &st, NULL);
	free(sql);
	if (rc != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (p = sqlite3_column_blob(st, 0)) != NULL &&
	    sqlite3_column_bytes(st, 0) >= 6) {
		end = p + sqlite3_column_bytes(st, 0);
		p += 4;
		if (end - p >= 4 && memcmp(p, v2, 4) == 0)
			p += 4;
		if (varint(&p, end) >= 0)
			n = varint(&p, end);
	}
	sqlite3_finalize(st);
	return n;
}

int64_t
search_segments(struct search *s)
{
	int64_t	 a = table_segments(s, "fts"), b = table_segments(s, "tfts");

	return a < 0 || b < 0 ? -1 : a + b;
}

/*
 * One FTS5 'merge' of about pages pages into table: the first of a merge
 * negative (all segments to one level, merged however few), the rest
 * positive (carrying on even when new segments arrive). 1 when it merged
 * something, 0 when there was nothing left, -1 on error.
 */
static int
merge_once(struct search *s, const char *table, int pages, char **cause)
{
	sqlite3_stmt	*st = NULL;
	char		*sql;
	int		 before, rc;

	sql = xasprintf("INSERT INTO %s(%s, rank) VALUES ('merge', ?1)", table,
	    table);
	rc = search_prepare(s, sql, &st, cause);
	free(sql);
	if (rc != 0)
		return -1;
	sqlite3_bind_int(st, 1, s->merge_started ? pages : -pages);
	before = sqlite3_total_changes(s->db);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return set_cause(cause, "index: merging %s: %s", table,
		    sqlite3_errmsg(s->db));
	/* FTS5: fewer than two changes means the merge is complete. */
	return sqlite3_total_changes(s->db) - before >= 2;
}

int
search_compact_step(struct search *s, int pages, char **cause)
{
	static const char *const tables[] = { "fts", "tfts" };
	int	 rv;

	while (s->merging < (int)nitems(tables)) {
		rv = merge_once(s, tables[s->merging], pages, cause);
		if (rv < 0) {
			s->merging = s->merge_started = 0;
			return -1;
		}
		if (rv == 1) {
			s->merge_started = 1;
			return 1;
		}
		s->merging++;
		s->merge_started = 0;
	}
	s->merging = 0;
	return 0;
}

int
search_compact(struct search *s, char **cause)
{
	int	 rv;

	while ((rv = search_compact_step(s, SEARCH_COMPACT_PAGES, cause)) == 1)
		;
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
	c->due = now + SEARCH_COMPACT_EVERY;
	compact_arm(c, COMPACT_CHECK * 1000L);
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

	if (c == NULL || c->started != 0)
		return;
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
