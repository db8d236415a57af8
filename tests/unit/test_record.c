/* test_record.c — the record format: schema, errors, canonical round trips, paths, template. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

#define ULID1	"01JDZ3M7K2V6QX8R5T9W4Y2B3C"
#define ULID2	"01JDZ3N0AAAAAAAAAAAAAAAAAA"
#define NID	"z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

/* Canonical: written back byte for byte. */
static const char lesson_text[] =
    "---\n"
    "id: " ULID1 "\n"
    "kind: lesson\n"
    "title: Start mit einer Pilotstraße\n"
    "project: intelligente-strassenbeleuchtung\n"
    "summary: Eine Straße zuerst, dann die Stadt.\n"
    "fields: [energie-umwelt]\n"
    "status: umsetzung\n"
    "hurdles: [technisch, organisatorisch]\n"
    "tags: [beleuchtung, sensorik]\n"
    "language: de\n"
    "license: dl-de/by-2-0\n"
    "created: 2026-11-26T10:00:00Z\n"
    "modified: 2026-11-27T08:30:00Z\n"
    "related: [" ULID2 "]\n"
    "---\n"
    "## Ausgangslage\n"
    "\n"
    "Eine Straße mit 40 Leuchten.\n";

static const char project_text[] =
    "---\n"
    "id: " ULID2 "\n"
    "kind: project\n"
    "title: Intelligente Straßenbeleuchtung\n"
    "project: intelligente-strassenbeleuchtung\n"
    "fields: [energie-umwelt, daten-infrastruktur]\n"
    "status: umsetzung\n"
    "created: 2026-11-26T10:00:00Z\n"
    "modified: 2026-11-26T10:00:00Z\n"
    "---\n";

static const char node_text[] =
    "---\n"
    "id: " NID "\n"
    "kind: node\n"
    "name: Stadt Münster\n"
    "role: municipality\n"
    "ags: \"05515000\"\n"
    "region: Münsterland\n"
    "website: https://www.stadt-muenster.de\n"
    "created: 2026-11-26T10:00:00Z\n"
    "modified: 2026-11-26T10:00:00Z\n"
    "---\n";

static const char vouch_text[] =
    "---\n"
    "id: " NID "\n"
    "kind: vouch\n"
    "name: Stadt Arnsberg\n"
    "ags: \"05958004\"\n"
    "created: 2026-11-26T10:00:00Z\n"
    "modified: 2026-11-26T10:00:00Z\n"
    "---\n";

/* Parses s, failing the test (with the cause) when it does not parse. */
static struct record *
parse_ok(const char *s, size_t len, enum record_mode mode)
{
	struct record	*r = NULL;
	char		*cause = NULL;

	if (record_parse(s, len, mode, &r, &cause) != 0) {
		print_error("unexpected error:\n%s\nfor:\n%s\n", cause, s);
		free(cause);
		fail();
	}
	return r;
}

/* Parses s expecting failure; returns the cause. Caller frees. */
static char *
parse_fail(const char *s, size_t len, enum record_mode mode)
{
	struct record	*r = NULL;
	char		*cause = NULL;

	if (record_parse(s, len, mode, &r, &cause) == 0) {
		print_error("parsed but should not:\n%s\n", s);
		record_free(r);
		fail();
	}
	assert_non_null(cause);
	assert_null(r);
	return cause;
}

/* parse_fail for a C string. */
static char *
parse_fail_s(const char *s, enum record_mode mode)
{
	return parse_fail(s, strlen(s), mode);
}

/* parse_ok for a C string. */
static struct record *
parse_ok_s(const char *s, enum record_mode mode)
{
	return parse_ok(s, strlen(s), mode);
}

/* Writes r; the text must read back to a record that writes the same bytes. Caller frees. */
static char *
write_stable(const struct record *r, enum record_mode mode)
{
	struct record	*again;
	char		*out, *out2;
	size_t		 len, len2;

	assert_int_equal(record_write(r, &out, &len), 0);
	assert_int_equal(strlen(out), len);
	again = parse_ok(out, len, mode);
	assert_int_equal(record_write(again, &out2, &len2), 0);
	assert_string_equal(out, out2);
	record_free(again);
	free(out2);
	return out;
}

/* Number of lines in s (no trailing newline). */
static int
count_lines(const char *s)
{
	int	 n = 1;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* True when s holds a line that starts with prefix. */
static int
has_line(const char *s, const char *prefix)
{
	size_t	 n = strlen(prefix);

	for (;;) {
		if (strncmp(s, prefix, n) == 0)
			return 1;
		if ((s = strchr(s, '\n')) == NULL)
			return 0;
		s++;
	}
}

#define assert_line(s, prefix) do {					\
	if (!has_line((s), (prefix))) {					\
		print_error("no line \"%s\" in:\n%s\n", (prefix), (s));	\
		fail();							\
	}								\
} while (0)

/* A canonical text writes back as itself. */
static void
assert_canonical(const char *text, enum record_mode mode)
{
	struct record	*r = parse_ok(text, strlen(text), mode);
	char		*out = write_stable(r, mode);

	assert_string_equal(out, text);
	free(out);
	record_free(r);
}

static void
test_lesson_valid(void **state)
{
	struct record	*r = parse_ok(lesson_text, strlen(lesson_text), RECORD_STRICT);

	assert_int_equal(r->kind, RECORD_LESSON);
	assert_string_equal(r->id, ULID1);
	assert_string_equal(r->title, "Start mit einer Pilotstraße");
	assert_string_equal(r->project, "intelligente-strassenbeleuchtung");
	assert_int_equal(r->fields.n, 1);
	assert_string_equal(r->fields.v[0], "energie-umwelt");
	assert_int_equal(r->hurdles.n, 2);
	assert_string_equal(r->hurdles.v[1], "organisatorisch");
	assert_int_equal(r->tags.n, 2);
	assert_int_equal(r->related.n, 1);
	assert_string_equal(r->status, "umsetzung");
	assert_string_equal(r->language, "de");
	assert_string_equal(r->license, "dl-de/by-2-0");
	assert_null(r->name);
	assert_null(r->role);
	assert_int_equal(r->nextra, 0);
	assert_string_equal(r->body, "## Ausgangslage\n\nEine Straße mit 40 Leuchten.\n");
	assert_int_equal(r->bodylen, strlen(r->body));
	assert_int_equal(record_validate(r, RECORD_STRICT, NULL), 0);
	record_free(r);
	assert_canonical(lesson_text, RECORD_STRICT);
}

static void
test_other_kinds_valid(void **state)
{
	struct record	*r;

	r = parse_ok(project_text, strlen(project_text), RECORD_STRICT);
	assert_int_equal(r->kind, RECORD_PROJECT);
	assert_string_equal(r->body, "");
	assert_int_equal(r->bodylen, 0);
	record_free(r);
	r = parse_ok(node_text, strlen(node_text), RECORD_STRICT);
	assert_int_equal(r->kind, RECORD_NODE);
	assert_string_equal(r->ags, "05515000");
	assert_string_equal(r->role, "municipality");
	record_free(r);
	r = parse_ok(vouch_text, strlen(vouch_text), RECORD_STRICT);
	assert_int_equal(r->kind, RECORD_VOUCH);
	assert_string_equal(r->name, "Stadt Arnsberg");
	record_free(r);
	assert_canonical(project_text, RECORD_STRICT);
	assert_canonical(node_text, RECORD_STRICT);
	assert_canonical(vouch_text, RECORD_STRICT);
}

/* Any order, block lists, quotes and comments come out canonical. */
static void
test_canonical_form(void **state)
{
	static const char messy[] =
	    "---\r\n"
	    "# a comment\n"
	    "modified: '2026-11-26T10:00:00Z'\n"
	    "title: \"Start, dann: mehr\"\n"
	    "kind: lesson\n"
	    "status: idee\n"
	    "fields:\n"
	    "  - verwaltung\n"
	    "  - bildung\n"
	    "tags: []\n"
	    "summary: ~\n"
	    "project: p1\n"
	    "created: 2026-11-26T10:00:00Z\n"
	    "id: " ULID1 "\n"
	    "---\r\n"
	    "Text\r\n\r\n\n";
	static const char want[] =
	    "---\n"
	    "id: " ULID1 "\n"
	    "kind: lesson\n"
	    "title: \"Start, dann: mehr\"\n"
	    "project: p1\n"
	    "fields: [verwaltung, bildung]\n"
	    "status: idee\n"
	    "created: 2026-11-26T10:00:00Z\n"
	    "modified: 2026-11-26T10:00:00Z\n"
	    "---\n"
	    "Text\n";
	struct record	*r = parse_ok(messy, strlen(messy), RECORD_STRICT);
	char		*out = write_stable(r, RECORD_STRICT);

	assert_null(r->summary);
	assert_int_equal(r->tags.n, 0);
	assert_string_equal(r->body, "Text\n");
	assert_string_equal(out, want);
	free(out);
	record_free(r);
}

static void
test_body_normalised(void **state)
{
	static const struct {
		const char	*body, *want;
	} t[] = {
		{ "", "" }, { "\n", "" }, { "\n\n\n", "" }, { "x", "x\n" },
		{ "x\n\n\n", "x\n" }, { "\nx\n", "\nx\n" }, { "  \n", "  \n" },
		{ "a\n---\nb", "a\n---\nb\n" },
	};
	struct record	*r;
	char		*text, *out;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		text = xasprintf("---\nkind: vouch\nname: X\n---\n%s", t[i].body);
		r = parse_ok(text, strlen(text), RECORD_DRAFT);
		assert_string_equal(r->body, t[i].want);
		out = write_stable(r, RECORD_DRAFT);
		assert_string_equal(strstr(out, "---\n") + 4 + strlen("kind: vouch\n"
		    "name: X\n---\n"), t[i].want);
		free(out);
		free(text);
		record_free(r);
	}
	/* No newline after the closing line. */
	r = parse_ok_s("---\nkind: vouch\nname: X\n---", RECORD_DRAFT);
	assert_string_equal(r->body, "");
	record_free(r);
}

/* Unknown keys keep their values, nested ones too, in file order. */
static void
test_unknown_keys(void **state)
{
	static const char text[] =
	    "---\n"
	    "kind: vouch\n"
	    "zeta: eins\n"
	    "name: X\n"
	    "alpha:\n"
	    "  - 1\n"
	    "  - \"2\"\n"
	    "  - yes\n"
	    "  - 'no'\n"
	    "nested:\n"
	    "  a: {b: [c, d], e: ~}\n"
	    "  f:\n"
	    "  1: x\n"
	    "\"05515000\": 05515000\n"
	    "empty: []\n"
	    "emptymap: {}\n"
	    "multi: |\n"
	    "  zwei\n"
	    "  Zeilen\n"
	    "---\n";
	static const char want[] =
	    "---\n"
	    "kind: vouch\n"
	    "name: X\n"
	    "zeta: eins\n"
	    "alpha: [1, \"2\", yes, \"no\"]\n"
	    "nested: {a: {b: [c, d], e: ~}, f: ~, 1: x}\n"
	    "\"05515000\": 05515000\n"
	    "empty: []\n"
	    "emptymap: {}\n"
	    "multi: \"zwei\\nZeilen\\n\"\n"
	    "---\n";
	struct record	*r = parse_ok(text, strlen(text), RECORD_DRAFT);
	char		*out;

	assert_int_equal(r->nextra, 7);
	assert_string_equal(r->extra[0].key, "zeta");
	assert_int_equal(r->extra[0].value->type, RECORD_SCALAR);
	assert_string_equal(r->extra[0].value->s, "eins");
	assert_int_equal(r->extra[1].value->type, RECORD_SEQ);
	assert_int_equal(r->extra[1].value->n, 4);
	assert_int_equal(r->extra[1].value->v[0]->untyped, 1);
	assert_int_equal(r->extra[1].value->v[1]->untyped, 0);
	assert_int_equal(r->extra[2].value->type, RECORD_MAP);
	assert_int_equal(r->extra[2].value->n, 6);
	assert_string_equal(r->extra[3].key, "05515000");
	assert_string_equal(r->extra[6].value->s, "zwei\nZeilen\n");
	out = write_stable(r, RECORD_DRAFT);
	assert_string_equal(out, want);
	assert_canonical(want, RECORD_DRAFT);
	free(out);
	record_free(r);
}

/* A record with four problems reports four lines, each naming its field. */
static void
test_every_violation(void **state)
{
	static const char text[] =
	    "---\n"
	    "kind: lesson\n"
	    "project: \"???\"\n"
	    "fields: [smart-home]\n"
	    "status: fertig\n"
	    "---\n";
	char	*cause = parse_fail(text, sizeof text - 1, RECORD_DRAFT);

	assert_int_equal(count_lines(cause), 4);
	assert_line(cause, "title: missing");
	assert_line(cause, "project: \"???\" is not a slug");
	assert_line(cause, "fields: unknown Handlungsfeld \"smart-home\" (one of: "
	    "strategie-organisation, verwaltung, mobilitaet, energie-umwelt, "
	    "bildung, gesundheit-pflege, wirtschaft-handel, teilhabe-gesellschaft, "
	    "wohnen-quartier, sicherheit-resilienz, daten-infrastruktur, "
	    "kultur-tourismus)");
	assert_line(cause, "status: \"fertig\" is not one of idee, planung, "
	    "umsetzung, regelbetrieb, beendet");
	free(cause);

	/* Strict mode also wants what knowd assigns. */
	cause = parse_fail(text, sizeof text - 1, RECORD_STRICT);
	assert_int_equal(count_lines(cause), 7);
	assert_line(cause, "id: missing");
	assert_line(cause, "created: missing");
	assert_line(cause, "modified: missing");
	free(cause);
}

/*
 * lesson_text with the line "key: value" replaced, or added at the end of
 * the front matter; value NULL drops it. Caller frees.
 */
static char *
lesson_with(const char *key, const char *value)
{
	struct buf	 b;
	const char	*p = lesson_text, *nl;
	size_t		 n = strlen(key);
	int		 done = 0, delims = 0;

	buf_init(&b);
	while ((nl = strchr(p, '\n')) != NULL) {
		if (strncmp(p, "---\n", 4) == 0 && ++delims == 2 && !done &&
		    value != NULL) {
			buf_printf(&b, "%s: %s\n", key, value);
			done = 1;
		}
		if (!done && delims == 1 && strncmp(p, key, n) == 0 && p[n] == ':') {
			if (value != NULL)
				buf_printf(&b, "%s: %s\n", key, value);
			done = 1;
		} else
			buf_add(&b, p, nl - p + 1);
		p = nl + 1;
	}
	buf_addstr(&b, p);
	return buf_detach(&b, NULL);
}

/* lesson_text with one key changed must fail with exactly the line want. */
static void
assert_lesson_error(const char *key, const char *value, const char *want)
{
	char	*text = lesson_with(key, value);
	char	*cause = parse_fail(text, strlen(text), RECORD_STRICT);

	if (strcmp(cause, want) != 0) {
		print_error("%s: %s\nwant: %s\ngot:  %s\n", key, value ? value :
		    "(none)", want, cause);
		fail();
	}
	free(cause);
	free(text);
}

/* lesson_text with one key changed still parses. */
static void
assert_lesson_ok(const char *key, const char *value)
{
	char		*text = lesson_with(key, value);
	struct record	*r = parse_ok(text, strlen(text), RECORD_STRICT);
	char		*out = write_stable(r, RECORD_STRICT);

	free(out);
	record_free(r);
	free(text);
}

static void
test_field_errors(void **state)
{
	char	*long_title, *summary, *tags;
	int	 i;

	assert_lesson_error("title", NULL, "title: missing");
	assert_lesson_error("title", "", "title: missing");
	assert_lesson_error("title", "\"  \"", "title: empty");
	assert_lesson_error("title", "\"a\\nb\"",
	    "title: must be one line without control characters");
	assert_lesson_error("title", "[a, b]", "title: expected text, not a list");
	assert_lesson_error("title", "{a: b}", "title: expected text, not a mapping");
	assert_lesson_error("fields", "energie-umwelt",
	    "fields: expected a list like [a, b], not a single value");
	assert_lesson_error("fields", "[[a]]",
	    "fields: list items must be single values, not lists or mappings");
	assert_lesson_error("fields", "[]", "fields: missing");
	assert_lesson_error("fields", "[bildung, bildung]",
	    "fields: \"bildung\" appears twice");
	assert_lesson_error("hurdles", "[zeit]", "hurdles: unknown hurdle \"zeit\" "
	    "(one of: finanziell, organisatorisch, technisch, sozial, rechtlich)");
	assert_lesson_error("created", "2026-13-01",
	    "created: \"2026-13-01\" is not a date like 2026-11-26T10:00:00Z");
	assert_lesson_error("modified", "2026-11-25T10:00:00Z",
	    "modified: 2026-11-25T10:00:00Z is before created 2026-11-26T10:00:00Z");
	assert_lesson_error("id", "01jdz3m7k2v6qx8r5t9w4y2b3c", "id: "
	    "\"01jdz3m7k2v6qx8r5t9w4y2b3c\" is not a ULID (26 characters of "
	    "Crockford base32)");
	assert_lesson_error("id", NID, "id: \"" NID "\" is not a ULID (26 "
	    "characters of Crockford base32)");
	assert_lesson_error("related", "[" ULID1 "]",
	    "related: \"" ULID1 "\" is this record itself");
	assert_lesson_error("related", "[x]", "related: \"x\" is not a ULID");
	assert_lesson_error("tags", "[Beleuchtung]", "tags: \"Beleuchtung\" is not "
	    "a slug (1 to 64 of a-z, 0-9 and -, no - at either end)");
	assert_lesson_error("language", "deutsch",
	    "language: \"deutsch\" is not a language code like de");
	assert_lesson_error("license", "\"\"", "license: \"\" is not a license name "
	    "like dl-de/by-2-0 (1 to 64 printable ASCII characters)");
	assert_lesson_error("role", "municipality",
	    "role: not a key of a lesson record");
	assert_lesson_error("website", "https://x.de",
	    "website: not a key of a lesson record");
	assert_lesson_error("kind", "lektion",
	    "kind: \"lektion\" is not one of lesson, project, node, vouch, erasure");
	assert_lesson_error("kind", NULL,
	    "kind: missing (one of lesson, project, node, vouch, erasure)");

	/* Lengths count characters, not bytes. */
	long_title = xmalloc(201 * 2 + 1);
	for (i = 0; i < 201; i++)
		memcpy(long_title + 2 * i, "ä", 2);
	long_title[2 * 200] = '\0';
	assert_lesson_ok("title", long_title);
	long_title[2 * 200] = "ä"[0];
	long_title[2 * 201] = '\0';
	assert_lesson_error("title", long_title,
	    "title: 201 characters is too long (at most 200)");
	free(long_title);
	summary = xmalloc(501 * 4 + 1);
	for (i = 0; i < 500; i++)
		memcpy(summary + 4 * i, "😀", 4);
	summary[4 * 500] = '\0';
	assert_lesson_ok("summary", summary);
	memcpy(summary + 4 * 500, "😀", 5);
	assert_lesson_error("summary", summary,
	    "summary: 501 characters is too long (at most 500)");
	free(summary);

	tags = xstrdup("[t0");
	for (i = 1; i < 33; i++) {
		char	*t = xasprintf("%s, t%d", tags, i);

		free(tags);
		tags = t;
		if (i == 31) {
			char *ok = xasprintf("%s]", tags);

			assert_lesson_ok("tags", ok);
			free(ok);
		}
	}
	summary = xasprintf("%s]", tags);
	assert_lesson_error("tags", summary, "tags: 33 items, at most 32");
	free(summary);
	free(tags);
}

static void
test_node_fields(void **state)
{
	static const char *const bad[] = {
		"id: z6Mk0OIl\n", "id: " ULID1 "\n", "ags: 5515000\n",
		"ags: \"055150000\"\n", "ags: 0551500x\n",
		"website: ftp://x.de\n", "website: https://a b.de\n",
		"website: https://\n", "role: stadt\n", "title: Münster\n",
		"region: \"\"\n", "project: p\n",
	};
	static const char *const good[] = {
		"ags: \"05515000\"\n", "ags: \"055150000000\"\n",
		"website: http://x.de/a?b=c\n", "role: agency\n",
		"language: nds\n", "license: CC-BY-4.0\n",
	};
	char		*text, *cause;
	struct record	*r;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		text = xasprintf("---\nkind: node\nname: X\n%s%s---\n",
		    strncmp(bad[i], "role", 4) ? "role: other\n" : "", bad[i]);
		cause = parse_fail(text, strlen(text), RECORD_DRAFT);
		assert_int_equal(count_lines(cause), 1);
		assert_int_equal(strncmp(cause, bad[i], strcspn(bad[i], ":") + 1), 0);
		free(cause);
		free(text);
	}
	for (i = 0; i < nitems(good); i++) {
		text = xasprintf("---\nkind: node\nname: X\n%s%s---\n",
		    strncmp(good[i], "role", 4) ? "role: other\n" : "", good[i]);
		r = parse_ok(text, strlen(text), RECORD_DRAFT);
		record_free(r);
		free(text);
	}
	/* A vouch has no role or website. */
	text = xstrdup("---\nkind: vouch\nname: X\nrole: other\nwebsite: https://x.de\n---\n");
	cause = parse_fail(text, strlen(text), RECORD_DRAFT);
	assert_string_equal(cause, "role: not a key of a vouch record\n"
	    "website: not a key of a vouch record");
	free(cause);
	free(text);
}

static void
test_broken_yaml(void **state)
{
	static const char text[] =
	    "---\n"
	    "kind: lesson\n"
	    "title: x\n"
	    "summary: a: b\n"
	    "---\n";
	char	*cause;

	cause = parse_fail(text, sizeof text - 1, RECORD_DRAFT);
	assert_string_equal(cause, "line 4: Summary with a colon: please put it "
	    "in quotes, like summary: \"…\"");
	free(cause);
	cause = parse_fail_s("---\nkind: [a\n---\n", RECORD_DRAFT);
	assert_string_equal(cause, "line 2: a list is not closed: please write "
	    "it as [a, b] with commas and a closing bracket");
	free(cause);
	cause = parse_fail_s("---\nkind: \"a\x01\"\n---\n", RECORD_DRAFT);
	assert_string_equal(cause, "line 2: control characters in the text: "
	    "please remove them");
	free(cause);
}

static void
test_front_matter_shape(void **state)
{
	static const struct {
		const char	*text, *want;
	} t[] = {
		{ "", "front matter: missing (the file must begin with a line ---)" },
		{ "kind: lesson\n", "front matter: missing (the file must begin "
		    "with a line ---)" },
		{ "--- \nkind: vouch\n---\n", "front matter: missing (the file "
		    "must begin with a line ---)" },
		{ "---\nkind: vouch\nname: X\n", "front matter: not terminated "
		    "(no closing line ---)" },
		{ "---\nkind: vouch\nname: X\n----\n", "front matter: not "
		    "terminated (no closing line ---)" },
		{ "---\n---\n", "front matter: empty (it needs at least kind)" },
		{ "---\n# nur ein Kommentar\n---\n", "front matter: empty (it "
		    "needs at least kind)" },
		{ "---\n- a\n- b\n---\n", "front matter: must be keys with values "
		    "(a YAML mapping)" },
		{ "---\njust text\n---\n", "front matter: must be keys with values "
		    "(a YAML mapping)" },
		{ "---\nkind: vouch\nname: X\n...\n--- x\n---\n", "front matter: "
		    "more than one YAML document" },
		{ "---\n[a]: b\nkind: vouch\nname: X\n---\n",
		    "front matter: keys must be single values" },
		{ "---\n\"\": b\nkind: vouch\nname: X\n---\n",
		    "front matter: a key is empty or longer than 200 bytes" },
	};
	char	*cause;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		cause = parse_fail(t[i].text, strlen(t[i].text), RECORD_DRAFT);
		if (strcmp(cause, t[i].want) != 0) {
			print_error("case %zu: want \"%s\", got \"%s\"\n", i,
			    t[i].want, cause);
			fail();
		}
		free(cause);
	}
}

static void
test_too_large(void **state)
{
	static const char head[] = "---\nkind: vouch\nname: X\n---\n";
	size_t	 body = 10 * 1024 * 1024, len = sizeof head - 1 + body;
	char	*text, *cause;

	text = xmalloc(len);
	memcpy(text, head, sizeof head - 1);
	memset(text + sizeof head - 1, 'a', body);
	cause = parse_fail(text, len, RECORD_DRAFT);
	assert_string_equal(cause, "body: 10485760 bytes is too large (at most "
	    "262144 bytes for the whole record)");
	free(cause);

	/* Just below the limit parses; one byte more does not. */
	len = RECORD_MAX_BYTES;
	text[len - 1] = '\n';
	record_free(parse_ok(text, len, RECORD_DRAFT));
	cause = parse_fail(text, len + 1, RECORD_DRAFT);
	assert_int_equal(strncmp(cause, "body: ", 6), 0);
	free(cause);

	/* A huge front matter is named as the record, not the body. */
	memset(text, ' ', len + 1);
	memcpy(text, "---\nx: ", 7);
	cause = parse_fail(text, len + 1, RECORD_DRAFT);
	assert_string_equal(cause, "record: 262145 bytes is too large (at most "
	    "262144 bytes)");
	free(cause);
	free(text);
}

static void
test_binary(void **state)
{
	static const char nul[] = "---\nkind: vouch\nname: X\n---\nab\0cd\n";
	static const char latin1[] = "---\nkind: vouch\nname: M\xfcnster\n---\n";
	uint8_t	 junk[4096];
	char	*cause;
	size_t	 i;
	uint32_t x = 12345;

	cause = parse_fail(nul, sizeof nul - 1, RECORD_DRAFT);
	assert_string_equal(cause, "record: holds a NUL byte (not a text file)");
	free(cause);
	cause = parse_fail(latin1, sizeof latin1 - 1, RECORD_DRAFT);
	assert_string_equal(cause, "record: not valid UTF-8 text (save it as "
	    "UTF-8)");
	free(cause);
	for (i = 0; i < sizeof junk; i++) {
		x = x * 1103515245 + 12345;
		junk[i] = x >> 16;
	}
	memcpy(junk, "---\n", 4);
	cause = parse_fail((char *)junk, sizeof junk, RECORD_DRAFT);
	free(cause);
	/* An escape that makes a NUL inside a value. */
	cause = parse_fail_s("---\nkind: vouch\nname: \"a\\0b\"\n---\n",
	    RECORD_DRAFT);
	assert_string_equal(cause, "name: a value holds a NUL character or "
	    "invalid UTF-8\nname: empty");
	free(cause);
}

static void
test_anchors_aliases_tags(void **state)
{
	static const char laughs[] =
	    "---\nkind: vouch\nname: X\n"
	    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "---\n";
	char	*cause;

	cause = parse_fail(laughs, sizeof laughs - 1, RECORD_DRAFT);
	assert_line(cause, "a: YAML anchors (&name) are not allowed");
	assert_line(cause, "b: YAML aliases (*name) are not allowed");
	assert_line(cause, "d: YAML aliases (*name) are not allowed");
	free(cause);
	cause = parse_fail_s("---\nkind: vouch\nname: &n X\n---\n", RECORD_DRAFT);
	assert_string_equal(cause, "name: YAML anchors (&name) are not allowed");
	free(cause);
	cause = parse_fail_s("---\nkind: vouch\nname: !!str X\n---\n",
	    RECORD_DRAFT);
	assert_string_equal(cause, "name: YAML tags (!name) are not allowed");
	free(cause);
	cause = parse_fail_s("---\n!!map\nkind: vouch\nname: X\n---\n",
	    RECORD_DRAFT);
	assert_string_equal(cause, "front matter: YAML tags (!name) are not allowed");
	free(cause);
}

static void
test_duplicate_keys(void **state)
{
	char	*cause;

	cause = parse_fail_s("---\nkind: vouch\nname: X\nname: Y\n---\n",
	    RECORD_DRAFT);
	assert_string_equal(cause, "name: duplicate key");
	free(cause);
	cause = parse_fail_s("---\nkind: vouch\nname: X\n\"name\": Y\nx: 1\nx: 2\n---\n", RECORD_DRAFT);
	assert_string_equal(cause, "name: duplicate key\nx: duplicate key");
	free(cause);
	cause = parse_fail_s("---\nkind: vouch\nname: X\nx: {a: 1, a: 2}\n---\n", RECORD_DRAFT);
	assert_string_equal(cause, "x: duplicate key in a mapping");
	free(cause);
	/* A key with a line break is quoted in the message: still one line. */
	cause = parse_fail_s("---\nkind: vouch\nname: X\n\"a\\nb\": 1\n"
	    "\"a\\nb\": 2\n---\n", RECORD_DRAFT);
	assert_string_equal(cause, "\"a\\x0ab\": duplicate key");
	free(cause);
	/* 1 and "1" are different keys. */
	record_free(parse_ok_s("---\nkind: vouch\nname: X\nx: {1: a, \"1\": b}\n---\n", RECORD_DRAFT));
}

/* Builds a value nested n deep: [[[…]]]. Caller frees. */
static char *
nested(int n)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_addstr(&b, "---\nkind: vouch\nname: X\nx: ");
	for (i = 0; i < n; i++)
		buf_addc(&b, '[');
	for (i = 0; i < n; i++)
		buf_addc(&b, ']');
	buf_addstr(&b, "\n---\n");
	return buf_detach(&b, NULL);
}

static void
test_limits(void **state)
{
	struct buf	 b;
	char		*text, *cause;
	int		 i;

	text = nested(8);
	record_free(parse_ok(text, strlen(text), RECORD_DRAFT));
	free(text);
	text = nested(9);
	cause = parse_fail(text, strlen(text), RECORD_DRAFT);
	assert_string_equal(cause, "x: nested deeper than 8 levels");
	free(cause);
	free(text);
	text = nested(100000);
	cause = parse_fail(text, strlen(text), RECORD_DRAFT);
	assert_string_equal(cause, "x: nested deeper than 8 levels");
	free(cause);
	free(text);

	buf_init(&b);
	buf_addstr(&b, "---\nkind: vouch\nname: X\nx: [0");
	for (i = 1; i < 1000; i++)
		buf_printf(&b, ", %d", i);
	buf_addstr(&b, "]\n---\n");
	cause = parse_fail((char *)b.data, b.len, RECORD_DRAFT);
	assert_string_equal(cause, "x: more than 1000 YAML nodes in the front matter");
	free(cause);
	buf_free(&b);
}

/* Keys up to 200 bytes, the worst to escape too, read back; longer ones are refused. */
static void
test_long_keys(void **state)
{
	struct buf	 b;
	struct record	*r;
	char		*out, *cause, key[202];
	int		 i;

	buf_init(&b);
	buf_addstr(&b, "---\nkind: vouch\nname: X\n\"");
	for (i = 0; i < 200; i++)
		buf_addstr(&b, "\\x01");
	buf_addstr(&b, "\": {\"");
	for (i = 0; i < 200; i++)
		buf_addstr(&b, "\\x7f");
	buf_addstr(&b, "\": 1}\n---\n");
	r = parse_ok((char *)b.data, b.len, RECORD_DRAFT);
	memset(key, 1, 200);
	key[200] = '\0';
	assert_string_equal(r->extra[0].key, key);
	out = write_stable(r, RECORD_DRAFT);
	free(out);
	record_free(r);
	buf_free(&b);

	memset(key, 'k', 201);
	key[201] = '\0';
	out = xasprintf("---\nkind: vouch\nname: X\n%s: 1\n---\n", key);
	cause = parse_fail_s(out, RECORD_DRAFT);
	assert_string_equal(cause, "front matter: a key is empty or longer than "
	    "200 bytes");
	free(cause);
	free(out);
	out = xasprintf("---\nkind: vouch\nname: X\nx: {%s: 1}\n---\n", key);
	cause = parse_fail_s(out, RECORD_DRAFT);
	assert_string_equal(cause, "x: a key longer than 200 bytes");
	free(cause);
	free(out);
}

/*
 * Strings that tempt a writer: YAML words, numbers, indicators, blanks at
 * the ends, quotes, escapes, non-ASCII. Each must read back exactly.
 */
static const char *const tricky[] = {
	"yes", "no", "No", "on", "off", "true", "False", "null", "~", "y", "n",
	"05515000", "123", "-1", "+1", "1.5", ".5", "1e3", "0x1f", "0o17", "12:30",
	"1_000", ".inf", "-.Inf", ".NaN", "2026-11-26", "2026-11-26T10:00:00Z",
	"a: b", "a:b", "a:", ":a", "- x", "-x", "-", "--", "---", "...", "?", "? x",
	"#x", "a #b", "a#b", "[a]", "{a}", "a, b", "a,b", "&a", "*a", "!a", "|",
	">", "%x", "@x", "`x", "'a'", "\"a\"", "a'b", "a\"b", "a\\b", "\\",
	" lead", "trail ", " ", "  two  ", "a  b", "ä", "Münster", "Straße",
	"😀 emoji", "日本", "\xc2\xa0nbsp", "<<", "=", "a=b", "http://x.de/a#b",
	"dl-de/by-2-0", "x\ty", "tab\t", "a\nb", "a\r\nb", "nl\n", "\n",
	"\x01\x1f\x7f", "nel\xc2\x85", "c1\xc2\x80\xc2\x9f", "ls\xe2\x80\xa8",
	"ps\xe2\x80\xa9", "bom\xef\xbb\xbf", "\xef\xbb\xbf\x62om", "nc\xef\xbf\xbe",
	"\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "%", "a%", "a: b: c", "{", "}", "]",
};

/* True when s may stand in a title (one line, no control characters). */
static int
title_ok(const char *s)
{
	struct record	 r;
	char		*cause = NULL;
	int		 ok;

	memset(&r, 0, sizeof r);
	r.kind = RECORD_PROJECT;
	r.title = (char *)s;
	r.project = (char *)"p";
	r.body = (char *)"";
	ok = record_validate(&r, RECORD_DRAFT, &cause) == 0;
	free(cause);
	return ok;
}

/* The string written as a YAML double-quoted scalar with only \u escapes, by hand. */
static char *
dq(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf	 b;
	uint32_t	 cp;
	int		 n, i;

	buf_init(&b);
	buf_addc(&b, '"');
	while (*p != '\0') {
		n = p[0] < 0x80 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
		cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
		for (i = 1; i < n; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		p += n;
		if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\')
			buf_addc(&b, (int)cp);
		else
			buf_printf(&b, "\\U%08X", (unsigned)cp);
	}
	buf_addc(&b, '"');
	return buf_detach(&b, NULL);
}

static void
test_string_round_trip(void **state)
{
	struct record		*r, *back;
	struct record_value	*v;
	char			*out, *text, *q;
	size_t			 i, len;
	int			 titles = 0;

	for (i = 0; i < nitems(tricky); i++) {
		/* As a known key, where it can be one. */
		if (title_ok(tricky[i])) {
			r = parse_ok(project_text, strlen(project_text), RECORD_STRICT);
			record_set(&r->title, tricky[i]);
			out = write_stable(r, RECORD_STRICT);
			back = parse_ok(out, strlen(out), RECORD_STRICT);
			assert_string_equal(back->title, tricky[i]);
			record_free(back);
			record_free(r);
			free(out);
			titles++;
		}
		/* As unknown values and keys: top level, in a list, in a mapping. */
		q = dq(tricky[i]);
		text = xasprintf("---\nkind: vouch\nname: X\nv: %s\nl: [%s, %s]\n"
		    "m: {%s: %s}\n%s: k\n---\n", q, q, q, q, q, q);
		r = parse_ok(text, strlen(text), RECORD_DRAFT);
		assert_int_equal(record_write(r, &out, &len), 0);
		record_free(r);
		r = parse_ok(out, len, RECORD_DRAFT);
		assert_int_equal(r->nextra, 4);
		assert_string_equal(r->extra[0].value->s, tricky[i]);
		assert_int_equal(r->extra[0].value->untyped, 0);
		v = r->extra[1].value;
		assert_string_equal(v->v[0]->s, tricky[i]);
		assert_int_equal(v->v[1]->untyped, 0);
		v = r->extra[2].value;
		assert_string_equal(v->v[0]->s, tricky[i]);
		assert_string_equal(v->v[1]->s, tricky[i]);
		assert_string_equal(r->extra[3].key, tricky[i]);
		free(out);
		out = write_stable(r, RECORD_DRAFT);
		free(out);
		record_free(r);
		free(text);
		free(q);
	}
	assert_true(titles > 50);
}

/* Plain where it is safe, quoted where YAML would read something else. */
static void
test_quoting_choices(void **state)
{
	static const struct {
		const char	*title, *want;
	} t[] = {
		{ "Münster", "title: Münster\n" },
		{ "Start, dann mehr", "title: Start, dann mehr\n" },
		{ "yes", "title: \"yes\"\n" },
		{ "05515000", "title: \"05515000\"\n" },
		{ "a: b", "title: \"a: b\"\n" },
		{ "- x", "title: \"- x\"\n" },
		{ "#x", "title: \"#x\"\n" },
		{ " x", "title: \" x\"\n" },
		{ "sag \"hallo\"", "title: sag \"hallo\"\n" },
		{ "\"zitat\"", "title: \"\\\"zitat\\\"\"\n" },
		{ "a\\b", "title: a\\b\n" },
		{ "😀", "title: 😀\n" },
		{ "bom\xef\xbb\xbf", "title: \"bom\\uFEFF\"\n" },
	};
	struct record	*r;
	char		*out;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		r = parse_ok(project_text, strlen(project_text), RECORD_STRICT);
		record_set(&r->title, t[i].title);
		out = write_stable(r, RECORD_STRICT);
		if (strstr(out, t[i].want) == NULL) {
			print_error("want %s in:\n%s\n", t[i].want, out);
			fail();
		}
		free(out);
		record_free(r);
	}
}

static void
test_dates(void **state)
{
	static const char *const good[] = {
		"2026-11-26T10:00:00Z", "2024-02-29T00:00:00Z", "2000-02-29T12:00:00Z",
		"2026-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-04-30T00:00:00Z",
	};
	static const char *const bad[] = {
		"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-11-26T24:00:00Z",
		"2026-11-26T23:60:00Z", "2026-11-26T23:59:60Z", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-11-26", "2026-11-26T10:00:00", "2026-11-26t10:00:00z",
		"2026-11-26T10:00:00+01:00", "2026-11-26 10:00:00Z",
		"2026-11-26T10:00:00.5Z", "20261126T100000Z", "2026-1-26T10:00:00Z",
		"", "2026-11-26T10:00:00Z ",
	};
	size_t	 i;

	for (i = 0; i < nitems(good); i++)
		assert_true(record_date_valid(good[i]));
	for (i = 0; i < nitems(bad); i++) {
		if (record_date_valid(bad[i])) {
			print_error("accepted %s\n", bad[i]);
			fail();
		}
	}
	assert_false(record_date_valid(NULL));
}

static void
test_ids_and_slugs(void **state)
{
	assert_true(record_id_valid(ULID1));
	assert_true(record_id_valid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
	assert_false(record_id_valid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
	assert_false(record_id_valid("01JDZ3M7K2V6QX8R5T9W4Y2B3"));
	assert_false(record_id_valid("01JDZ3M7K2V6QX8R5T9W4Y2B3CD"));
	assert_false(record_id_valid("01JDZ3M7K2V6QX8R5T9W4Y2B3I"));
	assert_false(record_id_valid("01JDZ3M7K2V6QX8R5T9W4Y2B3U"));
	assert_false(record_id_valid(NULL));
	assert_true(record_slug_valid("a"));
	assert_true(record_slug_valid("intelligente-strassenbeleuchtung"));
	assert_true(record_slug_valid("a--b"));
	assert_false(record_slug_valid(""));
	assert_false(record_slug_valid("-a"));
	assert_false(record_slug_valid("a-"));
	assert_false(record_slug_valid("A"));
	assert_false(record_slug_valid("a_b"));
	assert_false(record_slug_valid("straße"));
	assert_false(record_slug_valid(".."));
	assert_true(record_slug_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(record_slug_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_string_equal(record_kind_name(RECORD_VOUCH), "vouch");
	assert_string_equal(record_kind_name((enum record_kind)9), "unknown");
}

static void
test_paths(void **state)
{
	static const char *const yes[] = {
		"node.md", "projects/a/project.md", "projects/a-1/lessons/" ULID1 ".md",
		"vouches/" NID ".md", "erasures/" ULID1 ".md",
	};
	static const char *const no[] = {
		"", "/node.md", "node.md/x", "node", "NODE.md", "../x", "x/../node.md",
		"projects/a/lessons/x.md", "projects/a/lessons/" ULID1 ".md/x",
		"projects/a/lessons/" ULID1, "projects/a/lessons/" ULID1 ".txt",
		"projects/../project.md", "projects/A/project.md", "projects//project.md",
		"projects/a/project.md/", "projects/a/b/project.md", "projects/a",
		"projects/a/lessons/" ULID1 ".md.md", "projects/a/lessons/.md",
		"vouches/z6Mk.md", "vouches/" NID ".md/x", "vouches/" ULID1 ".md",
		"vouches/" NID, "vouches/../" NID ".md", "./node.md", "lessons/" ULID1 ".md",
		"erasures/" NID ".md", "erasures/x.md", "erasures/" ULID1 ".md/x",
	};
	struct record	*r;
	char		*p;
	size_t		 i;

	for (i = 0; i < nitems(yes); i++)
		assert_true(record_path_allowed(yes[i]));
	for (i = 0; i < nitems(no); i++) {
		if (record_path_allowed(no[i])) {
			print_error("allowed %s\n", no[i]);
			fail();
		}
	}
	r = parse_ok(lesson_text, strlen(lesson_text), RECORD_STRICT);
	p = record_path(r);
	assert_string_equal(p, "projects/intelligente-strassenbeleuchtung/lessons/"
	    ULID1 ".md");
	free(p);
	r->kind = RECORD_PROJECT;
	p = record_path(r);
	assert_string_equal(p, "projects/intelligente-strassenbeleuchtung/project.md");
	free(p);
	r->kind = RECORD_NODE;
	p = record_path(r);
	assert_string_equal(p, "node.md");
	free(p);
	r->kind = RECORD_VOUCH;
	assert_null(record_path(r));	/* a ULID is no node id */
	record_set(&r->id, NID);
	p = record_path(r);
	assert_string_equal(p, "vouches/" NID ".md");
	free(p);
	r->kind = RECORD_LESSON;
	assert_null(record_path(r));
	record_set(&r->id, NULL);
	assert_null(record_path(r));
	record_set(&r->id, ULID1);
	record_set(&r->project, "../etc");
	assert_null(record_path(r));
	record_free(r);
}

/* s with the first from replaced by to. Caller frees. */
static char *
replace1(const char *s, const char *from, const char *to)
{
	const char	*at = strstr(s, from);

	assert_non_null(at);
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* The template as someone filled it in: title, project, summary, an answer. Caller frees. */
static char *
fill_template(void)
{
	char	*a, *b, *c, *d;

	a = replace1(record_template(), "Titel der Erfahrung",
	    "Sensoren im Stadtpark");
	b = replace1(a, "project: mein-projekt", "project: Sensoren im Stadtpark");
	c = replace1(b, "Ein Satz, der zusammenfasst, was andere Kommunen aus "
	    "dieser Erfahrung lernen können.", "Früh mit dem Grünflächenamt "
	    "sprechen.");
	d = replace1(c, "_Wie ist Ihre Stadt in den Prozess gestartet?_\n",
	    "_Wie ist Ihre Stadt in den Prozess gestartet?_\n\nMit einem "
	    "Workshop.\n");
	free(a);
	free(b);
	free(c);
	return d;
}

static void
test_template(void **state)
{
	static const char *const sections[] = {
		"## Ausgangslage", "## Rahmenbedingungen", "## Hürden", "## Ziele",
		"## Verankerung", "## Kommunikation", "## Akteure",
		"## Nächste Schritte", "## Erkenntnisse",
	};
	const char	*t = record_template();
	struct record	*r;
	char		*cause, *out, *filled;
	size_t		 i;

	/* Unchanged, its placeholders are refused; once filled in, it is a lesson. */
	cause = parse_fail(t, strlen(t), RECORD_DRAFT);
	assert_string_equal(cause, "title: still the template's \"Titel der "
	    "Erfahrung\": please give it a title of its own\n"
	    "project: still the template's \"mein-projekt\": please name the "
	    "project (e.g. smarte-strassenbeleuchtung)\n"
	    "summary: still the template's sentence: please summarise what "
	    "others can learn\n"
	    "body: only the template's questions: please write your answers "
	    "under them");
	free(cause);
	filled = fill_template();
	r = parse_ok(filled, strlen(filled), RECORD_DRAFT);
	free(filled);
	assert_int_equal(r->kind, RECORD_LESSON);
	assert_string_equal(r->title, "Sensoren im Stadtpark");
	assert_string_equal(r->project, "sensoren-im-stadtpark");
	assert_string_equal(r->fields.v[0], "strategie-organisation");
	assert_string_equal(r->status, "idee");
	assert_string_equal(r->language, "de");
	assert_string_equal(r->license, "dl-de/by-2-0");
	assert_non_null(r->summary);
	for (i = 0; i < nitems(sections); i++)
		assert_non_null(strstr(r->body, sections[i]));
	assert_non_null(strstr(r->body, "## Ausgangslage\n\n"
	    "_Wie ist Ihre Stadt in den Prozess gestartet?_\n"));
	assert_non_null(strstr(r->body, "_Welche Akteure wurden wann mit eingebunden?_"));
	assert_non_null(strstr(t, "# status: idee, planung, umsetzung, regelbetrieb, beendet"));
	assert_non_null(strstr(t, "Telefonnummern"));
	out = write_stable(r, RECORD_DRAFT);
	free(out);
	record_free(r);
	cause = parse_fail(t, strlen(t), RECORD_STRICT);
	assert_string_equal(cause, "id: missing\ncreated: missing\nmodified: missing");
	free(cause);
}


/* What staff write, as the issue found it refused: each is read as meant (a draft only). */
static const char friendly_text[] =
    "\xef\xbb\xbf---\n"
    "kind: lesson\n"
    "title: \"Bürgerportal: ein Jahr danach\"\n"
    "project: Digitales Bürgerportal\n"
    "fields: [Mobilität, Energie und Umwelt, Daten & Infrastruktur]\n"
    "status: Umsetzung\n"
    "hurdles: [Rechtlich, ORGANISATORISCH]\n"
    "tags: [Bürgerbeteiligung, open-data, Straßenbeleuchtung, buergerbeteiligung]\n"
    "---\n"
    "Text.\n";

/* The canonical form the friendly draft becomes. */
static const char friendly_want[] =
    "---\n"
    "kind: lesson\n"
    "title: \"Bürgerportal: ein Jahr danach\"\n"
    "project: digitales-buergerportal\n"
    "fields: [mobilitaet, energie-umwelt, daten-infrastruktur]\n"
    "status: umsetzung\n"
    "hurdles: [rechtlich, organisatorisch]\n"
    "tags: [buergerbeteiligung, open-data, strassenbeleuchtung]\n"
    "tag_labels: [Bürgerbeteiligung, Straßenbeleuchtung]\n"
    "---\n"
    "Text.\n";

static void
test_friendly_draft(void **state)
{
	struct record	*r;
	char		*out, *cause;

	r = parse_ok(friendly_text, strlen(friendly_text), RECORD_DRAFT);
	out = write_stable(r, RECORD_DRAFT);
	assert_string_equal(out, friendly_want);
	assert_string_equal(record_tag_label(r, "buergerbeteiligung"),
	    "Bürgerbeteiligung");
	assert_string_equal(record_tag_label(r, "open-data"), "open-data");
	free(out);
	record_free(r);
	assert_canonical(friendly_want, RECORD_DRAFT);
	/* Stored records stay strict: what knowd writes is canonical already. */
	cause = parse_fail(friendly_text, strlen(friendly_text), RECORD_STRICT);
	assert_string_equal(cause, "front matter: missing (the file must begin "
	    "with a line ---)");
	free(cause);
	cause = parse_fail(friendly_text + 3, strlen(friendly_text) - 3,
	    RECORD_STRICT);
	assert_line(cause, "status: \"Umsetzung\" is not one of");
	assert_line(cause, "fields: unknown Handlungsfeld \"Mobilität\"");
	assert_line(cause, "tags: \"Bürgerbeteiligung\" is not a slug");
	free(cause);
}

/* A stored record's labels must each belong to one of its tags. */
static void
test_tag_labels(void **state)
{
	static const char ok[] =
	    "---\n"
	    "id: " ULID1 "\n"
	    "kind: project\n"
	    "title: Offene Daten\n"
	    "project: offene-daten\n"
	    "tags: [buergerbeteiligung, open-data]\n"
	    "tag_labels: [Bürgerbeteiligung, Open Data]\n"
	    "created: 2026-11-26T10:00:00Z\n"
	    "modified: 2026-11-26T10:00:00Z\n"
	    "---\n";
	char	*bad, *cause;

	assert_canonical(ok, RECORD_STRICT);
	bad = replace1(ok, "Open Data", "Offene Daten");
	cause = parse_fail(bad, strlen(bad), RECORD_STRICT);
	assert_string_equal(cause, "tag_labels: \"Offene Daten\" is the label of "
	    "no tag (its slug is not in tags)");
	free(cause);
	free(bad);
	/* A draft drops a label whose tag went, keeps one that fits. */
	bad = replace1(ok, "tag_labels: [Bürgerbeteiligung, Open Data]",
	    "tag_labels: [Weg, Open Data]");
	{
		struct record	*r = parse_ok(bad, strlen(bad), RECORD_DRAFT);

		assert_int_equal(r->tag_labels.n, 1);
		assert_string_equal(r->tag_labels.v[0], "Open Data");
		record_free(r);
	}
	free(bad);
}

static void
test_slugify(void **state)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "Bürgerbeteiligung", "buergerbeteiligung" },
		{ "Straße", "strasse" },
		{ "ÄRGER über Öl", "aerger-ueber-oel" },
		{ "  Open   Data  ", "open-data" },
		{ "Energie & Umwelt", "energie-umwelt" },
		{ "Café Crème", "cafe-creme" },
		{ "GROSSE \xe1\xba\x9e", "grosse-ss" },
		{ "5G-Netz", "5g-netz" },
		{ "Smart City 2030!", "smart-city-2030" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < nitems(t); i++) {
		s = record_slugify(t[i].in);
		assert_non_null(s);
		assert_string_equal(s, t[i].want);
		free(s);
	}
	assert_null(record_slugify("!!!"));
	assert_null(record_slugify(""));
	assert_null(record_slugify("\xe4\xb8\xad"));	/* 中 */
	assert_null(record_slugify("a\xff"));
}

/* Each common libyaml error says which line and what to do there. */
static void
test_yaml_hints(void **state)
{
	static const struct {
		const char	*line, *want;
	} t[] = {
		{ "title: Bürgerportal: ein Jahr", "line 3: Title with a colon: "
		    "please put it in quotes, like title: \"…\"" },
		{ "title: \"Bürgerportal", "line 3: a quotation mark is not "
		    "closed: please add the closing one" },
		{ "fields: [bildung, verwaltung", "line 3: a list is not closed: "
		    "please write it as [a, b] with commas and a closing bracket" },
		{ "title: @Stadt", "line 3: a value cannot begin with \"@\": "
		    "please put it in quotes" },
		{ "title: `x`", "line 3: a value cannot begin with \"`\": "
		    "please put it in quotes" },
		{ "title: \"a\\q\"", "line 3: a backslash (\\) in double quotes: "
		    "write \\\\ or use single quotes '…'" },
		{ "title \"x\"", "line 3: the colon after the key is missing "
		    "(key: value); a long text goes on in the next line, "
		    "indented by two spaces" },
		{ "title: \"x\" y", "line 3: each entry begins a line as key: "
		    "value (check the indentation, and that quoted text ends "
		    "with its closing quotation mark)" },
		{ "\ttitle: x", "line 3: a tab character: please indent with "
		    "spaces only" },
		{ "summary: zwei\n  zeilen: hier", "line 4: the line is indented: "
		    "an entry begins at the start of its line (a text that goes "
		    "on from the line above belongs in quotes)" },
		{ "- bildung", "line 3: each entry begins a line as key: value "
		    "(check the indentation, and that quoted text ends with its "
		    "closing quotation mark)" },
	};
	char	*text, *cause;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		text = xasprintf("---\nkind: lesson\n%s\nproject: p\n---\n",
		    t[i].line);
		cause = parse_fail(text, strlen(text), RECORD_DRAFT);
		if (strcmp(cause, t[i].want) != 0) {
			print_error("case %zu: want \"%s\", got \"%s\"\n", i,
			    t[i].want, cause);
			fail();
		}
		free(cause);
		free(text);
	}
}

/*
 * With the built catalog, the same parser speaks German in a thread that
 * asks for it (i18n_begin, as knowd's browser desk would) and English
 * again after, as everywhere else (the process locale stays C).
 */
static void
test_german(void **state)
{
	static const char colon[] = "---\nkind: lesson\ntitle: Bürgerportal: "
	    "ein Jahr\n---\n";
	const char	*build = getenv("BUILD");
	char		*dir, *cause;
	void		*old;

	dir = xasprintf("%s/locale", build != NULL ? build : "build");
	bindtextdomain(KNOWD_TEXTDOMAIN, dir);
	bind_textdomain_codeset(KNOWD_TEXTDOMAIN, "UTF-8");
	if ((old = i18n_begin("de")) == NULL) {
		print_message("de_DE.UTF-8 missing: German not checked\n");
		free(dir);
		return;
	}
	cause = parse_fail_s(colon, RECORD_DRAFT);
	i18n_end(old);
	if (strcmp(cause, "line 3: Title with a colon: please put it in quotes, "
	    "like title: \"…\"") == 0)
		print_message("no catalog in %s: German not checked\n", dir);
	else
		assert_string_equal(cause, "Zeile 3: Titel mit Doppelpunkt bitte "
		    "in Anführungszeichen setzen, also title: \"…\"");
	free(cause);
	cause = parse_fail_s(colon, RECORD_DRAFT);
	assert_string_equal(cause, "line 3: Title with a colon: please put it "
	    "in quotes, like title: \"…\"");
	free(cause);
	assert_null(i18n_begin("fr"));		/* no catalog: unchanged */
	free(dir);
}

static void
test_examples(void **state)
{
	struct record	*r;
	glob_t		 g;
	char		*text, *cause = NULL, *out;
	size_t		 i, len, n = 0;

	assert_int_equal(glob("contrib/examples/*.md", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		if (strcmp(g.gl_pathv[i], "contrib/examples/README.md") == 0)
			continue;
		if (read_file(g.gl_pathv[i], RECORD_MAX_BYTES, &text, &len,
		    &cause) != 0) {
			print_error("%s\n", cause);
			fail();
		}
		if (record_parse(text, len, RECORD_DRAFT, &r, &cause) != 0) {
			print_error("%s:\n%s\n", g.gl_pathv[i], cause);
			fail();
		}
		assert_true(r->kind == RECORD_LESSON || r->kind == RECORD_PROJECT);
		assert_null(r->id);
		assert_non_null(strstr(r->body, "## Erkenntnisse"));
		out = write_stable(r, RECORD_DRAFT);
		free(out);
		record_free(r);
		free(text);
		n++;
	}
	globfree(&g);
	assert_true(n >= 6);
}

/* A record built in memory validates, writes and reads back the same. */
static void
test_in_memory(void **state)
{
	struct record	*r = xcalloc(1, sizeof *r), *back;
	char		*cause = NULL, *out;

	r->kind = RECORD_LESSON;
	record_set(&r->id, ULID1);
	record_set(&r->title, "Aus dem Speicher");
	record_set(&r->project, "p");
	record_set(&r->status, "idee");
	record_set(&r->created, "2026-11-26T10:00:00Z");
	record_set(&r->modified, "2026-11-26T10:00:00Z");
	record_set(&r->body, "ohne Zeilenende");
	r->bodylen = strlen(r->body);
	assert_int_equal(record_validate(r, RECORD_STRICT, &cause), -1);
	assert_string_equal(cause, "fields: missing");
	free(cause);
	r->fields.v = xcalloc(1, sizeof *r->fields.v);
	r->fields.v[0] = xstrdup("bildung");
	r->fields.n = 1;
	assert_int_equal(record_validate(r, RECORD_STRICT, NULL), 0);
	out = write_stable(r, RECORD_STRICT);
	assert_non_null(strstr(out, "---\nohne Zeilenende\n"));
	back = parse_ok(out, strlen(out), RECORD_STRICT);
	assert_string_equal(back->body, "ohne Zeilenende\n");
	free(out);
	record_free(back);

	/* Invalid UTF-8 set in memory is refused by validate and write. */
	record_set(&r->title, "M\xfcnster");
	assert_int_equal(record_validate(r, RECORD_STRICT, &cause), -1);
	assert_string_equal(cause, "title: not valid UTF-8");
	free(cause);
	assert_int_equal(record_write(r, &out, NULL), -1);
	record_set(&r->title, NULL);
	assert_null(r->title);
	record_free(r);
	record_free(NULL);
}

/* An erasure notice: its keys, their shapes, its path; no other kind takes them. */
static void
test_erasure(void **state)
{
	static const char good[] = "---\nid: " ULID1 "\nkind: erasure\n"
	    "erases: 01JD5X3V8Q2M9T4R6W7Y8Z0A1C\nblobs: "
	    "[51de84b66948115ff597f93bb18b7bb3fbd9c4e5]\n"
	    "created: 2026-12-06T06:00:00Z\nmodified: 2026-12-06T06:00:00Z\n---\n";
	static const char bad[] = "---\nid: " ULID1 "\nkind: erasure\n"
	    "erases: nope\nblobs: [51DE84]\n"
	    "created: 2026-12-06T06:00:00Z\nmodified: 2026-12-06T06:00:00Z\n---\n";
	static const char lesson_blobs[] = "---\nid: " ULID1 "\nkind: lesson\n"
	    "title: T\nproject: p\nfields: [bildung]\nstatus: idee\n"
	    "blobs: [51de84b66948115ff597f93bb18b7bb3fbd9c4e5]\n"
	    "created: 2026-12-06T06:00:00Z\nmodified: 2026-12-06T06:00:00Z\n---\n";
	struct record	*r;
	char		*cause = NULL, *p;

	r = parse_ok(good, sizeof good - 1, RECORD_STRICT);
	assert_int_equal(r->kind, RECORD_ERASURE);
	assert_string_equal(r->erases, "01JD5X3V8Q2M9T4R6W7Y8Z0A1C");
	assert_int_equal(r->blobs.n, 1);
	p = record_path(r);
	assert_string_equal(p, "erasures/" ULID1 ".md");
	assert_true(record_path_erasure(p));
	free(p);
	record_free(r);
	assert_int_equal(record_parse(bad, sizeof bad - 1, RECORD_STRICT, &r,
	    &cause), -1);
	assert_string_equal(cause, "erases: \"nope\" is not a ULID\n"
	    "blobs: \"51DE84\" is not a blob id (40 hex digits)");
	free(cause);
	assert_int_equal(record_parse(lesson_blobs, sizeof lesson_blobs - 1,
	    RECORD_STRICT, &r, &cause), -1);
	assert_string_equal(cause, "blobs: not a key of a lesson record");
	free(cause);
	assert_string_equal(record_kind_name(RECORD_ERASURE), "erasure");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lesson_valid),
		cmocka_unit_test(test_other_kinds_valid),
		cmocka_unit_test(test_canonical_form),
		cmocka_unit_test(test_body_normalised),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_every_violation),
		cmocka_unit_test(test_field_errors),
		cmocka_unit_test(test_node_fields),
		cmocka_unit_test(test_broken_yaml),
		cmocka_unit_test(test_front_matter_shape),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_anchors_aliases_tags),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_long_keys),
		cmocka_unit_test(test_string_round_trip),
		cmocka_unit_test(test_quoting_choices),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_ids_and_slugs),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_friendly_draft),
		cmocka_unit_test(test_tag_labels),
		cmocka_unit_test(test_slugify),
		cmocka_unit_test(test_yaml_hints),
		cmocka_unit_test(test_german),
		cmocka_unit_test(test_in_memory),
		cmocka_unit_test(test_erasure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
