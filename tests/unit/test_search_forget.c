/*
 * test_search_forget.c — an erasure's index clean-up on the search loop
 * (search_forget, search_loop.c): nothing merged on the call, a mark that
 * survives a kill, and afterwards no file of the index holding the text.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "search.h"
#include "util.h"

#define ID	"01JDZ3M7K2V6ABCDEFGHJKMNP1"
#define NID	"z6MkForgetTestNode"
#define PATH	"projects/buergerbuero/lessons/" ID ".md"

/* The lesson, with the number when phone is set. Caller frees. */
static char *
lesson(int phone)
{
	return xasprintf("---\nid: %s\nkind: lesson\ntitle: Bürgerbüro\n"
	    "project: buergerbuero\nsummary: Kurz.\nfields: [verwaltung]\n"
	    "status: umsetzung\nhurdles: [technisch]\ntags: [licht]\n"
	    "language: de\nlicense: CC-BY-4.0\ncreated: 2026-11-26T10:00:00Z\n"
	    "modified: 2026-11-26T10:00:00Z\n---\nRückfragen %s.\n", ID,
	    phone ? "unter 05251 88-4711" : "im Bürgerbüro");
}

/* True when a file of the index at dir (db, -wal, -shm) holds text. */
static int
index_holds(const char *dir, const char *text)
{
	static const char *const ends[] = { "", "-wal", "-shm" };
	char	*p, *data;
	size_t	 i, len;
	FILE	*fp;
	int	 found = 0;

	for (i = 0; i < nitems(ends) && !found; i++) {
		p = xasprintf("%s/index.sqlite%s", dir, ends[i]);
		if ((fp = fopen(p, "rb")) != NULL) {
			data = xcalloc(1, 64 << 20);
			len = fread(data, 1, 64 << 20, fp);
			found = memmem(data, len, text, strlen(text)) != NULL;
			free(data);
			fclose(fp);
		}
		free(p);
	}
	return found;
}

/* nftw callback: removes one file or directory. */
static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/*
 * The number indexed, then the corrected version; search_forget with a
 * loop merges nothing itself and leaves a mark; killed then, a loop
 * started on the reopened file merges in steps and empties the WAL;
 * then no file holds the number and the rest is still there.
 */
static void
test_forget_loop(void **state)
{
	struct event_base *base = event_base_new();
	struct search_loop *c;
	struct search	*s;
	char		 dir[64], *ids[] = { ID }, *t, *path, *cause = NULL;
	int64_t		 segs;
	int		 i;

	snprintf(dir, sizeof dir, "%s/knowd-forget.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/index.sqlite", dir);
	assert_non_null(base);
	assert_int_equal(event_base_priority_init(base, 3), 0);
	if (search_db_open(path, &s, &cause) != 0)
		fail_msg("%s", cause);
	for (i = 1; i >= 0; i--) {
		t = lesson(i);
		if (search_add_text(s, NID, PATH, t, strlen(t), &cause) != 0)
			fail_msg("%s", cause);
		free(t);
	}
	segs = search_segments(s);
	assert_true(segs > 2);
	assert_true(index_holds(dir, "4711"));

	c = search_loop_start(base, s);
	assert_int_equal(search_forget(s, NID, ids, 1, &cause), 0);
	assert_true(search_loop_forgetting(c));
	assert_true(search_forget_pending(s));
	assert_int_equal(search_segments(s), segs);
	/* Killed now: the mark is in the file. */
	search_loop_stop(c);
	search_db_close(s);
	if (search_db_open(path, &s, &cause) != 0)
		fail_msg("%s", cause);
	assert_true(search_forget_pending(s));
	assert_true(index_holds(dir, "4711"));

	c = search_loop_start(base, s);
	assert_true(search_loop_forgetting(c));
	for (i = 0; i < 1000 && search_loop_forgetting(c); i++)
		event_base_loop(base, EVLOOP_ONCE);
	assert_false(search_loop_forgetting(c));
	assert_false(search_forget_pending(s));
	assert_int_equal(search_segments(s), 2);
	assert_false(index_holds(dir, "4711"));
	assert_true(index_holds(dir, "rgerb"));	/* the rest is still there */
	search_loop_stop(c);
	search_db_close(s);
	event_base_free(base);
	free(path);
	assert_int_equal(nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
