/*
 * web_record.c — the web view's pages of one thing: a lesson or project
 * (its Markdown rendered by cmark with raw HTML disabled), a municipality
 * (node) and a project with its lessons.
 */
#include <stdlib.h>
#include <string.h>

#include <cmark.h>
#include <git2.h>

#include "keys.h"
#include "node.h"
#include "record.h"
#include "store.h"
#include "util.h"
#include "web_int.h"

/* True for a node id: base58 characters, sensible length. */
static int
nid_ok(const char *s)
{
	static const char b58[] =
	    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	size_t	 n = strlen(s);

	return n >= 32 && n < KEYS_NID_MAX && strspn(s, b58) == n;
}

/* The first hit of q, or -1 after answering 404 (or 500). */
static int
find_one(struct web_req *r, struct search_query *q, struct search_result *res)
{
	if (r->nd->search == NULL) {
		web_error(r, 503, "Der Suchindex ist nicht verfügbar.");
		return -1;
	}
	if (search_run(r->nd->search, q, res, NULL) != 0) {
		web_error(r, 500, "Der Suchindex ist nicht lesbar.");
		return -1;
	}
	if (res->n == 0) {
		search_result_free(res);
		web_error(r, 404, "Diesen Eintrag gibt es hier nicht.");
		return -1;
	}
	return 0;
}

/* A <dd> of a space-separated list, each word labelled and linked to a search. */
static void
dd_list(struct web_req *r, const char *title, const char *facet,
    const char *list)
{
	const char	*p, *e;
	char		*w;
	int		 first = 1;

	if (*list == '\0')
		return;
	evbuffer_add_printf(r->out, "<dt>%s</dt><dd>", title);
	for (p = list; *p != '\0'; p = e) {
		p += strspn(p, " ");
		e = p + strcspn(p, " ");
		if (e == p)
			continue;
		w = xstrndup(p, (size_t)(e - p));
		evbuffer_add_printf(r->out, "%s<a href=\"/suche?%s=", first ?
		    "" : ", ", facet);
		web_urlenc(r->out, w);
		evbuffer_add_printf(r->out, "\">");
		web_esc(r->out, web_label(w));
		evbuffer_add_printf(r->out, "</a>");
		free(w);
		first = 0;
	}
	evbuffer_add_printf(r->out, "</dd>\n");
}

/* The record's metadata as a description list. */
static void
meta_list(struct web_req *r, const struct search_hit *h)
{
	evbuffer_add_printf(r->out, "<dl>\n<dt>Kommune</dt><dd><a href="
	    "\"/kommune/%s\">", h->nid);
	web_esc(r->out, h->node);
	evbuffer_add_printf(r->out, "</a></dd>\n");
	if (*h->project != '\0') {
		evbuffer_add_printf(r->out, "<dt>Projekt</dt><dd><a href="
		    "\"/projekt/%s/", h->nid);
		web_esc(r->out, h->project);
		evbuffer_add_printf(r->out, "\">");
		web_esc(r->out, h->project);
		evbuffer_add_printf(r->out, "</a></dd>\n");
	}
	dd_list(r, "Handlungsfelder", "field", h->fields);
	if (*h->status != '\0')
		evbuffer_add_printf(r->out, "<dt>Status</dt><dd>%s</dd>\n",
		    web_label(h->status));
	dd_list(r, "Hürden", "hurdle", h->hurdles);
	dd_list(r, "Schlagwörter", "tag", h->tags);
	evbuffer_add_printf(r->out, "<dt>Erstellt</dt><dd><time datetime=\"");
	web_esc(r->out, h->created);
	evbuffer_add_printf(r->out, "\">%.10s</time></dd>\n<dt>Geändert</dt>"
	    "<dd><time datetime=\"", h->created);
	web_esc(r->out, h->modified);
	evbuffer_add_printf(r->out, "\">%.10s</time></dd>\n</dl>\n",
	    h->modified);
}

/* Appends the record body at blob, rendered from Markdown (raw HTML off). */
static void
body_html(struct web_req *r, const char *blobhex)
{
	git_oid		 id;
	git_blob	*b = NULL;
	struct record	*rec = NULL;
	char		*html;

	if (git_oid_fromstr(&id, blobhex) != 0 ||
	    git_blob_lookup(&b, store_repo(r->nd->store), &id) != 0 ||
	    record_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	    RECORD_STRICT, &rec, NULL) != 0) {
		evbuffer_add_printf(r->out, "<p>Der Text ist nicht lesbar.</p>\n");
		git_blob_free(b);
		return;
	}
	html = cmark_markdown_to_html(rec->body, rec->bodylen,
	    CMARK_OPT_SAFE | CMARK_OPT_NOBREAKS);
	if (html != NULL)
		evbuffer_add(r->out, html, strlen(html));
	free(html);
	record_free(rec);
	git_blob_free(b);
}

/* GET /lektion/ID[?node=NID]: one lesson or project. */
void
web_page_lesson(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;
	const char		*node = web_param(r, "node");
	const struct search_hit *h;

	if (!record_id_valid(rest) || (node != NULL && !nid_ok(node))) {
		web_error(r, 404, "Diesen Eintrag gibt es nicht.");
		return;
	}
	memset(&q, 0, sizeof q);
	q.id = rest;
	q.node = node;
	q.limit = 1;
	if (find_one(r, &q, &res) != 0)
		return;
	h = &res.v[0];
	web_page_begin(r, h->title);
	evbuffer_add_printf(r->out, "<article>\n<h1>");
	web_esc(r->out, h->title);
	evbuffer_add_printf(r->out, "</h1>\n<p><strong>");
	web_esc(r->out, h->summary);
	evbuffer_add_printf(r->out, "</strong></p>\n");
	meta_list(r, h);
	evbuffer_add_printf(r->out, "<div class=\"text\">\n");
	body_html(r, h->blob);
	evbuffer_add_printf(r->out, "</div>\n</article>\n");
	search_result_free(&res);
	web_page_end(r);
}

/* A list of links to records. */
static void
link_list(struct web_req *r, const struct search_result *res)
{
	size_t	 i;

	evbuffer_add_printf(r->out, "<ul>\n");
	for (i = 0; i < res->n; i++) {
		evbuffer_add_printf(r->out, "<li><a href=\"/lektion/%s?node=%s\">",
		    res->v[i].id, res->v[i].nid);
		web_esc(r->out, res->v[i].title);
		evbuffer_add_printf(r->out, "</a> <span class=\"meta\">(%s, "
		    "%.10s)</span></li>\n", web_label(res->v[i].kind),
		    res->v[i].modified);
	}
	if (res->n == 0)
		evbuffer_add_printf(r->out, "<li>keine</li>\n");
	evbuffer_add_printf(r->out, "</ul>\n");
}

/* Lists kind's records of nid (and project, when given) under a heading. */
static void
section_of(struct web_req *r, const char *title, const char *nid,
    const char *kind, const char *project)
{
	struct search_query	 q;
	struct search_result	 res;

	memset(&q, 0, sizeof q);
	q.node = nid;
	q.kind = kind;
	q.project = project;
	q.limit = SEARCH_MAX_LIMIT;
	if (search_run(r->nd->search, &q, &res, NULL) != 0)
		return;
	evbuffer_add_printf(r->out, "<section><h2>%s (%s%zu)</h2>\n", title,
	    res.more ? "über " : "", res.total);
	link_list(r, &res);
	evbuffer_add_printf(r->out, "</section>\n");
	search_result_free(&res);
}

/* GET /kommune/NID: a municipality's projects and lessons. */
void
web_page_node(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;

	if (!nid_ok(rest)) {
		web_error(r, 404, "Diese Kommune gibt es nicht.");
		return;
	}
	memset(&q, 0, sizeof q);
	q.node = rest;
	q.kind = "node";
	q.limit = 1;
	if (find_one(r, &q, &res) != 0)
		return;
	web_page_begin(r, res.v[0].title);
	evbuffer_add_printf(r->out, "<h1>");
	web_esc(r->out, res.v[0].title);
	evbuffer_add_printf(r->out, "</h1>\n<p class=\"meta\">did:key:%s · "
	    "<a href=\"/feed.atom?node=%s\">Atom-Feed dieser Kommune</a></p>\n",
	    rest, rest);
	section_of(r, "Projekte", rest, "project", NULL);
	section_of(r, "Erfahrungen", rest, "lesson", NULL);
	search_result_free(&res);
	web_page_end(r);
}

/* GET /projekt/NID/SLUG: a project's profile and its lessons. */
void
web_page_project(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;
	const char		*slash = strchr(rest, '/');
	char			*nid;

	if (slash == NULL || !record_slug_valid(slash + 1)) {
		web_error(r, 404, "Dieses Projekt gibt es nicht.");
		return;
	}
	nid = xstrndup(rest, (size_t)(slash - rest));
	if (!nid_ok(nid)) {
		free(nid);
		web_error(r, 404, "Dieses Projekt gibt es nicht.");
		return;
	}
	memset(&q, 0, sizeof q);
	q.node = nid;
	q.project = slash + 1;
	q.limit = 1;
	if (find_one(r, &q, &res) != 0) {
		free(nid);
		return;
	}
	web_page_begin(r, slash + 1);
	evbuffer_add_printf(r->out, "<h1>Projekt ");
	web_esc(r->out, slash + 1);
	evbuffer_add_printf(r->out, "</h1>\n<p class=\"meta\">von <a href="
	    "\"/kommune/%s\">", nid);
	web_esc(r->out, res.v[0].node);
	evbuffer_add_printf(r->out, "</a></p>\n");
	section_of(r, "Projektprofil", nid, "project", slash + 1);
	section_of(r, "Erfahrungen", nid, "lesson", slash + 1);
	search_result_free(&res);
	free(nid);
	web_page_end(r);
}
