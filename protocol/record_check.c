/* record_check.c — validation: every violation of the schema, one line each, naming the field. */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* Which keys each kind allows and requires (id, created, modified not in drafts). */
#define B(k)		RK_BIT(RK_##k)
#define ALL_KINDS	(B(KIND) | B(LANGUAGE) | B(LICENSE) | B(CREATED) | B(MODIFIED))
static const struct {
	unsigned	 allowed;
	unsigned	 required;
} schemas[] = {
	[RECORD_LESSON] = {
		ALL_KINDS | B(ID) | B(TITLE) | B(PROJECT) | B(SUMMARY) |
		    B(FIELDS) | B(STATUS) | B(HURDLES) | B(TAGS) |
		    B(TAG_LABELS) | B(RELATED),
		B(ID) | B(TITLE) | B(PROJECT) | B(FIELDS) | B(STATUS) |
		    B(CREATED) | B(MODIFIED)
	},
	[RECORD_PROJECT] = {
		ALL_KINDS | B(ID) | B(TITLE) | B(PROJECT) | B(SUMMARY) |
		    B(FIELDS) | B(STATUS) | B(TAGS) | B(TAG_LABELS),
		B(ID) | B(TITLE) | B(PROJECT) | B(CREATED) | B(MODIFIED)
	},
	[RECORD_NODE] = {
		ALL_KINDS | B(ID) | B(NAME) | B(ROLE) | B(AGS) | B(REGION) |
		    B(WEBSITE),
		B(ID) | B(NAME) | B(ROLE) | B(CREATED) | B(MODIFIED)
	},
	[RECORD_VOUCH] = {
		ALL_KINDS | B(ID) | B(NAME) | B(AGS),
		B(ID) | B(NAME) | B(CREATED) | B(MODIFIED)
	},
	[RECORD_ERASURE] = {
		ALL_KINDS | B(ID) | B(ERASES) | B(BLOBS),
		B(ID) | B(ERASES) | B(BLOBS) | B(CREATED) | B(MODIFIED)
	},
};
#undef B
#undef ALL_KINDS
#define ASSIGNED	(RK_BIT(RK_ID) | RK_BIT(RK_CREATED) | RK_BIT(RK_MODIFIED))

/* Appends the list joined by ", ". */
static void
vocab_join(struct buf *b, const char *const *list)
{
	int	 i;

	for (i = 0; list[i] != NULL; i++)
		buf_printf(b, "%s%s", i ? ", " : "", list[i]);
}

/* Length of the line-breaking or control character at p (C0, DEL, C1, U+2028/9), else 0. */
static size_t
msg_control(const unsigned char *p)
{
	if (p[0] < 0x20 || p[0] == 0x7f)
		return 1;
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
		return 2;
	if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		return 3;
	return 0;
}

void
record_msg_quote(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i, n;

	buf_addc(b, '"');
	for (i = 0; p[i] != '\0'; i++) {
		if (i >= 60 && strlen(s) > 64) {
			while ((p[i] & 0xc0) == 0x80)	/* finish a character */
				buf_addc(b, p[i++]);
			buf_addstr(b, "…");
			break;
		}
		if (p[i] == '"' || p[i] == '\\')
			buf_printf(b, "\\%c", p[i]);
		else if ((n = msg_control(p + i)) == 1)
			buf_printf(b, "\\x%02x", p[i]);
		else if (n == 2)
			buf_printf(b, "\\u00%02x", p[++i]);
		else if (n == 3) {
			buf_printf(b, "\\u%04x", p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			i += 2;
		} else
			buf_addc(b, p[i]);
	}
	buf_addc(b, '"');
}

char *
record_msg_key(const char *key)
{
	struct buf	 b;
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p != '\0'; p++) {
		if (*p == '"' || msg_control(p) != 0)
			break;
	}
	if (*key != '\0' && *p == '\0')
		return xstrdup(key);
	buf_init(&b);
	record_msg_quote(&b, key);
	return buf_detach(&b, NULL);
}

/* Appends one error line: key, ": ", the value quoted, then the message. */
static void
err_value(struct buf *errs, const char *key, const char *value, const char *msg)
{
	buf_printf(errs, "%s: ", key);
	record_msg_quote(errs, value);
	buf_printf(errs, " %s\n", msg);
}

/*
 * Why the text s is not acceptable, or NULL: it must hold 1..max characters
 * (code points), not be blank, and have no control characters (but newlines
 * when multiline; U+2028 and U+2029 count as newlines).
 */
static const char *
text_problem(const char *s, size_t max, int multiline, size_t *nchars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i, c, n = 0;
	int	 blank = 1;

	for (i = 0; p[i] != '\0'; i++) {
		if ((p[i] & 0xc0) != 0x80)
			n++;
		c = msg_control(p + i);
		if (c != 0 && !(multiline && (p[i] == '\n' || c == 3)))
			return multiline ? _("has control characters") :
			    _("must be one line without control characters");
		if (p[i] != ' ' && p[i] != '\n')
			blank = 0;
	}
	*nchars = n;
	if (blank)
		return _("empty");
	if (n > max)
		return "";		/* too long */
	return NULL;
}

/* Appends an error when s is not acceptable text (see text_problem). */
static void
check_text(struct buf *errs, const char *key, const char *s, size_t max,
    int multiline)
{
	const char	*why;
	size_t		 n = 0;

	if ((why = text_problem(s, max, multiline, &n)) == NULL)
		return;
	if (*why == '\0')
		buf_printf(errs, _("%s: %zu characters is too long (at most %zu)\n"),
		    key, n, max);
	else
		buf_printf(errs, "%s: %s\n", key, why);
}

/* Checks a value against a controlled vocabulary. */
static void
check_vocab(struct buf *errs, const char *key, const char *s,
    const char *const *list, const char *what)
{
	if (record_vocab_find(list, s) != -1)
		return;
	buf_printf(errs, "%s: ", key);
	if (what != NULL) {
		buf_printf(errs, _("unknown %s "), what);
		record_msg_quote(errs, s);
		buf_addstr(errs, _(" (one of: "));
		vocab_join(errs, list);
		buf_addstr(errs, ")\n");
	} else {
		record_msg_quote(errs, s);
		buf_addstr(errs, _(" is not one of "));
		vocab_join(errs, list);
		buf_addc(errs, '\n');
	}
}

/* Checks the id: a ULID for lessons and projects, a node id for nodes and vouches. */
static void
check_id(struct buf *errs, const char *s, const struct record *r, int kind_known)
{
	int	 node = r->kind == RECORD_NODE || r->kind == RECORD_VOUCH;

	if (!kind_known && (record_id_valid(s) || record_nid_valid(s)))
		return;
	if (kind_known && !node && !record_id_valid(s))
		err_value(errs, "id", s,
		    _("is not a ULID (26 characters of Crockford base32)"));
	else if (kind_known && node && !record_nid_valid(s))
		err_value(errs, "id", s, _("is not a node id like z6Mk…"));
	else if (!kind_known)
		err_value(errs, "id", s, _("is neither a ULID nor a node id"));
}

/* True for printable ASCII without spaces at either end, 1..max bytes. */
static int
ascii_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i, n = strlen(s);

	if (n == 0 || n > max || p[0] == ' ' || p[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	}
	return 1;
}

/* The complaint about a value of key k with a fixed shape (a code, a date, …), or NULL. */
static const char *
shape_problem(enum record_key k, const char *s)
{
	size_t	 n = strlen(s);

	switch (k) {
	case RK_PROJECT:
	case RK_TAGS:
		return record_slug_valid(s) ? NULL : _("is not a slug (1 to 64 of "
		    "a-z, 0-9 and -, no - at either end)");
	case RK_AGS:
		return (n == 8 || n == 12) && strspn(s, "0123456789") == n ? NULL :
		    _("is not an AGS (8 digits) or a Regionalschlüssel (12 digits)");
	case RK_WEBSITE:
		return record_website_valid(s) ? NULL : _("is not a web address like "
		    "https://www.example.de (at most 300 characters)");
	case RK_LANGUAGE:
		return n >= 2 && n <= 3 && strspn(s, "abcdefghijklmnopqrstuvwxyz") ==
		    n ? NULL : _("is not a language code like de");
	case RK_LICENSE:
		return ascii_ok(s, 64) ? NULL : _("is not a license name like "
		    "dl-de/by-2-0 (1 to 64 printable ASCII characters)");
	case RK_CREATED:
	case RK_MODIFIED:
		return record_date_valid(s) ? NULL :
		    _("is not a date like 2026-11-26T10:00:00Z");
	default:
		return NULL;
	}
}

/* Checks a tag's label: one line, and its slug is one of the record's tags. */
static void
check_label(struct buf *errs, const char *s, const struct record *r)
{
	char	*slug;
	size_t	 i;

	check_text(errs, "tag_labels", s, RECORD_MAX_SLUG, 0);
	if ((slug = record_slugify(s)) != NULL) {
		for (i = 0; i < r->tags.n; i++) {
			if (strcmp(r->tags.v[i], slug) == 0)
				break;
		}
		if (i == r->tags.n)
			slug = (free(slug), NULL);
	}
	if (slug == NULL)
		err_value(errs, "tag_labels", s, _("is the label of no tag "
		    "(its slug is not in tags)"));
	free(slug);
}

/* Checks one string value, or one item of a list, of key k. */
static void
check_value(struct buf *errs, enum record_key k, const char *s,
    const struct record *r, int kind_known)
{
	const char	*key = record_keys[k].name, *why;

	switch (k) {
	case RK_ID:
		check_id(errs, s, r, kind_known);
		break;
	case RK_TITLE:
	case RK_NAME:
		check_text(errs, key, s, RECORD_MAX_TITLE, 0);
		break;
	case RK_REGION:
		check_text(errs, key, s, 200, 0);
		break;
	case RK_SUMMARY:
		check_text(errs, key, s, RECORD_MAX_SUMMARY, 1);
		break;
	case RK_ERASES:
		if (!record_id_valid(s))
			err_value(errs, key, s, "is not a ULID");
		break;
	case RK_BLOBS:
		if (strlen(s) != 40 || strspn(s, "0123456789abcdef") != 40)
			err_value(errs, key, s, "is not a blob id (40 hex digits)");
		break;
	case RK_RELATED:
		if (!record_id_valid(s))
			err_value(errs, key, s, _("is not a ULID"));
		else if (r->id != NULL && strcmp(s, r->id) == 0)
			err_value(errs, key, s, _("is this record itself"));
		break;
	case RK_TAG_LABELS:
		check_label(errs, s, r);
		break;
	case RK_FIELDS:
		check_vocab(errs, key, s, record_fields, _("Handlungsfeld"));
		break;
	case RK_HURDLES:
		check_vocab(errs, key, s, record_hurdles, _("hurdle"));
		break;
	case RK_STATUS:
		check_vocab(errs, key, s, record_statuses, NULL);
		break;
	case RK_ROLE:
		check_vocab(errs, key, s, record_roles, NULL);
		break;
	default:
		if ((why = shape_problem(k, s)) != NULL)
			err_value(errs, key, s, why);
		break;
	}
}

/* Checks a list: its size, each item, and that no item appears twice. */
static void
check_list(struct buf *errs, enum record_key k, const struct record_list *l,
    const struct record *r, int kind_known)
{
	const char	*key = record_keys[k].name;
	size_t		 i, j;

	if (l->n > RECORD_MAX_LIST) {
		buf_printf(errs, _("%s: %zu items, at most %d\n"), key, l->n,
		    RECORD_MAX_LIST);
		return;
	}
	for (i = 0; i < l->n; i++) {
		if (!utf8_valid(l->v[i], strlen(l->v[i]))) {
			buf_printf(errs, _("%s: not valid UTF-8\n"), key);
			continue;
		}
		check_value(errs, k, l->v[i], r, kind_known);
		for (j = 0; j < i; j++) {
			if (strcmp(l->v[i], l->v[j]) == 0) {
				err_value(errs, key, l->v[i], _("appears twice"));
				break;
			}
		}
	}
}

/* Checks the unknown keys of a record built in memory: names, no clashes. */
static void
check_extra(const struct record *r, struct buf *errs)
{
	char	*show;
	size_t	 i, j, n;

	for (i = 0; i < r->nextra; i++) {
		n = strlen(r->extra[i].key);
		if (n == 0 || n > RECORD_MAX_KEY || !utf8_valid(r->extra[i].key, n) ||
		    r->extra[i].value == NULL) {
			buf_addstr(errs, _("front matter: a key is empty, too long "
			    "or not valid UTF-8, or has no value\n"));
			continue;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(r->extra[i].key, r->extra[j].key) == 0)
				break;
		}
		if (j < i || record_key_lookup(r->extra[i].key) != -1) {
			show = record_msg_key(r->extra[i].key);
			buf_printf(errs, _("%s: duplicate key\n"), show);
			free(show);
		}
	}
}

/* Checks what concerns the record as a whole: dates in order, body, size. */
static void
check_whole(const struct record *r, struct buf *errs)
{
	struct buf	 out;
	const char	*body = r->body != NULL ? r->body : "";

	if (record_date_valid(r->created) && record_date_valid(r->modified) &&
	    strcmp(r->modified, r->created) < 0)
		buf_printf(errs, _("modified: %s is before created %s\n"),
		    r->modified, r->created);
	if (r->body != NULL && (strlen(body) != r->bodylen ||
	    !utf8_valid(body, r->bodylen)))
		buf_addstr(errs, _("body: not valid UTF-8 text (or bodylen is not "
		    "its length)\n"));
	else if (r->bodylen > RECORD_MAX_BYTES)
		buf_printf(errs, _("body: %zu bytes is too large (at most %d bytes "
		    "for the whole record)\n"), r->bodylen, RECORD_MAX_BYTES);
	else {
		buf_init(&out);
		if (record_write_buf(r, &out) == 0 && out.len > RECORD_MAX_BYTES)
			buf_printf(errs, _("record: %zu bytes written out is too "
			    "large (at most %d bytes)\n"), out.len, RECORD_MAX_BYTES);
		buf_free(&out);
	}
}

/* True when key k has a value in r. */
static int
key_present(const struct record *r, enum record_key k)
{
	struct record	*rw = (struct record *)r;

	if (record_keys[k].type == RECORD_KEY_LIST)
		return record_key_list(rw, k)->n > 0;
	return *record_key_str(rw, k) != NULL;
}

void
record_check(const struct record *r, enum record_mode mode, int kind_known,
    unsigned skip, struct buf *errs)
{
	struct record	*rw = (struct record *)r;
	unsigned	 allowed = ~0u, required = 0;
	const char	*s;
	int		 k;

	if (kind_known) {
		allowed = schemas[r->kind].allowed;
		required = schemas[r->kind].required;
		if (mode == RECORD_DRAFT)
			required &= ~ASSIGNED;
	}
	for (k = 0; k < RK_COUNT; k++) {
		if ((skip & RK_BIT(k)) || k == RK_KIND)
			continue;
		if (!key_present(r, k)) {
			if (required & RK_BIT(k))
				buf_printf(errs, _("%s: missing\n"), record_keys[k].name);
		} else if (!(allowed & RK_BIT(k)))
			buf_printf(errs, _("%s: not a key of a %s record\n"),
			    record_keys[k].name, record_kind_name(r->kind));
		else if (record_keys[k].type == RECORD_KEY_LIST)
			check_list(errs, k, record_key_list(rw, k), r, kind_known);
		else {
			s = *record_key_str(rw, k);
			if (!utf8_valid(s, strlen(s)))
				buf_printf(errs, _("%s: not valid UTF-8\n"),
				    record_keys[k].name);
			else
				check_value(errs, k, s, r, kind_known);
		}
	}
	check_extra(r, errs);
	check_whole(r, errs);
	if (mode == RECORD_DRAFT && kind_known)
		record_template_check(r, errs);
}

int
record_validate(const struct record *r, enum record_mode mode, char **cause)
{
	struct buf	 errs;
	int		 kind_known = 1;

	buf_init(&errs);
	if ((unsigned)r->kind >= RECORD_KINDS) {
		buf_addstr(&errs, _("kind: not one of lesson, project, node, vouch, "
		    "erasure\n"));
		kind_known = 0;
	}
	record_check(r, mode, kind_known, 0, &errs);
	return record_errs_done(&errs, cause);
}

int
record_errs_done(struct buf *errs, char **cause)
{
	if (errs->len == 0) {
		buf_free(errs);
		return 0;
	}
	errs->data[--errs->len] = '\0';	/* the last newline */
	if (cause != NULL)
		*cause = buf_detach(errs, NULL);
	buf_free(errs);
	return -1;
}
