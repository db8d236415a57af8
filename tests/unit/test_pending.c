/* test_pending.c — the table of pending nodes: notes, updates, eviction of the least recently seen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "node.h"

/* A node id-like key for number i. */
static void
nid_of(int i, char *out, size_t len)
{
	snprintf(out, len, "z6Mktest%06d", i);
}

/* A note makes an entry; a second keeps what it does not change and moves it last. */
static void
test_note(void **state)
{
	struct node		 nd;
	const struct node_pending *e;

	memset(&nd, 0, sizeof nd);
	node_pending_note(&nd, "z6Mka", "127.0.0.1:1", NULL, NULL);
	node_pending_note(&nd, "z6Mkb", "127.0.0.1:2", NULL, "z6Mkv");
	node_pending_note(&nd, "z6Mka", NULL, "Irgendwer", NULL);
	assert_int_equal(node_pending_count(&nd), 2);
	assert_true(node_pending_has(&nd, "z6Mka"));
	e = node_pending_next(&nd, NULL);
	assert_string_equal(e->nid, "z6Mkb");
	assert_string_equal(e->via, "z6Mkv");
	e = node_pending_next(&nd, e);
	assert_string_equal(e->nid, "z6Mka");
	assert_string_equal(e->addr, "127.0.0.1:1");
	assert_string_equal(e->name, "Irgendwer");
	assert_null(node_pending_next(&nd, e));
	node_pending_forget(&nd, "z6Mka");
	assert_false(node_pending_has(&nd, "z6Mka"));
	assert_int_equal(node_pending_count(&nd), 1);
	node_pending_free(&nd);
	assert_int_equal(node_pending_count(&nd), 0);
}

/* At most NODE_PENDING_MAX entries: the least recently seen gives way. */
static void
test_bound(void **state)
{
	struct node	 nd;
	char		 nid[64];
	int		 i;

	memset(&nd, 0, sizeof nd);
	for (i = 0; i < NODE_PENDING_MAX + 10; i++) {
		nid_of(i, nid, sizeof nid);
		node_pending_note(&nd, nid, "127.0.0.1:9", NULL, NULL);
		if (i == NODE_PENDING_MAX / 2) {	/* seen again: kept */
			nid_of(0, nid, sizeof nid);
			node_pending_note(&nd, nid, NULL, NULL, NULL);
		}
	}
	assert_int_equal(node_pending_count(&nd), NODE_PENDING_MAX);
	nid_of(0, nid, sizeof nid);
	assert_true(node_pending_has(&nd, nid));
	for (i = 1; i <= 10; i++) {
		nid_of(i, nid, sizeof nid);
		assert_false(node_pending_has(&nd, nid));
	}
	nid_of(11, nid, sizeof nid);
	assert_true(node_pending_has(&nd, nid));
	node_pending_free(&nd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
