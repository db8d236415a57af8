/*
 * forget_bench.c — what an erasure's index clean-up (search_forget) costs
 * the event loop, on an index bench/search_bench built (DIR/index.sqlite).
 * A lesson with a name and a phone number is indexed, then its corrected version;
 * then on one copy of the file the clean-up as it was (FTS5 'optimize' of
 * both tables and a WAL checkpoint, in one call on the event loop), on
 * another as it is (search_forget hands it to the search loop, which
 * merges in steps): the time of every turn of the loop, the longest turn,
 * and the time until it is done. Afterwards no file of either copy may
 * hold the name.
 *
 * usage: forget_bench DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "search.h"
#include "search_int.h"
#include "util.h"

#define ERASED	"Frau Wuqlotzki, Tel. 05251 88-4711"
#define NEEDLE	"uqlotz"	/* in its text and its stemmed term */
#define ID	"01JE0FXRGETBENCH0000000001"
#define NID	"z6MkForgetBenchNode"
#define PATH	"projects/projekt-forget/lessons/" ID ".md"

/* Prints msg and exits. */
static void
die(const char *msg)
{
	fprintf(stderr, "forget_bench: %s\n", msg);
	exit(1);
}

/* Monotonic milliseconds. */
static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The lesson, with the erased text when erased is set. Caller frees. */
static char *
text(int erased)
{
	return xasprintf("---\nid: %s\nkind: lesson\ntitle: Bürgerbüro "
	    "Rückfragen\nproject: projekt-forget\nsummary: Wo Rückfragen "
	    "hingehen.\nfields: [verwaltung]\nstatus: umsetzung\nhurdles: "
	    "[technisch]\ntags: [tag-1]\nlanguage: de\nlicense: CC-BY-4.0\n"
	    "created: 2026-11-26T10:00:00Z\nmodified: 2026-11-26T10:00:00Z\n"
	    "---\nRückfragen beantwortet das Bürgerbüro%s.\n", ID,
	    erased ? ": " ERASED : "");
}

/* Copies file from to to, synced (the index is closed and its WAL empty). */
static void
copy(const char *from, const char *to)
{
	char	 buf[65536];
	size_t	 n;
	FILE	*in, *out;

	if ((in = fopen(from, "rb")) == NULL || (out = fopen(to, "wb")) ==
	    NULL)
		die(strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			die(strerror(errno));
	fclose(in);
	/* On disk: else the loop's first checkpoint pays for writing the copy. */
	if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0)
		die(strerror(errno));
}

/* True when path, its -wal or -shm holds the erased name. */
static int
holds(const char *path)
{
	static const char *const ends[] = { "", "-wal", "-shm" };
	char	*p, *data = NULL;
	size_t	 i, len = 0, cap = 0, n;
	FILE	*fp;
	int	 found = 0;

	for (i = 0; i < nitems(ends) && !found; i++) {
		p = xasprintf("%s%s", path, ends[i]);
		if ((fp = fopen(p, "rb")) != NULL) {
			for (len = 0;; len += n) {
				if (cap - len < 65536)
					data = xreallocarray(data, cap += 1 << 24, 1);
				if ((n = fread(data + len, 1, 65536, fp)) == 0)
					break;
			}
			fclose(fp);
			found = memmem(data, len, NEEDLE, strlen(NEEDLE)) !=
			    NULL;
		}
		free(p);
	}
	free(data);
	return found;
}

/* Indexes the lesson with the erased text, then its correction; copies the file twice. */
static void
prepare(const char *dir)
{
	struct search	*s;
	char		*path = xasprintf("%s/index.sqlite", dir), *t, *why;
	char		*a = xasprintf("%s/before.sqlite", dir);
	char		*b = xasprintf("%s/after.sqlite", dir);
	struct stat	 sb;
	int		 i;

	if (holds(path))
		die("the index holds the name before the lesson");
	if (search_db_open(path, &s, &why) != 0)
		die(why);
	for (i = 1; i >= 0; i--) {
		t = text(i);
		if (search_add_text(s, NID, PATH, t, strlen(t), &why) != 0)
			die(why);
		free(t);
	}
	printf("index: %lld segments, ", (long long)search_segments(s));
	search_db_close(s);
	if (stat(path, &sb) != 0)
		die(strerror(errno));
	printf("%.1f MiB\n", sb.st_size / (1024.0 * 1024));
	copy(path, a);
	copy(path, b);
	if (!holds(a))
		die("the name is not in the index to begin with");
	free(path);
	free(a);
	free(b);
}

/* Before: optimize and checkpoint in one call, as search_forget did. */
static void
before(const char *dir)
{
	struct search	*s;
	char		*path = xasprintf("%s/before.sqlite", dir), *why;
	double		 t0;

	if (search_db_open(path, &s, &why) != 0)
		die(why);
	t0 = now_ms();
	if (search_exec(s, "INSERT INTO fts(fts) VALUES('optimize');"
	    "INSERT INTO tfts(tfts) VALUES('optimize');"
	    "PRAGMA wal_checkpoint(TRUNCATE);", &why) != 0)
		die(why);
	printf("before: one call on the event loop      %8.1f ms\n",
	    now_ms() - t0);
	if (holds(path))
		die("before: the name is still in the index");
	search_db_close(s);
	free(path);
}

/* qsort comparator for doubles. */
static int
dcmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* After: search_forget and the loop's turns, each timed, until done. */
static void
after(const char *dir)
{
	struct event_base *base = event_base_new();
	struct search_loop *c;
	struct search	*s;
	struct timespec	 ms1 = { 0, 1000000 };
	char		*path = xasprintf("%s/after.sqlite", dir), *why;
	char		*ids[] = { ID };
	double		 t0, t1, call, *turn = NULL, *sorted, sum = 0;
	size_t		 n = 0, cap = 0, i, top = 0;

	if (base == NULL || event_base_priority_init(base, 3) != 0)
		die("event base");
	if (search_db_open(path, &s, &why) != 0)
		die(why);
	c = search_loop_start(base, s);
	t0 = now_ms();
	if (search_forget(s, NID, ids, 1, &why) != 0)
		die(why);
	call = now_ms() - t0;
	while (search_loop_forgetting(c)) {
		t1 = now_ms();
		event_base_loop(base, EVLOOP_NONBLOCK);
		t1 = now_ms() - t1;
		if (t1 >= 0.05) {	/* a turn that ran the loop's timer */
			if (n == cap)
				turn = xreallocarray(turn, cap = cap * 2 + 64,
				    sizeof *turn);
			turn[n++] = t1;
			sum += t1;
		}
		nanosleep(&ms1, NULL);
	}
	if (n == 0)
		die("after: no turn ran");
	for (i = 0; i < n; i++)
		if (turn[i] > turn[top])
			top = i;
	sorted = xreallocarray(NULL, n, sizeof *sorted);
	memcpy(sorted, turn, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, dcmp);
	printf("after: search_forget on the event loop  %8.1f ms\n", call);
	printf("after: %zu turns of the search loop: p50 %.1f ms, p99 %.1f ms, "
	    "longest %.1f ms (turn %zu), %.0f ms in all\n", n, sorted[n / 2],
	    sorted[n * 99 / 100], turn[top], top + 1, sum);
	printf("after: its first turn %.1f ms, its last (the WAL truncated) "
	    "%.1f ms\n", turn[0], turn[n - 1]);
	free(sorted);
	printf("after: done %.1f s after the erasure (%lld segments)\n",
	    (now_ms() - t0) / 1e3, (long long)search_segments(s));
	if (holds(path))
		die("after: the name is still in the index");
	search_loop_stop(c);
	search_db_close(s);
	event_base_free(base);
	free(turn);
	free(path);
}

int
main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: forget_bench DIR");
	prepare(argv[1]);
	before(argv[1]);
	after(argv[1]);
	printf("no file of either index holds the name afterwards\n");
	return 0;
}
