/*
 * web_record.c — the web view's pages of one thing: a lesson or project
 * (its Markdown rendered by cmark-gfm with raw HTML disabled, its licence,
 * the signature checked again on the commit that last changed it), a
 * retracted one ("zurückgezogen am …", 410), a municipality (node) and a
 * project with its lessons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "keys.h"
#include "node.h"
#include "record.h"
#include "store.h"
#include "util.h"
#include "web_int.h"

/* The first hit of q, or -1 after answering 404 (or 500). */
static int
find_one(struct web_req *r, struct search_query *q, struct search_result *res)
{
	if (r->nd->search == NULL) {
		web_fail(r, 503, "unavailable", NULL, "Der Suchindex ist nicht "
		    "verfügbar.", "The search index is not available.");
		return -1;
	}
	if (search_run(r->nd->search, q, res, NULL) != 0) {
		if (web_index_down(r))
			return -1;
		web_fail(r, 500, "internal", NULL, "Der Suchindex ist nicht "
		    "lesbar.", "The search index cannot be read.");
		return -1;
	}
	if (res->n == 0) {
		search_result_free(res);
		return 1;
	}
	return 0;
}

/* The record at blob (hex), parsed. NULL when unreadable. Caller frees. */
struct record *
web_record_load(struct node *nd, const char *blobhex)
{
	git_oid		 id;
	git_blob	*b = NULL;
	struct record	*rec = NULL;

	if (git_oid_fromstr(&id, blobhex) != 0 ||
	    git_blob_lookup(&b, store_repo(nd->store), &id) != 0 ||
	    record_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	    RECORD_STRICT, &rec, NULL) != 0)
		rec = NULL;
	git_blob_free(b);
	return rec;
}

/*
 * A <dd> of a space-separated list, each value labelled and linked to a
 * search; a tag shows the written form its record keeps (tag_labels).
 */
static void
dd_list(struct web_req *r, const char *title, const char *facet,
    const char *list, const struct record *rec)
{
	const char	*shown;
	const char	*p = list, *v;
	char		*w, lab[WEB_LABEL_MAX];
	size_t		 n;
	int		 first = 1;

	if (*list == '\0')
		return;
	evbuffer_add_printf(r->out, "<dt>%s</dt><dd>", title);
	while ((v = web_word(&p, &n)) != NULL) {
		w = xstrndup(v, n);
		evbuffer_add_printf(r->out, "%s<a href=\"", first ? "" : ", ");
		web_href(r);
		evbuffer_add_printf(r->out, "/suche?%s=", facet);
		web_urlenc(r->out, w);
		evbuffer_add_printf(r->out, "\">");
		web_tag_label(w, lab);
		shown = strcmp(facet, "tag") != 0 ? web_label(w) :
		    rec != NULL && strcmp(record_tag_label(rec, w), w) != 0 ?
		    record_tag_label(rec, w) : lab;
		web_esc(r->out, shown);
		evbuffer_add_printf(r->out, "</a>");
		free(w);
		first = 0;
	}
	evbuffer_add_printf(r->out, "</dd>\n");
}

/* The licence of a record: its name linked to its text. */
static void
dd_license(struct web_req *r, const char *id)
{
	const struct web_license *l = web_license(id);

	evbuffer_add_printf(r->out, "<dt>Lizenz</dt><dd>");
	if (l == NULL) {
		web_esc(r->out, id != NULL && *id != '\0' ? id : "nicht angegeben");
	} else {
		evbuffer_add_printf(r->out, "<a rel=\"license\" href=\"%s\">",
		    l->url);
		web_esc(r->out, l->name);
		evbuffer_add_printf(r->out, "</a>");
	}
	evbuffer_add_printf(r->out, "</dd>\n");
}

/* The record's metadata as a description list. */
static void
meta_list(struct web_req *r, const struct search_hit *h,
    const struct record *rec)
{
	char	*pt, *role = node_role_of(r->nd, h->nid);

	/* The node's kind as its node.md says: a company is no "Kommune". */
	evbuffer_add_printf(r->out, "<dl class=\"meta-list\">\n<dt>%s</dt>"
	    "<dd><a href=\"", record_role_label(role));
	free(role);
	web_href(r);
	evbuffer_add_printf(r->out, "/kommune/%s\">", h->nid);
	web_esc(r->out, h->node);
	evbuffer_add_printf(r->out, "</a></dd>\n");
	if (*h->project != '\0' && strcmp(h->kind, "lesson") == 0) {
		pt = web_project_title(r, h->nid, h->project);
		evbuffer_add_printf(r->out, "<dt>Projekt</dt><dd><a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/projekt/%s/", h->nid);
		web_esc(r->out, h->project);
		evbuffer_add_printf(r->out, "\">");
		web_esc(r->out, pt);
		evbuffer_add_printf(r->out, "</a></dd>\n");
		free(pt);
	}
	dd_list(r, "Handlungsfelder", "field", h->fields, rec);
	if (*h->status != '\0')
		evbuffer_add_printf(r->out, "<dt>Status</dt><dd>%s</dd>\n",
		    web_label(h->status));
	dd_list(r, "Hürden", "hurdle", h->hurdles, rec);
	dd_list(r, "Schlagwörter", "tag", h->tags, rec);
	evbuffer_add_printf(r->out, "<dt>Erstellt</dt><dd>");
	web_time(r, h->created, 0);
	evbuffer_add_printf(r->out, "</dd>\n<dt>Geändert</dt><dd>");
	web_time(r, h->modified, 0);
	evbuffer_add_printf(r->out, "</dd>\n");
	dd_license(r, rec != NULL ? rec->license : NULL);
	evbuffer_add_printf(r->out, "</dl>\n");
}

/* Finds the last change of nid's path and checks its commit again into *sig. */
static void
sig_check(struct node *nd, const char *nid, const char *path,
    struct web_sig *sig)
{
	git_repository	*repo = store_repo(nd->store);
	struct store_version *v = NULL;
	git_commit	*c = NULL;
	uint64_t	 count = 0;
	size_t		 n = 0;

	memset(sig, 0, sizeof *sig);
	if (store_history(repo, nid, path, NULL, 1, WEB_HISTORY_WALK, &v, &n,
	    NULL) != 0 || n == 0 || git_commit_lookup(&c, repo,
	    &v[0].commit) != 0) {
		free(v);
		return;
	}
	sig->known = 1;
	sig->ok = verify_range(repo, nid, &v[0].commit,
	    git_commit_parentcount(c) > 0 ? git_commit_parent_id(c, 0) : NULL,
	    &count, NULL) == 0;
	git_oid_tostr(sig->commit, sizeof sig->commit, &v[0].commit);
	sig->seq = v[0].seq;
	time_iso((time_t)v[0].time, sig->time);
	git_commit_free(c);
	free(v);
}

/* True when the commits of nid's branch after e->head up to head left path alone. */
static int
sig_still(struct web *w, struct web_sig_entry *e, const char *path,
    const git_oid *head)
{
	git_repository	*repo = store_repo(w->nd->store);
	struct store_version *v = NULL;
	size_t		 n = 1;

	if (git_graph_descendant_of(repo, head, &e->head) != 1 ||
	    store_history(repo, e->nid, path, &e->head, 1, WEB_HISTORY_WALK, &v,
	    &n, NULL) != 0)
		n = 1;
	free(v);
	return n == 0;
}

/*
 * A record's signature box is read on every view of it: the commit that
 * last changed it is found once per version and branch head, and
 * remembered (WEB_SIG_CACHE entries, round robin). A later head needs
 * only the commits since the one remembered.
 */
void
web_signature(struct web *w, const char *nid, const char *path,
    const char *blobhex, struct web_sig *sig)
{
	struct web_sig_entry *e = NULL;
	git_oid		 blob, head;
	uint64_t	 seq;
	size_t		 i;

	if (git_oid_fromstr(&blob, blobhex) != 0 ||
	    store_head(w->nd->store, nid, &head, &seq) != 0) {
		sig_check(w->nd, nid, path, sig);
		return;
	}
	for (i = 0; i < w->nsigs && e == NULL; i++)
		if (git_oid_equal(&w->sigs[i].blob, &blob) &&
		    strcmp(w->sigs[i].nid, nid) == 0)
			e = &w->sigs[i];
	if (e != NULL && (git_oid_equal(&e->head, &head) ||
	    sig_still(w, e, path, &head))) {
		git_oid_cpy(&e->head, &head);
		*sig = e->sig;
		return;
	}
	sig_check(w->nd, nid, path, sig);
	if (e == NULL) {
		e = &w->sigs[w->signext];
		w->signext = (w->signext + 1) % WEB_SIG_CACHE;
		if (w->nsigs < WEB_SIG_CACHE)
			w->nsigs++;
	}
	snprintf(e->nid, sizeof e->nid, "%s", nid);
	git_oid_cpy(&e->blob, &blob);
	git_oid_cpy(&e->head, &head);
	e->sig = *sig;
}

/*
 * "Signatur geprüft": the commit that last changed the record is checked
 * again here (Ed25519 signature of its node, Knowd-Seq, paths), and its
 * signer, commit and date are shown with a link to the history.
 */
static void
proof(struct web_req *r, const struct search_hit *h)
{
	struct web_sig	 sig;
	char		 date[WEB_DATE_MAX];

	web_signature(r->w, h->nid, h->path, h->blob, &sig);
	if (!sig.known) {
		evbuffer_add_printf(r->out, "<p class=\"notice\">Die Signatur "
		    "konnte nicht geprüft werden.</p>\n");
		return;
	}
	web_datetime_de(sig.time, date);
	evbuffer_add_printf(r->out, "<p class=\"%s\"><strong>%s</strong> – "
	    "signiert von <a href=\"", sig.ok ? "proof" : "notice", sig.ok ?
	    "Signatur geprüft" : "Signatur ungültig");
	web_href(r);
	evbuffer_add_printf(r->out, "/kommune/%s\">", h->nid);
	web_esc(r->out, h->node);
	evbuffer_add_printf(r->out, "</a> (<span class=\"id\">did:key:%s</span>), "
	    "Commit <span class=\"id\">%s</span> (Nr. %llu), %s. <a class="
	    "\"noprint\" href=\"", h->nid, sig.commit,
	    (unsigned long long)sig.seq, date);
	web_href(r);
	evbuffer_add_printf(r->out, "/verlauf/%s?node=%s\">Verlauf und "
	    "Änderungen</a></p>\n", h->id, h->nid);
}

/* Print only: where the page comes from and under which licence. */
static void
print_source(struct web_req *r, const struct search_hit *h,
    const struct record *rec)
{
	const struct web_license *l = web_license(rec != NULL ? rec->license :
	    NULL);

	evbuffer_add_printf(r->out, "<p class=\"print-only\">Quelle: ");
	web_esc(r->out, h->node);
	evbuffer_add_printf(r->out, ", ");
	web_href(r);
	evbuffer_add_printf(r->out, "/lektion/%s?node=%s · Lizenz: ", h->id,
	    h->nid);
	web_esc(r->out, l != NULL ? l->name : rec != NULL && rec->license !=
	    NULL ? rec->license : "nicht angegeben");
	if (l != NULL)
		evbuffer_add_printf(r->out, " (%s)", l->url);
	evbuffer_add_printf(r->out, "</p>\n");
}

/* The 410 page of a retracted record: "zurückgezogen am …". */
static void
page_gone(struct web_req *r, const struct search_gone *g)
{
	web_page_begin(r, g->title, g->nid);
	evbuffer_add_printf(r->out, "<h1>");
	web_esc(r->out, g->title);
	evbuffer_add_printf(r->out, "</h1>\n<p class=\"notice\"><strong>"
	    "Zurückgezogen</strong> am ");
	web_time(r, g->when, 0);
	evbuffer_add_printf(r->out, ": ");
	web_esc(r->out, web_node_name(r, g->nid));
	evbuffer_add_printf(r->out, " hat diese Erfahrung zurückgezogen. Sie "
	    "wird hier nicht mehr gezeigt.</p>\n<p><a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/kommune/%s\">Weitere Erfahrungen von ",
	    g->nid);
	web_esc(r->out, web_node_name(r, g->nid));
	evbuffer_add_printf(r->out, "</a> · <a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/suche\">Zur Suche</a></p>\n");
	web_page_end(r, 410);
}

/* A record that is not here: 410 when it was retracted, else 404. */
void
web_record_missing(struct web_req *r, const char *id, const char *nid)
{
	struct search_gone g;

	if (r->nd->search != NULL &&
	    search_gone_find(r->nd->search, id, nid, &g) == 0) {
		if (r->api) {
			char d[WEB_DATE_MAX], *de, *en;

			web_date_de(g.when, d);
			de = xasprintf("Zurückgezogen am %s", d);
			en = xasprintf("Retracted on %.10s", g.when);

			web_fail(r, 410, "retracted", "id", de, en);
			free(de);
			free(en);
		} else
			page_gone(r, &g);
		free(g.id);
		free(g.nid);
		free(g.title);
		free(g.when);
		return;
	}
	web_fail(r, 404, "not_found", "id", "Diesen Eintrag gibt es hier nicht.",
	    "No such record here.");
}

int
web_lookup(struct web_req *r, const char *id, struct search_result *res)
{
	struct search_query	 q;
	const char		*nid;

	memset(res, 0, sizeof *res);
	if (!record_id_valid(id)) {
		web_fail(r, r->api ? 400 : 404, r->api ? "bad_parameter" :
		    "not_found", "id", "id: keine Kennung einer Erfahrung (26 "
		    "Zeichen, ULID)", "id: not a record id (26 characters, ULID)");
		return -1;
	}
	if (web_node_param(r, &nid) != 0)
		return -1;
	memset(&q, 0, sizeof q);
	q.id = id;
	q.node = nid;
	q.limit = 1;
	switch (find_one(r, &q, res)) {
	case 0:
		return 0;
	case 1:
		web_record_missing(r, id, nid);
		break;
	}
	return -1;
}

/* GET /lektion/ID[?node=NID]: one lesson or project. */
void
web_page_lesson(struct web_req *r, const char *rest)
{
	struct search_result	 res;
	const struct search_hit *h;
	struct record		*rec;

	if (web_lookup(r, rest, &res) != 0)
		return;
	h = &res.v[0];
	rec = web_record_load(r->nd, h->blob);
	web_page_begin(r, h->title, h->nid);
	web_lesson_article(r, h, rec, 0);
	record_free(rec);
	search_result_free(&res);
	web_page_end(r, 200);
}

/*
 * A lesson as its page shows it: kind, title, summary, metadata, the
 * signature (not in a preview) and the rendered text. The desk's preview
 * uses this very function, so a preview looks as the published page will.
 */
void
web_lesson_article(struct web_req *r, const struct search_hit *h,
    const struct record *rec, int preview)
{
	char	*html;

	evbuffer_add_printf(r->out, "<article>\n<p class=\"meta\">%s von ",
	    web_label(h->kind));
	web_esc(r->out, h->node);
	evbuffer_add_printf(r->out, "</p>\n<h1>");
	web_esc(r->out, h->title);
	evbuffer_add_printf(r->out, "</h1>\n<p><strong>");
	web_esc(r->out, h->summary);
	evbuffer_add_printf(r->out, "</strong></p>\n");
	meta_list(r, h, rec);
	if (!preview) {
		web_contact_box(r, h);
		proof(r, h);
	}
	evbuffer_add_printf(r->out, "<div class=\"text\">\n");
	html = rec != NULL ? web_markdown(rec->body, rec->bodylen) : NULL;
	if (html != NULL)
		evbuffer_add(r->out, html, strlen(html));
	else
		evbuffer_add_printf(r->out, "<p>Der Text ist nicht lesbar.</p>\n");
	free(html);
	evbuffer_add_printf(r->out, "</div>\n");
	if (!preview)
		print_source(r, h, rec);
	evbuffer_add_printf(r->out, "</article>\n");
}

/* A record list as one space-separated string, as the index keeps it. Caller frees. */
static char *
list_words(const struct record_list *l)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i > 0 ? " " : "", l->v[i]);
	return buf_detach(&b, NULL);
}

/*
 * The desk's preview: a record's text (unpublished, this node's) shown by
 * web_lesson_article as its page will show it. Nothing when it does not
 * parse (the form names the errors).
 */
void
web_lesson_preview(struct web_req *r, const char *text, size_t len)
{
	struct record	*rec = NULL;
	struct search_hit h;
	char		 now[32], *f, *hu, *t;

	if (record_parse(text, len, RECORD_DRAFT, &rec, NULL) != 0)
		return;
	time_iso(time(NULL), now);
	memset(&h, 0, sizeof h);
	h.id = rec->id != NULL ? rec->id : (char *)"";
	h.nid = r->nd->nid;
	h.node = (char *)node_name(r->nd);
	h.kind = (char *)"lesson";
	h.project = rec->project != NULL ? rec->project : (char *)"";
	h.title = rec->title != NULL ? rec->title : (char *)"";
	h.summary = rec->summary != NULL ? rec->summary : (char *)"";
	h.fields = f = list_words(&rec->fields);
	h.status = rec->status != NULL ? rec->status : (char *)"";
	h.hurdles = hu = list_words(&rec->hurdles);
	h.tags = t = list_words(&rec->tags);
	h.created = rec->created != NULL ? rec->created : now;
	h.modified = now;
	evbuffer_add_printf(r->out, "<section class=\"preview\" "
	    "aria-label=\"Vorschau\"><p class=\"notice\">Vorschau: so wird die "
	    "Erfahrung öffentlich aussehen.</p>\n");
	web_lesson_article(r, &h, rec, 1);
	evbuffer_add_printf(r->out, "</section>\n");
	free(f);
	free(hu);
	free(t);
	record_free(rec);
}

/* A list of links to records, projects by their titles. */
static void
link_list(struct web_req *r, const struct search_result *res)
{
	size_t	 i;

	evbuffer_add_printf(r->out, "<ul>\n");
	for (i = 0; i < res->n; i++) {
		evbuffer_add_printf(r->out, "<li><a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/lektion/%s?node=%s\">",
		    res->v[i].id, res->v[i].nid);
		web_esc(r->out, res->v[i].title);
		evbuffer_add_printf(r->out, "</a> <span class=\"meta\">(%s, "
		    "geändert ", web_label(res->v[i].kind));
		web_time(r, res->v[i].modified, 0);
		evbuffer_add_printf(r->out, ")</span></li>\n");
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

/*
 * Why this node keeps nid's lessons: vouched for by whom (linked) and
 * since the date of that vouch record, trusted here, or admitted by hand.
 */
static void
trust_details(struct web_req *r, const char *nid)
{
	const struct trust_entry *t = trust_find(r->nd, nid);
	const struct catalog_entry *v;
	const char	*vname;
	char		*path;

	if (strcmp(nid, r->nd->nid) == 0)
		return;
	evbuffer_add_printf(r->out, "<dt>Vertrauen</dt><dd>");
	if (t == NULL)
		evbuffer_add_printf(r->out, "von Hand zugelassen");
	else if (t->depth == 0)
		evbuffer_add_printf(r->out, "direkt vertraut (knowd.conf)");
	else {
		vname = catalog_node_name(&r->nd->cat, t->voucher);
		path = xasprintf("vouches/%s.md", nid);
		v = catalog_at(&r->nd->cat, t->voucher, path);
		free(path);
		evbuffer_add_printf(r->out, "verbürgt von <a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/kommune/%s\">", t->voucher);
		web_esc(r->out, vname != NULL ? vname : t->voucher);
		evbuffer_add_printf(r->out, "</a>");
		if (v != NULL) {
			evbuffer_add_printf(r->out, " seit ");
			web_time(r, v->created, 0);
		}
	}
	evbuffer_add_printf(r->out, "</dd>\n");
}

/* The municipality's own details from its node.md: kind, AGS, region, website; *desc its description (HTML, or NULL; caller frees). */
static void
node_details(struct web_req *r, const char *blobhex, char **desc)
{
	struct record	*rec = web_record_load(r->nd, blobhex);

	*desc = NULL;
	if (rec == NULL)
		return;
	evbuffer_add_printf(r->out, "<dt>Art</dt><dd>%s</dd>\n",
	    record_role_label(rec->role));
	if (rec->bodylen > 0)
		*desc = web_markdown(rec->body, rec->bodylen);
	if (rec->ags != NULL) {
		evbuffer_add_printf(r->out, "<dt>Amtlicher Gemeindeschlüssel</dt>"
		    "<dd>");
		web_esc(r->out, rec->ags);
		evbuffer_add_printf(r->out, "</dd>\n");
	}
	if (rec->region != NULL) {
		evbuffer_add_printf(r->out, "<dt>Region</dt><dd>");
		web_esc(r->out, rec->region);
		evbuffer_add_printf(r->out, "</dd>\n");
	}
	if (rec->website != NULL && (strncmp(rec->website, "https://", 8) == 0 ||
	    strncmp(rec->website, "http://", 7) == 0)) {
		evbuffer_add_printf(r->out, "<dt>Website</dt><dd><a href=\"");
		web_esc(r->out, rec->website);
		evbuffer_add_printf(r->out, "\">");
		web_esc(r->out, rec->website);
		evbuffer_add_printf(r->out, "</a></dd>\n");
	}
	record_free(rec);
}

/* GET /kommune/NID: a municipality's projects and lessons. */
void
web_page_node(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;
	char			*desc;
	int			 rc;

	if (!web_nid_ok(rest)) {
		web_fail(r, 404, "not_found", NULL, "Diesen Teilnehmer gibt es nicht.",
		    "No such municipality.");
		return;
	}
	memset(&q, 0, sizeof q);
	q.node = rest;
	q.kind = "node";
	q.limit = 1;
	if ((rc = find_one(r, &q, &res)) != 0) {
		if (rc == 1)
			web_fail(r, 404, "not_found", NULL, "Dieser Teilnehmer ist "
			    "hier nicht bekannt.", "No such municipality here.");
		return;
	}
	web_page_begin(r, res.v[0].title, rest);
	evbuffer_add_printf(r->out, "<h1>");
	web_esc(r->out, res.v[0].title);
	evbuffer_add_printf(r->out, "</h1>\n<dl class=\"meta-list\">");
	node_details(r, res.v[0].blob, &desc);
	trust_details(r, rest);
	evbuffer_add_printf(r->out, "<dt>Kennung</dt><dd class=\"id\">did:key:%s"
	    "</dd>\n<dt>Feed</dt><dd><a href=\"", rest);
	web_href(r);
	evbuffer_add_printf(r->out, "/feed.atom?node=%s\">Atom-Feed</a></dd>"
	    "</dl>\n", rest);
	if (desc != NULL) {
		evbuffer_add_printf(r->out, "<div class=\"text\">\n");
		evbuffer_add(r->out, desc, strlen(desc));
		evbuffer_add_printf(r->out, "</div>\n");
	}
	free(desc);
	section_of(r, "Projekte", rest, "project", NULL);
	section_of(r, "Erfahrungen", rest, "lesson", NULL);
	search_result_free(&res);
	web_page_end(r, 200);
}

/* GET /projekt/NID/SLUG: a project's profile and its lessons. */
void
web_page_project(struct web_req *r, const char *rest)
{
	struct search_query	 q;
	struct search_result	 res;
	const char		*slash = strchr(rest, '/');
	char			*nid = NULL, *title;
	int			 rc;

	if (slash == NULL || !record_slug_valid(slash + 1) ||
	    !web_nid_ok((nid = xstrndup(rest, (size_t)(slash - rest))))) {
		free(nid);
		web_fail(r, 404, "not_found", NULL, "Dieses Projekt gibt es "
		    "nicht.", "No such project.");
		return;
	}
	memset(&q, 0, sizeof q);
	q.node = nid;
	q.project = slash + 1;
	q.limit = 1;
	if ((rc = find_one(r, &q, &res)) != 0) {
		if (rc == 1)
			web_fail(r, 404, "not_found", NULL, "Dieses Projekt gibt "
			    "es hier nicht.", "No such project here.");
		free(nid);
		return;
	}
	title = web_project_title(r, nid, slash + 1);
	web_page_begin(r, title, nid);
	evbuffer_add_printf(r->out, "<p class=\"meta\">Projekt von ");
	web_esc(r->out, res.v[0].node);
	evbuffer_add_printf(r->out, "</p>\n<h1>");
	web_esc(r->out, title);
	evbuffer_add_printf(r->out, "</h1>\n");
	section_of(r, "Projektprofil", nid, "project", slash + 1);
	web_contact_project(r, nid, slash + 1);
	section_of(r, "Erfahrungen", nid, "lesson", slash + 1);
	search_result_free(&res);
	free(title);
	free(nid);
	web_page_end(r, 200);
}
