/*
 * record_hint.c — a YAML error in the words of the person who wrote it:
 * which line, and what to do there ("Zeile 3: Titel mit Doppelpunkt bitte
 * in Anführungszeichen setzen"). libyaml's own words appear only in the
 * fallback for errors no hint covers.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* The text of file line `line` of the front matter (line 2 is its first); NULL past its end. */
static const char *
line_at(const char *fm, size_t fmlen, size_t line, size_t *len)
{
	const char	*p = fm, *end = fm + fmlen, *nl;
	size_t		 n;

	if (line < 2)
		return NULL;
	for (n = 2; n < line; n++) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', end - p);
	*len = (nl != NULL ? nl : end) - p;
	return p;
}

/* The bytes of the character at column col of the line (length in *n), or NULL. */
static const char *
char_at(const char *s, size_t len, size_t col, int *n)
{
	size_t	 i = 0, c = 0;

	while (i < len && c < col) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	if (i >= len)
		return NULL;
	*n = 1;
	while (i + *n < len && ((unsigned char)s[i + *n] & 0xc0) == 0x80)
		(*n)++;
	return s + i;
}

/* The key a line begins with ("title" of "title: a: b"), or NULL. Caller frees. */
static char *
line_key(const char *s, size_t len)
{
	size_t	 n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");

	if (n == 0 || n > len || n + 1 >= len || s[n] != ':' || s[n + 1] != ' ')
		return NULL;
	return xstrndup(s, n);
}

/* What a person calls the value of key. */
static const char *
key_label(const char *key)
{
	if (key == NULL)
		return _("A value");
	if (strcmp(key, "title") == 0)
		return _("Title");
	if (strcmp(key, "summary") == 0)
		return _("Summary");
	if (strcmp(key, "name") == 0)
		return _("Name");
	if (strcmp(key, "region") == 0)
		return _("Region");
	if (strcmp(key, "project") == 0)
		return _("Project");
	return _("A value");
}

/* The hint for "mapping values are not allowed": a colon and a space inside a plain value. */
static char *
hint_colon(const char *line, size_t len, size_t n)
{
	char	*key, *s;

	if (line != NULL && len > 0 && line[0] == ' ')
		return xasprintf(_("line %zu: the line is indented: an entry "
		    "begins at the start of its line (a text that goes on from "
		    "the line above belongs in quotes)"), n);
	key = line != NULL ? line_key(line, len) : NULL;
	s = xasprintf(_("line %zu: %s with a colon: please put it in quotes, "
	    "like %s: \"…\""), n, key_label(key), key != NULL ? key : "key");
	free(key);
	return s;
}

/* True when the libyaml text s holds word. */
static int
has(const char *s, const char *word)
{
	return s != NULL && strstr(s, word) != NULL;
}

/* The hint for a character that cannot start a token: a tab, or a reserved character. */
static char *
hint_start(const char *line, size_t len, const struct record_yaml_error *e)
{
	const char	*c = NULL;
	int		 n = 0;

	if (line != NULL && e->column != (size_t)-1)
		c = char_at(line, len, e->column, &n);
	if (c == NULL || *c == '\t')
		return xasprintf(_("line %zu: a tab character: please indent "
		    "with spaces only"), e->line);
	return xasprintf(_("line %zu: a value cannot begin with \"%.*s\": "
	    "please put it in quotes"), e->line, n, c);
}

char *
record_yaml_hint(const char *fm, size_t fmlen, const struct record_yaml_error *e)
{
	const char	*line, *pr = e->problem, *cx = e->context;
	size_t		 len = 0;

	line = line_at(fm, fmlen, e->line, &len);
	if (has(pr, "mapping values are not allowed"))
		return hint_colon(line, len, e->line);
	if (has(pr, "tab"))
		return xasprintf(_("line %zu: a tab character: please indent "
		    "with spaces only"), e->line);
	if (has(pr, "cannot start any token"))
		return hint_start(line, len, e);
	if (has(pr, "could not find expected ':'"))
		return xasprintf(_("line %zu: the colon after the key is missing "
		    "(key: value); a long text goes on in the next line, indented "
		    "by two spaces"), e->ctxline);
	if (has(cx, "quoted scalar") && has(pr, "end of stream"))
		return xasprintf(_("line %zu: a quotation mark is not closed: "
		    "please add the closing one"), e->ctxline);
	if (has(pr, "unknown escape character"))
		return xasprintf(_("line %zu: a backslash (\\) in double quotes: "
		    "write \\\\ or use single quotes '…'"), e->line);
	if (has(cx, "flow sequence") || has(cx, "flow mapping") ||
	    has(pr, "',' or ']'") || has(pr, "',' or '}'"))
		return xasprintf(_("line %zu: a list is not closed: please write "
		    "it as [a, b] with commas and a closing bracket"), e->ctxline);
	if (has(pr, "did not find expected key"))
		return xasprintf(_("line %zu: each entry begins a line as "
		    "key: value (check the indentation, and that quoted text ends "
		    "with its closing quotation mark)"), e->line);
	if (has(pr, "block sequence entries are not allowed"))
		return xasprintf(_("line %zu: a list item \"- \" is not allowed "
		    "here: indent the list under its key, or write it as [a, b]"),
		    e->line);
	if (has(pr, "tag") || has(pr, "alphabetic or numeric") ||
	    has(cx, "anchor") || has(cx, "alias") || has(cx, "tag"))
		return xasprintf(_("line %zu: a value beginning with !, & or * "
		    "must be in quotes"), e->line);
	if (has(pr, "expected node content"))
		return xasprintf(_("line %zu: a value is missing or begins with a "
		    "special character: please put it in quotes"), e->line);
	if (has(pr, "control characters") || has(pr, "invalid"))
		return xasprintf(_("line %zu: control characters in the text: "
		    "please remove them"), e->line);
	return xasprintf(_("line %zu: the front matter cannot be read here "
	    "(%s): please check colons, indentation and quotes in this line"),
	    e->line, pr != NULL ? pr : "?");
}
