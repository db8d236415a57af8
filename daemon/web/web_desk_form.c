/*
 * web_desk_form.c — the desk's lesson form: the guiding questions as
 * sections, Handlungsfelder and hurdles as checkboxes, status as a select,
 * tags as free text (written into the record as typed; the record parser
 * derives slugs), errors in German next to their field, and a preview
 * rendered by the public lesson page's own function (web_record.c's
 * web_lesson_preview). No JavaScript.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "conf.h"
#include "node.h"
#include "personal.h"
#include "record.h"
#include "store.h"
#include "util.h"
#include "web_int.h"

#define NSECT		9		/* guiding questions (record_template.c) */
#define MAX_ERRS	16

static const struct {
	const char	*head, *question;
} sections[NSECT] = {
	{ "Ausgangslage", "Wie ist Ihre Stadt in den Prozess gestartet?" },
	{ "Rahmenbedingungen", "Welche Rahmenbedingungen waren vorhanden?" },
	{ "Hürden", "Welche Hürden mussten genommen werden?" },
	{ "Ziele", "Welche Ziele wurden formuliert?" },
	{ "Verankerung", "Wo ist der Prozess strategisch, organisatorisch und "
	  "operativ angesiedelt?" },
	{ "Kommunikation", "Wie wird verwaltungsintern und -extern "
	  "kommuniziert?" },
	{ "Akteure", "Welche Akteure wurden wann mit eingebunden?" },
	{ "Nächste Schritte", "Wie sind die nächsten Schritte?" },
	{ "Erkenntnisse", "Was würden Sie anderen Kommunen raten, was würden "
	  "Sie heute anders machen?" },
};

/* The form's values, each owned; sec[NSECT] is "Weiteres" (other headings). */
struct lform {
	char		*title, *project, *summary, *status, *tags;
	char		*sec[NSECT + 1];
	struct record_list fields, hurdles;
	char		 record[32], base[48];
	int64_t		 draft;
	struct {
		const char	*field;
		char		*msg;
	}		 err[MAX_ERRS];
	size_t		 nerr;
};

/* Frees everything the form holds. */
static void
lf_clear(struct lform *lf)
{
	size_t	 i;

	free(lf->title);
	free(lf->project);
	free(lf->summary);
	free(lf->status);
	free(lf->tags);
	for (i = 0; i <= NSECT; i++)
		free(lf->sec[i]);
	strv_free(lf->fields.v, lf->fields.n);
	strv_free(lf->hurdles.v, lf->hurdles.n);
	for (i = 0; i < lf->nerr; i++)
		free(lf->err[i].msg);
	memset(lf, 0, sizeof *lf);
}

/* Notes an error for field (NULL: the whole form). */
static void
lf_err(struct lform *lf, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
lf_err(struct lform *lf, const char *field, const char *fmt, ...)
{
	va_list	 ap;

	if (lf->nerr == MAX_ERRS)
		return;
	va_start(ap, fmt);
	lf->err[lf->nerr].field = field;
	lf->err[lf->nerr++].msg = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Appends text to *s (a new string when NULL). */
static void
str_append(char **s, const char *text, size_t n)
{
	size_t	 old = *s != NULL ? strlen(*s) : 0;

	*s = xreallocarray(*s, old + n + 1, 1);
	memcpy(*s + old, text, n);
	(*s)[old + n] = '\0';
}

/* Trims leading and trailing blank lines and spaces in place. */
static void
trim_text(char *s)
{
	size_t	 n, k = 0;

	if (s == NULL)
		return;
	n = strlen(s);
	while (n > 0 && strchr(" \t\n", s[n - 1]) != NULL)
		s[--n] = '\0';
	while (s[k] == '\n' || s[k] == ' ' || s[k] == '\t')
		k++;
	memmove(s, s + k, n - k + 1);
}

/* The index of a "## Heading" line's guiding question, or -1. */
static int
section_of(const char *line, size_t n)
{
	size_t	 i;

	if (n < 4 || strncmp(line, "## ", 3) != 0)
		return -1;
	for (i = 0; i < NSECT; i++)
		if (n - 3 == strlen(sections[i].head) &&
		    strncmp(line + 3, sections[i].head, n - 3) == 0)
			return (int)i;
	return -1;
}

/* Splits a body into the guiding questions' sections; the rest goes to "Weiteres". */
static void
lf_split_body(struct lform *lf, const char *body)
{
	const char	*p = body, *nl;
	size_t		 n;
	int		 cur = NSECT, k;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if ((k = section_of(p, n)) >= 0)
			cur = k;
		else {
			if (n >= 3 && strncmp(p, "## ", 3) == 0)
				cur = NSECT;
			str_append(&lf->sec[cur], p, n);
			str_append(&lf->sec[cur], "\n", 1);
		}
		p += n + (nl != NULL);
	}
	for (k = 0; k <= NSECT; k++)
		trim_text(lf->sec[k]);
}

/* Joins a list with sep into a new string. */
static char *
list_join(const struct record_list *l, const char *sep)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i > 0 ? sep : "", l->v[i]);
	return buf_detach(&b, NULL);
}

/* Fills the form from a record. */
static void
lf_from_record(struct lform *lf, const struct record *rec)
{
	size_t	 i;

	lf->title = xstrdup(rec->title != NULL ? rec->title : "");
	lf->project = xstrdup(rec->project != NULL ? rec->project : "");
	lf->summary = xstrdup(rec->summary != NULL ? rec->summary : "");
	lf->status = xstrdup(rec->status != NULL ? rec->status : "");
	lf->tags = list_join(&rec->tags, ", ");
	for (i = 0; i < rec->fields.n; i++)
		strv_push(&lf->fields.v, &lf->fields.n, rec->fields.v[i]);
	for (i = 0; i < rec->hurdles.n; i++)
		strv_push(&lf->hurdles.v, &lf->hurdles.n, rec->hurdles.v[i]);
	lf_split_body(lf, rec->body);
}

/* A form value, trimmed, as a new string ("" when absent). */
static char *
form_str(const struct web_form *f, const char *key)
{
	const char	*v = web_form_get(f, key);
	char		*s = xstrdup(v != NULL ? v : "");

	trim_text(s);
	return s;
}

/* Fills the form from a POST. */
static void
lf_from_form(struct lform *lf, const struct web_form *f)
{
	const char	*v;
	char		 key[8];
	size_t		 it, i;

	lf->title = form_str(f, "title");
	lf->project = form_str(f, "project");
	lf->summary = form_str(f, "summary");
	lf->status = form_str(f, "status");
	lf->tags = form_str(f, "tags");
	for (i = 0; i <= NSECT; i++) {
		snprintf(key, sizeof key, "s%zu", i);
		lf->sec[i] = form_str(f, key);
	}
	for (it = 0; (v = web_form_next(f, "field", &it)) != NULL &&
	    lf->fields.n < RECORD_MAX_LIST;)
		strv_push(&lf->fields.v, &lf->fields.n, v);
	for (it = 0; (v = web_form_next(f, "hurdle", &it)) != NULL &&
	    lf->hurdles.n < RECORD_MAX_LIST;)
		strv_push(&lf->hurdles.v, &lf->hurdles.n, v);
	if ((v = web_form_get(f, "record")) != NULL && record_id_valid(v))
		snprintf(lf->record, sizeof lf->record, "%s", v);
	if ((v = web_form_get(f, "base")) != NULL && strlen(v) == 40 &&
	    strspn(v, "0123456789abcdef") == 40)
		snprintf(lf->base, sizeof lf->base, "%s", v);
	if ((v = web_form_get(f, "draft")) != NULL)
		lf->draft = strtoll(v, NULL, 10);
	if (lf->draft < 0)
		lf->draft = 0;
}

/* The body: each answered question under its heading, then "Weiteres". */
static char *
lf_body(const struct lform *lf)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < NSECT; i++)
		if (lf->sec[i] != NULL && *lf->sec[i] != '\0')
			buf_printf(&b, "%s## %s\n\n%s\n", b.len > 0 ? "\n" : "",
			    sections[i].head, lf->sec[i]);
	if (lf->sec[NSECT] != NULL && *lf->sec[NSECT] != '\0')
		buf_printf(&b, "%s%s\n", b.len > 0 ? "\n" : "", lf->sec[NSECT]);
	return buf_detach(&b, NULL);
}

/* Replaces a record list with a copy of l. */
static void
list_set(struct record_list *dst, const struct record_list *l)
{
	size_t	 i;

	strv_free(dst->v, dst->n);
	memset(dst, 0, sizeof *dst);
	for (i = 0; i < l->n; i++)
		strv_push(&dst->v, &dst->n, l->v[i]);
}

/* Splits the tags as typed ("a, b; c") into a list, each trimmed. */
static void
tags_split(const char *s, struct record_list *l)
{
	char	*copy = xstrdup(s), *p = copy, *t;

	memset(l, 0, sizeof *l);
	while ((t = strsep(&p, ",;\n")) != NULL) {
		trim_text(t);
		if (*t != '\0' && l->n < RECORD_MAX_LIST)
			strv_push(&l->v, &l->n, t);
	}
	free(copy);
}

/*
 * The record's text: the form's values over base (the draft's or held
 * record's text, keeping id, dates, licence, related and unknown keys),
 * or a new lesson. Caller frees.
 */
static char *
lf_text(struct wdesk *q, const struct lform *lf, const char *base)
{
	struct record	*rec = NULL;
	struct record_list tags;
	char		*text = NULL;
	size_t		 len;

	if (base == NULL || record_parse(base, strlen(base), RECORD_DRAFT, &rec,
	    NULL) != 0) {
		rec = xcalloc(1, sizeof *rec);
		rec->kind = RECORD_LESSON;
		record_set(&rec->language, "de");
		record_set(&rec->license, "dl-de/by-2-0");
		rec->body = xstrdup("");
	}
	record_set(&rec->title, lf->title);
	record_set(&rec->project, lf->project);
	record_set(&rec->summary, lf->summary);
	record_set(&rec->status, lf->status);
	list_set(&rec->fields, &lf->fields);
	list_set(&rec->hurdles, &lf->hurdles);
	tags_split(lf->tags, &tags);
	list_set(&rec->tags, &tags);
	strv_free(tags.v, tags.n);
	free(rec->body);
	rec->body = lf_body(lf);
	rec->bodylen = strlen(rec->body);
	if (record_write(rec, &text, &len) != 0)
		text = NULL;
	record_free(rec);
	return text;
}

/* True when v is in the NULL-terminated vocabulary. */
static int
in_vocab(const char *const *vocab, const char *v)
{
	for (; *vocab != NULL; vocab++)
		if (strcmp(*vocab, v) == 0)
			return 1;
	return 0;
}

/* The form field a record parser message names ("tags: …" → tags). */
static const char *
field_of(const char *line)
{
	static const char *const keys[] = { "title", "project", "summary",
	    "fields", "status", "hurdles", "tags" };
	static const char *const names[] = { "title", "project", "summary",
	    "field", "status", "hurdle", "tags" };
	size_t	 i, n;

	for (i = 0; i < nitems(keys); i++) {
		n = strlen(keys[i]);
		if (strncmp(line, keys[i], n) == 0 && strchr(":[ ", line[n]))
			return names[i];
	}
	return NULL;
}

/* German checks of the form, then the record parser's and the personal-data check. */
static void
lf_check(struct wdesk *q, struct lform *lf, const char *text)
{
	struct personal_allow al = { (const char *const *)
	    q->r->nd->conf.personal_allow, q->r->nd->conf.npersonal_allow };
	struct personal_hit hit;
	struct record	*rec = NULL;
	char		*why = NULL, *line, *p, *msg;
	size_t		 i;

	if (*lf->title == '\0')
		lf_err(lf, "title", "Bitte einen Titel angeben.");
	if (*lf->summary == '\0')
		lf_err(lf, "summary", "Bitte in einem Satz zusammenfassen, was "
		    "andere Kommunen lernen können.");
	if (!record_slug_valid(lf->project))
		lf_err(lf, "project", "Ein Kürzel aus Kleinbuchstaben, Ziffern "
		    "und Bindestrichen, z. B. digitale-verwaltung.");
	if (lf->fields.n == 0)
		lf_err(lf, "field", "Bitte mindestens ein Handlungsfeld wählen.");
	for (i = 0; i < lf->fields.n; i++)
		if (!in_vocab(record_fields, lf->fields.v[i]))
			lf_err(lf, "field", "Unbekanntes Handlungsfeld.");
	if (!in_vocab(record_statuses, lf->status))
		lf_err(lf, "status", "Bitte einen Status wählen.");
	if (text == NULL) {
		lf_err(lf, NULL, "Der Text enthält ungültige Zeichen.");
		return;
	}
	if (lf->nerr == 0 && record_parse(text, strlen(text), RECORD_DRAFT,
	    &rec, &why) != 0) {
		for (p = why; (line = strsep(&p, "\n")) != NULL;)
			if (*line != '\0')
				lf_err(lf, field_of(line), "%s", line);
	}
	record_free(rec);
	free(why);
	if (personal_find(text, strlen(text), &al, &hit)) {
		msg = personal_message(&hit);
		lf_err(lf, NULL, "%s", msg);
		free(msg);
	}
}

/* The errors noted for field (NULL: the form's own), as a paragraph each. */
static void
show_errs(struct wdesk *q, const struct lform *lf, const char *field)
{
	size_t	 i;
	int	 first = 1;

	for (i = 0; i < lf->nerr; i++) {
		if (field == NULL ? lf->err[i].field != NULL :
		    lf->err[i].field == NULL || strcmp(lf->err[i].field,
		    field) != 0)
			continue;
		/* The first carries the id aria-describedby names. */
		evbuffer_add_printf(q->r->out, "<p class=\"err\"%s%s%s "
		    "role=\"alert\">", first ? " id=\"err-" : "", first ?
		    (field != NULL ? field : "form") : "", first ? "\"" : "");
		first = 0;
		web_esc(q->r->out, lf->err[i].msg);
		evbuffer_add_printf(q->r->out, "</p>\n");
	}
}

/* True when the form has an error for field. */
static int
has_err(const struct lform *lf, const char *field)
{
	size_t	 i;

	for (i = 0; i < lf->nerr; i++)
		if (lf->err[i].field != NULL && strcmp(lf->err[i].field,
		    field) == 0)
			return 1;
	return 0;
}

/* A control's aria-describedby (its hint and error) and aria-invalid. */
static void
described(struct evbuffer *o, const struct lform *lf, const char *name,
    int hint)
{
	int	 err = has_err(lf, name);

	if (hint || err)
		evbuffer_add_printf(o, " aria-describedby=\"%s%s%s%s%s\"",
		    hint ? "hint-" : "", hint ? name : "", hint && err ? " " : "",
		    err ? "err-" : "", err ? name : "");
	if (err)
		evbuffer_add_printf(o, " aria-invalid=\"true\"");
}

/* One labelled text input (or textarea when rows > 0). */
static void
text_input(struct wdesk *q, const struct lform *lf, const char *name,
    const char *label, const char *hint, const char *value, int rows,
    int max)
{
	struct evbuffer	*o = q->r->out;

	evbuffer_add_printf(o, "<div class=\"fld\"><label for=\"%s\">%s</label>",
	    name, label);
	if (hint != NULL)
		evbuffer_add_printf(o, "<p class=\"hint\" id=\"hint-%s\">%s</p>",
		    name, hint);
	show_errs(q, lf, name);
	if (rows > 0)
		evbuffer_add_printf(o, "<textarea id=\"%s\" name=\"%s\" "
		    "rows=\"%d\"", name, name, rows);
	else
		evbuffer_add_printf(o, "<input id=\"%s\" name=\"%s\" "
		    "maxlength=\"%d\"", name, name, max);
	described(o, lf, name, hint != NULL);
	evbuffer_add_printf(o, rows > 0 ? ">" : " value=\"");
	web_esc(o, value != NULL ? value : "");
	evbuffer_add_printf(o, rows > 0 ? "</textarea></div>\n" : "\"></div>\n");
}

/* True when v is in the list l. */
static int
in_list(const struct record_list *l, const char *v)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], v) == 0)
			return 1;
	return 0;
}

/* A fieldset of checkboxes over a vocabulary. */
static void
checkboxes(struct wdesk *q, const struct lform *lf, const char *name,
    const char *legend, const char *const *vocab, const struct record_list *l)
{
	struct evbuffer	*o = q->r->out;
	size_t		 i;

	evbuffer_add_printf(o, "<fieldset class=\"fld\"><legend>%s</legend>",
	    legend);
	show_errs(q, lf, name);
	for (i = 0; vocab[i] != NULL; i++)
		evbuffer_add_printf(o, "<label class=\"cb\"><input type=\"checkbox\""
		    " name=\"%s\" value=\"%s\"%s> %s</label>", name, vocab[i],
		    in_list(l, vocab[i]) ? " checked" : "", web_label(vocab[i]));
	evbuffer_add_printf(o, "</fieldset>\n");
}

/* The status select. */
static void
status_select(struct wdesk *q, const struct lform *lf)
{
	struct evbuffer	*o = q->r->out;
	size_t		 i;

	evbuffer_add_printf(o, "<div class=\"fld\"><label for=\"status\">Status"
	    "</label>");
	show_errs(q, lf, "status");
	evbuffer_add_printf(o, "<select id=\"status\" name=\"status\"");
	described(o, lf, "status", 0);
	evbuffer_add_printf(o, ">");
	for (i = 0; record_statuses[i] != NULL; i++)
		evbuffer_add_printf(o, "<option value=\"%s\"%s>%s</option>",
		    record_statuses[i], strcmp(lf->status, record_statuses[i]) ==
		    0 ? " selected" : "", web_label(record_statuses[i]));
	evbuffer_add_printf(o, "</select></div>\n");
}

/* The form itself, with the hidden draft, record and base. */
static void
form_html(struct wdesk *q, const struct lform *lf)
{
	struct evbuffer	*o = q->r->out;
	char		 key[8], label[160];
	size_t		 i;

	evbuffer_add_printf(o, "<form class=\"desk\" method=\"post\" action=\"");
	web_href(q->r);
	evbuffer_add_printf(o, "/redaktion/speichern\">");
	wdesk_csrf_field(q);
	evbuffer_add_printf(o, "<input type=\"hidden\" name=\"draft\" value=\""
	    "%lld\"><input type=\"hidden\" name=\"record\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"base\" value=\"%s\">\n",
	    (long long)lf->draft, lf->record, lf->base);
	show_errs(q, lf, NULL);
	text_input(q, lf, "title", "Titel", NULL, lf->title, 0, 200);
	text_input(q, lf, "summary", "Zusammenfassung", "Ein Satz: was können "
	    "andere Kommunen daraus lernen?", lf->summary, 3, 0);
	text_input(q, lf, "project", "Projekt (Kürzel)", "Kleinbuchstaben, "
	    "Ziffern und Bindestriche, z. B. digitale-verwaltung.", lf->project,
	    0, 64);
	checkboxes(q, lf, "field", "Handlungsfelder", record_fields, &lf->fields);
	status_select(q, lf);
	checkboxes(q, lf, "hurdle", "Hürden", record_hurdles, &lf->hurdles);
	text_input(q, lf, "tags", "Schlagwörter", "Durch Kommas getrennt, z. B. "
	    "Bürgerbeteiligung, Open Data.", lf->tags, 0, 2000);
	for (i = 0; i <= NSECT; i++) {
		snprintf(key, sizeof key, "s%zu", i);
		snprintf(label, sizeof label, "%s", i < NSECT ?
		    sections[i].head : "Weiteres");
		text_input(q, lf, key, label, i < NSECT ? sections[i].question :
		    "Weitere Abschnitte (Markdown, z. B. Tabellen).",
		    lf->sec[i], 6, 0);
	}
	evbuffer_add_printf(o, "<p class=\"hint\">Keine personenbezogenen Daten: "
	    "nennen Sie Organisationen und Rollen, keine Namen, E-Mail-Adressen "
	    "oder Telefonnummern. Markdown ist erlaubt.</p>\n<div class=\"buttons\">"
	    "<button name=\"action\" value=\"vorschau\">Vorschau</button> "
	    "<button name=\"action\" value=\"speichern\">Entwurf speichern"
	    "</button>");
	if (!wdesk_review_required(q))
		evbuffer_add_printf(o, " <button name=\"action\" value=\""
		    "veroeffentlichen\">Veröffentlichen</button>");
	evbuffer_add_printf(o, "</div></form>\n");
}

/* The form's page: heading, a note, the form, and a preview of text when given. */
static void
form_page(struct wdesk *q, const struct lform *lf, const char *heading,
    int code, const char *text, const char *note,
    const struct desk_draft *dr)
{
	wdesk_page_begin(q, heading);
	evbuffer_add_printf(q->r->out, "<h1>");
	web_esc(q->r->out, heading);
	evbuffer_add_printf(q->r->out, "</h1>\n");
	if (note != NULL) {
		evbuffer_add_printf(q->r->out, "<p class=\"proof\" role=\"status\">");
		web_esc(q->r->out, note);
		evbuffer_add_printf(q->r->out, "</p>\n");
	}
	if (dr != NULL)
		wdesk_draft_actions(q, dr);
	if (text != NULL)
		web_lesson_preview(q->r, text, strlen(text));
	if (dr != NULL || text != NULL)
		evbuffer_add_printf(q->r->out, "<h2 id=\"formular\">%s</h2>\n",
		    dr != NULL ? "Entwurf bearbeiten" : "Weiter bearbeiten");
	form_html(q, lf);
	wdesk_page_end(q, code);
}

/* An empty form (status idee). */
static void
lf_empty(struct lform *lf)
{
	memset(lf, 0, sizeof *lf);
	lf->title = xstrdup("");
	lf->project = xstrdup("");
	lf->summary = xstrdup("");
	lf->status = xstrdup("idee");
	lf->tags = xstrdup("");
}

void
wdesk_form_new(struct wdesk *q)
{
	struct lform	 lf;

	lf_empty(&lf);
	form_page(q, &lf, "Neue Erfahrung schreiben", 200, NULL, NULL, NULL);
	lf_clear(&lf);
}

void
wdesk_form_edit(struct wdesk *q, const char *id)
{
	struct lform	 lf;
	struct record	*rec = NULL;
	char		 base[48], *text;

	memset(&lf, 0, sizeof lf);
	if ((text = wdesk_held_text(q, id, base)) == NULL) {
		wdesk_fail(q, 404, "Diese Erfahrung gibt es auf diesem Knoten "
		    "nicht (nur eigene Erfahrungen lassen sich bearbeiten).");
		return;
	}
	if (record_parse(text, strlen(text), RECORD_STRICT, &rec, NULL) != 0 ||
	    rec->kind != RECORD_LESSON) {
		free(text);
		record_free(rec);
		wdesk_fail(q, 404, "Nur Erfahrungen lassen sich hier bearbeiten.");
		return;
	}
	lf_from_record(&lf, rec);
	snprintf(lf.record, sizeof lf.record, "%s", rec->id);
	snprintf(lf.base, sizeof lf.base, "%s", base);
	form_page(q, &lf, "Erfahrung bearbeiten", 200, NULL, "Sie bearbeiten "
	    "die veröffentlichte Fassung. Gespeichert wird ein Entwurf, der "
	    "erst nach der Freigabe veröffentlicht wird.", NULL);
	lf_clear(&lf);
	record_free(rec);
	free(text);
}

void
wdesk_form_draft(struct wdesk *q, const char *n)
{
	struct desk_draft dr;
	struct lform	 lf;
	struct record	*rec = NULL;
	char		*end, *note, date[WEB_DATE_MAX], iso[32];
	long long	 id = strtoll(n, &end, 10);

	if (*n == '\0' || *end != '\0' || id <= 0 ||
	    desk_draft_get(q->d, id, &dr) != 0) {
		wdesk_fail(q, 404, "Diesen Entwurf gibt es nicht (mehr).");
		return;
	}
	if (dr.kind == DESK_DRAFT_RETRACT) {
		wdesk_retract_page(q, &dr);
		desk_draft_clear(&dr);
		return;
	}
	/* A draft was valid when saved; should it not parse, an empty form. */
	if (record_parse(dr.text, strlen(dr.text), RECORD_DRAFT, &rec, NULL) ==
	    0) {
		memset(&lf, 0, sizeof lf);
		lf_from_record(&lf, rec);
	} else
		lf_empty(&lf);
	record_free(rec);
	snprintf(lf.record, sizeof lf.record, "%s", dr.record);
	snprintf(lf.base, sizeof lf.base, "%s", dr.base);
	lf.draft = dr.id;
	time_iso(dr.modified, iso);
	web_datetime_de(iso, date);
	note = xasprintf("Entwurf von %s, gespeichert am %s.", dr.author, date);
	form_page(q, &lf, dr.title, 200, dr.text, note, &dr);
	free(note);
	lf_clear(&lf);
	desk_draft_clear(&dr);
}

/* The text a POST's form builds on: its draft's or its record's, or NULL. */
static int
post_base(struct wdesk *q, const struct lform *lf, struct desk_draft *dr,
    char **basetext)
{
	char	 held[48];

	*basetext = NULL;
	if (lf->draft > 0) {
		if (desk_draft_get(q->d, lf->draft, dr) != 0) {
			wdesk_fail(q, 404, "Diesen Entwurf gibt es nicht (mehr).");
			return -1;
		}
		if (strcmp(dr->author, q->u.name) != 0 && !wdesk_may_approve(q)) {
			wdesk_fail(q, 403, "Diesen Entwurf kann nur sein Autor "
			    "oder ein Konto mit Freigaberecht ändern.");
			return -1;
		}
		*basetext = xstrdup(dr->text);
	} else if (lf->record[0] != '\0')
		*basetext = wdesk_held_text(q, lf->record, held);
	return 0;
}

/* Saves the form as a draft (the saver becomes its author) and shows it. */
static void
post_save(struct wdesk *q, struct lform *lf, const char *text)
{
	char	 held[48], *heldtext, *why = NULL, path[64];
	int64_t	 id = lf->draft;

	if (desk_draft_save(q->d, &id, DESK_DRAFT_EDIT, lf->record, lf->base,
	    q->u.name, lf->title, text, time(NULL), &why) != 0) {
		wdesk_fail(q, 500, why);
		free(why);
		return;
	}
	desk_audit(q->d, q->u.name, "drafted", lf->record, lf->title);
	if (lf->record[0] != '\0' && (heldtext = wdesk_held_text(q, lf->record,
	    held)) != NULL) {
		free(heldtext);
		if (strcmp(held, lf->base) != 0) {
			wdesk_stale_page(q, text, lf->record, id);
			return;
		}
	}
	snprintf(path, sizeof path, "/redaktion/entwurf/%lld", (long long)id);
	wdesk_redirect(q, path);
}

/* Publishes the form at once (review optional); the draft, if any, goes. */
static void
post_publish(struct wdesk *q, struct lform *lf, const char *text)
{
	char	 id[64], *path;

	if (wdesk_review_required(q)) {
		wdesk_fail(q, 403, "Auf diesem Knoten muss ein zweites Konto "
		    "jede Veröffentlichung freigeben (review = required).");
		return;
	}
	if (wdesk_publish(q, text, lf->base[0] != '\0' ? lf->base : NULL,
	    q->u.name, id) != 0)
		return;
	if (lf->draft > 0)
		desk_draft_delete(q->d, lf->draft);
	desk_audit(q->d, q->u.name, "published", id, lf->title);
	path = xasprintf("/redaktion/?veroeffentlicht=%s", id);
	wdesk_redirect(q, path);
	free(path);
}

void
wdesk_form_post(struct wdesk *q)
{
	struct desk_draft dr;
	struct lform	 lf;
	const char	*action = web_form_get(&q->f, "action");
	char		*basetext = NULL, *text;

	memset(&lf, 0, sizeof lf);
	memset(&dr, 0, sizeof dr);
	lf_from_form(&lf, &q->f);
	if (post_base(q, &lf, &dr, &basetext) != 0)
		goto out;
	text = lf_text(q, &lf, basetext);
	lf_check(q, &lf, text);
	if (action == NULL)
		action = "speichern";
	if (lf.nerr > 0)
		form_page(q, &lf, "Bitte prüfen Sie die markierten Angaben", 422,
		    NULL, NULL, NULL);
	else if (strcmp(action, "vorschau") == 0)
		form_page(q, &lf, "Vorschau", 200, text, NULL, NULL);
	else if (strcmp(action, "veroeffentlichen") == 0)
		post_publish(q, &lf, text);
	else
		post_save(q, &lf, text);
	free(text);
out:
	free(basetext);
	desk_draft_clear(&dr);
	lf_clear(&lf);
}
