/*
 * test_invite.c — the invitation line (protocol/invite.c): round trip,
 * every kind of damage named, the check catching a typo, and the JOIN
 * proofs bound to the key, the channel and the direction.
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

#include "invite.h"
#include "util.h"

/* A sample invitation. */
static void
sample(struct invite_line *inv)
{
	memset(inv, 0, sizeof *inv);
	memset(inv->id, 0x11, sizeof inv->id);
	memset(inv->secret, 0x22, sizeof inv->secret);
	memset(inv->pk, 0x33, sizeof inv->pk);
	strcpy(inv->network, "knowd");
	strcpy(inv->addr, "agentur.example.de:7700");
}

/* The line parses, with a cause containing what. */
static void
rejects(const char *line, const char *what)
{
	struct invite_line	 inv;
	char			*cause = NULL;

	assert_int_equal(invite_parse(line, &inv, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, what) == NULL)
		fail_msg("\"%s\": cause \"%s\" lacks \"%s\"", line, cause, what);
	free(cause);
}

/* Formatted and parsed again, the same; surrounding whitespace and breaks are ignored. */
static void
test_roundtrip(void **state)
{
	struct invite_line	 in, out;
	char			*line, *wrapped, *cause = NULL;

	sample(&in);
	line = invite_format(&in);
	assert_true(strncmp(line, INVITE_PREFIX, strlen(INVITE_PREFIX)) == 0);
	assert_null(strpbrk(line, " \t\n'\"=+/"));	/* safe in a shell quote */
	assert_int_equal(invite_parse(line, &out, &cause), 0);
	assert_memory_equal(&in, &out, sizeof in);
	wrapped = xasprintf("  %.*s\n%s \r\n", 40, line, line + 40);
	assert_int_equal(invite_parse(wrapped, &out, &cause), 0);
	assert_memory_equal(&in, &out, sizeof in);
	free(wrapped);
	/* The longest network and address still fit INVITE_LINE_MAX. */
	memset(in.network, 'n', INVITE_NET_MAX);
	memset(in.addr, 'a', INVITE_ADDR_MAX);
	in.addr[5] = ':';
	free(line);
	line = invite_format(&in);
	assert_true(strlen(line) <= INVITE_LINE_MAX);
	assert_int_equal(invite_parse(line, &out, &cause), 0);
	assert_memory_equal(&in, &out, sizeof in);
	free(line);
}

/* Every single-character change and every cut is caught. */
static void
test_typos(void **state)
{
	struct invite_line	 in, out;
	char			*line, *bad, *cause = NULL;
	size_t			 i, n, caught = 0;

	sample(&in);
	line = invite_format(&in);
	n = strlen(line);
	for (i = strlen(INVITE_PREFIX); i < n; i++) {
		bad = xstrdup(line);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (invite_parse(bad, &out, &cause) != 0)
			caught++;
		free(cause);
		cause = NULL;
		free(bad);
		bad = xstrndup(line, i);
		assert_int_equal(invite_parse(bad, &out, &cause), -1);
		free(cause);
		cause = NULL;
		free(bad);
	}
	/* The last character's low bits are padding base64url may drop: all others must fail. */
	assert_true(caught + 1 >= n - strlen(INVITE_PREFIX));
	bad = xstrdup(line);
	bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
	rejects(bad, "Prüfsumme");
	free(bad);
	free(line);
}

/* Malformed lines name what is wrong. */
static void
test_rejects(void **state)
{
	char	 big[INVITE_LINE_MAX + 8];

	rejects("", "beginnt mit knowd-invite:v1:");
	rejects("did:key:z6Mk", "beginnt mit knowd-invite:v1:");
	rejects("knowd-invite:v2:AAAA", "anderen Version");
	rejects("knowd-invite:v1:", "unvollständig");
	rejects("knowd-invite:v1:AAAA", "unvollständig");
	rejects("knowd-invite:v1:A*AA", "ungültige Zeichen");
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	rejects(big, "zu lang");
}

/* Proofs differ by key, channel and direction, and are deterministic. */
static void
test_proof(void **state)
{
	uint8_t	 s1[INVITE_SECRET_LEN], s2[INVITE_SECRET_LEN];
	uint8_t	 k1[INVITE_KEY_LEN], k2[INVITE_KEY_LEN], hh[64], hh2[64];
	uint8_t	 p[INVITE_PROOF_LEN], q[INVITE_PROOF_LEN];

	memset(s1, 1, sizeof s1);
	memset(s2, 2, sizeof s2);
	memset(hh, 7, sizeof hh);
	memset(hh2, 7, sizeof hh2);
	hh2[63] = 8;
	invite_key(s1, k1);
	invite_key(s2, k2);
	assert_memory_not_equal(k1, s1, sizeof s1);	/* the key is not the secret */
	invite_proof(k1, hh, sizeof hh, 0, p);
	invite_proof(k1, hh, sizeof hh, 0, q);
	assert_memory_equal(p, q, sizeof p);
	invite_proof(k2, hh, sizeof hh, 0, q);
	assert_memory_not_equal(p, q, sizeof p);
	invite_proof(k1, hh2, sizeof hh2, 0, q);
	assert_memory_not_equal(p, q, sizeof p);
	invite_proof(k1, hh, sizeof hh, 1, q);
	assert_memory_not_equal(p, q, sizeof p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_typos),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_proof),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
