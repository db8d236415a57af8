/*
 * search_rank.c — relevance for the search index: an FTS5 function
 * krank(fts, n0, n1, …) that scores a row by BM25 with title over summary
 * over body, like FTS5's bm25(), but takes each term's document count from
 * its caller. FTS5's own bm25() counts the documents of every term on every
 * query (a walk over the term's whole doclist: milliseconds for a common
 * word at 100,000 lessons, twice when a query ranks titles apart); here the
 * count is estimated once per query from the term's newest matches
 * (search_rank_args).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search.h"
#include "search_int.h"
#include "util.h"

#define K1		1.2
#define B		0.75
/* A term with more matches than this has its document count estimated. */
#define SAMPLE		1000

/*
 * Column weights: fts is title, summary, body, facets, parts (compounds
 * ending in a query word, in title or summary); tfts is title, facets, parts. Facets
 * filter and score nothing.
 */
static const double weight_fts[] = { 10.0, 4.0, 1.0, 0.0, 3.0 };
static const double weight_tfts[] = { 10.0, 0.0, 3.0 };

/* What a statement's rows share: the index's size, read once. */
struct stats {
	double	 rows;		/* documents */
	double	 avg;		/* their average length in tokens */
};

/* The statement's stats, cached as the function's auxiliary data. */
static const struct stats *
stats_get(const Fts5ExtensionApi *api, Fts5Context *fts)
{
	static const struct stats none = { 1.0, 1.0 };
	struct stats	*st = api->xGetAuxdata(fts, 0);
	sqlite3_int64	 rows = 0, tokens = 0, n;
	int		 col, ntext = api->xColumnCount(fts) == 3 ? 1 : 3;

	if (st != NULL)
		return st;
	for (col = 0; col < ntext; col++)
		if (api->xColumnTotalSize(fts, col, &n) == SQLITE_OK)
			tokens += n;
	if (api->xRowCount(fts, &rows) != SQLITE_OK || rows == 0 ||
	    (st = sqlite3_malloc(sizeof *st)) == NULL)
		return &none;
	st->rows = (double)rows;
	st->avg = tokens > 0 ? (double)tokens / (double)rows : 1.0;
	if (api->xSetAuxdata(fts, st, sqlite3_free) != SQLITE_OK)
		return &none;
	return st;
}

/* krank(fts, n0, n1, …): minus the BM25 score of the current row. */
static void
krank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
    int nval, sqlite3_value **val)
{
	const struct stats *st;
	double	 freq[3 * SEARCH_MAX_WORDS + 8] = { 0 }, score = 0, norm, idf, n;
	const double *weight = weight_fts;
	Fts5PhraseIter iter;
	int	 i, col, off, len = 0, size, nphrase;
	int	 ncol = (int)nitems(weight_fts), ntext = 3;

	if (api->xColumnCount(fts) == (int)nitems(weight_tfts)) {
		weight = weight_tfts;
		ncol = (int)nitems(weight_tfts);
		ntext = 1;
	}
	nphrase = api->xPhraseCount(fts);
	if (nphrase > (int)nitems(freq))
		nphrase = (int)nitems(freq);
	/* Each phrase's own instances: cheaper than xInst's merged list. */
	for (i = 0; i < nphrase; i++) {
		if (api->xPhraseFirst(fts, i, &iter, &col, &off) != SQLITE_OK) {
			sqlite3_result_error(ctx, "krank: cannot read the row",
			    -1);
			return;
		}
		for (; col >= 0; api->xPhraseNext(fts, &iter, &col, &off))
			if (col < ncol)
				freq[i] += weight[col];
	}
	/* Length: the text columns (parts repeats title and summary). */
	for (col = 0; col < ntext; col++)
		if (api->xColumnSize(fts, col, &size) == SQLITE_OK)
			len += size;
	st = stats_get(api, fts);
	norm = K1 * (1 - B + B * (double)len / st->avg);
	for (i = 0; i < nphrase; i++) {
		/* FTS5's bm25 idf, never below a small positive weight. */
		n = i < nval ? sqlite3_value_double(val[i]) : st->rows / 2;
		n = n < st->rows ? n : st->rows;
		idf = log((st->rows - n + 0.5) / (n + 0.5));
		idf = idf > 1e-6 ? idf : 1e-6;
		score += idf * freq[i] * (K1 + 1) / (freq[i] + norm);
	}
	sqlite3_result_double(ctx, -score);
}

int
search_rank_register(sqlite3 *db, char **cause)
{
	sqlite3_stmt	*st = NULL;
	fts5_api	*api = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return set_cause(cause, "index: no FTS5: %s", sqlite3_errmsg(db));
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2 || api->xCreateFunction(api,
	    "krank", NULL, krank, NULL) != SQLITE_OK)
		return set_cause(cause, "index: cannot register krank");
	return 0;
}

/*
 * The next term of an FTS5 expression from search_text_match at *p, as an
 * expression of its own: "stem", or {parts} : "stem" (NULL: none left).
 */
static char *
next_term(const char *match, const char **p)
{
	static const char rev[] = SEARCH_PARTS;
	const char	*s = strchr(*p, '"'), *e;
	size_t		 rl = sizeof rev - 1;

	if (s == NULL)
		return NULL;
	for (e = s + 1; *e != '\0'; e++) {
		if (*e == '"' && e[1] == '"')
			e++;
		else if (*e == '"')
			break;
	}
	if (*e == '\0')
		return NULL;
	if (e[1] == '*')
		e++;
	*p = e + 1;
	if ((size_t)(s - match) >= rl && strncmp(s - rl, rev, rl) == 0)
		s -= rl;
	return xstrndup(s, (size_t)(e - s + 1));
}

/*
 * How many records hold term: exact below SAMPLE matches, else extrapolated
 * from the rowid span of the newest SAMPLE matches (rowids grow with
 * indexing time; krank caps it at the number of documents).
 */
static double
term_docs(struct search *s, const char *term, sqlite3_int64 lo,
    sqlite3_int64 hi)
{
	sqlite3_stmt	*st;
	double		 n = 0, span;

	if ((st = search_cached(s, "SELECT count(*), min(rowid) FROM (SELECT "
	    "rowid FROM fts WHERE fts MATCH ?1 ORDER BY rowid DESC LIMIT "
	    SEARCH_STR(SAMPLE) ")", NULL)) == NULL)
		return 0;
	search_bind(st, 1, term);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = (double)sqlite3_column_int64(st, 0);
		span = (double)(hi - sqlite3_column_int64(st, 1) + 1);
		if (n >= SAMPLE && span > 0)
			n *= (double)(hi - lo + 1) / span;
	}
	search_release(st);
	return n;
}

/* The lowest and highest rowid of the records. */
static void
index_span(struct search *s, sqlite3_int64 *lo, sqlite3_int64 *hi)
{
	sqlite3_stmt	*st;

	*lo = *hi = 0;
	if ((st = search_cached(s, "SELECT (SELECT min(rowid) FROM records), "
	    "(SELECT max(rowid) FROM records)", NULL)) == NULL)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*lo = sqlite3_column_int64(st, 0);
		*hi = sqlite3_column_int64(st, 1);
	}
	search_release(st);
}

char *
search_rank_args(struct search *s, const char *match)
{
	struct buf	 b;
	sqlite3_int64	 lo, hi;
	const char	*p = match;
	char		*term;

	index_span(s, &lo, &hi);
	buf_init(&b);
	while ((term = next_term(match, &p)) != NULL) {
		buf_printf(&b, ", %.0f", term_docs(s, term, lo, hi));
		free(term);
	}
	return buf_detach(&b, NULL);
}
