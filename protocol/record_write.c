/* record_write.c — the canonical bytes of a record: fixed key order, flow lists, safe scalars. */
#include <stdint.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* Words YAML 1.1 or 1.2 would read as null or a boolean when written plain. */
static const char *const typed_words[] = {
	"~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N",
	"no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
	"on", "On", "ON", "off", "Off", "OFF", "<<", "=", NULL
};

/* True for an ASCII letter or digit (no locale). */
static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/*
 * Errs on the side of "typed": anything shaped like a number in any YAML
 * version (1, -1.5, 0x1f, 0o17, 1_000, 12:30, 1e3, .inf, 2026-11-26) is,
 * so such strings get quotes and no reader takes them for numbers or dates.
 */
int
record_scalar_typed(const char *s)
{
	const char	*p = s;
	size_t		 i;

	if (*s == '\0')
		return 1;
	for (i = 0; typed_words[i] != NULL; i++) {
		if (strcmp(s, typed_words[i]) == 0)
			return 1;
	}
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '.' && (strcmp(p + 1, "inf") == 0 || strcmp(p + 1, "Inf") == 0 ||
	    strcmp(p + 1, "INF") == 0 || strcmp(p + 1, "nan") == 0 ||
	    strcmp(p + 1, "NaN") == 0 || strcmp(p + 1, "NAN") == 0))
		return 1;
	if (!(p[0] >= '0' && p[0] <= '9') && !(p[0] == '.' && p[1] >= '0' &&
	    p[1] <= '9'))
		return 0;
	return strspn(p, "0123456789abcdefABCDEFxXoO_.:+-") == strlen(p);
}

/*
 * True when the non-ASCII character at p may stand in a plain scalar: not a
 * C1 control (NEL among them), not a line or paragraph separator, not a byte
 * order mark, not U+FFFE or U+FFFF.
 */
static int
plain_char_ok(const unsigned char *p)
{
	if (p[0] == 0xc2 && p[1] < 0xa0)
		return 0;
	if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		return 0;
	if (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) ||
	    (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))))
		return 0;
	return 1;
}

/*
 * Conservative: one line, no blanks at either end, no indicator in front
 * (but "-" before a letter or digit), no ": ", " #" or final ":", and in a
 * flow collection none of ",[]{}:" at all.
 */
int
record_plain_ok(const char *s, int flow)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i, n = strlen(s);

	if (n == 0 || p[0] == ' ' || p[n - 1] == ' ' || p[n - 1] == ':')
		return 0;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", p[0]) != NULL &&
	    !(p[0] == '-' && is_alnum(p[1])))
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		if (p[i] == ':' && (flow || p[i + 1] == ' '))
			return 0;
		if (p[i] == '#' && i > 0 && p[i - 1] == ' ')
			return 0;
		if (flow && strchr(",[]{}", p[i]) != NULL)
			return 0;
		if (p[i] >= 0x80 && !plain_char_ok(p + i))
			return 0;
	}
	return 1;
}

/* Appends the escape for the code point at p (len bytes), or the bytes themselves. */
static void
put_char(struct buf *b, const unsigned char *p, size_t len)
{
	uint32_t	 cp;

	if (len == 1) {
		if (p[0] == '"' || p[0] == '\\')
			buf_printf(b, "\\%c", p[0]);
		else if (p[0] == '\n')
			buf_addstr(b, "\\n");
		else if (p[0] == '\t')
			buf_addstr(b, "\\t");
		else if (p[0] == '\r')
			buf_addstr(b, "\\r");
		else if (p[0] < 0x20 || p[0] == 0x7f)
			buf_printf(b, "\\x%02X", p[0]);
		else
			buf_addc(b, p[0]);
		return;
	}
	if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
		if (p[1] == 0x85)
			buf_addstr(b, "\\N");
		else
			buf_printf(b, "\\x%02X", p[1]);
		return;
	}
	cp = len == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu) : 0;
	if (cp == 0x2028)
		buf_addstr(b, "\\L");
	else if (cp == 0x2029)
		buf_addstr(b, "\\P");
	else if (cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
		buf_printf(b, "\\u%04X", (unsigned)cp);
	else
		buf_add(b, p, len);
}

/* Appends s double-quoted, escaping what a YAML reader would not take back as is. */
static void
put_quoted(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 len;

	buf_addc(b, '"');
	while (*p != '\0') {
		if (p[0] < 0x80)
			len = 1;
		else if (p[0] < 0xe0)
			len = 2;
		else if (p[0] < 0xf0)
			len = 3;
		else
			len = 4;
		put_char(b, p, len);
		p += len;
	}
	buf_addc(b, '"');
}

/* Appends a scalar: plain when that reads back the same (and keeps its type), else quoted. */
static void
put_scalar(struct buf *b, const char *s, int untyped, int flow)
{
	if (record_plain_ok(s, flow) && (untyped || !record_scalar_typed(s)))
		buf_addstr(b, s);
	else
		put_quoted(b, s);
}

/* Appends an unknown key's value in flow style. */
static void
put_value(struct buf *b, const struct record_value *v, int flow)
{
	size_t	 i;

	switch (v->type) {
	case RECORD_SCALAR:
		put_scalar(b, v->s, v->untyped, flow);
		break;
	case RECORD_SEQ:
		buf_addc(b, '[');
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				buf_addstr(b, ", ");
			put_value(b, v->v[i], 1);
		}
		buf_addc(b, ']');
		break;
	case RECORD_MAP:
		buf_addc(b, '{');
		for (i = 0; i + 1 < v->n; i += 2) {
			if (i > 0)
				buf_addstr(b, ", ");
			put_value(b, v->v[i], 1);
			buf_addstr(b, ": ");
			put_value(b, v->v[i + 1], 1);
		}
		buf_addc(b, '}');
		break;
	}
}

/* True when every string of r is valid UTF-8 (values of unknown keys come from the parser). */
static int
strings_valid(const struct record *r)
{
	struct record		*rw = (struct record *)r;
	struct record_list	*l;
	const char		*s;
	size_t			 i;
	int			 k;

	for (k = 0; k < RK_COUNT; k++) {
		if (record_keys[k].type == RECORD_KEY_STRING) {
			s = *record_key_str(rw, k);
			if (s != NULL && !utf8_valid(s, strlen(s)))
				return 0;
		} else if (record_keys[k].type == RECORD_KEY_LIST) {
			l = record_key_list(rw, k);
			for (i = 0; i < l->n; i++) {
				if (!utf8_valid(l->v[i], strlen(l->v[i])))
					return 0;
			}
		}
	}
	for (i = 0; i < r->nextra; i++) {
		if (!utf8_valid(r->extra[i].key, strlen(r->extra[i].key)) ||
		    r->extra[i].value == NULL)
			return 0;
	}
	return r->body == NULL || (strlen(r->body) == r->bodylen &&
	    utf8_valid(r->body, r->bodylen));
}

/* Appends one known key and its value, if it has one. */
static void
put_key(struct buf *b, const struct record *r, enum record_key k)
{
	struct record		*rw = (struct record *)r;
	struct record_list	*l;
	const char		*s;
	size_t			 i;

	switch (record_keys[k].type) {
	case RECORD_KEY_KIND:
		buf_printf(b, "kind: %s\n", record_kind_name(r->kind));
		break;
	case RECORD_KEY_STRING:
		if ((s = *record_key_str(rw, k)) == NULL)
			break;
		buf_printf(b, "%s: ", record_keys[k].name);
		put_scalar(b, s, 0, 0);
		buf_addc(b, '\n');
		break;
	case RECORD_KEY_LIST:
		if ((l = record_key_list(rw, k))->n == 0)
			break;
		buf_printf(b, "%s: [", record_keys[k].name);
		for (i = 0; i < l->n; i++) {
			if (i > 0)
				buf_addstr(b, ", ");
			put_scalar(b, l->v[i], 0, 1);
		}
		buf_addstr(b, "]\n");
		break;
	}
}

int
record_write_buf(const struct record *r, struct buf *b)
{
	size_t	 i, n;
	int	 k;

	if (!strings_valid(r))
		return -1;
	buf_addstr(b, "---\n");
	for (k = 0; k < RK_COUNT; k++)
		put_key(b, r, k);
	for (i = 0; i < r->nextra; i++) {
		put_scalar(b, r->extra[i].key, 0, 0);
		buf_addstr(b, ": ");
		put_value(b, r->extra[i].value, 0);
		buf_addc(b, '\n');
	}
	buf_addstr(b, "---\n");

	/* The body ends with exactly one newline, or is empty. */
	n = r->body != NULL ? r->bodylen : 0;
	while (n > 0 && (r->body[n - 1] == '\n' || r->body[n - 1] == '\r'))
		n--;
	if (n > 0) {
		buf_add(b, r->body, n);
		buf_addc(b, '\n');
	}
	return 0;
}

int
record_write(const struct record *r, char **out, size_t *len)
{
	struct buf	 b;

	buf_init(&b);
	if (record_write_buf(r, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	*out = buf_detach(&b, len);
	return 0;
}
