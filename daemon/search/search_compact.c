/*
 * search_compact.c — keeping the index's full-text tables in one segment
 * each. FTS5 writes a new b-tree segment per transaction and merges them in
 * tiers, which leaves up to three per level: about ten at 100,000 lessons.
 * A query seeks every segment for every term, so merging them into one
 * makes queries cheaper (knowd does it in steps: search_node.c). A step is
 * a transaction of its own: one cut short by a crash or a full disk leaves
 * a valid index, and merging carries on from there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "search.h"
#include "search_int.h"
#include "util.h"

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
search_forget(struct search *s, const char *nid, char *const *ids, size_t n,
    char **cause)
{
	size_t	 i;

	/* A retracted record's title is kept for the feed: not an erased one's. */
	for (i = 0; i < n; i++) {
		sqlite3_reset(s->erase_gone);
		search_bind(s->erase_gone, 1, SEARCH_ERASED_TITLE);
		search_bind(s->erase_gone, 2, nid);
		search_bind(s->erase_gone, 3, ids[i]);
		if (sqlite3_step(s->erase_gone) != SQLITE_DONE)
			return set_cause(cause, "%s", sqlite3_errmsg(s->db));
	}
	sqlite3_reset(s->erase_gone);
	/* Written down, so that a kill before the end is no loss (search_loop.c). */
	if (search_exec(s, "DELETE FROM forget; INSERT INTO forget VALUES "
	    "(strftime('%s', 'now'));", cause) != 0)
		return -1;
	/*
	 * A full merge drops deleted entries from the segments, then the WAL
	 * is emptied: in steps on the search loop when there is one (an
	 * optimize at once takes seconds on a large index), else here.
	 */
	if (s->forgot != NULL) {
		s->forgot(s->forgot_arg);
		return 0;
	}
	s->merging = s->merge_started = 0;
	if (search_compact(s, cause) != 0)
		return -1;
	return search_forget_finish(s, cause) == 0 ? 0 :
	    set_cause(cause, "index: the WAL is in use; not emptied");
}

int
search_forget_pending(struct search *s)
{
	sqlite3_stmt	*st = NULL;
	int		 pending = 0;

	if (search_prepare(s, "SELECT 1 FROM forget", &st, NULL) != 0)
		return 0;
	pending = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return pending;
}

/*
 * The WAL is checkpointed and truncated without waiting for readers (the
 * busy handler would stall the event loop): 1 when one is in the way, to
 * be tried again. Then the mark goes (a WAL holding only that page).
 */
int
search_forget_finish(struct search *s, char **cause)
{
	int	 rc;

	sqlite3_busy_timeout(s->db, 0);
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	sqlite3_busy_timeout(s->db, SEARCH_BUSY_MS);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 1;
	if (rc != SQLITE_OK) {
		search_note_error(s);
		return set_cause(cause, "index: emptying the WAL: %s",
		    sqlite3_errmsg(s->db));
	}
	return search_exec(s, "DELETE FROM forget;", cause);
}

int
search_compact(struct search *s, char **cause)
{
	int	 rv;

	while ((rv = search_compact_step(s, SEARCH_COMPACT_PAGES, cause)) == 1)
		;
	return rv;
}
