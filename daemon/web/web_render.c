/*
 * web_render.c — a record's Markdown as HTML with Debian's cmark-gfm and
 * its GitHub extensions (tables, autolinks, strikethrough). Raw HTML is
 * never passed through (cmark-gfm's default; CMARK_OPT_UNSAFE is not
 * given), and javascript: links are dropped by the renderer. Tables are
 * wrapped in a scrolling <div> so a wide one cannot widen a narrow screen.
 */
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "util.h"
#include "web_int.h"

#define RENDER_OPTS	(CMARK_OPT_NOBREAKS | CMARK_OPT_VALIDATE_UTF8)

/* Attaches a registered extension by name; 0 when it is missing. */
static int
attach(cmark_parser *p, const char *name)
{
	cmark_syntax_extension *e = cmark_find_syntax_extension(name);

	return e != NULL && cmark_parser_attach_syntax_extension(p, e);
}

/* Copies html, wrapping each <table>…</table> in <div class="tabelle">. Caller frees. */
static char *
wrap_tables(const char *html)
{
	struct buf	 b;
	const char	*p = html, *t;

	buf_init(&b);
	while ((t = strstr(p, "<table")) != NULL) {
		buf_add(&b, p, (size_t)(t - p));
		/* Scrollable on a narrow screen: reachable by keyboard, named. */
		buf_addstr(&b, "<div class=\"tabelle\" tabindex=\"0\" role=\"region\" "
		    "aria-label=\"Tabelle\">");
		if ((p = strstr(t, "</table>")) == NULL) {
			buf_addstr(&b, t);
			return buf_detach(&b, NULL);
		}
		p += strlen("</table>");
		buf_add(&b, t, (size_t)(p - t));
		buf_addstr(&b, "</div>");
	}
	buf_addstr(&b, p);
	return buf_detach(&b, NULL);
}

char *
web_markdown(const char *md, size_t len)
{
	cmark_parser	*p;
	cmark_node	*doc;
	char		*html, *out;

	cmark_gfm_core_extensions_ensure_registered();
	if ((p = cmark_parser_new(RENDER_OPTS)) == NULL)
		return NULL;
	if (!attach(p, "table") || !attach(p, "autolink") ||
	    !attach(p, "strikethrough")) {
		cmark_parser_free(p);
		return NULL;
	}
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	html = doc != NULL ? cmark_render_html(doc, RENDER_OPTS,
	    cmark_parser_get_syntax_extensions(p)) : NULL;
	out = html != NULL ? wrap_tables(html) : NULL;
	free(html);
	if (doc != NULL)
		cmark_node_free(doc);
	cmark_parser_free(p);
	return out;
}
