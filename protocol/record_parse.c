/* record_parse.c — reads a record: front matter split, libyaml events, values into the schema. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/*
 * One parse. Errors that leave the YAML unreadable (syntax, limits) are
 * fatal: fatal holds the one message and reading stops. All others are
 * appended to errs and reading goes on, so every violation is reported.
 */
struct parser {
	yaml_parser_t	 yaml;
	const char	*fm;		/* the front matter text */
	size_t		 fmlen;
	struct buf	*errs;
	char		*fatal;
	const char	*key;		/* the top-level key being read, for messages */
	char		*keyshow;	/* that key as messages show it */
	size_t		 nodes;
	struct record	*r;
	unsigned	 seen;		/* known keys met */
	unsigned	 skip;		/* known keys with an error already */
	int		 kind_known;
};

/* Where the front matter and the body are in the file. */
struct parts {
	const char	*fm;
	size_t		 fmlen;
	const char	*body;
	size_t		 bodylen;
};

/* Records a fatal error (the first one wins); returns -1. */
static int __attribute__((format(printf, 2, 3)))
fatal(struct parser *p, const char *fmt, ...)
{
	va_list	 ap;

	if (p->fatal == NULL) {
		va_start(ap, fmt);
		p->fatal = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* If a line "---" starts at pos, the offset just past its line end; else 0. */
static size_t
delim_at(const char *buf, size_t len, size_t pos)
{
	if (len - pos < 3 || memcmp(buf + pos, "---", 3) != 0)
		return 0;
	pos += 3;
	if (pos == len)
		return pos;
	if (buf[pos] == '\n')
		return pos + 1;
	if (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')
		return pos + 2;
	return 0;
}

/* Finds the front matter between the first two lines "---"; NULL, or why not. */
static const char *
split(const char *buf, size_t len, struct parts *pt)
{
	const char	*nl;
	size_t		 start, pos, end;

	if ((start = delim_at(buf, len, 0)) == 0)
		return _("front matter: missing (the file must begin with a line ---)");
	for (pos = start; pos < len; pos = nl - buf + 1) {
		if ((end = delim_at(buf, len, pos)) != 0) {
			pt->fm = buf + start;
			pt->fmlen = pos - start;
			pt->body = buf + end;
			pt->bodylen = len - end;
			return NULL;
		}
		if ((nl = memchr(buf + pos, '\n', len - pos)) == NULL)
			break;
	}
	return _("front matter: not terminated (no closing line ---)");
}

/* The file line of a libyaml error; the front matter starts on line 2. */
static size_t
error_line(struct parser *p)
{
	size_t	 i, line = 0;

	if (p->yaml.error != YAML_READER_ERROR)
		return p->yaml.problem_mark.line + 2;
	for (i = 0; i < p->yaml.problem_offset && i < p->fmlen; i++) {
		if (p->fm[i] == '\n')
			line++;
	}
	return line + 2;
}

/* Reads the next event; a syntax error is fatal, with what to do about it. */
static int
next_event(struct parser *p, yaml_event_t *ev)
{
	struct record_yaml_error e;
	char	*hint;

	if (yaml_parser_parse(&p->yaml, ev))
		return 0;
	e.line = error_line(p);
	e.column = p->yaml.error == YAML_READER_ERROR ? (size_t)-1 :
	    p->yaml.problem_mark.column;
	e.ctxline = p->yaml.context != NULL ? p->yaml.context_mark.line + 2 :
	    e.line;
	e.problem = p->yaml.problem;
	e.context = p->yaml.context;
	hint = record_yaml_hint(p->fm, p->fmlen, &e);
	fatal(p, "%s", hint);
	free(hint);
	return -1;
}

/* Appends an error about the key being read. */
static void __attribute__((format(printf, 2, 3)))
key_error(struct parser *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(p->errs, "%s: %s\n", p->key, msg);
	free(msg);
}

/* Rejects anchors and tags on a node: no aliases to expand, only plain YAML types. */
static void
check_props(struct parser *p, const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL)
		key_error(p, "%s", _("YAML anchors (&name) are not allowed"));
	if (tag != NULL)
		key_error(p, "%s", _("YAML tags (!name) are not allowed"));
}

/* Fills v from a scalar event. An empty plain scalar is null and kept as "~". */
static void
scalar(struct parser *p, struct record_value *v, const yaml_event_t *ev, int flow)
{
	const char	*s = (const char *)ev->data.scalar.value;
	size_t		 n = ev->data.scalar.length;
	int		 plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

	check_props(p, ev->data.scalar.anchor, ev->data.scalar.tag);
	v->type = RECORD_SCALAR;
	if (!utf8_valid(s, n)) {
		key_error(p, "%s", _("a value holds a NUL character or invalid UTF-8"));
		s = "", n = 0;
	} else if (plain && n == 0)
		s = "~", n = 1;
	v->s = xstrndup(s, n);
	v->untyped = plain && record_scalar_typed(v->s) &&
	    record_plain_ok(v->s, flow);
}

/* Reports duplicate, long or non-scalar keys in a nested mapping. */
static void
check_map(struct parser *p, const struct record_value *v)
{
	const struct record_value *a, *b;
	size_t	 i, j;

	for (i = 0; i + 1 < v->n; i += 2) {
		a = v->v[i];
		if (a->type != RECORD_SCALAR) {
			key_error(p, "%s", _("keys of a mapping must be single values"));
			continue;
		}
		if (strlen(a->s) > RECORD_MAX_KEY)
			key_error(p, _("a key longer than %d bytes"), RECORD_MAX_KEY);
		for (j = 0; j < i; j += 2) {
			b = v->v[j];
			if (b->type == RECORD_SCALAR && b->untyped == a->untyped &&
			    strcmp(a->s, b->s) == 0) {
				key_error(p, "%s", _("duplicate key in a mapping"));
				break;
			}
		}
	}
}

/*
 * Reads the node whose first event is ev (consumed) into *out, which the
 * caller frees even on failure. depth is 1 for a top-level key or value.
 */
static int
parse_node(struct parser *p, yaml_event_t *ev, int depth,
    struct record_value **out)
{
	struct record_value	*v;
	yaml_event_type_t	 end;

	*out = v = xcalloc(1, sizeof *v);
	v->type = RECORD_SCALAR;
	if (++p->nodes > RECORD_MAX_NODES || depth > RECORD_MAX_DEPTH) {
		yaml_event_delete(ev);
		if (depth > RECORD_MAX_DEPTH)
			return fatal(p, _("%s: nested deeper than %d levels"),
			    p->key, RECORD_MAX_DEPTH);
		return fatal(p, _("%s: more than %d YAML nodes in the front matter"),
		    p->key, RECORD_MAX_NODES);
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		key_error(p, "%s", _("YAML aliases (*name) are not allowed"));
		v->s = xstrdup("~");
		yaml_event_delete(ev);
		return 0;
	case YAML_SCALAR_EVENT:
		scalar(p, v, ev, depth > 1);
		yaml_event_delete(ev);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		check_props(p, ev->data.sequence_start.anchor,
		    ev->data.sequence_start.tag);
		v->type = RECORD_SEQ;
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		check_props(p, ev->data.mapping_start.anchor,
		    ev->data.mapping_start.tag);
		v->type = RECORD_MAP;
		end = YAML_MAPPING_END_EVENT;
		break;
	default:
		yaml_event_delete(ev);
		return fatal(p, _("%s: unexpected YAML structure"), p->key);
	}
	yaml_event_delete(ev);
	for (;;) {
		if (next_event(p, ev) == -1)
			return -1;
		if (ev->type == end)
			break;
		v->v = xreallocarray(v->v, v->n + 1, sizeof *v->v);
		v->v[v->n] = NULL;
		if (parse_node(p, ev, depth + 1, &v->v[v->n++]) == -1)
			return -1;
	}
	yaml_event_delete(ev);
	if (v->type == RECORD_MAP)
		check_map(p, v);
	return 0;
}

/* True for a plain null (~, null): a known key with it counts as absent. */
static int
is_null(const struct record_value *v)
{
	return v->type == RECORD_SCALAR && v->untyped && (strcmp(v->s, "~") == 0 ||
	    strcmp(v->s, "null") == 0 || strcmp(v->s, "Null") == 0 ||
	    strcmp(v->s, "NULL") == 0);
}

/* Moves a list value into a known list key; errors name the key. */
static void
take_list(struct parser *p, enum record_key k, struct record_value *v)
{
	struct record_list	*l = record_key_list(p->r, k);
	size_t			 i;

	if (v->type != RECORD_SEQ) {
		key_error(p, "%s", v->type == RECORD_MAP ?
		    _("expected a list like [a, b], not a mapping") :
		    _("expected a list like [a, b], not a single value"));
		p->skip |= RK_BIT(k);
		return;
	}
	for (i = 0; i < v->n; i++) {
		if (v->v[i]->type != RECORD_SCALAR) {
			key_error(p, "%s", _("list items must be single values, "
			    "not lists or mappings"));
			p->skip |= RK_BIT(k);
			return;
		}
	}
	l->v = xreallocarray(NULL, v->n, sizeof *l->v);
	for (i = 0; i < v->n; i++) {
		l->v[i] = v->v[i]->s;
		v->v[i]->s = NULL;
	}
	l->n = v->n;
}

/* Stores the value of a known key. */
static void
take_known(struct parser *p, enum record_key k, struct record_value *v)
{
	if (p->seen & RK_BIT(k)) {
		key_error(p, "%s", _("duplicate key"));
		p->skip |= RK_BIT(k);
		return;
	}
	p->seen |= RK_BIT(k);
	if (record_keys[k].type == RECORD_KEY_LIST) {
		take_list(p, k, v);
		return;
	}
	if (v->type != RECORD_SCALAR) {
		key_error(p, "%s", v->type == RECORD_MAP ?
		    _("expected text, not a mapping") :
		    _("expected text, not a list"));
		p->skip |= RK_BIT(k);
	} else if (record_keys[k].type == RECORD_KEY_KIND) {
		if (record_kind_lookup(v->s, &p->r->kind) == 0)
			p->kind_known = 1;
		else {
			buf_addstr(p->errs, "kind: ");
			record_msg_quote(p->errs, v->s);
			buf_addstr(p->errs, _(" is not one of lesson, project, "
			    "node, vouch, erasure\n"));
		}
	} else if (!is_null(v)) {
		*record_key_str(p->r, k) = v->s;
		v->s = NULL;
	}
}

/* Stores the value of an unknown key (taking v), unless the key is there already. */
static int
take_extra(struct parser *p, const char *key, struct record_value *v)
{
	struct record	*r = p->r;
	size_t		 i;

	for (i = 0; i < r->nextra; i++) {
		if (strcmp(r->extra[i].key, key) == 0) {
			key_error(p, "%s", _("duplicate key"));
			return -1;
		}
	}
	r->extra = xreallocarray(r->extra, r->nextra + 1, sizeof *r->extra);
	r->extra[r->nextra].key = xstrdup(key);
	r->extra[r->nextra++].value = v;
	return 0;
}

/* Reads one key (its first event is ev) and its value from the top mapping. */
static int
parse_pair(struct parser *p, yaml_event_t *ev)
{
	struct record_value	*kv = NULL, *v = NULL;
	const char		*key = NULL;
	int			 k, rc = -1;

	p->key = "front matter";
	if (parse_node(p, ev, 1, &kv) == -1)
		goto out;
	if (kv->type != RECORD_SCALAR)
		key_error(p, "%s", _("keys must be single values"));
	else if (kv->s[0] == '\0' || strlen(kv->s) > RECORD_MAX_KEY)
		key_error(p, _("a key is empty or longer than %d bytes"),
		    RECORD_MAX_KEY);
	else {
		key = kv->s;
		p->key = p->keyshow = record_msg_key(key);
	}
	if (next_event(p, ev) == -1 || parse_node(p, ev, 1, &v) == -1)
		goto out;
	rc = 0;
	if (key == NULL)
		goto out;
	if ((k = record_key_lookup(key)) != -1)
		take_known(p, k, v);
	else if (take_extra(p, key, v) == 0)
		v = NULL;
out:
	p->key = "front matter";
	free(p->keyshow);
	p->keyshow = NULL;
	record_value_free(kv);
	record_value_free(v);
	return rc;
}

/* Expects the next event to be of the given type; otherwise fatal. */
static int
expect(struct parser *p, yaml_event_t *ev, yaml_event_type_t type,
    const char *msg)
{
	if (next_event(p, ev) == -1)
		return -1;
	if (ev->type != type) {
		yaml_event_delete(ev);
		return fatal(p, _("front matter: %s"), _(msg));
	}
	if (type == YAML_MAPPING_START_EVENT)
		check_props(p, ev->data.mapping_start.anchor,
		    ev->data.mapping_start.tag);
	yaml_event_delete(ev);
	return 0;
}

/* Reads the front matter: one document holding one mapping. */
static void
parse_front(struct parser *p)
{
	yaml_event_t	 ev;

	if (expect(p, &ev, YAML_STREAM_START_EVENT, N_("not YAML")) == -1 ||
	    expect(p, &ev, YAML_DOCUMENT_START_EVENT, N_("empty (it needs at "
	    "least kind)")) == -1 ||
	    expect(p, &ev, YAML_MAPPING_START_EVENT, N_("must be keys with "
	    "values (a YAML mapping)")) == -1)
		return;
	for (;;) {
		if (next_event(p, &ev) == -1)
			return;
		if (ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (parse_pair(p, &ev) == -1)
			return;
	}
	yaml_event_delete(&ev);
	if (expect(p, &ev, YAML_DOCUMENT_END_EVENT, N_("more than one value")) ==
	    -1 || expect(p, &ev, YAML_STREAM_END_EVENT, N_("more than one YAML "
	    "document")) == -1)
		return;
	if (!(p->seen & RK_BIT(RK_KIND)))
		buf_addstr(p->errs, _("kind: missing (one of lesson, project, "
		    "node, vouch, erasure)\n"));
}

/* Sets the body to a copy of s[0..n) ending in exactly one newline (or empty). */
static void
set_body(struct record *r, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	r->body = xmalloc(n + 2);
	memcpy(r->body, s, n);
	if (n > 0)
		r->body[n++] = '\n';
	r->body[n] = '\0';
	r->bodylen = n;
}

/* Checks size and encoding, then finds the parts; -1 with one message. */
static int
precheck(const char *buf, size_t len, struct parts *pt, char **cause)
{
	const char	*why;

	memset(pt, 0, sizeof *pt);
	why = split(buf, len, pt);
	if (len > RECORD_MAX_BYTES) {
		if (why == NULL && pt->bodylen > RECORD_MAX_BYTES / 2)
			return set_cause(cause, _("body: %zu bytes is too large (at "
			    "most %d bytes for the whole record)"), pt->bodylen,
			    RECORD_MAX_BYTES);
		return set_cause(cause, _("record: %zu bytes is too large (at most "
		    "%d bytes)"), len, RECORD_MAX_BYTES);
	}
	if (memchr(buf, '\0', len) != NULL)
		return set_cause(cause, "%s", _("record: holds a NUL byte (not a "
		    "text file)"));
	if (!utf8_valid(buf, len))
		return set_cause(cause, "%s", _("record: not valid UTF-8 text (save "
		    "it as UTF-8)"));
	if (why != NULL)
		return set_cause(cause, "%s", why);
	return 0;
}

/* Reads the front matter into r; returns the fatal message or NULL. Caller frees. */
static char *
read_front(struct record *r, const struct parts *pt, struct buf *errs,
    unsigned *skip, int *kind_known)
{
	struct parser	 p;

	memset(&p, 0, sizeof p);
	p.fm = pt->fm;
	p.fmlen = pt->fmlen;
	p.errs = errs;
	p.key = "front matter";
	p.r = r;
	if (!yaml_parser_initialize(&p.yaml))
		return xstrdup(_("front matter: out of memory"));
	yaml_parser_set_input_string(&p.yaml, (const unsigned char *)pt->fm,
	    pt->fmlen);
	yaml_parser_set_encoding(&p.yaml, YAML_UTF8_ENCODING);
	parse_front(&p);
	yaml_parser_delete(&p.yaml);
	*skip = p.skip;
	*kind_known = p.kind_known;
	return p.fatal;
}

int
record_parse(const char *buf, size_t len, enum record_mode mode,
    struct record **out, char **cause)
{
	struct record	*r;
	struct parts	 pt;
	struct buf	 errs;
	char		*why;
	unsigned	 skip = 0;
	int		 kind_known = 0;

	/* A byte-order mark some editors write before the first ---. */
	if (mode == RECORD_DRAFT && len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3, len -= 3;
	if (precheck(buf, len, &pt, cause) == -1)
		return -1;
	r = xcalloc(1, sizeof *r);
	buf_init(&errs);
	if ((why = read_front(r, &pt, &errs, &skip, &kind_known)) != NULL) {
		buf_free(&errs);
		record_free(r);
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return -1;
	}
	set_body(r, pt.body, pt.bodylen);
	if (mode == RECORD_DRAFT)
		record_friendly(r);
	record_check(r, mode, kind_known, skip, &errs);
	if (record_errs_done(&errs, cause) != 0) {
		record_free(r);
		return -1;
	}
	*out = r;
	return 0;
}
