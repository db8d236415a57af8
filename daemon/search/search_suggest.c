/*
 * search_suggest.c — what a query's words found: the words no record
 * holds, and a "Meinten Sie …?" spelling from the index's own vocabulary
 * (FTS5's fts5vocab over the title, summary and body columns, in a temp
 * table of this connection, so the index file is unchanged). Also two
 * small look-ups the web view needs: a project's title and a retraction.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search.h"
#include "search_int.h"
#include "util.h"

#define WORD_MAX	64

static int	vocab_open(struct search *);

/*
 * True when some record holds stem, or (a stem of SEARCH_COMPOUND letters
 * or more) a compound ending or starting with it: a seek in the index's
 * vocabulary per term, where a match would open the terms' doclists.
 */
static int
term_found(struct search *s, const char *stem)
{
	sqlite3_stmt	*st;
	char		*zq, *zh;
	int		 found = 1;	/* on error, claim nothing */

	if (vocab_open(s) != 0 || (st = search_cached(s, "SELECT 1 FROM "
	    "temp.fts_terms WHERE term = ?1 AND doc > 0 UNION ALL SELECT 1 FROM "
	    "temp.fts_terms WHERE term = ?2 AND doc > 0 UNION ALL SELECT 1 FROM "
	    "temp.fts_terms WHERE term = ?3 AND doc > 0 LIMIT 1", NULL)) == NULL)
		return 1;
	zq = xasprintf(SEARCH_PART_MARK "%s", stem);
	zh = xasprintf(SEARCH_HEAD_MARK "%s", stem);
	search_bind(st, 1, stem);
	/* The parts column holds compound parts of long stems only. */
	search_bind(st, 2, strlen(stem) >= SEARCH_COMPOUND ? zq : stem);
	search_bind(st, 3, strlen(stem) >= SEARCH_COMPOUND ? zh : stem);
	found = sqlite3_step(st) == SQLITE_ROW;
	search_release(st);
	free(zq);
	free(zh);
	return found;
}

/*
 * The optimal string alignment distance of a and b (adjacent swaps count
 * one), or max + 1 as soon as it must exceed max. Both at most WORD_MAX.
 */
static size_t
distance(const char *a, size_t la, const char *b, size_t lb, size_t max)
{
	size_t	 rows[3][WORD_MAX + 1], i, j, best, v;
	size_t	*c, *p, *pp;

	if (la > WORD_MAX || lb > WORD_MAX ||
	    (la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (i = 1; i <= la; i++) {
		c = rows[i % 3];
		p = rows[(i - 1) % 3];
		pp = rows[(i + 1) % 3];		/* row i - 2 */
		best = c[0] = i;
		for (j = 1; j <= lb; j++) {
			v = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			if ((c[j] = v) < best)
				best = v;
		}
		if (best > max)
			return max + 1;
	}
	return rows[la % 3][lb];
}

/* Makes the temp vocabulary table of this connection (one row a term) once. */
static int
vocab_open(struct search *s)
{
	return search_exec(s, "CREATE VIRTUAL TABLE IF NOT EXISTS "
	    "temp.fts_terms USING fts5vocab(main, fts, row)", NULL);
}

/*
 * The index term nearest to stem among the terms that share its first
 * plen bytes (within the distance allowed for its length), most frequent
 * among equals; NULL when none. Caller frees.
 */
static char *
nearest_in(struct search *s, const char *stem, size_t plen, size_t scan)
{
	sqlite3_stmt	*st;
	size_t		 n = strlen(stem), max = n >= 8 ? 2 : 1;
	size_t		 d, bestd = max + 1, scanned = 0;
	long long	 docs, bestdocs = 0;
	char		 lo[4], hi[4];
	const char	*t;
	char		*best = NULL;

	/* One row a term; the parts' and facets' terms lie in ranges of their own. */
	if (vocab_open(s) != 0 || (st = search_cached(s, "SELECT term, doc "
	    "FROM temp.fts_terms WHERE term >= ?1 AND term < ?2 AND doc > 0",
	    NULL)) == NULL)
		return NULL;
	memcpy(lo, stem, plen);
	lo[plen] = '\0';
	memcpy(hi, lo, plen + 1);
	hi[plen - 1]++;
	search_bind(st, 1, lo);
	search_bind(st, 2, hi);
	while (scanned++ < scan && sqlite3_step(st) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 0);
		docs = sqlite3_column_int64(st, 1);
		if (t == NULL || strcmp(t, stem) == 0)
			continue;
		d = distance(stem, n, t, strlen(t), max);
		if (d < bestd || (d == bestd && d <= max && docs > bestdocs)) {
			free(best);
			best = xstrdup(t);
			bestd = d;
			bestdocs = docs;
		}
	}
	search_release(st);
	return best;
}

/*
 * The index term nearest to stem among those sharing its first three
 * letters. fts5vocab reads every doclist of the range to count it (13 ms
 * for a three-letter range at 100,000 lessons), so no wider range is
 * tried. Words under four letters get none.
 */
static char *
nearest_term(struct search *s, const char *stem)
{
	if (strlen(stem) < 4)
		return NULL;
	return nearest_in(s, stem, 3, SEARCH_SUGGEST_SCAN);
}

/*
 * The word of some record's text whose stem is term, as written there:
 * first where a title or summary holds it, else in the answers of up to
 * five records (the index keeps no headings' text). NULL when none. Caller
 * frees.
 */
static char *
surface_of(struct search *s, const char *term)
{
	sqlite3_stmt	*st;
	char		*match[2], *w = NULL;
	int		 i, k, rows;

	if ((st = search_cached(s, "SELECT r.title, r.summary, b.body FROM fts "
	    "CROSS JOIN records r ON r.rowid = fts.rowid LEFT JOIN bodies b ON "
	    "b.rid = r.rowid WHERE fts MATCH ?1 LIMIT 5", NULL)) == NULL)
		return NULL;
	/* A stem is letters and digits: quoting it is enough. */
	match[0] = xasprintf("{title summary} : \"%s\"", term);
	match[1] = xasprintf("\"%s\"", term);
	for (k = 0; k < 2 && w == NULL; k++) {
		search_bind(st, 1, match[k]);
		for (rows = 0; w == NULL && rows < 5 &&
		    sqlite3_step(st) == SQLITE_ROW; rows++)
			for (i = 0; i < 3 && w == NULL; i++)
				if (sqlite3_column_text(st, i) != NULL)
					w = search_text_surface(s->text, term,
					    (const char *)sqlite3_column_text(st,
					    i));
		search_release(st);
	}
	free(match[0]);
	free(match[1]);
	return w;
}

/* The index's spelling of word (NULL when none is near). Caller frees. */
static char *
suggest_word(struct search *s, const char *word)
{
	char	*stem, *near, *w = NULL;

	stem = search_text_stems(s->text, word, strlen(word));
	if (strlen(stem) >= 2 && strchr(stem, ' ') == NULL &&
	    (near = nearest_term(s, stem)) != NULL) {
		w = surface_of(s, near);
		free(near);
	}
	free(stem);
	return w;
}

/* Replaces the first occurrence of word in b's text by with. */
static void
replace_word(struct buf *b, const char *word, const char *with)
{
	char	*at, *old;
	size_t	 off;

	buf_addc(b, '\0');
	b->len--;
	if ((at = strstr((char *)b->data, word)) == NULL)
		return;
	off = (size_t)(at - (char *)b->data);
	old = xstrdup((char *)b->data + off + strlen(word));
	b->len = off;
	buf_addstr(b, with);
	buf_addstr(b, old);
	free(old);
}

void
search_unmatched(struct search *s, const char *q, struct search_result *res)
{
	struct search_term *t = NULL;
	struct buf	 b;
	size_t		 n, i, tried = 0;
	char		*w;
	int		 changed = 0;

	if (q == NULL || (n = search_text_terms(s->text, q, &t)) == 0)
		return;
	buf_init(&b);
	buf_addstr(&b, q);
	for (i = 0; i < n; i++) {
		if (term_found(s, t[i].stem))
			continue;
		res->unmatched = xreallocarray(res->unmatched,
		    res->nunmatched + 1, sizeof *res->unmatched);
		res->unmatched[res->nunmatched++] = xstrdup(t[i].word);
		/* A spelling only where nothing was found: that is when it helps. */
		if (res->total == 0 && tried++ < SEARCH_SUGGEST_WORDS &&
		    (w = suggest_word(s, t[i].word)) != NULL) {
			replace_word(&b, t[i].word, w);
			changed = 1;
			free(w);
		}
	}
	if (changed)
		res->suggest = buf_detach(&b, NULL);
	else
		buf_free(&b);
	search_terms_free(t, n);
}

char *
search_project_title(struct search *s, const char *nid, const char *slug)
{
	sqlite3_stmt	*st;
	char		*path, *t = NULL;

	if ((st = search_cached(s, "SELECT title FROM records WHERE nid = ?1 "
	    "AND path = ?2", NULL)) == NULL)
		return NULL;
	path = xasprintf("projects/%s/project.md", slug);
	search_bind(st, 1, nid);
	search_bind(st, 2, path);
	if (sqlite3_step(st) == SQLITE_ROW)
		t = search_col(st, 0);
	search_release(st);
	free(path);
	return t;
}

int
search_gone_find(struct search *s, const char *id, const char *nid,
    struct search_gone *g)
{
	sqlite3_stmt	*st = NULL;
	int		 rv = 1;

	memset(g, 0, sizeof *g);
	if (search_prepare(s, "SELECT id, nid, title, time FROM retracted "
	    "WHERE id = ?1 AND (?2 IS NULL OR nid = ?2) ORDER BY time DESC "
	    "LIMIT 1", &st, NULL) != 0)
		return -1;
	search_bind(st, 1, id);
	search_bind(st, 2, nid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		g->id = search_col(st, 0);
		g->nid = search_col(st, 1);
		g->title = search_col(st, 2);
		g->when = search_col(st, 3);
		rv = 0;
	}
	sqlite3_finalize(st);
	return rv;
}
