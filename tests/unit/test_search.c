/* test_search.c — the search index: folding, stemming, incremental = rebuilt, ranking, filters, hostile queries, damage. */
#include <ctype.h>
#include <ftw.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "keys.h"
#include "record.h"
#include "search.h"
#include "search_int.h"
#include "store.h"
#include "util.h"

#define ID1	"01JDZ3M7K2V6ABCDEFGHJKMNP1"
#define ID2	"01JDZ3M7K2V6ABCDEFGHJKMNP2"
#define ID3	"01JDZ3M7K2V6ABCDEFGHJKMNP3"
#define ID4	"01JDZ3M7K2V6ABCDEFGHJKMNP4"

struct fixture {
	char		 dir[64];
	struct store	*st;
	struct search	*s;
	struct keys_pair kp;
	char		 nid[KEYS_NID_MAX];
	git_oid		 tree;
};

/* A temp dir with a repository and an index. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char	*cause = NULL, *p;

	snprintf(f->dir, sizeof f->dir, "%s/knowd-search.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	p = xasprintf("%s/repo", f->dir);
	if (store_create(p, &cause) != 0 || store_open(p, &f->st, &cause) != 0)
		fail_msg("%s", cause);
	free(p);
	p = xasprintf("%s/index.sqlite", f->dir);
	if (search_db_open(p, &f->s, &cause) != 0)
		fail_msg("%s", cause);
	free(p);
	if (keys_generate(&f->kp) != 0)
		return -1;
	keys_nid_encode(f->kp.pk, f->nid);
	*state = f;
	return 0;
}

/* nftw callback: removes one file or directory. */
static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int	 rv;

	search_db_close(f->s);
	store_close(f->st);
	keys_wipe(&f->kp);
	rv = nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return rv;
}

/* A lesson's text. Caller frees. */
static char *
lesson(const char *id, const char *title, const char *summary,
    const char *fields, const char *status, const char *body)
{
	return xasprintf("---\nid: %s\nkind: lesson\ntitle: %s\nproject: "
	    "beleuchtung\nsummary: %s\nfields: [%s]\nstatus: %s\nhurdles: "
	    "[technisch]\ntags: [licht]\nlanguage: de\nlicense: CC-BY-4.0\n"
	    "created: 2026-11-26T10:00:00Z\nmodified: 2026-11-26T10:00:00Z\n"
	    "---\n%s\n", id, title, summary, fields, status, body);
}

/* The path of a lesson. Caller frees. */
static char *
lpath(const char *id)
{
	return xasprintf("projects/beleuchtung/lessons/%s.md", id);
}

/* Commits changes to the fixture's branch and sets f->tree. */
static void
commit(struct fixture *f, const struct store_change *ch, size_t n)
{
	git_oid	 c;
	uint64_t seq;
	char	*cause = NULL;

	if (store_commit(f->st, &f->kp, f->nid, "test", ch, n, "test", &c,
	    &seq, &cause) != 0)
		fail_msg("commit: %s", cause);
	assert_int_equal(store_commit_tree(f->st, &c, &f->tree), 0);
}

/* Indexes the fixture's current tree. */
static void
index_now(struct fixture *f)
{
	char	*cause = NULL;

	if (search_index_tree(f->s, store_repo(f->st), f->nid, &f->tree,
	    &cause) != 0)
		fail_msg("index: %s", cause);
}

/* Ids of q's results, space-separated. Caller frees. */
static char *
ids(struct fixture *f, const struct search_query *q)
{
	struct search_result res;
	struct buf	 b;
	char		*cause = NULL;
	size_t		 i;

	if (search_run(f->s, q, &res, &cause) != 0)
		fail_msg("search: %s", cause);
	buf_init(&b);
	for (i = 0; i < res.n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		buf_addstr(&b, res.v[i].id);
	}
	search_result_free(&res);
	return buf_detach(&b, NULL);
}

/* Asserts that query text q (other members zero) gives exactly want. */
static void
assert_q(struct fixture *f, const char *q, const char *want)
{
	struct search_query sq;
	char	*got;

	memset(&sq, 0, sizeof sq);
	sq.q = q;
	got = ids(f, &sq);
	if (strcmp(got, want) != 0)
		fail_msg("query \"%s\": got \"%s\", want \"%s\"", q, got, want);
	free(got);
}

/* Three lessons: ID1 has "Straßenbeleuchtung" in its title, ID2 only in its body. */
static void
add_three(struct fixture *f)
{
	char	*t[3], *p[3];
	struct store_change ch[3];
	int	 i;

	t[0] = lesson(ID1, "Straßenbeleuchtung in der Pilotstraße",
	    "Ein Versuch mit Leuchten.", "energie-umwelt", "umsetzung",
	    "## Ausgangslage\n\nDie Anwohner wurden beteiligt.\n");
	t[1] = lesson(ID2, "Bürgerportal", "Anliegen zuerst.", "verwaltung",
	    "regelbetrieb", "## Hürden\n\nAuch die Straßenbeleuchtung kam vor; "
	    "die Beteiligung der Bürgerinnen war gering.\n");
	t[2] = lesson(ID3, "Datenplattform", "Offene Daten.",
	    "daten-infrastruktur", "planung", "Nichts weiter.\n");
	for (i = 0; i < 3; i++) {
		p[i] = lpath(i == 0 ? ID1 : i == 1 ? ID2 : ID3);
		ch[i].path = p[i];
		ch[i].data = t[i];
		ch[i].len = strlen(t[i]);
	}
	commit(f, ch, 3);
	for (i = 0; i < 3; i++) {
		free(t[i]);
		free(p[i]);
	}
}

/* Folding: lowercase, umlauts, ß, ae/oe/ue. */
static void
test_fold(void **state)
{
	char	 out[64];

	search_fold("Straße", strlen("Straße"), out, sizeof out);
	assert_string_equal(out, "strasse");
	search_fold("MÜLLER", strlen("MÜLLER"), out, sizeof out);
	assert_string_equal(out, "muller");
	search_fold("Muenster", 8, out, sizeof out);
	assert_string_equal(out, "munster");
	search_fold("Quelle", 6, out, sizeof out);
	assert_string_equal(out, "quelle");
	search_fold("Ärger", strlen("Ärger"), out, sizeof out);
	assert_string_equal(out, "arger");
}

/* Stemming: inflected forms share a stem; queries are quoted stems only. */
static void
test_stem(void **state)
{
	struct search_text *st = search_text_new();
	char	*a, *b;

	assert_non_null(st);
	a = search_text_stems(st, "Beteiligung", 11);
	b = search_text_stems(st, "beteiligen", 10);
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = search_text_stems(st, "Strassen", 8);
	b = search_text_stems(st, "Straßen", strlen("Straßen"));
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = search_text_match(st, "NEAR(\"x\" OR y*) title:z ^AND -");
	assert_non_null(a);
	assert_null(strchr(a, '('));
	assert_null(strchr(a, '*'));
	assert_null(strchr(a, ':'));
	assert_null(strchr(a, '^'));
	free(a);
	assert_null(search_text_match(st, "\"*()-:^"));
	search_text_free(st);
}

/* Asserts that word's stem is a prefix of its folded form (or word is no single word). */
static void
assert_stem_prefix(struct search_text *st, const char *word, size_t len)
{
	char	 fold[128], *stem;

	if (search_fold(word, len, fold, sizeof fold) == 0)
		return;
	stem = search_text_stems(st, word, len);
	if (strchr(stem, ' ') == NULL && strncmp(fold, stem, strlen(stem)) != 0)
		fail_msg("stem \"%s\" of \"%.*s\" is no prefix of \"%s\"",
		    stem, (int)len, word, fold);
	free(stem);
}

/*
 * Snippets stem only the words whose folded form holds a query stem: sound
 * only while every stem is a prefix of its folded word. Checked over the
 * example lessons and words that make the German stemmer work hardest.
 */
static void
test_stem_prefix(void **state)
{
	static const char *const hard[] = { "Straße", "Häuser", "Bauen",
	    "Verwaltungsdigitalisierung", "Quellen", "Bayern", "treuen",
	    "Aufbauarbeiten", "ÜBERGÄNGE", "bauerlich", "Überschwemmungen",
	    "Ausschreibungsverfahren", "Mülleimer", "Öffentlichkeit", "ẞ" };
	struct search_text *st = search_text_new();
	const char *files[] = { "contrib/examples/muenster-pilotstrasse.md",
	    "contrib/examples/krefeld-kommunikation.md",
	    "contrib/examples/darmstadt-datenplattform.md" };
	char	 buf[65536], *snip;
	size_t	 i, n, a, b, words = 0;
	FILE	*fp;

	assert_non_null(st);
	for (i = 0; i < nitems(hard); i++)
		assert_stem_prefix(st, hard[i], strlen(hard[i]));
	for (i = 0; i < nitems(files); i++) {
		assert_non_null(fp = fopen(files[i], "r"));
		n = fread(buf, 1, sizeof buf - 1, fp);
		fclose(fp);
		for (a = 0; a < n; a = b + 1) {
			/* ASCII letters and Latin-1 letters (0xc3 0x80…0xbf). */
			for (b = a; b < n; b++)
				if ((unsigned char)buf[b] == 0xc3 && b + 1 < n)
					b++;
				else if (!isalnum((unsigned char)buf[b]))
					break;
			if (b > a) {
				assert_stem_prefix(st, buf + a, b - a);
				words++;
			}
		}
	}
	assert_true(words > 1000);
	/* The snippet finds the compound and stops after its words. */
	snip = search_text_snippet(st, "Beleuchtung", "Die Stadt plant eine "
	    "intelligente Straßenbeleuchtung in der Innenstadt.", 4);
	assert_string_equal(snip, "… intelligente \x02Straßenbeleuchtung\x03 "
	    "in der …");
	free(snip);
	snip = search_text_snippet(st, "Quartier", "Kein Treffer hier", 8);
	assert_string_equal(snip, "Kein Treffer hier");
	free(snip);
	search_text_free(st);
}

/* Stem, umlaut folding, and a title match ranked first. */
static void
test_find(void **state)
{
	struct fixture *f = *state;
	char	*t, *p, *cause = NULL;

	add_three(f);
	index_now(f);
	assert_q(f, "Strassenbeleuchtung", ID1 " " ID2);
	assert_q(f, "Straßenbeleuchtung", ID1 " " ID2);
	assert_q(f, "Beteiligung", ID2);
	assert_q(f, "beteiligen", ID2);
	assert_q(f, "Buergerportal", ID2);
	assert_q(f, "Datenplattform Nichts", ID3);
	/* No record has both: those with either are listed. */
	assert_q(f, "Datenplattform Bürgerportal", ID3 " " ID2);
	assert_q(f, "Zeppelin Luftschiff", "");
	/* A word finds compounds ending in it, in titles and summaries. */
	assert_q(f, "Beleuchtung", ID1);
	assert_q(f, "Portal", ID2);
	assert_q(f, "Plattform", ID3);
	assert_q(f, "Plattform Beleuchtung", ID3 " " ID1);
	/* The exact word ranks above the compound; short words match exactly. */
	assert_q(f, "Straßenbeleuchtung", ID1 " " ID2);
	assert_q(f, "Daten", ID3);
	assert_q(f, "Leuchten", ID1);
	/* And as the first part of a compound. */
	t = lesson(ID4, "Energieversorgung im Quartier", "Kurz.",
	    "energie-umwelt", "idee", "Nichts.\n");
	p = lpath(ID4);
	if (search_add_text(f->s, f->nid, p, t, strlen(t), &cause) != 0)
		fail_msg("%s", cause);
	free(t);
	free(p);
	assert_q(f, "Energie", ID4);
	assert_q(f, "Versorgung", ID4);
	assert_q(f, "Energieversorgung", ID4);
}

/* Words found nowhere are named, spelled as the index knows them; snippets skip the questions. */
static void
test_unmatched(void **state)
{
	struct fixture *f = *state;
	struct search_query q;
	struct search_result res;
	char	*cause = NULL;

	add_three(f);
	index_now(f);
	memset(&q, 0, sizeof q);
	q.q = "Straßenbeleuchtung Quantenkryptographie";
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.n, 2);
	assert_true(res.any);
	assert_int_equal(res.nunmatched, 1);
	assert_string_equal(res.unmatched[0], "Quantenkryptographie");
	assert_null(res.suggest);
	search_result_free(&res);
	/* One letter left out: the index's word, as a lesson writes it. */
	q.q = "Beteilgung";
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.n, 0);
	assert_int_equal(res.nunmatched, 1);
	assert_string_equal(res.unmatched[0], "Beteilgung");
	assert_non_null(res.suggest);
	assert_string_equal(res.suggest, "Beteiligung");
	search_result_free(&res);
	/* Two words found nowhere, nothing found: the query respelled where it can be. */
	q.q = "Zeppelin Beteilgung";
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.nunmatched, 2);
	assert_non_null(res.suggest);
	assert_string_equal(res.suggest, "Zeppelin Beteiligung");
	search_result_free(&res);
	/* Something was found: the words are named, no spelling offered. */
	q.q = "Datenplattform Beteilgung";
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.nunmatched, 1);
	assert_null(res.suggest);
	search_result_free(&res);
	/* Two swapped letters, a word of eight or more: distance 1 (a swap). */
	q.q = "Pilotsrtaße";
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.n, 0);
	assert_string_equal(res.suggest, "Pilotstraße");
	search_result_free(&res);
	/* All words found: nothing to say. */
	q.q = "Straßenbeleuchtung Beteiligung";
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.nunmatched, 0);
	assert_false(res.any);
	search_result_free(&res);
	/* The snippet of a body match quotes the answer, never its heading. */
	q.q = "Ausgangslage Anwohner";
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.n, 1);
	assert_null(strstr(res.v[0].snippet, "Ausgangslage"));
	assert_non_null(strstr(res.v[0].snippet, "Anwohner"));
	search_result_free(&res);
}

/*
 * Runs q and checks its total, whether more matched, that every hit carries
 * q's Handlungsfeld and, when first is given, which hit comes first.
 */
static void
assert_window(struct fixture *f, const struct search_query *q, size_t total,
    int more, const char *first)
{
	struct search_result res;
	char	*cause = NULL;
	size_t	 i;

	if (search_run(f->s, q, &res, &cause) != 0)
		fail_msg("search: %s", cause);
	assert_int_equal(res.total, total);
	assert_int_equal(res.more, more);
	assert_int_equal(res.n, total < q->limit ? total : q->limit);
	for (i = 0; q->field != NULL && i < res.n; i++)
		assert_non_null(strstr(res.v[i].fields, q->field));
	if (first != NULL)
		assert_string_equal(res.v[0].id, first);
	search_result_free(&res);
}

/* Filters: field, status, hurdle, tag, since, and bad values refused. */
static void
test_filters(void **state)
{
	struct fixture *f = *state;
	struct search_query q;
	struct search_result res;
	char	*got, *cause = NULL;

	add_three(f);
	index_now(f);
	memset(&q, 0, sizeof q);
	q.field = "verwaltung";
	got = ids(f, &q);
	assert_string_equal(got, ID2);
	free(got);
	q.field = NULL;
	q.status = "planung";
	got = ids(f, &q);
	assert_string_equal(got, ID3);
	free(got);
	q.status = NULL;
	q.since = "2030-01-01";
	got = ids(f, &q);
	assert_string_equal(got, "");
	free(got);
	q.since = NULL;
	q.tag = "licht";
	q.hurdle = "technisch";
	q.q = "Straßenbeleuchtung";
	got = ids(f, &q);
	assert_string_equal(got, ID1 " " ID2);
	free(got);
	q.field = "'; DROP TABLE records; --";
	assert_int_equal(search_run(f->s, &q, &res, &cause), -1);
	assert_non_null(strstr(cause, "field"));
	free(cause);
	cause = NULL;
	q.field = NULL;
	q.since = "gestern";
	assert_int_equal(search_run(f->s, &q, &res, &cause), -1);
	free(cause);
}

/* FTS5 syntax and oversized queries: no error from SQLite, no injection. */
static void
test_hostile(void **state)
{
	static const char *const qs[] = { "\"", "NEAR(a b)", "title:Start",
	    "Straß*", "a OR b", "(", ")", "-x", "^x", "AND", "NOT", "{a b}",
	    "'; DROP TABLE records; --", "\x01\x02", "", " ", NULL };
	struct fixture *f = *state;
	struct search_query q;
	struct search_result res;
	char	*cause = NULL, *big;
	size_t	 i;

	add_three(f);
	index_now(f);
	memset(&q, 0, sizeof q);
	for (i = 0; qs[i] != NULL; i++) {
		q.q = qs[i];
		if (search_run(f->s, &q, &res, &cause) != 0)
			fail_msg("query \"%s\": %s", qs[i], cause);
		search_result_free(&res);
	}
	assert_q(f, "Straßenbeleuchtung*", ID1 " " ID2);
	big = xcalloc(1, 1024 * 1024 + 1);
	memset(big, 'a', 1024 * 1024);
	q.q = big;
	assert_int_equal(search_run(f->s, &q, &res, &cause), -1);
	assert_non_null(strstr(cause, "too long"));
	free(cause);
	free(big);
	assert_q(f, "Datenplattform", ID3);
}

/* The kept facet counts equal counts taken from the terms rows. */
static void
assert_facets_true(struct fixture *f)
{
	static const char *const facets[] = { "field", "status", "hurdle",
	    "tag", "node", NULL };
	struct search_count *c;
	sqlite3_stmt	*st = NULL;
	size_t		 i, k, n, total = 0;

	for (i = 0; facets[i] != NULL; i++) {
		assert_int_equal(search_facet(f->s, facets[i], &c, &n, NULL), 0);
		for (k = 0; k < n; k++) {
			assert_int_equal(search_prepare(f->s, "SELECT count(*) "
			    "FROM terms t JOIN records r ON r.rowid = t.rid WHERE "
			    "r.kind = 'lesson' AND t.facet = ?1 AND t.value = ?2",
			    &st, NULL), 0);
			search_bind(st, 1, facets[i]);
			search_bind(st, 2, c[k].value);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int64(st, 0), c[k].n);
			sqlite3_finalize(st);
			total += c[k].n;
		}
		search_counts_free(c, n);
	}
	/* Two lessons remain: node, status and field of each, tag licht. */
	assert_true(total >= 2 * 4);
}

/* Edits and deletions applied incrementally give the same index as a rebuild. */
static void
test_incremental(void **state)
{
	struct fixture *f = *state;
	struct store_change ch[2];
	char	*t, *p1, *p3, *inc, *full, *cause = NULL;
	struct search_gone *g;
	size_t	 n;

	add_three(f);
	index_now(f);
	t = lesson(ID1, "Zebrastreifen", "Geändert.", "mobilitaet", "beendet",
	    "Neu.\n");
	p1 = lpath(ID1);
	p3 = lpath(ID3);
	ch[0].path = p1; ch[0].data = t; ch[0].len = strlen(t);
	ch[1].path = p3; ch[1].data = NULL; ch[1].len = 0;
	commit(f, ch, 2);
	index_now(f);
	assert_q(f, "Zebrastreifen", ID1);
	assert_q(f, "Datenplattform", "");
	assert_facets_true(f);
	assert_int_equal(search_retracted(f->s, NULL, NULL, 10, &g, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(g[0].id, ID3);
	search_gone_free(g, n);
	inc = search_digest(f->s);
	assert_int_equal(search_clear(f->s, &cause), 0);
	full = search_digest(f->s);
	assert_string_equal(full, "");
	free(full);
	index_now(f);
	full = search_digest(f->s);
	assert_true(strlen(full) > 100);
	assert_string_equal(inc, full);
	free(inc);
	free(full);
	free(t);
	free(p1);
	free(p3);
}

/* A common word: only the newest matches are ranked, but an old title match still comes first. */
static void
test_window(void **state)
{
	struct fixture *f = *state;
	struct search_query q;
	struct search_result res;
	char	 id[32], *t, *p, *cause = NULL;
	int	 i;

	assert_int_equal(search_exec(f->s, "BEGIN", NULL), 0);
	for (i = 0; i < 2400; i++) {
		snprintf(id, sizeof id, "01JDZ3M7K2V6ABCDEFG%07d", i);
		t = lesson(id, i == 3 ? "Klimaschutz im Quartier" : "Anderes",
		    "Kurz.", i % 4 == 1 ? "mobilitaet" : "energie-umwelt",
		    "umsetzung", i % 2 == 1 ? "Klimaschutz und mehr.\n" :
		    "Nichts.\n");
		p = lpath(id);
		if (search_add_text(f->s, f->nid, p, t, strlen(t), &cause) != 0)
			fail_msg("%s", cause);
		free(t);
		free(p);
	}
	assert_int_equal(search_exec(f->s, "COMMIT", NULL), 0);
	memset(&q, 0, sizeof q);
	q.q = "Klimaschutz";
	q.limit = 10;
	assert_window(f, &q, 1200, 0, "01JDZ3M7K2V6ABCDEFG0000003");
	/* Filters narrow inside FTS5 and keep the windows. */
	q.field = "energie-umwelt";
	assert_window(f, &q, 600, 0, "01JDZ3M7K2V6ABCDEFG0000003");
	q.field = "mobilitaet";
	assert_window(f, &q, 600, 0, NULL);
	q.field = NULL;
	q.node = f->nid;
	assert_window(f, &q, 1200, 0, "01JDZ3M7K2V6ABCDEFG0000003");
	t = xasprintf("did:key:%s", f->nid);
	q.node = t;
	assert_window(f, &q, 1200, 0, "01JDZ3M7K2V6ABCDEFG0000003");
	free(t);
	q.node = "Unbekannt";
	assert_window(f, &q, 0, 0, NULL);
	q.node = NULL;
	q.kind = "project";
	assert_window(f, &q, 0, 0, NULL);
	q.kind = "lesson";
	q.hurdle = "technisch";
	q.tag = "licht";
	q.project = "beleuchtung";
	q.status = "umsetzung";
	assert_window(f, &q, 1200, 0, "01JDZ3M7K2V6ABCDEFG0000003");
	q.status = "idee";
	assert_window(f, &q, 0, 0, NULL);
	/* A page far down widens the window; it is still full. */
	memset(&q, 0, sizeof q);
	q.q = "Klimaschutz";
	q.limit = 10;
	q.offset = 1185;
	assert_window(f, &q, 1200, 0, NULL);
	q.offset = 1195;
	q.limit = 10;
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.n, 5);
	search_result_free(&res);
	/* Without words: counted from the facet's terms, alone or with more. */
	memset(&q, 0, sizeof q);
	q.limit = 10;
	q.field = "mobilitaet";
	assert_window(f, &q, 600, 0, NULL);
	q.field = "energie-umwelt";
	assert_window(f, &q, 1800, 0, NULL);
	q.kind = "project";
	assert_window(f, &q, 0, 0, NULL);
	q.kind = "lesson";
	q.status = "umsetzung";
	assert_window(f, &q, 1800, 0, NULL);
	q.status = "idee";
	assert_window(f, &q, 0, 0, NULL);
	q.status = NULL;
	q.since = "2099-01-01";
	assert_window(f, &q, 0, 0, NULL);
	q.since = NULL;
	q.tag = "licht";
	assert_window(f, &q, 1800, 0, NULL);
	/* Past the cap, the total says "at least". */
	f->s->count_cap = 100;
	memset(&q, 0, sizeof q);
	q.q = "Klimaschutz";
	q.limit = 10;
	assert_window(f, &q, 100, 1, "01JDZ3M7K2V6ABCDEFG0000003");
	q.field = "mobilitaet";
	assert_window(f, &q, 100, 1, NULL);
	q.q = "Quartier";
	assert_window(f, &q, 0, 0, NULL);
	q.q = NULL;
	assert_window(f, &q, 100, 1, NULL);
}

/* Ids and snippets of q's first page, for comparing two states of an index. Caller frees. */
static char *
page_of(struct fixture *f, const char *words, const char *field)
{
	struct search_query q;
	struct search_result res;
	struct buf	 b;
	char		*cause = NULL;
	size_t		 i;

	memset(&q, 0, sizeof q);
	q.q = words;
	q.field = field;
	q.limit = 20;
	if (search_run(f->s, &q, &res, &cause) != 0)
		fail_msg("search: %s", cause);
	buf_init(&b);
	buf_printf(&b, "%zu%s:", res.total, res.more ? "+" : "");
	for (i = 0; i < res.n; i++)
		buf_printf(&b, " %s %.6f [%s]", res.v[i].id, res.v[i].score,
		    res.v[i].snippet);
	search_result_free(&res);
	return buf_detach(&b, NULL);
}

/*
 * Merging segments: one transaction per record leaves FTS5 several b-tree
 * segments; search_compact leaves one per table, in steps, and every query
 * answers exactly as before; a merge started survives new writes.
 */
static void
test_compact(void **state)
{
	static const char *const words[] = { "Klimaschutz", "Quartier",
	    "Beleuchtung", "Strassen", "Klimaschutz Quartier", NULL };
	struct fixture *f = *state;
	char	 id[32], *t, *p, *before[16], *after, *cause = NULL;
	int64_t	 segs;
	size_t	 i;
	int	 rv, steps = 0;

	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof id, "01JDZ3M7K2V6ABCDEFG%07zu", i);
		t = lesson(id, i % 7 == 3 ? "Klimaschutz im Quartier" :
		    "Straßenbeleuchtung", "Kurz.", i % 4 == 1 ? "mobilitaet" :
		    "energie-umwelt", "umsetzung", i % 2 == 1 ?
		    "Klimaschutz und mehr im Quartier.\n" : "Nichts.\n");
		p = lpath(id);
		if (search_add_text(f->s, f->nid, p, t, strlen(t), &cause) != 0)
			fail_msg("%s", cause);
		free(t);
		free(p);
	}
	segs = search_segments(f->s);
	assert_true(segs > 4);
	for (i = 0; words[i] != NULL; i++)
		before[i] = page_of(f, words[i], i % 2 ? "mobilitaet" : NULL);
	/* A few small steps, then a write in the middle of the merge. */
	for (; steps < 3; steps++)
		assert_int_equal(search_compact_step(f->s, 2, &cause), 1);
	snprintf(id, sizeof id, "01JDZ3M7K2V6ABCDEFG%07d", 999);
	t = lesson(id, "Nachzügler", "Kurz.", "bildung", "idee", "Anderes.\n");
	p = lpath(id);
	assert_int_equal(search_add_text(f->s, f->nid, p, t, strlen(t), &cause),
	    0);
	free(t);
	free(p);
	while ((rv = search_compact_step(f->s, 2, &cause)) == 1)
		steps++;
	assert_int_equal(rv, 0);
	assert_true(steps > 5);
	assert_int_equal(search_compact(f->s, &cause), 0);
	assert_int_equal(search_segments(f->s), 2);
	for (i = 0; words[i] != NULL; i++) {
		after = page_of(f, words[i], i % 2 ? "mobilitaet" : NULL);
		assert_string_equal(before[i], after);
		free(before[i]);
		free(after);
	}
	assert_int_equal(search_exec(f->s, "INSERT INTO fts(fts) VALUES "
	    "('integrity-check'); INSERT INTO tfts(tfts) VALUES "
	    "('integrity-check')", &cause), 0);
}

/* Overwrites the pages of the records and bodies tables of the index at path. */
static size_t
damage_index(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	FILE		*fp;
	char		 junk[4096];
	size_t		 n = 0;

	memset(junk, 0x5a, sizeof junk);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat "
	    "WHERE name IN ('records', 'bodies') AND pageno > 1", -1, &st,
	    NULL), SQLITE_OK);
	assert_non_null(fp = fopen(path, "r+b"));
	while (sqlite3_step(st) == SQLITE_ROW) {
		fseek(fp, (long)(sqlite3_column_int64(st, 0) - 1) * 4096, SEEK_SET);
		fwrite(junk, 1, sizeof junk, fp);
		n++;
	}
	fclose(fp);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * A damaged index: a query fails and says so, search_clear replaces the
 * file (kept aside), and the empty index counts as being rebuilt until
 * search_rebuilt.
 */
static void
test_damaged(void **state)
{
	struct fixture *f = *state;
	struct search_query q = { .q = "Beleuchtung" };
	struct search_result res;
	char	 id[32], *t, *p, *path, *cause = NULL;
	size_t	 i;
	glob_t	 g;

	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof id, "01JDZ3M7K2V6ABCDEFG%07zu", i);
		t = lesson(id, "Straßenbeleuchtung", "Kurz.", "energie-umwelt",
		    "umsetzung", "Beleuchtung der Straßen, ausführlich.\n");
		p = lpath(id);
		if (search_add_text(f->s, f->nid, p, t, strlen(t), &cause) != 0)
			fail_msg("%s", cause);
		free(t);
		free(p);
	}
	search_db_close(f->s);
	path = xasprintf("%s/index.sqlite", f->dir);
	assert_true(damage_index(path) > 0);
	if (search_db_open(path, &f->s, &cause) != 0)
		fail_msg("%s", cause);
	assert_false(search_unavailable(f->s));
	assert_int_not_equal(search_run(f->s, &q, &res, &cause), 0);
	free(cause);
	cause = NULL;
	assert_true(search_damaged(f->s));
	assert_true(search_unavailable(f->s));
	assert_int_equal(search_size(f->s), 0);
	assert_int_equal(search_clear(f->s, &cause), 0);
	assert_false(search_damaged(f->s));
	assert_true(search_rebuilding(f->s));
	assert_int_equal(search_size(f->s), 0);
	p = xasprintf("%s.damaged-*", path);
	assert_int_equal(glob(p, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	globfree(&g);
	free(p);
	search_rebuilt(f->s);
	assert_false(search_unavailable(f->s));
	assert_int_equal(search_run(f->s, &q, &res, &cause), 0);
	assert_int_equal(res.n, 0);
	search_result_free(&res);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_stem),
		cmocka_unit_test(test_stem_prefix),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
	};

	store_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
