/*
 * test_cards.c — contact cards (protocol/cards.c, cards_yaml.c): the YAML
 * card and its German errors, a set that round-trips and verifies, a
 * forged signature, a tampered content or body refused, expiry dropping
 * contents while the set still verifies, the largest set fitting one
 * frame, CARDSUM and its digest, and bad messages named.
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

#include "cards.h"
#include "util.h"
#include "wire.h"

static const char card_ok[] =
    "role: Projektleitung Digitalisierung\n"
    "unit: Amt für Digitalisierung\n"
    "mailbox: digital@stadt.example\n"
    "phone: 0251 492-0\n"
    "name: Erika Beispiel\n"
    "consent: 2026-01-15\n";

/* Parses s; returns the cause (caller frees) or NULL on success. */
static char *
parse(const char *s, struct cards_card *c)
{
	char	*why = NULL;

	if (cards_card_parse(s, strlen(s), c, &why) == 0)
		return NULL;
	assert_non_null(why);
	return why;
}

static void
test_yaml(void **state)
{
	static const struct { const char *s, *want; } bad[] = {
		{ "role: a\nunit: b\nemail: x@y.de\n", "Zeile 3: unbekannter "
		    "Schlüssel \"email\"" },
		{ "role: a\nunit: b\nmailbox: x@y.de\nname: Erika\n",
		    "name braucht eine Zeile \"consent" },
		{ "role: a\nunit: b\nphone: 0251\nconsent: 2026-01-01\n",
		    "consent ohne name" },
		{ "role: a\nunit: b\nphone: 12\n", "phone \"12\" ist keine" },
		{ "role: a\nunit: b\nmailbox: nobody\n", "mailbox \"nobody\"" },
		{ "role: a\nunit: b\n", "mailbox oder phone fehlt" },
		{ "unit: b\nphone: 0251 1\n", "role fehlt" },
		{ "role: a\nrole: b\n", "Zeile 2: role steht zweimal da" },
		{ "role: [a, b]\n", "Zeile 1: role muss ein einfacher Text" },
		{ "role:\n  x: y\n", "role darf keine Unterschlüssel" },
		{ "role: a\nunit: b\nphone: 0251 1\nname: E\nconsent: 2026-02-30\n",
		    "consent \"2026-02-30\" ist kein Datum" },
		{ "role: a\nunit: b\nphone: 0251 1\nname: E\nconsent: 2999-01-01\n",
		    "nicht in der Zukunft" },
		{ "role: \"a\n", "kein gültiges YAML" },
		{ "", "die Karte ist leer" },
		{ "- a\n- b\n", "muss ein einfacher Text sein" },
	};
	struct cards_card	 c;
	char			*why, big[5000];
	size_t			 i;

	assert_null(parse(card_ok, &c));
	assert_string_equal(c.role, "Projektleitung Digitalisierung");
	assert_string_equal(c.unit, "Amt für Digitalisierung");
	assert_string_equal(c.consent, "2026-01-15");
	for (i = 0; i < nitems(bad); i++) {
		why = parse(bad[i].s, &c);
		if (why == NULL || strstr(why, bad[i].want) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i,
			    why != NULL ? why : "(accepted)", bad[i].want);
		free(why);
	}
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "role: ", 6);
	why = parse(big, &c);
	assert_non_null(strstr(why, "höchstens 4096"));
	free(why);
	snprintf(big, sizeof big, "role: %0121d\nunit: b\nphone: 0251 1\n", 1);
	why = parse(big, &c);
	assert_non_null(strstr(why, "Zeile 1: role ist 121 Bytes lang"));
	free(why);
}

/* A set of n cards signed by kp. Caller frees. */
static struct cards_set *
make_set(const struct keys_pair *kp, size_t n, uint64_t date, int full)
{
	struct cards_set *s = calloc(1, sizeof *s);
	size_t		 i;

	assert_non_null(s);
	s->seq = 7;
	s->time = date;
	for (i = 0; i < n; i++) {
		struct cards_entry *e = &s->e[i];

		if (full) {
			memset(e->target, 'z', CARDS_TARGET_MAX);
			e->target[0] = (char)('A' + i / 26);
			e->target[1] = (char)('a' + i % 26);
			memset(e->c.role, 'r', CARDS_TEXT_MAX);
			memset(e->c.unit, 'u', CARDS_TEXT_MAX);
			memset(e->c.mailbox, 'm', CARDS_TEXT_MAX);
			memset(e->c.phone, '1', CARDS_PHONE_MAX);
			memset(e->c.name, 'n', CARDS_TEXT_MAX);
			memcpy(e->c.consent, "2026-01-15", 10);
		} else {
			snprintf(e->target, sizeof e->target, "projekt-%zu", i);
			snprintf(e->c.role, sizeof e->c.role, "Rolle %zu", i);
			snprintf(e->c.mailbox, sizeof e->c.mailbox, "m%zu@x.de", i);
		}
		e->date = date - i;
		cards_entry_seal(e, NULL);
	}
	s->n = n;
	cards_sign(s, kp);
	return s;
}

/* Encodes s and decodes it again into *out; returns the decoder's result. */
static int
roundtrip(const struct cards_set *s, struct cards_set *out, char **why)
{
	struct buf	 b;
	int		 rv;

	buf_init(&b);
	cards_encode(&b, s);
	rv = cards_decode(b.data, b.len, out, why);
	buf_free(&b);
	return rv;
}

static void
test_sign_verify(void **state)
{
	struct keys_pair	 kp, other;
	struct cards_set	*s, *d = malloc(sizeof *d);
	uint8_t			 m[sizeof CARDS_CTX + CARDS_BODY_MAX];

	keys_generate(&kp);
	keys_generate(&other);
	s = make_set(&kp, 3, 1764979200, 0);
	assert_int_equal(roundtrip(s, d, NULL), 0);
	assert_int_equal(cards_verify(d), 0);
	assert_int_equal(d->n, 3);
	assert_int_equal(d->seq, 7);
	assert_string_equal(d->e[1].target, "projekt-1");
	assert_string_equal(d->e[2].c.mailbox, "m2@x.de");
	/* Signed by another key over the same body: refused. */
	memcpy(m, CARDS_CTX, sizeof CARDS_CTX);
	memcpy(m + sizeof CARDS_CTX, s->body, s->bodylen);
	crypto_sign_detached(d->sig, NULL, m, sizeof CARDS_CTX + s->bodylen,
	    other.sk);
	assert_int_equal(cards_verify(d), -1);
	/* A content changed after signing: refused. */
	assert_int_equal(roundtrip(s, d, NULL), 0);
	d->e[1].raw[d->e[1].rawlen - 12] ^= 0x01;
	assert_int_equal(cards_verify(d), -2);
	/* A body byte changed: refused. */
	assert_int_equal(roundtrip(s, d, NULL), 0);
	d->body[d->bodylen - 1] ^= 0x01;
	assert_int_equal(cards_verify(d), -1);
	free(s);
	free(d);
}

static void
test_expiry(void **state)
{
	struct keys_pair	 kp;
	struct cards_set	*s, *d = malloc(sizeof *d);
	uint64_t		 t = 1764979200, age = 365 * 86400;

	keys_generate(&kp);
	s = make_set(&kp, 3, t, 0);	/* dates t, t-1, t-2 */
	assert_int_equal(cards_prune(s, t + age - 3, age), 0);
	assert_int_equal(cards_prune(s, t + age - 1, age), 2);
	assert_true(s->e[0].has);
	assert_false(s->e[1].has);
	assert_int_equal(s->e[1].c.mailbox[0], '\0');
	/* Pruned, the set still verifies and travels without those texts. */
	assert_int_equal(roundtrip(s, d, NULL), 0);
	assert_int_equal(cards_verify(d), 0);
	assert_false(d->e[2].has);
	assert_string_equal(d->e[0].c.mailbox, "m0@x.de");
	assert_int_equal(cards_prune(s, t + age, age), 1);
	free(s);
	free(d);
}

static void
test_largest(void **state)
{
	struct keys_pair	 kp;
	struct cards_set	*s, *d = malloc(sizeof *d);
	struct buf		 b;
	char			*why = NULL;

	keys_generate(&kp);
	s = make_set(&kp, CARDS_MAX, UINT64_MAX / 2, 1);
	buf_init(&b);
	cards_encode(&b, s);
	print_message("largest CARDS: %zu bytes, body %zu\n", b.len, s->bodylen);
	assert_true(b.len <= WIRE_MSG_MAX);
	assert_int_equal(wire_type(b.data, b.len), WIRE_CARDS);
	assert_int_equal(cards_decode(b.data, b.len, d, &why), 0);
	assert_int_equal(cards_verify(d), 0);
	buf_free(&b);
	free(s);
	free(d);
}

/* Bad messages are named. */
static void
test_bad(void **state)
{
	static const struct { const char *hex, *want; } c[] = {
		{ "94", "message is not one well-formed" },
		{ "930cc400c400", "message has 3 fields, expected 4" },
		{ "940dc401aac40090", "type is 13, expected 12" },
		{ "940cc40190c40090", "sig is 0 bytes" },
		{ "940cdd08000000c40090", "not one well-formed" },
	};
	struct cards_set	*d = malloc(sizeof *d);
	uint8_t			 m[64];
	char			*why;
	size_t			 i, n;

	for (i = 0; i < nitems(c); i++) {
		n = strlen(c[i].hex) / 2;
		assert_int_equal(hex_decode(c[i].hex, m, n), 0);
		why = NULL;
		assert_int_equal(cards_decode(m, n, d, &why), -1);
		if (strstr(why, c[i].want) == NULL)
			fail_msg("case %zu: got \"%s\"", i, why);
		free(why);
	}
	free(d);
}

/* A set whose contents count differs, a duplicate target or a date after its time. */
static void
test_bad_sets(void **state)
{
	struct keys_pair	 kp;
	struct cards_set	*s, *d = malloc(sizeof *d);
	char			*why = NULL;

	keys_generate(&kp);
	s = make_set(&kp, 2, 1764979200, 0);
	snprintf(s->e[1].target, sizeof s->e[1].target, "projekt-0");
	cards_sign(s, &kp);
	assert_int_equal(roundtrip(s, d, &why), -1);
	assert_non_null(strstr(why, "cards[1].target repeats cards[0]"));
	free(why);
	why = NULL;
	s->e[1].target[0] = 'q';
	s->e[1].date = s->time + 1;
	cards_sign(s, &kp);
	assert_int_equal(roundtrip(s, d, &why), -1);
	assert_non_null(strstr(why, "cards[1].date is after"));
	free(why);
	free(s);
	free(d);
}

static void
test_sum(void **state)
{
	struct cards_sum	*s = calloc(1, sizeof *s), *d = malloc(sizeof *d);
	struct buf		 b;
	uint8_t			 dg[32], empty[32];
	size_t			 i;

	s->mode = CARDS_LIST;
	s->count = CARDS_SUM_MAX;
	s->n = CARDS_SUM_MAX;
	for (i = 0; i < s->n; i++) {
		memset(s->e[i].pk, (int)i, KEYS_PK_LEN);
		s->e[i].seq = UINT64_MAX - i;
	}
	cards_digest(s->e, s->n, s->digest);
	buf_init(&b);
	cards_sum_encode(&b, s);
	assert_true(b.len <= WIRE_MSG_MAX);
	assert_int_equal(wire_type(b.data, b.len), WIRE_CARDSUM);
	assert_int_equal(cards_sum_decode(b.data, b.len, d, NULL), 0);
	assert_int_equal(d->n, CARDS_SUM_MAX);
	assert_int_equal(d->e[5].seq, UINT64_MAX - 5);
	cards_digest(d->e, d->n, dg);
	assert_memory_equal(dg, s->digest, 32);
	cards_digest(NULL, 0, empty);
	assert_memory_not_equal(dg, empty, 32);
	d->e[3].seq++;
	cards_digest(d->e, d->n, dg);
	assert_memory_not_equal(dg, s->digest, 32);
	b.data[2] = 9;			/* mode 9 */
	assert_int_equal(cards_sum_decode(b.data, b.len, d, NULL), -1);
	buf_free(&b);
	free(s);
	free(d);
}

/*
 * PROTOCOL.md §5.5's card vectors, recomputed: a CARDS message of key 1
 * (seed 01 02 … 20) with one card and the salt 00 01 … 0f, and the
 * CARDSUM digest of key 2 at seq 3 and key 1 at seq 7. Each must appear,
 * as printed, in the document (VECTORS_PRINT=1 prints them instead).
 */

/* Reads protocol/PROTOCOL.md (the tests run from the tree's root). Caller frees. */
static char *
read_doc(void)
{
	char	*s = NULL;
	size_t	 n;

	if (read_file("protocol/PROTOCOL.md", 1 << 20, &s, &n, NULL) != 0)
		return xstrdup("");
	return s;
}

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

/* got must be in the document (or is printed, with VECTORS_PRINT). */
static void
in_doc(const char *doc, const char *name, const char *got)
{
	if (getenv("VECTORS_PRINT") != NULL)
		printf("%s = %s\n", name, got);
	else if (strstr(doc, got) == NULL)
		fail_msg("%s: %s is not in protocol/PROTOCOL.md", name, got);
}

static void
test_vectors(void **state)
{
	struct keys_pair	 k1, k2;
	struct cards_set	*s = calloc(1, sizeof *s);
	struct cards_sum_entry	 e[2];
	struct buf		 b;
	uint8_t			 salt[CARDS_SALT_LEN], d[32];
	char			*doc = read_doc(), *h;
	size_t			 i;

	seeded(&k1, 0x01);
	seeded(&k2, 0x21);
	for (i = 0; i < sizeof salt; i++)
		salt[i] = (uint8_t)i;
	s->seq = 7;
	s->time = 1764979200;	/* 2025-12-06T00:00:00Z */
	s->n = 1;
	snprintf(s->e[0].target, sizeof s->e[0].target,
	    "intelligente-strassenbeleuchtung");
	s->e[0].date = s->time;
	snprintf(s->e[0].c.role, sizeof s->e[0].c.role, "Projektleitung");
	snprintf(s->e[0].c.unit, sizeof s->e[0].c.unit, "Stabsstelle Smart City");
	snprintf(s->e[0].c.mailbox, sizeof s->e[0].c.mailbox,
	    "smartcity@musterstadt.example");
	cards_entry_seal(&s->e[0], salt);
	cards_sign(s, &k1);
	buf_init(&b);
	cards_encode(&b, s);
	h = xmalloc(2 * b.len + 1);
	hex_encode(b.data, b.len, h);
	in_doc(doc, "cards", h);
	free(h);
	buf_free(&b);
	memcpy(e[0].pk, k1.pk, KEYS_PK_LEN);
	e[0].seq = 7;
	memcpy(e[1].pk, k2.pk, KEYS_PK_LEN);
	e[1].seq = 3;
	if (memcmp(e[0].pk, e[1].pk, KEYS_PK_LEN) > 0) {
		struct cards_sum_entry t = e[0];

		e[0] = e[1];
		e[1] = t;
	}
	cards_digest(e, 2, d);
	h = xmalloc(2 * sizeof d + 1);
	hex_encode(d, sizeof d, h);
	in_doc(doc, "cards digest", h);
	free(h);
	free(doc);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_largest),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_sets),
		cmocka_unit_test(test_sum),
		cmocka_unit_test(test_vectors),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
