/*
 * web_api.c — machine interfaces of the web view: /api/v1/lessons (JSON
 * search with the same parameters as the search page) and /feed.atom (new
 * and changed lessons, retracted ones as RFC 6721 deleted entries; per
 * municipality with ?node=, per Handlungsfeld with ?field=).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "record.h"
#include "util.h"
#include "web_int.h"

#define FEED_ENTRIES	50

/* Appends s as a JSON string; highlight marks become »…«, other controls \uXXXX. */
static void
json_str(struct evbuffer *b, const char *s)
{
	unsigned char	 c;

	evbuffer_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == SEARCH_HL_ON)
			evbuffer_add_printf(b, "»");
		else if (c == SEARCH_HL_OFF)
			evbuffer_add_printf(b, "«");
		else if (c == '"' || c == '\\')
			evbuffer_add_printf(b, "\\%c", c);
		else if (c == '\n')
			evbuffer_add(b, "\\n", 2);
		else if (c < 0x20 || c == 0x7f)
			evbuffer_add_printf(b, "\\u%04x", c);
		else if (c == '<')
			evbuffer_add(b, "\\u003c", 6);	/* never "</script" */
		else
			evbuffer_add(b, s, 1);
	}
	evbuffer_add(b, "\"", 1);
}

/* Appends "key":"value". */
static void
json_kv(struct evbuffer *b, const char *key, const char *v, int comma)
{
	evbuffer_add_printf(b, "%s\"%s\":", comma ? "," : "", key);
	json_str(b, v);
}

/* Appends "key":[words of a space-separated list]. */
static void
json_words(struct evbuffer *b, const char *key, const char *list)
{
	const char	*p, *e;
	char		*w;
	int		 first = 1;

	evbuffer_add_printf(b, ",\"%s\":[", key);
	for (p = list; *p != '\0'; p = e) {
		p += strspn(p, " ");
		e = p + strcspn(p, " ");
		if (e == p)
			continue;
		w = xstrndup(p, (size_t)(e - p));
		if (!first)
			evbuffer_add(b, ",", 1);
		json_str(b, w);
		free(w);
		first = 0;
	}
	evbuffer_add(b, "]", 1);
}

/* Appends one hit as a JSON object. */
static void
json_hit(struct web_req *r, const struct search_hit *h)
{
	struct evbuffer *b = r->out;

	evbuffer_add(b, "{", 1);
	json_kv(b, "id", h->id, 0);
	json_kv(b, "kind", h->kind, 1);
	evbuffer_add_printf(b, ",\"node\":\"did:key:%s\"", h->nid);
	json_kv(b, "node_name", h->node, 1);
	json_kv(b, "project", h->project, 1);
	json_kv(b, "title", h->title, 1);
	json_kv(b, "summary", h->summary, 1);
	json_words(b, "fields", h->fields);
	json_kv(b, "status", h->status, 1);
	json_words(b, "hurdles", h->hurdles);
	json_words(b, "tags", h->tags);
	json_kv(b, "created", h->created, 1);
	json_kv(b, "modified", h->modified, 1);
	evbuffer_add_printf(b, ",\"url\":\"%s/lektion/%s?node=%s\"",
	    r->w->base, h->id, h->nid);
	json_kv(b, "snippet", h->snippet, 1);
	evbuffer_add_printf(b, ",\"score\":%.4f}", h->score);
}

/* GET /api/v1/lessons?q=…&field=…: search results as JSON. */
void
web_api_lessons(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;
	char			*why = NULL;
	size_t			 i;

	if (web_query(r, &q) != 0)
		return;
	if (q.kind == NULL)
		q.kind = "lesson";
	if (search_run(r->nd->search, &q, &res, &why) != 0) {
		web_error(r, 400, why);
		free(why);
		return;
	}
	evbuffer_add_printf(r->out, "{\"total\":%zu,\"total_exact\":%s,"
	    "\"offset\":%zu,\"count\":%zu,\"lessons\":[", res.total,
	    res.more ? "false" : "true", q.offset, res.n);
	for (i = 0; i < res.n; i++) {
		if (i > 0)
			evbuffer_add(r->out, ",", 1);
		json_hit(r, &res.v[i]);
	}
	evbuffer_add_printf(r->out, "]}\n");
	search_result_free(&res);
	web_send(r, 200, "application/json; charset=utf-8");
}

/* Appends one Atom entry for a hit. */
static void
atom_entry(struct web_req *r, const struct search_hit *h)
{
	const char	*p, *e;
	char		*w;

	evbuffer_add_printf(r->out, "<entry>\n<id>urn:knowd:%s:%s</id>\n"
	    "<title>", h->nid, h->id);
	web_esc(r->out, h->title);
	evbuffer_add_printf(r->out, "</title>\n<link rel=\"alternate\" "
	    "type=\"text/html\" href=\"%s/lektion/%s?node=%s\"/>\n<published>",
	    r->w->base, h->id, h->nid);
	web_esc(r->out, h->created);
	evbuffer_add_printf(r->out, "</published>\n<updated>");
	web_esc(r->out, h->modified);
	evbuffer_add_printf(r->out, "</updated>\n<author><name>");
	web_esc(r->out, h->node);
	evbuffer_add_printf(r->out, "</name></author>\n");
	for (p = h->fields; *p != '\0'; p = e) {
		p += strspn(p, " ");
		e = p + strcspn(p, " ");
		if (e == p)
			continue;
		w = xstrndup(p, (size_t)(e - p));
		evbuffer_add_printf(r->out, "<category term=\"");
		web_esc(r->out, w);
		evbuffer_add_printf(r->out, "\" label=\"");
		web_esc(r->out, web_label(w));
		evbuffer_add_printf(r->out, "\"/>\n");
		free(w);
	}
	evbuffer_add_printf(r->out, "<summary>");
	web_esc(r->out, h->summary);
	evbuffer_add_printf(r->out, "</summary>\n</entry>\n");
}

/* Appends the RFC 6721 deleted entries of the feed. */
static void
atom_deleted(struct web_req *r, const char *nid, const char *field)
{
	struct search_gone *g = NULL;
	size_t	 n = 0, i;

	if (search_retracted(r->nd->search, nid, field, FEED_ENTRIES, &g, &n,
	    NULL) != 0)
		return;
	for (i = 0; i < n; i++) {
		evbuffer_add_printf(r->out, "<at:deleted-entry ref=\"urn:knowd:"
		    "%s:%s\" when=\"", g[i].nid, g[i].id);
		web_esc(r->out, g[i].when);
		evbuffer_add_printf(r->out, "\"><at:comment>zurückgezogen: ");
		web_esc(r->out, g[i].title);
		evbuffer_add_printf(r->out, "</at:comment></at:deleted-entry>\n");
	}
	search_gone_free(g, n);
}

/* Appends the feed's head: title, id, self link, updated. */
static void
atom_head(struct web_req *r, const char *nid, const char *field,
    const char *updated)
{
	evbuffer_add_printf(r->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:at="
	    "\"http://purl.org/atompub/tombstones/1.0\">\n<title>Erfahrungen");
	if (field != NULL) {
		evbuffer_add_printf(r->out, " – ");
		web_esc(r->out, web_label(field));
	}
	evbuffer_add_printf(r->out, " – ");
	web_esc(r->out, node_name(r->nd));
	evbuffer_add_printf(r->out, "</title>\n<id>urn:knowd:feed:%s:%s:%s</id>\n"
	    "<link rel=\"self\" href=\"%s/feed.atom", r->nd->nid,
	    nid != NULL ? nid : "", field != NULL ? field : "", r->w->base);
	if (nid != NULL || field != NULL)
		evbuffer_add_printf(r->out, "?%s%s%s%s%s", nid != NULL ? "node=" :
		    "", nid != NULL ? nid : "", nid != NULL && field != NULL ?
		    "&amp;" : "", field != NULL ? "field=" : "",
		    field != NULL ? field : "");
	evbuffer_add_printf(r->out, "\"/>\n<link rel=\"alternate\" type="
	    "\"text/html\" href=\"%s/\"/>\n<updated>", r->w->base);
	web_esc(r->out, updated);
	evbuffer_add_printf(r->out, "</updated>\n<author><name>");
	web_esc(r->out, node_name(r->nd));
	evbuffer_add_printf(r->out, "</name></author>\n<generator>knowd"
	    "</generator>\n");
}

/* GET /feed.atom[?node=NID][&field=F]: new and changed lessons, retracted ones. */
void
web_feed_atom(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;
	const char		*node = web_param(r, "node"), *nid = NULL;
	char			 now[32];
	size_t			 i;

	memset(&q, 0, sizeof q);
	q.field = web_param(r, "field");
	q.kind = "lesson";
	q.limit = FEED_ENTRIES;
	if (node != NULL) {
		nid = strncmp(node, "did:key:", 8) == 0 ? node + 8 : node;
		if (strlen(nid) > 64 || strspn(nid, "123456789ABCDEFGHJKLMNPQRS"
		    "TUVWXYZabcdefghijkmnopqrstuvwxyz") != strlen(nid)) {
			web_error(r, 400, "node: keine Knoten-ID");
			return;
		}
	}
	q.node = nid;
	if (r->nd->search == NULL || search_run(r->nd->search, &q, &res,
	    NULL) != 0) {
		web_error(r, q.field != NULL ? 400 : 503, "Feed nicht verfügbar "
		    "(unbekanntes Handlungsfeld?)");
		return;
	}
	time_iso(time(NULL), now);
	atom_head(r, nid, q.field, res.n > 0 ? res.v[0].modified : now);
	for (i = 0; i < res.n; i++)
		atom_entry(r, &res.v[i]);
	atom_deleted(r, nid, q.field);
	evbuffer_add_printf(r->out, "</feed>\n");
	search_result_free(&res);
	web_send(r, 200, "application/atom+xml; charset=utf-8");
}
