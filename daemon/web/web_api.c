/*
 * web_api.c — machine interfaces of the web view: /api/v1/lessons (JSON
 * search with the same parameters as the search page), /api/v1/lessons/ID
 * (one record: front matter, Markdown, rendered HTML, signature) and
 * /feed.atom (new and changed lessons, retracted ones as RFC 6721 deleted
 * entries; per municipality with ?node=, per Handlungsfeld with ?field=).
 * Every link is built from the request's base (web.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "record.h"
#include "util.h"
#include "web.h"
#include "web_int.h"

#define FEED_ENTRIES	50

/* Appends ,"key":[…] of a record list. */
static void
json_list(struct evbuffer *b, const char *key, const struct record_list *l)
{
	size_t	 i;

	evbuffer_add_printf(b, ",\"%s\":[", key);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			evbuffer_add(b, ",", 1);
		web_json_str(b, l->v[i]);
	}
	evbuffer_add(b, "]", 1);
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
		if (web_index_down(r)) {
			free(why);
			return;
		}
		web_fail(r, 400, "bad_parameter", NULL, "Die Suche ist ungültig.",
		    why);
		free(why);
		return;
	}
	evbuffer_add_printf(r->out, "{\"total\":%zu,\"total_exact\":%s,"
	    "\"offset\":%zu,\"count\":%zu,\"unmatched\":[", res.total,
	    res.more ? "false" : "true", q.offset, res.n);
	for (i = 0; i < res.nunmatched; i++) {
		if (i > 0)
			evbuffer_add(r->out, ",", 1);
		web_json_str(r->out, res.unmatched[i]);
	}
	evbuffer_add_printf(r->out, "],\"suggestion\":");
	if (res.suggest != NULL)
		web_json_str(r->out, res.suggest);
	else
		evbuffer_add_printf(r->out, "null");
	evbuffer_add_printf(r->out, ",\"lessons\":[");
	for (i = 0; i < res.n; i++) {
		if (i > 0)
			evbuffer_add(r->out, ",", 1);
		web_json_hit(r->out, r->base, &res.v[i]);
	}
	evbuffer_add_printf(r->out, "]}\n");
	search_result_free(&res);
	web_send(r, 200, "application/json; charset=utf-8");
}

/* Appends the "signature" object of a record. */
static void
json_signature(struct web_req *r, const struct search_hit *h)
{
	struct web_sig	 sig;

	web_signature(r->w, h->nid, h->path, h->blob, &sig);
	evbuffer_add_printf(r->out, ",\"signature\":{\"verified\":%s,"
	    "\"signer\":\"did:key:%s\"", sig.ok ? "true" : "false", h->nid);
	if (sig.known)
		evbuffer_add_printf(r->out, ",\"commit\":\"%s\",\"seq\":%llu,"
		    "\"time\":\"%s\"", sig.commit, sig.seq, sig.time);
	evbuffer_add_printf(r->out, "}");
}

/* Appends the front matter of rec that the search hit does not carry. */
static void
json_record(struct web_req *r, const struct search_hit *h,
    const struct record *rec)
{
	const struct web_license *l = web_license(rec->license);
	char	*pt = web_project_title(r, h->nid, h->project), *u;

	web_json_kv(r->out, "project_title", pt, 1);
	free(pt);
	json_list(r->out, "related", &rec->related);
	web_json_kv(r->out, "language", rec->language, 1);
	web_json_kv(r->out, "license", rec->license, 1);
	web_json_kv(r->out, "license_name", l != NULL ? l->name : "", 1);
	web_json_kv(r->out, "license_url", l != NULL ? l->url : "", 1);
	u = xasprintf("%s/verlauf/%s?node=%s", r->base, h->id, h->nid);
	web_json_kv(r->out, "history_url", u, 1);
	free(u);
	evbuffer_add_printf(r->out, ",\"body\":");
	web_json_str(r->out, rec->body);
	u = web_markdown(rec->body, rec->bodylen);
	web_json_kv(r->out, "html", u, 1);
	free(u);
	json_signature(r, h);
	web_json_contact(r, h);
}

/* GET /api/v1/lessons/ID[?node=NID]: one lesson or project as JSON. */
void
web_api_lesson(struct web_req *r, const char *rest)
{
	struct search_result	 res;
	struct record		*rec;
	struct evbuffer		*hit;

	if (web_lookup(r, rest, &res) != 0)
		return;
	if ((rec = web_record_load(r->nd, res.v[0].blob)) == NULL) {
		search_result_free(&res);
		web_fail(r, 500, "internal", NULL, "Der Eintrag ist nicht lesbar.",
		    "The record cannot be read.");
		return;
	}
	/* The hit's fields, then the rest of the record in the same object. */
	hit = evbuffer_new();
	web_json_hit(hit, r->base, &res.v[0]);
	evbuffer_remove_buffer(hit, r->out, evbuffer_get_length(hit) - 1);
	evbuffer_free(hit);
	json_record(r, &res.v[0], rec);
	evbuffer_add_printf(r->out, "}\n");
	record_free(rec);
	search_result_free(&res);
	web_send(r, 200, "application/json; charset=utf-8");
}

/* Appends one Atom entry for a hit; with full, its text as HTML content. */
static void
atom_entry(struct node *nd, const char *base, const struct search_hit *h,
    int full, struct evbuffer *out)
{
	const char	*p = h->fields, *v;
	struct record	*rec;
	char		*w, *html;
	size_t		 n;

	evbuffer_add_printf(out, "<entry>\n<id>urn:knowd:%s:%s</id>\n<title>",
	    h->nid, h->id);
	web_esc(out, h->title);
	evbuffer_add_printf(out, "</title>\n<link rel=\"alternate\" type=\"text/"
	    "html\" href=\"");
	web_esc(out, base);
	evbuffer_add_printf(out, "/lektion/%s?node=%s\"/>\n<published>", h->id,
	    h->nid);
	web_esc(out, h->created);
	evbuffer_add_printf(out, "</published>\n<updated>");
	web_esc(out, h->modified);
	evbuffer_add_printf(out, "</updated>\n<author><name>");
	web_esc(out, h->node);
	evbuffer_add_printf(out, "</name></author>\n");
	while ((v = web_word(&p, &n)) != NULL) {
		w = xstrndup(v, n);
		evbuffer_add_printf(out, "<category term=\"");
		web_esc(out, w);
		evbuffer_add_printf(out, "\" label=\"");
		web_esc(out, web_label(w));
		evbuffer_add_printf(out, "\"/>\n");
		free(w);
	}
	evbuffer_add_printf(out, "<summary>");
	web_esc(out, h->summary);
	evbuffer_add_printf(out, "</summary>\n");
	if (full && (rec = web_record_load(nd, h->blob)) != NULL) {
		if ((html = web_markdown(rec->body, rec->bodylen)) != NULL) {
			evbuffer_add_printf(out, "<content type=\"html\">");
			web_esc(out, html);
			evbuffer_add_printf(out, "</content>\n");
		}
		if (rec->license != NULL) {
			evbuffer_add_printf(out, "<rights>");
			web_esc(out, web_license(rec->license) != NULL ?
			    web_license(rec->license)->name : rec->license);
			evbuffer_add_printf(out, "</rights>\n");
		}
		free(html);
		record_free(rec);
	}
	evbuffer_add_printf(out, "</entry>\n");
}

/* Appends the RFC 6721 deleted entries of the feed. */
static void
atom_deleted(struct node *nd, const char *nid, const char *field,
    struct evbuffer *out)
{
	struct search_gone *g = NULL;
	size_t	 n = 0, i;

	if (search_retracted(nd->search, nid, field, FEED_ENTRIES, &g, &n,
	    NULL) != 0)
		return;
	for (i = 0; i < n; i++) {
		evbuffer_add_printf(out, "<at:deleted-entry ref=\"urn:knowd:"
		    "%s:%s\" when=\"", g[i].nid, g[i].id);
		web_esc(out, g[i].when);
		evbuffer_add_printf(out, "\"><at:comment>zurückgezogen: ");
		web_esc(out, g[i].title);
		evbuffer_add_printf(out, "</at:comment></at:deleted-entry>\n");
	}
	search_gone_free(g, n);
}

/* Appends the feed's head: title, id, self link, updated. */
static void
atom_head(struct node *nd, const char *base, const char *nid,
    const char *field, const char *updated, struct evbuffer *out)
{
	evbuffer_add_printf(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:at="
	    "\"http://purl.org/atompub/tombstones/1.0\">\n<title>Erfahrungen");
	if (field != NULL) {
		evbuffer_add_printf(out, " – ");
		web_esc(out, web_label(field));
	}
	evbuffer_add_printf(out, " – ");
	web_esc(out, nid != NULL && node_name_of(nd, nid) != NULL ?
	    node_name_of(nd, nid) : node_name(nd));
	evbuffer_add_printf(out, "</title>\n<id>urn:knowd:feed:%s:%s:%s</id>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" href=\"",
	    nd->nid, nid != NULL ? nid : "", field != NULL ? field : "");
	web_esc(out, base);
	evbuffer_add_printf(out, "/feed.atom");
	if (nid != NULL || field != NULL)
		evbuffer_add_printf(out, "?%s%s%s%s%s", nid != NULL ? "node=" : "",
		    nid != NULL ? nid : "", nid != NULL && field != NULL ?
		    "&amp;" : "", field != NULL ? "field=" : "",
		    field != NULL ? field : "");
	evbuffer_add_printf(out, "\"/>\n<link rel=\"alternate\" type="
	    "\"text/html\" href=\"");
	web_esc(out, base);
	evbuffer_add_printf(out, "/\"/>\n<updated>");
	web_esc(out, updated);
	evbuffer_add_printf(out, "</updated>\n<author><name>");
	web_esc(out, node_name(nd));
	evbuffer_add_printf(out, "</name></author>\n<generator>knowd"
	    "</generator>\n");
}

int
web_atom(struct node *nd, const char *base, const char *nid,
    const char *field, size_t limit, int full, struct evbuffer *out)
{
	struct search_query	 q;
	struct search_result	 res;
	char			 now[32];
	size_t			 i;

	memset(&q, 0, sizeof q);
	q.field = field;
	q.kind = "lesson";
	q.node = nid;
	q.limit = limit != 0 ? limit : SEARCH_MAX_LIMIT;
	if (nd->search == NULL || search_run(nd->search, &q, &res, NULL) != 0)
		return -1;
	time_iso(time(NULL), now);
	atom_head(nd, base, nid, field, res.n > 0 ? res.v[0].modified : now,
	    out);
	for (;;) {
		for (i = 0; i < res.n; i++)
			atom_entry(nd, base, &res.v[i], full, out);
		/* Without a limit, every lesson: page on through the index. */
		if (limit != 0 || res.n < q.limit || q.offset >= 1000000)
			break;
		if (evbuffer_get_length(out) > WEB_EXPORT_MAX) {
			search_result_free(&res);
			return -1;
		}
		q.offset += q.limit;
		search_result_free(&res);
		if (search_run(nd->search, &q, &res, NULL) != 0)
			return -1;
	}
	search_result_free(&res);
	atom_deleted(nd, nid, field, out);
	evbuffer_add_printf(out, "</feed>\n");
	return 0;
}

/* GET /feed.atom[?node=NID][&field=F]: new and changed lessons, retracted ones. */
void
web_feed_atom(struct web_req *r, const char *rest)
{
	const char	*nid, *field = web_param(r, "field");
	struct search_query q;

	memset(&q, 0, sizeof q);
	q.field = field;
	if (web_node_param(r, &nid) != 0)
		return;
	if (field != NULL && search_query_check(&q, NULL) != 0) {
		web_fail(r, 400, "bad_parameter", "field", "field: kein "
		    "Handlungsfeld (z. B. energie-umwelt, mobilitaet)", "field: "
		    "not a Handlungsfeld");
		return;
	}
	if (web_atom(r->nd, r->base, nid, field, FEED_ENTRIES, 0, r->out) != 0) {
		web_fail(r, 503, "unavailable", NULL, "Der Feed ist nicht "
		    "verfügbar.", "The feed is not available.");
		return;
	}
	web_send(r, 200, "application/atom+xml; charset=utf-8");
}
