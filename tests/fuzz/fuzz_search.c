/*
 * fuzz_search.c — the search words of a web or knowctl query, which anyone
 * who reaches the web view controls: folding, stemming, the FTS5 expression
 * built from them and the snippet. Whatever the bytes, the expression must be
 * one FTS5 accepts (words only, never syntax) and a snippet's highlight
 * markers must pair up. Built with SEARCH_CHECK_NEED: a snippet's word left
 * unstemmed (its folded form holds no query stem) must not have a stem that
 * holds one either.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct search_text *st;
static sqlite3 *db;
static sqlite3_stmt *count;

/* An in-memory FTS5 table shaped like the index's, with a few stemmed rows. */
static void
setup(void)
{
	if ((st = search_text_new()) == NULL ||
	    sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(title, "
	    "summary, body, facets, parts, tokenize='unicode61 remove_diacritics "
	    "0');INSERT INTO fts VALUES ('strassenbeleucht', 'pilotstrass', "
	    "'burg beteil sensor', ' f656e6572676965', 'zqbeleucht');",
	    NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?",
	    -1, &count, NULL) != SQLITE_OK)
		abort();
}

/* match must run in FTS5 without a syntax error, alone and with a facet. */
static void
check_match(const char *match)
{
	char	*facet;
	int	 rc;

	if (match == NULL)
		return;
	facet = xasprintf("(%s) AND {facets} : (\" f656e6572676965\")", match);
	sqlite3_bind_text(count, 1, match, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(count)) != SQLITE_ROW)
		abort();
	sqlite3_reset(count);
	sqlite3_bind_text(count, 1, facet, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(count)) != SQLITE_ROW)
		abort();
	sqlite3_reset(count);
	free(facet);
}

/* Every highlight opened in s is closed before the next opens. */
static void
check_snippet(const char *s)
{
	int	 open = 0;

	for (; *s != '\0'; s++) {
		if (*s == SEARCH_HL_ON && open++)
			abort();
		if (*s == SEARCH_HL_OFF && --open != 0)
			abort();
	}
	if (open != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] = "Die Straßenbeleuchtung in der Pilotstraße: "
	    "Bürger beteiligen sich, Sensoren melden Störungen.";
	char	*q, *m, *s;

	if (st == NULL)
		setup();
	q = xstrndup((const char *)data, size);
	m = search_text_match(st, q);
	check_match(m);
	free(m);
	m = search_text_match_any(st, q);
	check_match(m);
	free(m);
	s = search_text_snippet(st, q, text, 24);
	check_snippet(s);
	free(s);
	s = search_text_snippet(st, q, q, 24);
	check_snippet(s);
	free(s);
	free(search_text_stems(st, (const char *)data, size));
	free(q);
	return 0;
}
