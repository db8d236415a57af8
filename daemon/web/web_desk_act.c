/*
 * web_desk_act.c — what the desk does with drafts: the overview (drafts
 * waiting, this node's lessons), approval (Freigabe) by a different
 * account, which then signs and publishes (node_publish_as, naming the
 * organisation and the author's unit, never a person), discarding,
 * retraction (approved like an edit, or by an admin at once), a stale
 * edit's side-by-side, and the audit log for admins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "log.h"
#include "node.h"
#include "record.h"
#include "store.h"
#include "util.h"
#include "web_int.h"

#define OVERVIEW_DRAFTS	200	/* drafts the overview lists */
#define OVERVIEW_OWN	500	/* lessons of this node it lists */
#define AUDIT_SHOWN	500

char *
wdesk_held_text(struct wdesk *q, const char *id, char base[48])
{
	const struct catalog_entry *e;
	git_blob	*b = NULL;
	char		*text = NULL;

	if (!record_id_valid(id) ||
	    (e = catalog_find(&q->r->nd->cat, id, q->r->nd->nid, NULL)) == NULL)
		return NULL;
	if (git_blob_lookup(&b, store_repo(q->r->nd->store), &e->blob) == 0 &&
	    git_blob_rawsize(b) <= RECORD_MAX_BYTES) {
		text = xstrndup(git_blob_rawcontent(b),
		    (size_t)git_blob_rawsize(b));
		git_oid_tostr(base, 48, &e->blob);
	}
	git_blob_free(b);
	return text;
}

const char *
wdesk_unit_of(struct wdesk *q, const char *name, char *buf, size_t size)
{
	struct desk_user u;

	if (desk_user_get(q->d, name, &u) != 0 || u.unit[0] == '\0')
		return NULL;
	snprintf(buf, size, "%s", u.unit);
	return buf;
}

int
wdesk_publish(struct wdesk *q, const char *text, const char *base,
    const char *author, char id[64])
{
	struct node_pubopt opt = { base, 0, NULL };
	struct node_result res;
	char		 unit[DESK_UNIT_MAX + 1], *why = NULL, *msg;
	const char	*rid;

	opt.unit = wdesk_unit_of(q, author, unit, sizeof unit);
	if (node_publish_as(q->r->nd, text, strlen(text), &opt, &res,
	    &why) == 0) {
		snprintf(id, 64, "%s", res.id);
		node_result_clear(&res);
		return 0;
	}
	if (res.stale) {
		rid = res.id[0] != '\0' ? res.id : NULL;
		wdesk_stale_page(q, text, rid != NULL ? rid : "",
		    web_form_get(&q->f, "draft") != NULL ?
		    strtoll(web_form_get(&q->f, "draft"), NULL, 10) : 0);
	} else {
		msg = xasprintf("Nicht veröffentlicht: %s", why);
		wdesk_fail(q, res.again ? 503 : 422, msg);
		free(msg);
	}
	free(why);
	node_result_clear(&res);
	return -1;
}

/* One version's text in a column of the side-by-side. */
static void
stale_column(struct wdesk *q, const char *title, const char *text)
{
	evbuffer_add_printf(q->r->out, "<div><h2>%s</h2><pre class=\"diff\">",
	    title);
	web_esc(q->r->out, text != NULL ? text : "(nicht lesbar)");
	evbuffer_add_printf(q->r->out, "</pre></div>\n");
}

void
wdesk_stale_page(struct wdesk *q, const char *mine, const char *id,
    int64_t draft)
{
	char	 base[48], *held = *id != '\0' ? wdesk_held_text(q, id, base) :
	    NULL;

	wdesk_page_begin(q, "Inzwischen geändert");
	evbuffer_add_printf(q->r->out, "<h1>Inzwischen geändert</h1>\n<p "
	    "class=\"notice\" role=\"alert\">Diese Erfahrung wurde "
	    "veröffentlicht, nachdem Ihre Bearbeitung begonnen hat. Damit keine "
	    "Änderung verloren geht, wird Ihre Fassung nicht darüber "
	    "geschrieben.%s Vergleichen Sie beide Fassungen und übernehmen Sie "
	    "Ihre Änderungen in die aktuelle.</p>\n<div class=\"sbs\">",
	    draft > 0 ? " Ihr Entwurf bleibt gespeichert." : "");
	stale_column(q, "Ihre Fassung", mine);
	stale_column(q, "Aktuell veröffentlicht", held);
	evbuffer_add_printf(q->r->out, "</div>\n<p><a href=\"");
	web_href(q->r);
	evbuffer_add_printf(q->r->out, "/redaktion/bearbeiten/");
	web_esc(q->r->out, id);
	evbuffer_add_printf(q->r->out, "\">Aktuelle Fassung bearbeiten</a>");
	if (draft > 0) {
		evbuffer_add_printf(q->r->out, " · <a href=\"");
		web_href(q->r);
		evbuffer_add_printf(q->r->out, "/redaktion/entwurf/%lld\">Zum "
		    "Entwurf</a>", (long long)draft);
	}
	evbuffer_add_printf(q->r->out, "</p>\n");
	free(held);
	wdesk_page_end(q, 409);
}

/* A small POST form with one button (and draft or record as a hidden field). */
static void
button_form(struct wdesk *q, const char *path, const char *key,
    const char *value, const char *label)
{
	evbuffer_add_printf(q->r->out, "<form class=\"inline\" method=\"post\" "
	    "action=\"");
	web_href(q->r);
	evbuffer_add_printf(q->r->out, "%s\">", path);
	wdesk_csrf_field(q);
	evbuffer_add_printf(q->r->out, "<input type=\"hidden\" name=\"%s\" "
	    "value=\"", key);
	web_esc(q->r->out, value);
	evbuffer_add_printf(q->r->out, "\"><button>%s</button></form>\n", label);
}

void
wdesk_draft_actions(struct wdesk *q, const struct desk_draft *dr)
{
	char	 id[32];

	snprintf(id, sizeof id, "%lld", (long long)dr->id);
	evbuffer_add_printf(q->r->out, "<div class=\"actions\">");
	if (!wdesk_may_approve(q))
		evbuffer_add_printf(q->r->out, "<p>Ein Konto mit Freigaberecht "
		    "prüft und veröffentlicht diesen Entwurf.</p>");
	else if (strcmp(dr->author, q->u.name) == 0)
		evbuffer_add_printf(q->r->out, "<p>Eigene Entwürfe gibt ein "
		    "anderes Konto frei (Vier-Augen-Prinzip).</p>");
	else
		button_form(q, "/redaktion/freigeben", "draft", id,
		    dr->kind == DESK_DRAFT_RETRACT ? "Zurückziehen freigeben" :
		    "Freigeben und veröffentlichen");
	if (strcmp(dr->author, q->u.name) == 0 || wdesk_may_approve(q))
		button_form(q, "/redaktion/verwerfen", "draft", id,
		    "Entwurf verwerfen");
	evbuffer_add_printf(q->r->out, "</div>\n");
}

void
wdesk_retract_page(struct wdesk *q, const struct desk_draft *dr)
{
	wdesk_page_begin(q, "Zurückziehen");
	evbuffer_add_printf(q->r->out, "<h1>Zurückziehen: ");
	web_esc(q->r->out, dr->title);
	evbuffer_add_printf(q->r->out, "</h1>\n<p>");
	web_esc(q->r->out, dr->author);
	evbuffer_add_printf(q->r->out, " möchte diese Erfahrung zurückziehen "
	    "(<a href=\"");
	web_href(q->r);
	evbuffer_add_printf(q->r->out, "/lektion/%s\">öffentliche Seite</a>)."
	    "</p>\n", dr->record);
	wdesk_draft_actions(q, dr);
	wdesk_page_end(q, 200);
}

/* The draft a POST names, or -1 after answering 404. */
static int
post_draft(struct wdesk *q, struct desk_draft *dr)
{
	const char	*v = web_form_get(&q->f, "draft");
	char		*end;
	long long	 id = v != NULL ? strtoll(v, &end, 10) : 0;

	memset(dr, 0, sizeof *dr);
	if (v == NULL || *end != '\0' || id <= 0 ||
	    desk_draft_get(q->d, id, dr) != 0) {
		wdesk_fail(q, 404, "Diesen Entwurf gibt es nicht (mehr).");
		return -1;
	}
	return 0;
}

/* Retracts record id for the account, naming author's unit; 0 or -1 after answering. */
static int
do_retract(struct wdesk *q, const char *id, const char *author)
{
	struct node_result res;
	char		 unit[DESK_UNIT_MAX + 1], *why = NULL, *msg;
	int		 rv;

	rv = node_retract_as(q->r->nd, id, wdesk_unit_of(q, author, unit,
	    sizeof unit), &res, &why);
	if (rv != 0) {
		msg = xasprintf("Nicht zurückgezogen: %s", why);
		wdesk_fail(q, res.again ? 503 : 422, msg);
		free(msg);
	}
	free(why);
	node_result_clear(&res);
	return rv;
}

void
wdesk_approve(struct wdesk *q)
{
	struct desk_draft dr;
	char		 id[64], *path;

	if (post_draft(q, &dr) != 0)
		return;
	if (!wdesk_may_approve(q))
		wdesk_fail(q, 403, "Ihr Konto darf nicht freigeben (Rolle "
		    "reviewer oder admin nötig).");
	else if (strcmp(dr.author, q->u.name) == 0)
		wdesk_fail(q, 403, "Eigene Entwürfe kann nur ein anderes Konto "
		    "freigeben (Vier-Augen-Prinzip).");
	else if (dr.kind == DESK_DRAFT_RETRACT) {
		if (do_retract(q, dr.record, dr.author) == 0) {
			desk_draft_delete(q->d, dr.id);
			desk_audit(q->d, q->u.name, "approved", dr.record,
			    dr.author);
			desk_audit(q->d, q->u.name, "retracted", dr.record,
			    dr.title);
			wdesk_redirect(q, "/redaktion/?zurueckgezogen=1");
		}
	} else if (wdesk_publish(q, dr.text, dr.base[0] != '\0' ? dr.base :
	    NULL, dr.author, id) == 0) {
		desk_draft_delete(q->d, dr.id);
		desk_audit(q->d, q->u.name, "approved", id, dr.author);
		desk_audit(q->d, q->u.name, "published", id, dr.title);
		path = xasprintf("/redaktion/?veroeffentlicht=%s", id);
		wdesk_redirect(q, path);
		free(path);
	}
	desk_draft_clear(&dr);
}

void
wdesk_discard(struct wdesk *q)
{
	struct desk_draft dr;

	if (post_draft(q, &dr) != 0)
		return;
	if (strcmp(dr.author, q->u.name) != 0 && !wdesk_may_approve(q))
		wdesk_fail(q, 403, "Diesen Entwurf kann nur sein Autor oder ein "
		    "Konto mit Freigaberecht verwerfen.");
	else {
		desk_draft_delete(q->d, dr.id);
		desk_audit(q->d, q->u.name, "discarded", dr.record, dr.title);
		wdesk_redirect(q, "/redaktion/");
	}
	desk_draft_clear(&dr);
}

void
wdesk_retract(struct wdesk *q)
{
	const char	*id = web_form_get(&q->f, "record");
	const struct catalog_entry *e;
	char		*why = NULL, *path;
	int64_t		 n = 0;

	if (id == NULL || !record_id_valid(id) || (e = catalog_find(
	    &q->r->nd->cat, id, q->r->nd->nid, NULL)) == NULL) {
		wdesk_fail(q, 404, "Diese Erfahrung gibt es auf diesem Knoten "
		    "nicht.");
		return;
	}
	if (q->u.role == DESK_ADMIN || !wdesk_review_required(q)) {
		if (do_retract(q, id, q->u.name) == 0) {
			desk_audit(q->d, q->u.name, "retracted", id, NULL);
			wdesk_redirect(q, "/redaktion/?zurueckgezogen=1");
		}
		return;
	}
	if (desk_draft_save(q->d, &n, DESK_DRAFT_RETRACT, id, NULL, q->u.name,
	    e->title, NULL, time(NULL), &why) != 0) {
		wdesk_fail(q, 500, why);
		free(why);
		return;
	}
	desk_audit(q->d, q->u.name, "retract-asked", id, e->title);
	path = xasprintf("/redaktion/entwurf/%lld", (long long)n);
	wdesk_redirect(q, path);
	free(path);
}

/* The drafts waiting, newest first. */
static void
overview_drafts(struct wdesk *q)
{
	struct desk_draft *v;
	size_t		 i, n;
	char		 iso[32];

	evbuffer_add_printf(q->r->out, "<section><h2>Entwürfe, die auf Freigabe "
	    "warten</h2>\n<ul class=\"drafts\">\n");
	if (desk_draft_list(q->d, OVERVIEW_DRAFTS, &v, &n) != 0)
		n = 0;
	for (i = 0; i < n; i++) {
		evbuffer_add_printf(q->r->out, "<li><a href=\"");
		web_href(q->r);
		evbuffer_add_printf(q->r->out, "/redaktion/entwurf/%lld\">",
		    (long long)v[i].id);
		web_esc(q->r->out, v[i].title[0] != '\0' ? v[i].title :
		    "(ohne Titel)");
		evbuffer_add_printf(q->r->out, "</a> <span class=\"meta\">(%s, "
		    "von ", v[i].kind == DESK_DRAFT_RETRACT ? "Zurückziehen" :
		    v[i].record[0] != '\0' ? "Änderung" : "neu");
		web_esc(q->r->out, v[i].author);
		time_iso(v[i].modified, iso);
		evbuffer_add_printf(q->r->out, ", ");
		web_time(q->r, iso, 1);
		evbuffer_add_printf(q->r->out, ")</span></li>\n");
	}
	if (n == 0)
		evbuffer_add_printf(q->r->out, "<li>keine</li>\n");
	evbuffer_add_printf(q->r->out, "</ul></section>\n");
	desk_drafts_free(v, n);
}

/* This node's lessons, each with links to edit and a button to retract. */
static void
overview_own(struct wdesk *q)
{
	struct search_query	 sq;
	struct search_result	 res;
	size_t			 i;

	memset(&sq, 0, sizeof sq);
	sq.node = q->r->nd->nid;
	sq.kind = "lesson";
	sq.limit = OVERVIEW_OWN;
	evbuffer_add_printf(q->r->out, "<section><h2>Veröffentlichte "
	    "Erfahrungen</h2>\n<ul class=\"own\">\n");
	if (q->r->nd->search == NULL ||
	    search_run(q->r->nd->search, &sq, &res, NULL) != 0)
		memset(&res, 0, sizeof res);
	for (i = 0; i < res.n; i++) {
		evbuffer_add_printf(q->r->out, "<li><a href=\"");
		web_href(q->r);
		evbuffer_add_printf(q->r->out, "/lektion/%s\">", res.v[i].id);
		web_esc(q->r->out, res.v[i].title);
		evbuffer_add_printf(q->r->out, "</a> · <a href=\"");
		web_href(q->r);
		evbuffer_add_printf(q->r->out, "/redaktion/bearbeiten/%s\">"
		    "Bearbeiten</a> ", res.v[i].id);
		button_form(q, "/redaktion/zurueckziehen", "record", res.v[i].id,
		    "Zurückziehen");
		evbuffer_add_printf(q->r->out, "</li>\n");
	}
	if (res.n == 0)
		evbuffer_add_printf(q->r->out, "<li>keine</li>\n");
	evbuffer_add_printf(q->r->out, "</ul></section>\n");
	search_result_free(&res);
}

/* GET /redaktion/: what waits, what is published, and what just happened. */
void
wdesk_overview(struct wdesk *q)
{
	const char	*done = web_param(q->r, "veroeffentlicht");

	wdesk_page_begin(q, "Redaktion");
	evbuffer_add_printf(q->r->out, "<h1>Redaktion</h1>\n");
	if (done != NULL && record_id_valid(done)) {
		evbuffer_add_printf(q->r->out, "<p class=\"proof\" role=\"status\" "
		    "id=\"published\">Veröffentlicht und signiert: <a href=\"");
		web_href(q->r);
		evbuffer_add_printf(q->r->out, "/lektion/%s\">zur öffentlichen "
		    "Seite</a>.</p>\n", done);
	} else if (web_param(q->r, "zurueckgezogen") != NULL)
		evbuffer_add_printf(q->r->out, "<p class=\"proof\" role=\"status\">"
		    "Zurückgezogen.</p>\n");
	evbuffer_add_printf(q->r->out, "<p><a href=\"");
	web_href(q->r);
	evbuffer_add_printf(q->r->out, "/redaktion/neu\">Neue Erfahrung "
	    "schreiben</a></p>\n<p class=\"meta\">%s</p>\n",
	    wdesk_review_required(q) ? "Jede Veröffentlichung gibt ein zweites "
	    "Konto frei." : "Veröffentlichen ist ohne zweite Freigabe möglich.");
	overview_drafts(q);
	overview_own(q);
	wdesk_page_end(q, 200);
}

/* GET /redaktion/protokoll: the audit log (admins only). */
void
wdesk_audit_page(struct wdesk *q)
{
	struct desk_audit_entry *e;
	size_t		 i, n;
	char		 iso[32];

	if (q->u.role != DESK_ADMIN) {
		wdesk_fail(q, 403, "Das Protokoll sehen nur Konten mit der Rolle "
		    "admin.");
		return;
	}
	if (desk_audit_list(q->d, AUDIT_SHOWN, &e, &n) != 0)
		n = 0;
	wdesk_page_begin(q, "Protokoll");
	evbuffer_add_printf(q->r->out, "<h1>Protokoll</h1>\n<p>Wer hat wann "
	    "welchen Eintrag entworfen, freigegeben, veröffentlicht oder "
	    "zurückgezogen (nur auf diesem Knoten gespeichert).</p>\n"
	    "<div class=\"tabelle\"><table><thead><tr><th>Zeit</th><th>Konto"
	    "</th><th>Aktion</th><th>Eintrag</th><th>Details</th></tr></thead>"
	    "<tbody>\n");
	for (i = 0; i < n; i++) {
		time_iso(e[i].t, iso);
		evbuffer_add_printf(q->r->out, "<tr><td>");
		web_time(q->r, iso, 1);
		evbuffer_add_printf(q->r->out, "</td><td>");
		web_esc(q->r->out, e[i].who);
		evbuffer_add_printf(q->r->out, "</td><td>");
		web_esc(q->r->out, e[i].action);
		evbuffer_add_printf(q->r->out, "</td><td class=\"id\">");
		web_esc(q->r->out, e[i].record);
		evbuffer_add_printf(q->r->out, "</td><td>");
		web_esc(q->r->out, e[i].detail);
		evbuffer_add_printf(q->r->out, "</td></tr>\n");
	}
	evbuffer_add_printf(q->r->out, "</tbody></table></div>\n");
	desk_audit_free(e, n);
	wdesk_page_end(q, 200);
}
