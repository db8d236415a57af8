/*
 * search_query.c — reading the search index: queries with filters ranked by
 * bm25 (title over summary over body), facet counts and retracted records.
 * Every value reaches SQLite as a bound parameter; query words reach FTS5
 * only as quoted stems (search_text_match).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "record.h"
#include "search.h"
#include "search_int.h"
#include "util.h"

#define SNIPPET_WORDS	24
/*
 * A query matching more records than this ranks only the newest WINDOW
 * matches and the best of the newest WINDOW title matches (rowids grow with
 * indexing time), so its cost stays bounded however common its words are.
 * Pages further down widen the window to twice their end.
 */
#define WINDOW		500

/* True when s is in the NULL-terminated vocabulary. */
static int
in_vocab(const char *const *vocab, const char *s)
{
	for (; *vocab != NULL; vocab++)
		if (strcmp(*vocab, s) == 0)
			return 1;
	return 0;
}

/* True for YYYY-MM-DD, optionally followed by THH:MM:SSZ. */
static int
date_ok(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t	 i, n = strlen(s);

	if (n != 10 && n != 20)
		return 0;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	return 1;
}

int
search_query_check(const struct search_query *q, char **cause)
{
	if (q->q != NULL && strlen(q->q) > SEARCH_MAX_QUERY)
		return set_cause(cause, "query too long (%zu bytes, at most %d)",
		    strlen(q->q), SEARCH_MAX_QUERY);
	if (q->field != NULL && !in_vocab(record_fields, q->field))
		return set_cause(cause, "field: \"%.64s\" is not a Handlungsfeld",
		    q->field);
	if (q->status != NULL && !in_vocab(record_statuses, q->status))
		return set_cause(cause, "status: \"%.64s\" is not one of idee, "
		    "planung, umsetzung, regelbetrieb, beendet", q->status);
	if (q->hurdle != NULL && !in_vocab(record_hurdles, q->hurdle))
		return set_cause(cause, "hurdle: \"%.64s\" is not one of "
		    "finanziell, organisatorisch, technisch, sozial, rechtlich",
		    q->hurdle);
	if (q->project != NULL && !record_slug_valid(q->project))
		return set_cause(cause, "project: \"%.64s\" is not a slug",
		    q->project);
	if (q->tag != NULL && !record_slug_valid(q->tag))
		return set_cause(cause, "tag: \"%.64s\" is not a slug", q->tag);
	if (q->since != NULL && !date_ok(q->since))
		return set_cause(cause, "since: \"%.64s\" is not YYYY-MM-DD",
		    q->since);
	if (q->kind != NULL && strcmp(q->kind, "lesson") != 0 &&
	    strcmp(q->kind, "project") != 0 && strcmp(q->kind, "node") != 0 &&
	    strcmp(q->kind, "vouch") != 0)
		return set_cause(cause, "kind: \"%.64s\" is not lesson, project, "
		    "node or vouch", q->kind);
	if (q->node != NULL && strlen(q->node) > 256)
		return set_cause(cause, "node: too long");
	if (q->limit > SEARCH_MAX_LIMIT)
		return set_cause(cause, "limit: at most %d", SEARCH_MAX_LIMIT);
	return 0;
}

/* Appends q's kind as an SQL condition on table alias t (default: lessons and projects). */
static void
kind_sql(struct buf *b, const struct search_query *q, char t)
{
	if (q->kind != NULL)
		buf_printf(b, "AND %c.kind = ?2 ", t);
	else
		buf_printf(b, "AND ?2 IS NULL AND %c.kind IN ('lesson', "
		    "'project') ", t);
}

/* Appends q's facet filters as SQL conditions on records r. */
static void
facet_sql(struct buf *b, const struct search_query *q)
{
	kind_sql(b, q, 'r');
#define TERM(n, f) "AND (?" #n " IS NULL OR r.rowid IN (SELECT rid FROM " \
	"terms WHERE facet = '" f "' AND value = ?" #n ")) "
	buf_addstr(b, TERM(3, "field") TERM(4, "status") TERM(5, "hurdle")
	    TERM(6, "project") TERM(7, "tag"));
#undef TERM
	buf_addstr(b, "AND (?8 IS NULL OR r.nid = ?8 OR r.nid IN (SELECT "
	    "nid FROM records WHERE kind = 'node' AND title = ?8 COLLATE "
	    "NOCASE)) ");
}

/* Appends one facet token to an FTS5 expression, quoted. */
static void
facet_add(struct buf *b, char prefix, const char *value)
{
	if (value == NULL)
		return;
	buf_addc(b, '"');
	search_facet_token(b, prefix, value);
	buf_addstr(b, "\" ");
}

/* Appends the node filter's tokens: the node id and the ids of nodes so named. */
static void
facet_node(struct search *s, struct buf *b, const char *node)
{
	sqlite3_stmt	*st = NULL;
	const unsigned char *nid;

	buf_addstr(b, "(");
	facet_add(b, 'n', node);
	if (search_prepare(s, "SELECT DISTINCT nid FROM records WHERE kind = "
	    "'node' AND title = ?1 COLLATE NOCASE", &st, NULL) == 0) {
		search_bind(st, 1, node);
		while (sqlite3_step(st) == SQLITE_ROW)
			if ((nid = sqlite3_column_text(st, 0)) != NULL) {
				buf_addstr(b, "OR ");
				facet_add(b, 'n', (const char *)nid);
			}
		sqlite3_finalize(st);
	}
	buf_addstr(b, ") ");
}

/*
 * The FTS5 expression of words narrowed by q's facet filters, which the
 * facets column holds as tokens: FTS5 intersects them with the words'
 * doclists, so a filter costs no more than another word. Caller frees.
 */
static char *
facet_match(struct search *s, const struct search_query *q, const char *words)
{
	struct buf	 b;
	const char	*node = q->node;

	if (q->kind == NULL && q->field == NULL && q->status == NULL &&
	    q->hurdle == NULL && q->project == NULL && q->tag == NULL &&
	    node == NULL)
		return xstrdup(words);
	buf_init(&b);
	buf_printf(&b, "(%s) AND {facets} : (", words);
	facet_add(&b, 'k', q->kind);
	facet_add(&b, 'f', q->field);
	facet_add(&b, 's', q->status);
	facet_add(&b, 'h', q->hurdle);
	facet_add(&b, 'p', q->project);
	facet_add(&b, 't', q->tag);
	if (node != NULL && strncmp(node, "did:key:", 8) == 0)
		node += 8;
	if (node != NULL)
		facet_node(s, &b, node);
	buf_addc(&b, ')');
	return buf_detach(&b, NULL);
}

/*
 * The statement's SQL for a query; binds follow the order of the conditions.
 * Ranking, filters and the page are computed over narrow columns first; only
 * the page's rows are then read whole (their bodies are large).
 */
static char *
query_sql(const struct search_query *q, const char *rank, int fast)
{
	struct buf	 b;
	int		 fts = rank != NULL;

	buf_init(&b);
	if (fts && fast == 2)
		buf_printf(&b, "WITH c(rid, rank) AS (SELECT * FROM (SELECT rowid, "
		    "krank(fts%s) FROM fts WHERE fts MATCH ?1 AND rowid >= ?14 "
		    "ORDER BY 2 LIMIT ?13) UNION ALL SELECT fts.rowid, krank(fts%s) "
		    "FROM (SELECT rowid AS tid FROM tfts WHERE tfts MATCH ?1 AND "
		    "rowid >= ?15 ORDER BY krank(tfts%s) LIMIT ?13) t CROSS JOIN fts "
		    "ON fts.rowid = t.tid WHERE fts MATCH ?1), m(rid, rank) AS "
		    "MATERIALIZED (SELECT rid, min(rank) FROM c GROUP BY rid ORDER "
		    "BY 2 LIMIT ?13), ", rank, rank, rank);
	else if (fts && fast)
		buf_printf(&b, "WITH m(rid, rank) AS MATERIALIZED (SELECT rowid, "
		    "krank(fts%s) FROM fts WHERE fts MATCH ?1 ORDER BY 2 LIMIT "
		    "?13), ", rank);
	else if (fts)
		buf_printf(&b, "WITH m(rid, rank) AS MATERIALIZED (SELECT rowid, "
		    "krank(fts%s) FROM fts WHERE fts MATCH ?1), ", rank);
	else
		buf_addstr(&b, "WITH ");
	buf_addstr(&b, "page(rid, rank, total) AS MATERIALIZED (SELECT r.rowid, ");
	/* Without words the total is counted apart (filter_count). */
	buf_addstr(&b, fts ? "m.rank, count(*) OVER () FROM " : "0, 0 FROM ");
	buf_addstr(&b, fts ? "m CROSS JOIN records r ON r.rowid = m.rid " :
	    "records r ");
	/* With words, FTS5 applies the facet filters (in the match). */
	buf_addstr(&b, fts ? "WHERE ?1 IS NOT NULL " : "WHERE ?1 IS NULL ");
	if (!fts)
		facet_sql(&b, q);
	buf_addstr(&b, "AND (?9 IS NULL OR r.modified >= ?9) "
	    "AND (?10 IS NULL OR r.id = ?10) ");
	buf_addstr(&b, fts ? "ORDER BY 2, r.modified DESC, r.id " :
	    "ORDER BY r.modified DESC, r.id ");
	buf_addstr(&b, "LIMIT ?11 OFFSET ?12) ");
	buf_addstr(&b, "SELECT r.id, r.nid, coalesce(n.title, ''), r.kind, "
	    "r.project, r.title, r.summary, r.fields, r.status, r.hurdles, "
	    "r.tags, r.created, r.modified, r.path, r.blob, b.body, page.rank, "
	    "page.total FROM page CROSS JOIN records r ON r.rowid = page.rid "
	    "LEFT JOIN bodies b ON b.rid = r.rowid LEFT JOIN records n ON "
	    "n.nid = r.nid AND n.kind = 'node' ORDER BY page.rank, "
	    "r.modified DESC, r.id");
	return buf_detach(&b, NULL);
}

/* Fills one hit from the current row; the snippet comes from summary or body. */
static void
hit_fill(struct search *s, sqlite3_stmt *st, const char *q,
    struct search_hit *h)
{
	char	**f[] = { &h->id, &h->nid, &h->node, &h->kind, &h->project,
	    &h->title, &h->summary, &h->fields, &h->status, &h->hurdles,
	    &h->tags, &h->created, &h->modified, &h->path, &h->blob };
	const unsigned char *body;
	char	*snip;
	size_t	 i;

	for (i = 0; i < nitems(f); i++)
		*f[i] = search_col(st, (int)i);
	h->score = -sqlite3_column_double(st, 16);
	snip = search_text_snippet(s->text, q, h->summary, SNIPPET_WORDS);
	if (q != NULL && strchr(snip, SEARCH_HL_ON) == NULL &&
	    (body = sqlite3_column_text(st, 15)) != NULL) {
		char *b = search_text_snippet(s->text, q, (const char *)body,
		    SNIPPET_WORDS);

		if (strchr(b, SEARCH_HL_ON) != NULL || *snip == '\0') {
			free(snip);
			snip = b;
		} else
			free(b);
	}
	h->snippet = snip;
}

/* True when the match holds all of q's conditions: ranking can stop early. */
static int
query_simple(const struct search_query *q)
{
	return q->since == NULL && q->id == NULL;
}

/*
 * How many records match, counted up to one past the cap (SEARCH_COUNT_CAP):
 * counting every match of a common word would cost more than ranking the page.
 */
static size_t
match_count(struct search *s, const char *match)
{
	sqlite3_stmt	*st;
	size_t		 n = 0;

	if ((st = search_cached(s, "SELECT count(*) FROM (SELECT 1 FROM fts "
	    "WHERE fts MATCH ?1 LIMIT ?2 + 1)", NULL)) == NULL)
		return 0;
	search_bind(st, 1, match);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->count_cap);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	search_release(st);
	return n;
}

/* Where the ranking windows of a common query start. */
struct window {
	sqlite3_int64	 from;		/* rowid of the n-th newest match */
	sqlite3_int64	 title_from;	/* the same of the title matches */
};

/*
 * The rowid of the n-th newest record matching match in table (fts or its
 * titles alone, tfts), 0 when fewer match.
 */
static sqlite3_int64
window_from(struct search *s, const char *table, const char *match, size_t n)
{
	sqlite3_stmt	*st;
	sqlite3_int64	 from = 0;
	char		*sql;

	sql = xasprintf("SELECT rowid FROM %s WHERE %s MATCH ?1 ORDER BY rowid "
	    "DESC LIMIT 1 OFFSET ?2", table, table);
	st = search_cached(s, sql, NULL);
	free(sql);
	if (st == NULL)
		return 0;
	search_bind(st, 1, match);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
	if (sqlite3_step(st) == SQLITE_ROW)
		from = sqlite3_column_int64(st, 0);
	search_release(st);
	return from;
}

/* Binds q's words (match) and filters to ?1…?10 of a statement from query_sql. */
static void
bind_query(sqlite3_stmt *st, const struct search_query *q, const char *match)
{
	const char	*node = q->node;

	if (node != NULL && strncmp(node, "did:key:", 8) == 0)
		node += 8;
	search_bind(st, 1, match);
	search_bind(st, 2, q->kind);
	search_bind(st, 3, q->field);
	search_bind(st, 4, q->status);
	search_bind(st, 5, q->hurdle);
	search_bind(st, 6, q->project);
	search_bind(st, 7, q->tag);
	search_bind(st, 8, node);
	search_bind(st, 9, q->since);
	search_bind(st, 10, q->id);
}

/*
 * The facet whose terms drive a count (its name and bind number), or NULL;
 * *alone when it is q's only condition besides kind.
 */
static const char *
count_driver(const struct search_query *q, int *param, int *alone)
{
	const char *const v[] = { q->field, q->status, q->hurdle, q->project,
	    q->tag };
	static const char *const name[] = { "field", "status", "hurdle",
	    "project", "tag" };
	const char	*facet = NULL;
	size_t		 i, n = 0;

	for (i = 0; i < nitems(v); i++)
		if (v[i] != NULL && n++ == 0) {
			facet = name[i];
			*param = 3 + (int)i;
		}
	*alone = n == 1 && q->node == NULL && q->since == NULL && q->id == NULL;
	return facet;
}

/*
 * How many records pass q's filters (q has no words), up to one past the
 * cap. Driven from one facet's terms, the count costs what it counts; a
 * facet alone is counted from the terms index without reading records.
 */
static size_t
filter_count(struct search *s, const struct search_query *q)
{
	sqlite3_stmt	*st = NULL;
	struct buf	 b;
	const char	*facet;
	size_t		 n = 0;
	int		 rv, param = 0, alone;

	facet = count_driver(q, &param, &alone);
	buf_init(&b);
	buf_addstr(&b, "SELECT count(*) FROM (SELECT 1 FROM ");
	if (facet != NULL && alone) {
		buf_printf(&b, "terms t WHERE t.facet = '%s' AND t.value = ?%d "
		    "AND ?1 IS NULL ", facet, param);
		kind_sql(&b, q, 't');
	} else {
		if (facet != NULL)
			buf_printf(&b, "terms t CROSS JOIN records r ON r.rowid = "
			    "t.rid WHERE t.facet = '%s' AND t.value = ?%d AND ",
			    facet, param);
		else
			buf_addstr(&b, "records r WHERE ");
		buf_addstr(&b, "?1 IS NULL ");
		facet_sql(&b, q);
		buf_addstr(&b, "AND (?9 IS NULL OR r.modified >= ?9) AND (?10 IS "
		    "NULL OR r.id = ?10) ");
	}
	buf_addstr(&b, "LIMIT ?11 + 1)");
	rv = search_prepare(s, (const char *)b.data, &st, NULL);
	buf_free(&b);
	if (rv != 0)
		return 0;
	bind_query(st, q, NULL);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)s->count_cap);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Sets res's total from a count taken up to one past the cap. */
static void
set_total(struct search *s, struct search_result *res, size_t n)
{
	res->total = n > s->count_cap ? s->count_cap : n;
	res->more = n > s->count_cap;
}

/* Runs one form of the query (fast: rank only the best candidates). */
static int
run_sql(struct search *s, const struct search_query *q, const char *match,
    const char *rank, int fast, const struct window *w,
    struct search_result *res, char **cause)
{
	sqlite3_stmt	*st = NULL;
	size_t		 limit = q->limit != 0 ? q->limit : 50;
	char		*sql;
	int		 rc;

	sql = query_sql(q, rank, fast);
	rc = search_prepare(s, sql, &st, cause);
	free(sql);
	if (rc != 0)
		return -1;
	bind_query(st, q, match);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)limit);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)q->offset);
	if (fast)
		sqlite3_bind_int64(st, 13, (sqlite3_int64)(q->offset + limit));
	if (fast == 2) {
		sqlite3_bind_int64(st, 14, w->from);
		sqlite3_bind_int64(st, 15, w->title_from);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		res->v = xreallocarray(res->v, res->n + 1, sizeof *res->v);
		hit_fill(s, st, match != NULL ? q->q : NULL, &res->v[res->n++]);
		res->total = (size_t)sqlite3_column_int64(st, 17);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		set_cause(cause, "index: %s", sqlite3_errmsg(s->db));
		search_result_free(res);
		return -1;
	}
	return 0;
}

/* Runs q with the FTS5 expression of its words (NULL: no words). */
static int
run_match(struct search *s, const struct search_query *q, const char *words,
    struct search_result *res, char **cause)
{
	struct window	 w;
	size_t		 limit = q->limit != 0 ? q->limit : 50, total, want, win;
	char		*rank, *match;
	int		 rv, fast = 1;

	if (words == NULL) {
		if ((rv = run_sql(s, q, NULL, NULL, 0, NULL, res, cause)) == 0)
			set_total(s, res, filter_count(s, q));
		return rv;
	}
	rank = search_rank_args(s, words);
	match = facet_match(s, q, words);
	if (!query_simple(q)) {
		rv = run_sql(s, q, match, rank, 0, NULL, res, cause);
		free(match);
		free(rank);
		return rv;
	}
	/* Rank the best candidates only; fall back when that found too few. */
	total = match_count(s, match);
	memset(&w, 0, sizeof w);
	win = q->offset + limit > WINDOW / 2 ? 2 * (q->offset + limit) : WINDOW;
	if (total > win || total > s->count_cap) {
		w.from = window_from(s, "fts", match, win);
		w.title_from = window_from(s, "tfts", match, win);
		fast = 2;
	}
	if ((rv = run_sql(s, q, match, rank, fast, &w, res, cause)) == 0) {
		want = total > q->offset ? total - q->offset : 0;
		set_total(s, res, total);
		if (res->n < (want < limit ? want : limit)) {
			search_result_free(res);
			rv = run_sql(s, q, match, rank, 0, NULL, res, cause);
		}
	}
	free(match);
	free(rank);
	return rv;
}

int
search_run(struct search *s, const struct search_query *q,
    struct search_result *res, char **cause)
{
	char	*match = NULL;
	int	 rv;

	memset(res, 0, sizeof *res);
	if (search_query_check(q, cause) != 0)
		return -1;
	if (q->q != NULL)
		match = search_text_match(s->text, q->q);
	rv = run_match(s, q, match, res, cause);
	/* No record has every word: list those with any of them. */
	if (rv == 0 && res->total == 0 && match != NULL &&
	    strstr(match, " AND ") != NULL) {
		free(match);
		match = search_text_match_any(s->text, q->q);
		search_result_free(res);
		rv = run_match(s, q, match, res, cause);
		res->any = 1;
	}
	/* Say which words found nothing, and how the index spells them. */
	if (rv == 0 && match != NULL && (res->total == 0 || res->any))
		search_unmatched(s, q->q, res);
	free(match);
	return rv;
}

size_t
search_size(struct search *s)
{
	sqlite3_stmt	*st = NULL;
	size_t		 n = 0;

	if (search_damaged(s))
		return 0;		/* none to be trusted until it is rebuilt */
	/* Counting scans an index (12 ms at 100,000): kept until the index changes. */
	if (s->size_known)
		return s->size;
	if (search_prepare(s, "SELECT count(*) FROM records WHERE kind IN "
	    "('lesson', 'project')", &st, NULL) != 0)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	s->size = n;
	s->size_known = 1;
	return n;
}

void
search_result_free(struct search_result *res)
{
	struct search_hit *h;
	size_t	 i;

	for (i = 0; i < res->n; i++) {
		h = &res->v[i];
		free(h->id); free(h->nid); free(h->node); free(h->kind);
		free(h->project); free(h->title); free(h->summary);
		free(h->fields); free(h->status); free(h->hurdles);
		free(h->tags); free(h->created); free(h->modified);
		free(h->path); free(h->blob); free(h->snippet);
	}
	free(res->v);
	for (i = 0; i < res->nunmatched; i++)
		free(res->unmatched[i]);
	free(res->unmatched);
	free(res->suggest);
	memset(res, 0, sizeof *res);
}

int
search_facet(struct search *s, const char *facet, struct search_count **out,
    size_t *n, char **cause)
{
	sqlite3_stmt	*st = NULL;
	struct search_count *c;

	*out = NULL;
	*n = 0;
	/* facet_counts is kept by triggers on terms. */
	if (search_prepare(s, "SELECT f.value, coalesce(n.title, f.value), f.n "
	    "FROM facet_counts f LEFT JOIN records n ON f.facet = 'node' AND "
	    "n.kind = 'node' AND n.nid = f.value WHERE f.facet = ?1 AND f.n > 0 "
	    "ORDER BY 3 DESC, 2", &st, cause) != 0)
		return -1;
	search_bind(st, 1, facet);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		c = &(*out)[(*n)++];
		c->value = search_col(st, 0);
		c->label = search_col(st, 1);
		c->n = (size_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return 0;
}

void
search_counts_free(struct search_count *c, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(c[i].value);
		free(c[i].label);
	}
	free(c);
}

int
search_retracted(struct search *s, const char *nid, const char *field,
    size_t limit, struct search_gone **out, size_t *n, char **cause)
{
	sqlite3_stmt	*st = NULL;
	struct search_gone *g;

	*out = NULL;
	*n = 0;
	if (search_prepare(s, "SELECT id, nid, title, time FROM retracted "
	    "WHERE (?1 IS NULL OR nid = ?1) AND (?2 IS NULL OR instr(' ' || "
	    "fields || ' ', ' ' || ?2 || ' ') > 0) ORDER BY time DESC, id "
	    "LIMIT ?3", &st, cause) != 0)
		return -1;
	search_bind(st, 1, nid);
	search_bind(st, 2, field);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		g = &(*out)[(*n)++];
		g->id = search_col(st, 0);
		g->nid = search_col(st, 1);
		g->title = search_col(st, 2);
		g->when = search_col(st, 3);
	}
	sqlite3_finalize(st);
	return 0;
}

void
search_gone_free(struct search_gone *g, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(g[i].id);
		free(g[i].nid);
		free(g[i].title);
		free(g[i].when);
	}
	free(g);
}
