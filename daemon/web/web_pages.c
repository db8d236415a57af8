/*
 * web_pages.c — the web view's HTML pages (German): start page with recent
 * lessons and facet counts, search with filters, lesson, municipality and
 * project pages. Semantic HTML5, no JavaScript, no external assets; every
 * string from a record or a request goes through web_esc, and record bodies
 * are rendered by cmark-gfm with raw HTML disabled. A search says which
 * of its words found nothing and offers the index's spelling of them.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "keys.h"
#include "node.h"
#include "record.h"
#include "util.h"
#include "web_int.h"

/* A <select> of a vocabulary with its label; cur is preselected. */
static void
form_select(struct web_req *r, const char *name, const char *label,
    const char *const *vocab, const char *cur)
{
	evbuffer_add_printf(r->out, "<div><label for=\"f-%s\">%s</label>"
	    "<select id=\"f-%s\" name=\"%s\"><option value=\"\">alle</option>",
	    name, label, name, name);
	for (; *vocab != NULL; vocab++) {
		evbuffer_add_printf(r->out, "<option value=\"%s\"%s>", *vocab,
		    cur != NULL && strcmp(cur, *vocab) == 0 ? " selected" : "");
		web_esc(r->out, web_label(*vocab));
		evbuffer_add_printf(r->out, "</option>");
	}
	evbuffer_add_printf(r->out, "</select></div>\n");
}

/* The search form, filled with the current query. */
static void
search_form(struct web_req *r, const struct search_query *q)
{
	struct search_count *c = NULL;
	size_t	 n = 0, i;

	evbuffer_add_printf(r->out, "<form method=\"get\" action=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/suche\" "
	    "role=\"search\" aria-label=\"Erfahrungen durchsuchen\">\n<div>"
	    "<label for=\"q\">Suchbegriffe</label><input id=\"q\" name=\"q\" "
	    "type=\"search\" size=\"30\" maxlength=\"1024\" value=\"");
	web_esc(r->out, q != NULL && q->q != NULL ? q->q : "");
	evbuffer_add_printf(r->out, "\"></div>\n");
	form_select(r, "field", "Handlungsfeld", record_fields,
	    q != NULL ? q->field : NULL);
	form_select(r, "status", "Status", record_statuses,
	    q != NULL ? q->status : NULL);
	form_select(r, "hurdle", "Hürde", record_hurdles,
	    q != NULL ? q->hurdle : NULL);
	evbuffer_add_printf(r->out, "<div><label for=\"f-node\">Kommune</label>"
	    "<select id=\"f-node\" name=\"node\"><option value=\"\">alle"
	    "</option>");
	if (r->nd->search != NULL)
		search_facet(r->nd->search, "node", &c, &n, NULL);
	for (i = 0; i < n; i++) {
		evbuffer_add_printf(r->out, "<option value=\"%s\"%s>",
		    c[i].value, q != NULL && q->node != NULL &&
		    strcmp(q->node, c[i].value) == 0 ? " selected" : "");
		web_esc(r->out, c[i].label);
		evbuffer_add_printf(r->out, "</option>");
	}
	search_counts_free(c, n);
	evbuffer_add_printf(r->out, "</select></div>\n<div><button type=\"submit\">"
	    "Suchen</button></div>\n</form>\n");
}

/* The link to a record's page. */
static void
record_href(struct web_req *r, const struct search_hit *h)
{
	web_href(r);
	evbuffer_add_printf(r->out, "/lektion/%s?node=%s", h->id, h->nid);
}

/* A list of hits with title, node, status and snippet. */
static void
hit_list(struct web_req *r, const struct search_result *res)
{
	const struct search_hit *h;
	size_t	 i;

	evbuffer_add_printf(r->out, "<ol class=\"hits\">\n");
	for (i = 0; i < res->n; i++) {
		h = &res->v[i];
		evbuffer_add_printf(r->out, "<li><article><h3><a href=\"");
		record_href(r, h);
		evbuffer_add_printf(r->out, "\">");
		web_esc(r->out, h->title);
		evbuffer_add_printf(r->out, "</a></h3><p class=\"meta\">%s · ",
		    web_label(h->kind));
		web_esc(r->out, h->node);
		if (*h->status != '\0')
			evbuffer_add_printf(r->out, " · %s", web_label(h->status));
		evbuffer_add_printf(r->out, " · geändert ");
		web_time(r, h->modified, 0);
		evbuffer_add_printf(r->out, "</p><p>");
		web_esc(r->out, h->snippet);
		evbuffer_add_printf(r->out, "</p></article></li>\n");
	}
	evbuffer_add_printf(r->out, "</ol>\n");
}

/* One facet's counts as links to the search. */
static void
facet_block(struct web_req *r, const char *facet, const char *title)
{
	struct search_count *c = NULL;
	size_t	 n = 0, i;

	if (search_facet(r->nd->search, facet, &c, &n, NULL) != 0)
		return;
	evbuffer_add_printf(r->out, "<section><h3>%s</h3><ul>\n", title);
	for (i = 0; i < n; i++) {
		evbuffer_add_printf(r->out, "<li><a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/suche?%s=", facet);
		web_urlenc(r->out, c[i].value);
		evbuffer_add_printf(r->out, "\">");
		web_esc(r->out, strcmp(facet, "node") == 0 ? c[i].label :
		    web_label(c[i].value));
		evbuffer_add_printf(r->out, "</a> (%zu)</li>\n", c[i].n);
	}
	evbuffer_add_printf(r->out, "</ul></section>\n");
	search_counts_free(c, n);
}

/* GET /: recent lessons and facet counts. */
void
web_page_start(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;

	if (r->nd->search == NULL) {
		web_fail(r, 503, "unavailable", NULL, "Der Suchindex ist nicht "
		    "verfügbar.", "The search index is not available.");
		return;
	}
	memset(&q, 0, sizeof q);
	q.kind = "lesson";
	q.limit = 10;
	if (search_run(r->nd->search, &q, &res, NULL) != 0) {
		if (web_index_down(r))
			return;
		web_fail(r, 500, "internal", NULL, "Der Suchindex ist nicht "
		    "lesbar.", "The search index cannot be read.");
		return;
	}
	web_page_begin(r, "Erfahrungen der Kommunen", NULL);
	evbuffer_add_printf(r->out, "<h1>Erfahrungen der Kommunen</h1>\n");
	search_form(r, NULL);
	evbuffer_add_printf(r->out, "<section aria-labelledby=\"neu\"><h2 "
	    "id=\"neu\">Neueste Erfahrungen</h2>\n");
	hit_list(r, &res);
	evbuffer_add_printf(r->out, "</section>\n<section aria-labelledby="
	    "\"ueber\"><h2 id=\"ueber\">Überblick</h2><div class=\"facets\">\n");
	facet_block(r, "field", "Handlungsfeld");
	facet_block(r, "status", "Status");
	facet_block(r, "hurdle", "Hürde");
	facet_block(r, "node", "Kommune");
	evbuffer_add_printf(r->out, "</div></section>\n");
	search_result_free(&res);
	web_page_end(r, 200);
}

/* Links to the previous and next page of results. */
static void
pager(struct web_req *r, const struct search_query *q, size_t total)
{
	static const char *const keys[] = { "q", "field", "status", "hurdle",
	    "node", "project", "tag", "since", "kind", NULL };
	size_t	 i, at[2];
	int	 k, show[2];

	show[0] = q->offset > 0;
	show[1] = q->offset + q->limit < total;
	at[0] = q->offset > q->limit ? q->offset - q->limit : 0;
	at[1] = q->offset + q->limit;
	if (!show[0] && !show[1])
		return;
	evbuffer_add_printf(r->out, "<nav aria-label=\"Seiten\"><p>");
	for (k = 0; k < 2; k++) {
		if (!show[k])
			continue;
		evbuffer_add_printf(r->out, "<a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/suche?offset=%zu", at[k]);
		for (i = 0; keys[i] != NULL; i++) {
			if (web_param(r, keys[i]) == NULL)
				continue;
			evbuffer_add_printf(r->out, "&amp;%s=", keys[i]);
			web_urlenc(r->out, web_param(r, keys[i]));
		}
		evbuffer_add_printf(r->out, "\">%s</a> ", k == 0 ? "Zurück" :
		    "Weiter");
	}
	evbuffer_add_printf(r->out, "</p></nav>\n");
}

/* What the words found: those that found nothing, a spelling the index knows. */
static void
search_notes(struct web_req *r, const struct search_query *q,
    const struct search_result *res)
{
	size_t	 i;

	if (res->nunmatched > 0) {
		evbuffer_add_printf(r->out, "<p class=\"notice\">Nicht gefunden: ");
		for (i = 0; i < res->nunmatched; i++) {
			evbuffer_add_printf(r->out, "%s<strong>", i > 0 ? ", " : "");
			web_esc(r->out, res->unmatched[i]);
			evbuffer_add_printf(r->out, "</strong>");
		}
		evbuffer_add_printf(r->out, " – %s.</p>\n", res->nunmatched == 1 ?
		    "dieses Wort kommt in keiner Erfahrung vor" :
		    "diese Wörter kommen in keiner Erfahrung vor");
	} else if (res->any && res->n > 0)
		evbuffer_add_printf(r->out, "<p class=\"notice\">Keine Erfahrung "
		    "enthält alle Wörter; gezeigt werden Erfahrungen mit einem "
		    "von ihnen.</p>\n");
	if (res->suggest != NULL) {
		evbuffer_add_printf(r->out, "<p>Meinten Sie <a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/suche?q=");
		web_urlenc(r->out, res->suggest);
		evbuffer_add_printf(r->out, "\">");
		web_esc(r->out, res->suggest);
		evbuffer_add_printf(r->out, "</a>?</p>\n");
	}
}

/* GET /suche: results of a query with filters. */
void
web_page_search(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;
	char			*why = NULL;

	if (web_query(r, &q) != 0)
		return;
	if (search_run(r->nd->search, &q, &res, &why) != 0) {
		if (web_index_down(r)) {
			free(why);
			return;
		}
		web_fail(r, 400, "bad_parameter", NULL, "Die Suche ist ungültig.",
		    why);
		free(why);
		return;
	}
	web_page_begin(r, q.q != NULL ? q.q : "Suche", NULL);
	evbuffer_add_printf(r->out, "<h1>Suche</h1>\n");
	search_form(r, &q);
	/* German digit grouping: 10.000. */
	evbuffer_add_printf(r->out, "<section aria-labelledby=\"treffer\">"
	    "<h2 id=\"treffer\">");
	if (res.total == 0)
		evbuffer_add_printf(r->out, "Keine Treffer");
	else if (res.total >= 1000)
		evbuffer_add_printf(r->out, "%s%zu.%03zu Treffer", res.more ?
		    "Mehr als " : "", res.total / 1000, res.total % 1000);
	else
		evbuffer_add_printf(r->out, "%zu Treffer", res.total);
	evbuffer_add_printf(r->out, "</h2>\n");
	search_notes(r, &q, &res);
	if (res.n == 0)
		evbuffer_add_printf(r->out, "<p>Keine Erfahrung passt. Weniger "
		    "Wörter oder Filter finden mehr.</p>\n");
	else
		hit_list(r, &res);
	pager(r, &q, res.total);
	evbuffer_add_printf(r->out, "</section>\n");
	search_result_free(&res);
	web_page_end(r, 200);
}
