/* test_pack.c — the bounds of packscan.c and the git fsck --strict checks of fsck.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "packscan.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

static const struct packscan_limits lim = { 1024, 64 * 1024, 100 };

#define TEXT10	"0123456789"
#define TEXT100	TEXT10 TEXT10 TEXT10 TEXT10 TEXT10 TEXT10 TEXT10 TEXT10 TEXT10 TEXT10

/* Appends an object header: type and size in git's varint. */
static void
obj_header(struct buf *b, int type, uint64_t size)
{
	uint8_t	 c = (uint8_t)((type << 4) | (size & 15));

	for (size >>= 4; size > 0; size >>= 7) {
		buf_addc(b, c | 0x80);
		c = size & 0x7f;
	}
	buf_addc(b, c);
}

/* Appends len bytes of data deflated. */
static void
deflated(struct buf *b, const void *data, size_t len)
{
	uLongf	 n = compressBound(len);
	uint8_t	*out = xmalloc(n);

	assert_int_equal(compress2(out, &n, data, len, 9), Z_OK);
	buf_add(b, out, n);
	free(out);
}

/* Appends an object declaring size whose stream inflates to len bytes of data. */
static void
object(struct buf *b, int type, uint64_t size, const void *data, size_t len)
{
	obj_header(b, type, size);
	deflated(b, data, len);
}

/* Starts a pack claiming count objects. */
static void
pack_start(struct buf *b, uint32_t count)
{
	buf_init(b);
	buf_add(b, "PACK", 4);
	buf_add_be32(b, 2);
	buf_add_be32(b, count);
}

/* A delta's bytes: source and result sizes, then one copy of the source. */
static void
delta(struct buf *d, uint64_t src, uint64_t res)
{
	uint64_t v;

	buf_init(d);
	for (v = src; v >= 0x80; v >>= 7)
		buf_addc(d, (int)((v & 0x7f) | 0x80));
	buf_addc(d, (int)v);
	for (v = res; v >= 0x80; v >>= 7)
		buf_addc(d, (int)((v & 0x7f) | 0x80));
	buf_addc(d, (int)v);
	buf_addc(d, 0x90);		/* copy, one size byte */
	buf_addc(d, (int)src);
}

/* Ends the pack with a trailer (packscan leaves its checksum to libgit2) and scans it. */
static int
scan(struct buf *b, const char *want)
{
	uint8_t	 trailer[20] = { 0 };
	char	*cause = NULL;
	int	 rv;

	buf_add(b, trailer, sizeof trailer);
	rv = packscan(b->data, b->len, &lim, NULL, &cause);
	if (want == NULL && rv != 0)
		fail_msg("scan failed: %s", cause);
	if (want != NULL && rv == 0)
		fail_msg("scan passed; expected \"%s\"", want);
	if (want != NULL && strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
	buf_free(b);
	return rv;
}

/* A blob, an offset delta and a ref delta on it, all within bounds, pass. */
static void
test_scan_good(void **state)
{
	struct buf	 b, d;
	struct packscan_stats st;
	size_t		 base_at, delta_at;
	char		*cause = NULL;
	uint8_t		 trailer[20] = { 0 };

	pack_start(&b, 3);
	base_at = b.len;
	object(&b, 3, 100, TEXT100, 100);
	delta(&d, 100, 100);
	delta_at = b.len;
	obj_header(&b, 6, d.len);
	buf_addc(&b, (int)(delta_at - base_at));	/* back to the blob */
	deflated(&b, d.data, d.len);
	obj_header(&b, 7, d.len);
	buf_add(&b, trailer, 20);
	deflated(&b, d.data, d.len);
	buf_free(&d);
	buf_add(&b, trailer, sizeof trailer);
	assert_int_equal(packscan(b.data, b.len, &lim, &st, &cause), 0);
	assert_int_equal(st.objects, 3);
	assert_int_equal(st.deltas, 2);
	assert_int_equal(st.resolved, 200);
	buf_free(&b);
}

/* Headers, counts and lengths that are wrong. */
static void
test_scan_frame(void **state)
{
	struct buf	 b;
	char		 big[2048];

	memset(big, 'x', sizeof big);
	buf_init(&b);
	buf_add(&b, "PACX\0\0\0\2\0\0\0\0", 12);
	scan(&b, "no PACK signature");
	pack_start(&b, 0);
	b.data[7] = 4;
	scan(&b, "version 4");
	pack_start(&b, 101);
	scan(&b, "claims 101 objects, limit 100");
	pack_start(&b, 50);
	scan(&b, "claims 50 objects in 32 bytes");
	pack_start(&b, 1);
	object(&b, 3, 5, "hello", 5);
	buf_add(&b, "junk", 4);
	scan(&b, "4 bytes after its 1 objects");
	pack_start(&b, 2);
	object(&b, 3, 5, "hello", 5);
	scan(&b, "pack object 1");
	pack_start(&b, 1);
	obj_header(&b, 5, 5);
	deflated(&b, "hello", 5);
	scan(&b, "unknown type 5");
	pack_start(&b, 1);
	object(&b, 3, sizeof big, big, sizeof big);
	scan(&b, "2048 bytes, larger than 1024 bytes");
}

/* Streams that inflate to other than they declare, or break off. */
static void
test_scan_inflate(void **state)
{
	struct buf	 b;
	char		 big[4096];

	memset(big, 'x', sizeof big);
	pack_start(&b, 1);
	object(&b, 3, 10, big, sizeof big);	/* a little bomb */
	scan(&b, "inflates past its declared 10 bytes");
	pack_start(&b, 1);
	object(&b, 3, 100, big, 50);
	scan(&b, "inflates to 50 bytes, not the 100 it declares");
	pack_start(&b, 1);
	obj_header(&b, 3, 5);
	buf_add(&b, "\x78\x9c\xff\xff\xff\xff", 6);
	scan(&b, "bad zlib data");
	pack_start(&b, 1);
	obj_header(&b, 3, 5);
	buf_add(&b, "\x78\x9c", 2);		/* the stream breaks off */
	scan(&b, "pack object 0 (blob at offset 12)");
}

/* Deltas: declared sizes, bases, chains and the pack's budget. */
static void
test_scan_delta(void **state)
{
	struct buf	 b, d;
	size_t		 at[70];
	int		 i;

	pack_start(&b, 2);
	object(&b, 3, 5, "hello", 5);
	delta(&d, 5, 1u << 30);		/* the delta bomb: 1 GiB from 5 bytes */
	obj_header(&b, 7, d.len);
	buf_add(&b, "01234567890123456789", 20);
	deflated(&b, d.data, d.len);
	buf_free(&d);
	scan(&b, "delta result of 1073741824 bytes, larger than 1024 bytes");

	pack_start(&b, 1);
	delta(&d, 5, 5);
	obj_header(&b, 6, d.len);
	buf_addc(&b, 100);		/* before the pack's start */
	deflated(&b, d.data, d.len);
	buf_free(&d);
	scan(&b, "no earlier object of the pack");

	pack_start(&b, 1);
	obj_header(&b, 7, 1);
	buf_add(&b, "01234567890123456789", 20);
	deflated(&b, "\x80", 1);
	scan(&b, "bad delta header");
	pack_start(&b, 1);
	obj_header(&b, 7, 0);
	buf_add(&b, "01234567890123456789", 20);
	deflated(&b, "", 0);
	scan(&b, "delta too short for its header");

	/* An offset-delta chain of 66 on one base: the 65th is too deep. */
	pack_start(&b, 67);
	at[0] = b.len;
	object(&b, 3, 5, "hello", 5);
	delta(&d, 5, 5);
	for (i = 1; i <= 66; i++) {
		at[i] = b.len;
		obj_header(&b, 6, d.len);
		buf_addc(&b, (int)(at[i] - at[i - 1]));
		deflated(&b, d.data, d.len);
	}
	buf_free(&d);
	scan(&b, "delta chain deeper than 64");

	/* 70 deltas of 1000-byte results: over the 64 KiB budget. */
	pack_start(&b, 71);
	object(&b, 3, 5, "hello", 5);
	delta(&d, 5, 1000);
	for (i = 0; i < 70; i++) {
		obj_header(&b, 7, d.len);
		buf_add(&b, "01234567890123456789", 20);
		deflated(&b, d.data, d.len);
	}
	buf_free(&d);
	scan(&b, "more than 65536 bytes");
}

/* Checks fsck_commit of text: want NULL passes, else the cause holds want. */
static void
commit_is(const char *text, const char *want)
{
	char	*cause = NULL;
	int	 rv = fsck_commit(text, strlen(text), &cause);

	if (want == NULL && rv != 0)
		fail_msg("\"%s\": %s", text, cause);
	if (want != NULL && (rv == 0 || strstr(cause, want) == NULL))
		fail_msg("\"%s\": got \"%s\", expected \"%s\"", text,
		    rv == 0 ? "pass" : cause, want);
	free(cause);
}

#define TREE	"tree 0123456789abcdef0123456789abcdef01234567\n"
#define PARENT	"parent 0123456789abcdef0123456789abcdef01234567\n"
#define WHO	"A Name <a@example.org> 1764950000 +0100\n"

/* Commits as git fsck --strict takes or refuses them. */
static void
test_fsck_commit(void **state)
{
	commit_is(TREE "author " WHO "committer " WHO "\nmsg\n", NULL);
	commit_is(TREE PARENT "author " WHO "committer " WHO "gpgsig x\n y\n"
	    "\nmsg\n", NULL);
	commit_is(TREE "author " WHO "committer " WHO, NULL);
	commit_is(TREE "author A Name<a@example.org> 1 +0000\ncommitter " WHO
	    "\n", "missing space before email");
	commit_is(TREE "author <a@example.org> 1 +0000\ncommitter " WHO "\n",
	    "missing space before email");
	commit_is(TREE "author A >a@x> 1 +0000\ncommitter " WHO "\n", "bad name");
	commit_is(TREE "author A a@x 1 +0000\ncommitter " WHO "\n",
	    "missing email");
	commit_is(TREE "author A <a@x 1 +0000\ncommitter " WHO "\n", "bad email");
	commit_is(TREE "author A <a@x>1 +0000\ncommitter " WHO "\n",
	    "missing space before date");
	commit_is(TREE "author A <a@x> 01 +0000\ncommitter " WHO "\n",
	    "zero-padded date");
	commit_is(TREE "author A <a@x> 99999999999999999999 +0000\ncommitter "
	    WHO "\n", "integer overflow");
	commit_is(TREE "author A <a@x> x +0000\ncommitter " WHO "\n", "bad date");
	commit_is(TREE "author A <a@x> 1 +000\ncommitter " WHO "\n",
	    "bad time zone");
	commit_is(TREE "author A <a@x> 1 +0000 \ncommitter " WHO "\n",
	    "bad time zone");
	commit_is(TREE "committer " WHO "\n", "expected 'author' line");
	commit_is(TREE "author " WHO "author " WHO "committer " WHO "\n",
	    "multiple 'author' lines");
	commit_is(TREE "author " WHO "\n", "expected 'committer' line");
	commit_is("tree 0123\nauthor " WHO "committer " WHO "\n", "bad sha1");
	commit_is(PARENT TREE "author " WHO "committer " WHO "\n",
	    "expected 'tree' line");
	commit_is(TREE "parent xyz\nauthor " WHO "committer " WHO "\n",
	    "'parent' line format");
	commit_is(TREE "author " WHO "committer A <a@x> 1 +0000", "unterminated");
	assert_int_equal(fsck_commit(TREE "author " WHO "committer " WHO
	    "\nm\0sg\n", sizeof(TREE "author " WHO "committer " WHO "\nm\0sg\n")
	    - 1, NULL), -1);
}

/* Appends one raw tree entry. */
static void
entry(struct buf *b, const char *mode, const char *name, int id)
{
	uint8_t	 oid[20];

	memset(oid, id, sizeof oid);
	buf_printf(b, "%s %s", mode, name);
	buf_addc(b, 0);
	buf_add(b, oid, sizeof oid);
}

/* Checks fsck_tree of b (freed): want NULL passes, else the cause holds want. */
static void
tree_is(struct buf *b, const char *want)
{
	char	*cause = NULL;
	int	 rv = fsck_tree((const char *)b->data, b->len, &cause);

	if (want == NULL && rv != 0)
		fail_msg("tree: %s", cause);
	if (want != NULL && (rv == 0 || strstr(cause, want) == NULL))
		fail_msg("tree: got \"%s\", expected \"%s\"", rv == 0 ? "pass" :
		    cause, want);
	free(cause);
	buf_free(b);
}

/* Trees: git's order, duplicates, modes and names. */
static void
test_fsck_tree(void **state)
{
	struct buf	 b;

	buf_init(&b);
	tree_is(&b, NULL);				/* the empty tree */
	entry(&b, "100644", "a", 1);
	entry(&b, "100644", "a.b", 1);
	entry(&b, "40000", "a0", 1);
	tree_is(&b, NULL);
	entry(&b, "100644", "a.b", 1);
	entry(&b, "40000", "a", 1);		/* "a/" sorts after "a.b" */
	tree_is(&b, NULL);
	entry(&b, "100644", "b", 1);
	entry(&b, "100644", "a", 1);
	tree_is(&b, "not properly sorted");
	entry(&b, "100644", "a", 1);
	entry(&b, "100644", "a", 2);
	tree_is(&b, "duplicate file entries");
	entry(&b, "100644", "a", 1);
	entry(&b, "100644", "a.b", 1);
	entry(&b, "40000", "a", 1);		/* a file and a tree both "a" */
	tree_is(&b, "duplicate file entries");
	entry(&b, "100755", "a", 1);
	tree_is(&b, "mode 100755");
	entry(&b, "040000", "a", 1);
	tree_is(&b, "zero-padded");
	entry(&b, "100644", ".git", 1);
	tree_is(&b, "'.git'");
	entry(&b, "40000", ".GIT", 1);
	tree_is(&b, "'.git'");
	entry(&b, "100644", "..", 1);
	tree_is(&b, "'.' or '..'");
	entry(&b, "100644", "", 1);
	tree_is(&b, "empty pathname");
	entry(&b, "100644", "a", 0);
	tree_is(&b, "null sha1");
	entry(&b, "100644", "a", 1);
	b.len -= 3;
	tree_is(&b, "cannot be parsed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_good),
		cmocka_unit_test(test_scan_frame),
		cmocka_unit_test(test_scan_inflate),
		cmocka_unit_test(test_scan_delta),
		cmocka_unit_test(test_fsck_commit),
		cmocka_unit_test(test_fsck_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
