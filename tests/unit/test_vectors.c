/*
 * test_vectors.c — the test vectors of PROTOCOL.md §5.5, recomputed: a key
 * from a fixed seed, its did:key, a signed ANNOUNCE and NODE as sent, a
 * DIGEST of two heads, and the SSH signature over a commit. Each value must
 * equal the constant here and appear, as printed, in PROTOCOL.md, so the
 * document, the code and this test cannot drift apart. With VECTORS_PRINT
 * set in the environment it prints the values instead (to write the doc).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "keys.h"
#include "util.h"
#include "wire.h"

#include "test_vectors.h"

#define VEC_TIME	1764979200u	/* 2025-12-06T00:00:00Z */

static struct keys_pair	kp1, kp2;
static char		*protocol_md;

/* A key pair from the seed whose bytes are first, first+1, … */
static void
seeded(struct keys_pair *kp, uint8_t first)
{
	uint8_t	 seed[32];
	size_t	 i;

	for (i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(first + i);
	crypto_sign_seed_keypair(kp->pk, kp->sk, seed);
}

/* Lowercase hex of n bytes; caller frees. */
static char *
hex(const uint8_t *p, size_t n)
{
	char	*s = xmalloc(2 * n + 1);

	hex_encode(p, n, s);
	return s;
}

/* Checks a computed value against its constant and the document. */
static void	vector(const char *, const char *, const char *);

/* Checks an encoded message (then freed) as hex against its constant. */
static void
vector_buf(const char *name, struct buf *b, const char *want)
{
	char	*h = hex(b->data, b->len);

	vector(name, h, want);
	free(h);
	buf_free(b);
}

/* Checks a computed value against its constant and the document. */
static void
vector(const char *name, const char *got, const char *want)
{
	if (getenv("VECTORS_PRINT") != NULL) {
		printf("%s = %s\n", name, got);
		return;
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s: computed %s, expected %s", name, got, want);
	if (strstr(protocol_md, want) == NULL)
		fail_msg("%s: %s is not in protocol/PROTOCOL.md", name, want);
}

/* The seeded key's did:key. */
static void
test_key(void **state)
{
	char	 did[KEYS_DID_MAX];

	keys_did_encode(kp1.pk, did);
	vector("did", did, VEC_DID);
}

/* A signed ANNOUNCE as sent: [3, body, sig]. */
static void
test_announce(void **state)
{
	struct wire_announce a;
	struct buf	 b;

	memset(&a, 0, sizeof a);
	memcpy(a.pk, kp1.pk, KEYS_PK_LEN);
	a.seq = 7;
	memset(a.head, 0xab, sizeof a.head);
	a.time = VEC_TIME;
	wire_announce_sign(&a, &kp1);
	assert_int_equal(wire_announce_verify(&a), 0);
	buf_init(&b);
	wire_announce_encode(&b, &a);
	vector_buf("announce", &b, VEC_ANNOUNCE);
}

/* A signed NODE as sent: [2, body, sig]. */
static void
test_node(void **state)
{
	struct wire_node n;
	struct buf	 b;

	memset(&n, 0, sizeof n);
	memcpy(n.pk, kp1.pk, KEYS_PK_LEN);
	snprintf(n.name, sizeof n.name, "Stadt Musterstadt");
	snprintf(n.addrs[0], sizeof n.addrs[0], "knowd.musterstadt.example:7700");
	n.naddrs = 1;
	n.time = VEC_TIME;
	wire_node_sign(&n, &kp1);
	assert_int_equal(wire_node_verify(&n), 0);
	buf_init(&b);
	wire_node_encode(&b, &n);
	vector_buf("node", &b, VEC_NODE);
}

/* The DIGEST of two heads (given unsorted: the digest sorts by pk). */
static void
test_digest(void **state)
{
	struct wire_head h[2];
	uint8_t		 d[32];
	char		*s;

	memset(h, 0, sizeof h);
	memcpy(h[0].pk, kp2.pk, KEYS_PK_LEN);
	h[0].seq = 3;
	memset(h[0].head, 0xcd, sizeof h[0].head);
	memcpy(h[1].pk, kp1.pk, KEYS_PK_LEN);
	h[1].seq = 7;
	memset(h[1].head, 0xab, sizeof h[1].head);
	wire_digest(h, 2, d);
	s = hex(d, sizeof d);
	vector("digest", s, VEC_DIGEST);
	free(s);
}

/* The sshsig (namespace git) over a commit without its gpgsig header. */
static void
test_commit_sig(void **state)
{
	char	*armored = NULL, *flat, *p, *q;
	char	 nid[KEYS_NID_MAX], *commit;

	keys_nid_encode(kp1.pk, nid);
	commit = xasprintf("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author Stadt Musterstadt <%s@knowd.invalid> %u +0100\n"
	    "committer Stadt Musterstadt <%s@knowd.invalid> %u +0100\n"
	    "\n"
	    "Knoten angelegt\n\nKnowd-Seq: 1\n", nid, VEC_TIME, nid, VEC_TIME);
	assert_int_equal(keys_sshsig_sign(&kp1, "git", commit, strlen(commit),
	    &armored), 0);
	/* The armor's base64 lines, joined, as the document shows them. */
	flat = xmalloc(strlen(armored) + 1);
	p = strchr(armored, '\n');
	assert_non_null(p);
	for (p++, q = flat; *p != '\0' && *p != '-'; p++)
		if (*p != '\n')
			*q++ = *p;
	*q = '\0';
	vector("sshsig", flat, VEC_SSHSIG);
	free(flat);
	free(armored);
	free(commit);
}

/* Reads protocol/PROTOCOL.md (the tests run from the tree's root). */
static char *
read_doc(void)
{
	FILE	*f = fopen("protocol/PROTOCOL.md", "r");
	char	*s;
	long	 n;

	if (f == NULL)
		return xstrdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return s;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_announce),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_commit_sig),
	};
	int	 rv;

	if (sodium_init() < 0)
		return 1;
	seeded(&kp1, 0x01);
	seeded(&kp2, 0x21);
	protocol_md = read_doc();
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	free(protocol_md);
	return rv;
}
