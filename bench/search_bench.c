/*
 * search_bench.c — the search index under load: generates N German lessons
 * (deterministic), indexes them through the search module, and times 20
 * typical German queries: on the index as built (1,000 lessons a
 * transaction, so FTS5 holds many segments), then after the merge knowd runs
 * after a start or a rebuild (search_compact), each time from a newly opened
 * connection. Beside it, as a baseline peer in the same run, the same texts
 * in a plain SQLite FTS5 table without folding or stemming. Also writes every
 * lesson as a file under DIR/texts for bench/search.sh's grep baseline.
 *
 * usage: search_bench DIR N   (SEARCH_BENCH_EACH=1: print every query's time;
 *                              SEARCH_BENCH_QUERY_ONLY=1: reuse DIR's index;
 *                              SEARCH_BENCH_BATCH=K: K lessons a transaction)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "record.h"
#include "search.h"
#include "search_int.h"
#include "util.h"

#define REPEAT	5

static const char *const queries[20] = {
	"Bürgerbeteiligung", "Straßenbeleuchtung", "Beteiligung Bürger",
	"Datenplattform", "Ladeinfrastruktur", "Fördermittel",
	"Digitalisierung Schulen", "Breitbandausbau", "Parkraum",
	"Sensoren", "offene Daten", "Verwaltung digital", "Quartier",
	"Klimaschutz", "Mobilität", "Arbeitskreise", "Kommunikation",
	"Pilotprojekt", "Akzeptanz", "Strassen Beleuchtung",
};

static const char *const nouns[] = {
	"Bürgerbeteiligung", "Straßenbeleuchtung", "Datenplattform",
	"Ladeinfrastruktur", "Fördermittel", "Breitbandausbau", "Parkraum",
	"Sensoren", "Verwaltung", "Quartier", "Klimaschutz", "Mobilität",
	"Arbeitskreise", "Kommunikation", "Pilotprojekt", "Akzeptanz",
	"Schulen", "Digitalisierung", "Bürgerportal", "Stadtwerke",
	"Ehrenamt", "Innenstadt", "Einzelhandel", "Wärmeplanung",
	"Bushaltestellen", "Glasfaser", "Lernplattform", "Pflegedienste",
	"Tourismus", "Vereine", "Wohnungsbau", "Hochwasserschutz",
};
/* Compounds are prefix + suffix: 1,600 words, picked with a skew like real text. */
static const char *const prefixes[] = {
	"Bürger", "Straßen", "Daten", "Lade", "Förder", "Breitband", "Park",
	"Verkehrs", "Schul", "Quartiers", "Klima", "Energie", "Wärme",
	"Wasser", "Abfall", "Rad", "Bus", "Bahn", "Kultur", "Sport", "Pflege",
	"Gesundheits", "Wirtschafts", "Handels", "Tourismus", "Sicherheits",
	"Hochwasser", "Wohn", "Bau", "Stadt", "Dorf", "Vereins", "Jugend",
	"Senioren", "Familien", "Bildungs", "Lern", "Arbeits", "Informations",
	"Service",
};
static const char *const suffixes[] = {
	"beteiligung", "beleuchtung", "plattform", "infrastruktur", "mittel",
	"ausbau", "raum", "steuerung", "portal", "management", "konzept",
	"netz", "station", "angebot", "förderung", "planung", "beratung",
	"strategie", "leitstelle", "kataster", "app", "sensorik", "messung",
	"analyse", "dienst", "zentrum", "verwaltung", "kommunikation",
	"werkstatt", "labor", "netzwerk", "projekt", "modell", "dialog",
	"forum", "monitoring", "karte", "daten", "rat", "büro",
};
static const char *const verbs[] = {
	"beteiligen", "planen", "umsetzen", "fördern", "auswerten",
	"verbessern", "vernetzen", "erproben", "begleiten", "finanzieren",
};
static const char *const adjs[] = {
	"offene", "digitale", "vernetzte", "kommunale", "neue", "städtische",
	"gemeinsame", "regionale", "nachhaltige", "intelligente",
};
static const char *const sections[] = {
	"Ausgangslage", "Rahmenbedingungen", "Hürden", "Ziele", "Verankerung",
	"Kommunikation", "Akteure", "Nächste Schritte", "Erkenntnisse",
};

static uint64_t rng = 88172645463325252ULL;

/* xorshift64: a deterministic pseudo-random number. */
static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Prints a message and exits. */
static void
die(const char *msg)
{
	fprintf(stderr, "search_bench: %s\n", msg);
	exit(1);
}

#define PICK(a) ((a)[rnd() % nitems(a)])

/* A random word of a NULL-terminated vocabulary. */
static const char *
pick_vocab(const char *const *v)
{
	size_t	 n = 0;

	while (v[n] != NULL)
		n++;
	return v[rnd() % n];
}

/* Milliseconds of a monotonic clock. */
static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* An index below n, small ones more likely (roughly Zipf-like). */
static size_t
skew(size_t n)
{
	return (size_t)((rnd() % n) * (rnd() % n) / n);
}

/* Appends a compound noun. */
static void
compound(struct buf *b)
{
	buf_printf(b, "%s%s", prefixes[skew(nitems(prefixes))],
	    suffixes[skew(nitems(suffixes))]);
}

/* Milliseconds of this thread's CPU time. */
static double
cpu_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One sentence of generated German. */
static void
sentence(struct buf *b)
{
	buf_printf(b, "Die %s ", PICK(adjs));
	compound(b);
	buf_addstr(b, " half, ");
	compound(b);
	buf_printf(b, " zu %s. ", PICK(verbs));
	if (rnd() % 4 == 0)
		buf_printf(b, "Auch %s spielte eine Rolle. ", PICK(nouns));
}

/* The text of lesson i, with its ULID in id. Caller frees. */
static char *
lesson(size_t i, char *id)
{
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	struct buf	 b;
	const char	*f1, *f2;
	size_t		 s, k, v = i;

	snprintf(id, 27, "01JE0000000000000000000000");
	for (k = 25; v > 0; k--, v /= 32)
		id[k] = b32[v % 32];
	buf_init(&b);
	buf_printf(&b, "---\nid: %s\nkind: lesson\ntitle: %s ", id, PICK(adjs));
	compound(&b);
	buf_addstr(&b, " im ");
	compound(&b);
	buf_printf(&b, "\nproject: projekt-%zu\nsummary: ", i % 5000);
	sentence(&b);
	f1 = pick_vocab(record_fields);
	while ((f2 = pick_vocab(record_fields)) == f1)
		;
	buf_printf(&b, "\nfields: [%s, %s]\nstatus: %s\nhurdles: [%s]\n"
	    "tags: [tag-%zu]\nlanguage: de\nlicense: CC-BY-4.0\n"
	    "created: 2026-%02zu-%02zuT10:00:00Z\nmodified: 2026-%02zu-%02zu"
	    "T10:00:00Z\n---\n", f1, f2, pick_vocab(record_statuses), pick_vocab(record_hurdles), i % 300, 1 + i % 12,
	    1 + i % 28, 1 + i % 12, 1 + i % 28);
	for (s = 0; s < nitems(sections); s++) {
		buf_printf(&b, "## %s\n\n", sections[s]);
		for (k = 0; k < 2; k++)
			sentence(&b);
		buf_addstr(&b, "\n\n");
	}
	return buf_detach(&b, NULL);
}

/* qsort comparator for doubles. */
static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Prints p50 and p99 of n samples. */
static void
report(const char *name, double *t, size_t n)
{
	qsort(t, n, sizeof *t, dcmp);
	printf("%-34s p50 %7.2f ms   p99 %7.2f ms\n", name, t[n / 2],
	    t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
}

/*
 * Times the 20 queries through search_run (ranked, with snippets); with
 * filter, each narrowed to one Handlungsfeld as the web view's facets do.
 */
static void
bench_queries(struct search *s, int filter, const char *label)
{
	struct search_query	 q;
	struct search_result	 res;
	double			 t[nitems(queries) * REPEAT], t0, c0;
	double			 c[nitems(queries) * REPEAT];
	size_t			 i, n = 0, hits = 0;

	for (i = 0; i < nitems(queries) * REPEAT; i++) {
		memset(&q, 0, sizeof q);
		q.q = filter == 2 ? NULL : queries[i % nitems(queries)];
		q.limit = 20;
		if (filter)
			q.field = record_fields[i % 12];
		t0 = now_ms();
		c0 = cpu_ms();
		if (search_run(s, &q, &res, NULL) != 0)
			die("query failed");
		c[n] = cpu_ms() - c0;
		t[n++] = now_ms() - t0;
		if (getenv("SEARCH_BENCH_EACH") != NULL)
			printf("  %-26s %7.2f ms  %zu\n", q.q, t[n - 1], res.total);
		hits += res.total;
		search_result_free(&res);
	}
	printf("knowd index%s: %zu matches over the 20 queries\n",
	    filter == 2 ? ", no words, one Handlungsfeld each" : filter ?
	    ", one Handlungsfeld each" : "", hits / REPEAT);
	report(label != NULL ? label : filter == 2 ?
	    "knowd, newest of one Handlungsfeld" : filter ?
	    "knowd, filtered by Handlungsfeld" :
	    "knowd (stemmed, ranked, snippets)", t, n);
	report("  same, CPU time only", c, n);
}

/* Misspelled words (one letter off): found nowhere, spelled by the index's vocabulary. */
static const char *const typos[10] = {
	"Bürgerbeteilgung", "Strassenbeleutung", "Datenplatform",
	"Ladeinfrastrukur", "Fördermitel", "Digitalisirung", "Breitbandausbua",
	"Klimaschtz", "Kommunkation", "Akzeptans",
};

/* Times queries of one misspelled word: the count, the words found nowhere, the suggestion. */
static void
bench_typos(struct search *s)
{
	struct search_query	 q;
	struct search_result	 res;
	double			 t[nitems(typos) * REPEAT], t0;
	size_t			 i, n = 0, sugg = 0;

	for (i = 0; i < nitems(typos) * REPEAT; i++) {
		memset(&q, 0, sizeof q);
		q.q = typos[i % nitems(typos)];
		q.limit = 20;
		t0 = now_ms();
		if (search_run(s, &q, &res, NULL) != 0)
			die("query failed");
		t[n++] = now_ms() - t0;
		if (getenv("SEARCH_BENCH_EACH") != NULL)
			printf("  %-26s %7.2f ms  %s\n", q.q, t[n - 1],
			    res.suggest != NULL ? res.suggest : "-");
		sugg += res.suggest != NULL;
		search_result_free(&res);
	}
	printf("knowd index: %zu of %zu misspelled words got a suggestion\n",
	    sugg / REPEAT, nitems(typos));
	report("knowd, misspelled word (Meinten Sie)", t, n);
}

/* Times the start page's facet counts (lessons per value of each facet). */
static void
bench_facets(struct search *s)
{
	static const char *const facets[] = { "field", "status", "hurdle",
	    "node" };
	struct search_count *c;
	double		 t[nitems(facets) * REPEAT], t0;
	size_t		 i, n = 0, nc;

	for (i = 0; i < nitems(facets) * REPEAT; i++) {
		t0 = now_ms();
		if (search_facet(s, facets[i % nitems(facets)], &c, &nc,
		    NULL) != 0)
			die("facet failed");
		t[n++] = now_ms() - t0;
		search_counts_free(c, nc);
	}
	report("knowd facet counts (start page)", t, n);
}

/* Times the 20 queries on the plain FTS5 table (no folding, no stemming). */
static void
bench_plain(sqlite3 *db)
{
	sqlite3_stmt	*st, *cnt;
	double		 t[nitems(queries) * REPEAT], t0, c0;
	double		 c[nitems(queries) * REPEAT];
	size_t		 i, n = 0, hits = 0;
	char		*match;
	const char	*p;

	if (sqlite3_prepare_v2(db, "SELECT rowid, snippet(plain, 0, '»', '«', "
	    "'…', 12) FROM plain WHERE plain MATCH ? ORDER BY rank LIMIT 20",
	    -1, &st, NULL) != SQLITE_OK || sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM plain WHERE plain MATCH ?", -1, &cnt,
	    NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
	for (i = 0; i < nitems(queries) * REPEAT; i++) {
		struct buf b;

		buf_init(&b);
		for (p = queries[i % nitems(queries)]; *p != '\0'; p++) {
			if (*p == ' ')
				buf_addstr(&b, "\" \"");
			else
				buf_addc(&b, *p);
		}
		match = xasprintf("\"%s\"", (char *)b.data);
		buf_free(&b);
		t0 = now_ms();
		c0 = cpu_ms();
		sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st) == SQLITE_ROW)
			;
		sqlite3_reset(st);
		c[n] = cpu_ms() - c0;
		t[n++] = now_ms() - t0;
		if (i < nitems(queries)) {
			sqlite3_bind_text(cnt, 1, match, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(cnt) == SQLITE_ROW)
				hits += (size_t)sqlite3_column_int64(cnt, 0);
			sqlite3_reset(cnt);
		}
		free(match);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(cnt);
	printf("plain FTS5: %zu matches over the 20 queries\n", hits);
	report("plain FTS5 (no stemming/folding)", t, n);
	report("  same, CPU time only", c, n);
}

/* File size in MiB, with its WAL. */
static double
mib(const char *path)
{
	struct stat	 sb;
	char		*wal = xasprintf("%s-wal", path);
	double		 m = 0;

	if (stat(path, &sb) == 0)
		m += sb.st_size;
	if (stat(wal, &sb) == 0)
		m += sb.st_size;
	free(wal);
	return m / (1024 * 1024);
}

/*
 * The queries on the index as built (FTS5 segments of its transactions),
 * then the merge knowd runs after a start or a rebuild, timed.
 */
static void
bench_merge(struct search **sp, const char *path)
{
	struct search *s = *sp;
	char	*why = NULL, label[64];
	int64_t	 segs = search_segments(s);
	double	 t0;

	if (segs >= 0 && segs <= 2)
		return;
	snprintf(label, sizeof label, "knowd, before merging (%lld segm.)",
	    (long long)segs);
	bench_queries(s, 0, label);
	t0 = now_ms();
	if (search_compact(s, &why) != 0)
		die(why);
	printf("%-34s merge %7.1f s   %lld segments into %lld\n",
	    "knowd index", (now_ms() - t0) / 1e3, (long long)segs,
	    (long long)search_segments(s));
	/* Reopened, so the queries after the merge start cold as well. */
	search_db_close(s);
	if (search_db_open(path, sp, &why) != 0)
		die(why);
}

/* Generates n lessons into the index, the plain table and DIR/texts. */
static void
build(const char *dir, size_t n, struct search *s, sqlite3 *db)
{
	sqlite3_stmt	*ins;
	char		 id[27], *text, *path, *file, *why = NULL;
	double		 tk = 0, tp = 0, t0;
	size_t		 i, batch = 1000;
	FILE		*f;

	if (getenv("SEARCH_BENCH_BATCH") != NULL)
		batch = strtoul(getenv("SEARCH_BENCH_BATCH"), NULL, 10);
	batch = batch > 0 ? batch : 1;

	if (sqlite3_prepare_v2(db, "INSERT INTO plain(doc) VALUES (?)", -1,
	    &ins, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
	for (i = 0; i < n; i++) {
		text = lesson(i, id);
		path = xasprintf("projects/projekt-%zu/lessons/%s.md", i % 5000, id);
		file = xasprintf("%s/texts/%zu.md", dir, i);
		if ((f = fopen(file, "w")) == NULL)
			die(strerror(errno));
		fputs(text, f);
		fclose(f);
		t0 = now_ms();
		if (i % batch == 0 && search_exec(s, "BEGIN", NULL) != 0)
			die("begin");
		if (search_add_text(s, "z6MkBenchNode", path, text, strlen(text),
		    &why) != 0)
			die(why);
		if ((i % batch == batch - 1 || i + 1 == n) &&
		    search_exec(s, "COMMIT", NULL) != 0)
			die("commit");
		tk += now_ms() - t0;
		t0 = now_ms();
		if (i % 1000 == 0)
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		sqlite3_bind_text(ins, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		if (i % 1000 == 999 || i + 1 == n)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		tp += now_ms() - t0;
		free(text);
		free(path);
		free(file);
	}
	sqlite3_finalize(ins);
	search_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	printf("lessons indexed: %zu\n", n);
	printf("%-34s build %7.1f s   size %7.1f MiB\n", "knowd index", tk / 1e3,
	    mib(xasprintf("%s/index.sqlite", dir)));
	printf("%-34s build %7.1f s   size %7.1f MiB\n", "plain FTS5", tp / 1e3,
	    mib(xasprintf("%s/plain.sqlite", dir)));
}

int
main(int argc, char **argv)
{
	struct search	*s;
	sqlite3		*db;
	char		*p, *path, *why = NULL;
	size_t		 n;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0)
		die("usage: search_bench DIR N");
	p = xasprintf("%s/texts", argv[1]);
	if (mkdir(argv[1], 0700) != 0 && errno != EEXIST)
		die(strerror(errno));
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		die(strerror(errno));
	free(p);
	path = xasprintf("%s/index.sqlite", argv[1]);
	if (search_db_open(path, &s, &why) != 0)
		die(why);
	p = xasprintf("%s/plain.sqlite", argv[1]);
	if (sqlite3_open(p, &db) != SQLITE_OK || sqlite3_exec(db,
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE "
	    "VIRTUAL TABLE IF NOT EXISTS plain USING fts5(doc)", NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
	free(p);
	if (getenv("SEARCH_BENCH_QUERY_ONLY") == NULL)
		build(argv[1], n, s, db);
	bench_merge(&s, path);
	bench_queries(s, 0, NULL);
	bench_queries(s, 1, NULL);
	bench_queries(s, 2, NULL);
	bench_typos(s);
	bench_facets(s);
	bench_plain(db);
	sqlite3_close(db);
	search_db_close(s);
	free(path);
	return 0;
}
