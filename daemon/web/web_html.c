/*
 * web_html.c — what every page of the web view shares: head, header with
 * the municipality the page is about, footer with operator, Impressum and
 * Datenschutzerklärung, the stylesheet (narrow screens, print on A4),
 * escaping, German labels and dates, and the styled error page.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "node.h"
#include "util.h"
#include "web_int.h"

static const struct {
	const char	*value, *label;
} labels[] = {
	{ "strategie-organisation", "Strategie und Organisation" },
	{ "verwaltung", "Verwaltung" },
	{ "mobilitaet", "Mobilität" },
	{ "energie-umwelt", "Energie und Umwelt" },
	{ "bildung", "Bildung" },
	{ "gesundheit-pflege", "Gesundheit und Pflege" },
	{ "wirtschaft-handel", "Wirtschaft und Handel" },
	{ "teilhabe-gesellschaft", "Teilhabe und Gesellschaft" },
	{ "wohnen-quartier", "Wohnen und Quartier" },
	{ "sicherheit-resilienz", "Sicherheit und Resilienz" },
	{ "daten-infrastruktur", "Daten und Infrastruktur" },
	{ "kultur-tourismus", "Kultur und Tourismus" },
	{ "idee", "Idee" }, { "planung", "Planung" },
	{ "umsetzung", "Umsetzung" }, { "regelbetrieb", "Regelbetrieb" },
	{ "beendet", "Beendet" },
	{ "finanziell", "Finanziell" }, { "organisatorisch", "Organisatorisch" },
	{ "technisch", "Technisch" }, { "sozial", "Sozial" },
	{ "rechtlich", "Rechtlich" },
	{ "lesson", "Erfahrung" }, { "project", "Projekt" },
};

static const char css[] =
"*{box-sizing:border-box}"
"body{font:1rem/1.55 system-ui,-apple-system,'Segoe UI',sans-serif;"
"color:#1a1a1a;background:#fff;margin:0 auto;max-width:52rem;padding:0 1rem}"
"a{color:#0b4f9c}a:focus,input:focus,select:focus,button:focus"
"{outline:3px solid #c25400;outline-offset:2px}"
".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;"
"background:#fff;padding:.5rem}"
"header{border-bottom:3px solid #0b4f9c;padding:.6rem 0;display:flex;"
"flex-wrap:wrap;gap:0 .6rem;align-items:baseline}"
"header .site{font-weight:bold;text-decoration:none;font-size:1.1rem}"
"header .who{font-weight:600}"
"h1{font-size:1.7rem;line-height:1.25;margin:1.2rem 0 .6rem}"
"h1,h2,h3,p,li,dd,a{overflow-wrap:anywhere}"
"mark{background:#ffe066;color:#000}"
"form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;"
"background:#f2f5f9;padding:1rem;border-radius:4px}"
"form>div{min-width:0;max-width:100%}"
"label{display:block;font-weight:600}input,select,button{font:inherit;"
"padding:.3rem;max-width:100%}button{background:#0b4f9c;color:#fff;border:0;"
"padding:.4rem 1rem;border-radius:4px}"
"ol.hits{padding-left:1.2rem}ol.hits li{margin:0 0 1rem}"
".meta{color:#444;font-size:.9rem;margin:0}"
"dl.meta-list{display:grid;grid-template-columns:max-content 1fr;"
"gap:.2rem 1rem}dt{font-weight:600}dd{margin:0;min-width:0}"
".id,code{font-family:ui-monospace,monospace;font-size:.85em;"
"overflow-wrap:anywhere;word-break:break-all}"
".facets{display:flex;flex-wrap:wrap;gap:0 2rem}"
".proof{border-left:4px solid #2e7d32;background:#f1f8f1;padding:.5rem 1rem}"
".notice{border-left:4px solid #c25400;background:#fff6ec;padding:.5rem 1rem}"
".tabelle{overflow-x:auto;max-width:100%}"
"table{border-collapse:collapse;margin:1rem 0}"
"th,td{border:1px solid #bbb;padding:.3rem .6rem;"
"vertical-align:top}th{background:#f2f5f9}th:not([align]){text-align:left}"
"td[align=right],th[align=right]{white-space:nowrap}"
".diff{font-family:ui-monospace,monospace;font-size:.85rem;"
"white-space:pre-wrap;overflow-wrap:anywhere;background:#fafafa;"
"border:1px solid #ddd;padding:.5rem;margin:0}"
".diff ins,.diff del,.diff span.ctx,.diff .gap{display:block}"
".diff ins{background:#e6f4e6;text-decoration:none}"
".diff del{background:#fbe9e9}.diff .gap{color:#666}"
".diff .sr{display:inline;color:#444}"
"footer{border-top:1px solid #ccc;margin-top:2rem;color:#333;"
"font-size:.9rem}"
"nav.desk{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:center;"
"padding:.4rem 0;border-bottom:1px solid #ccc}"
"form.inline{display:inline;padding:0;background:none}"
"form.inline button{padding:.2rem .6rem}"
"form.desk{display:block}form.desk .fld{margin:0 0 1rem;border:0;padding:0}"
"form.desk input:not([type=checkbox]),form.desk select,textarea{width:100%;"
"font:inherit;padding:.3rem}textarea{min-height:5rem}"
"label.cb{display:inline-block;font-weight:normal;margin:0 1rem .2rem 0}"
"legend{font-weight:600}.hint{color:#444;font-size:.9rem;margin:0 0 .2rem}"
".err{color:#a00000;font-weight:600;margin:0 0 .2rem}"
".buttons{display:flex;flex-wrap:wrap;gap:.5rem}.actions{margin:1rem 0}"
".preview{border:2px dashed #0b4f9c;padding:0 1rem;margin:1rem 0}"
".sbs{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.sbs>div{min-width:0}"
"@media (max-width:32rem){dl.meta-list{grid-template-columns:1fr}"
".sbs{grid-template-columns:1fr}"
"dd{margin-bottom:.4rem}h1{font-size:1.4rem}}"
"@media print{@page{size:A4;margin:18mm 16mm}"
"body{max-width:none;font:10.5pt/1.45 Georgia,serif;padding:0}"
"form,.skip,nav,.noprint,header .site{display:none}"
"a{color:#000;text-decoration:none}"
"header{border-bottom:1px solid #000}"
".print-only{display:block!important}"
"h1,h2,h3{break-after:avoid}table,pre,.proof{break-inside:avoid}"
".tabelle{overflow:visible}footer{font-size:8.5pt}}"
".print-only{display:none}";

const char *
web_label(const char *value)
{
	size_t	 i;

	for (i = 0; i < nitems(labels); i++)
		if (strcmp(labels[i].value, value) == 0)
			return labels[i].label;
	return value;
}

void
web_esc(struct evbuffer *b, const char *s)
{
	const char	*run = s;
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c != '&' && c != '<' && c != '>' && c != '"' && c != '\'' &&
		    (c >= 0x20 || c == '\n' || c == '\t') && c != 0x7f)
			continue;
		evbuffer_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '&': evbuffer_add(b, "&amp;", 5); break;
		case '<': evbuffer_add(b, "&lt;", 4); break;
		case '>': evbuffer_add(b, "&gt;", 4); break;
		case '"': evbuffer_add(b, "&quot;", 6); break;
		case '\'': evbuffer_add(b, "&#39;", 5); break;
		case SEARCH_HL_ON: evbuffer_add(b, "<mark>", 6); break;
		case SEARCH_HL_OFF: evbuffer_add(b, "</mark>", 7); break;
		default: break;		/* other control characters are dropped */
		}
	}
	evbuffer_add(b, run, (size_t)(s - run));
}

void
web_href(struct web_req *r)
{
	web_esc(r->out, r->base);
}

void
web_urlenc(struct evbuffer *b, const char *s)
{
	char	*e = evhttp_encode_uri(s);

	if (e != NULL)
		evbuffer_add(b, e, strlen(e));
	free(e);
}

void
web_time(struct web_req *r, const char *iso, int with_time)
{
	char	 d[WEB_DATE_MAX];

	if (with_time)
		web_datetime_de(iso, d);
	else
		web_date_de(iso, d);
	evbuffer_add_printf(r->out, "<time datetime=\"");
	web_esc(r->out, iso);
	evbuffer_add_printf(r->out, "\">%s</time>", d);
}

const char *
web_node_name(struct web_req *r, const char *nid)
{
	const char *n = strcmp(nid, r->nd->nid) == 0 ? node_name(r->nd) :
	    node_name_of(r->nd, nid);

	return n != NULL ? n : nid;
}

char *
web_project_title(struct web_req *r, const char *nid, const char *slug)
{
	char	*t = NULL, lab[WEB_LABEL_MAX];

	if (r->nd->search != NULL)
		t = search_project_title(r->nd->search, nid, slug);
	if (t != NULL)
		return t;
	/* A project without a profile: its slug, readable. */
	web_tag_label(slug, lab);
	return xstrdup(lab);
}

void
web_page_begin(struct web_req *r, const char *title, const char *nid)
{
	const char	*who = nid != NULL ? web_node_name(r, nid) : node_name(r->nd);

	evbuffer_add_printf(r->out, "<!DOCTYPE html>\n<html lang=\"de\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	web_esc(r->out, title);
	evbuffer_add_printf(r->out, " – ");
	web_esc(r->out, who);
	evbuffer_add_printf(r->out, "</title>\n<link rel=\"alternate\" "
	    "type=\"application/atom+xml\" title=\"Neue Erfahrungen\" href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/feed.atom\">\n<style>%s</style>\n</head>\n"
	    "<body>\n<a class=\"skip\" href=\"#inhalt\">Zum Inhalt springen</a>\n"
	    "<header><a class=\"site\" href=\"", css);
	web_href(r);
	evbuffer_add_printf(r->out, "/\">Erfahrungen der Kommunen</a>"
	    "<span class=\"who\">");
	if (nid != NULL) {
		evbuffer_add_printf(r->out, "<a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/kommune/%s\">", nid);
	}
	web_esc(r->out, who);
	evbuffer_add_printf(r->out, "%s</span></header>\n<main id=\"inhalt\">\n",
	    nid != NULL ? "</a>" : "");
}

/* The footer: operator, Impressum, Datenschutzerklärung, feeds and API. */
static void
page_footer(struct web_req *r)
{
	const struct config *c = &r->nd->conf;

	evbuffer_add_printf(r->out, "</main>\n<footer><p>Betrieben von ");
	web_esc(r->out, c->operator != NULL ? c->operator : node_name(r->nd));
	evbuffer_add_printf(r->out, ".");
	if (c->imprint_url != NULL) {
		evbuffer_add_printf(r->out, " <a href=\"");
		web_esc(r->out, c->imprint_url);
		evbuffer_add_printf(r->out, "\">Impressum</a>");
	}
	if (c->privacy_url != NULL) {
		evbuffer_add_printf(r->out, " · <a href=\"");
		web_esc(r->out, c->privacy_url);
		evbuffer_add_printf(r->out, "\">Datenschutzerklärung</a>");
	}
	if (c->imprint_url == NULL || c->privacy_url == NULL)
		evbuffer_add_printf(r->out, " Impressum und Datenschutzerklärung "
		    "sind für diese Seite noch nicht angegeben.");
	evbuffer_add_printf(r->out, "</p>\n<p class=\"noprint\"><a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/feed.atom\">Atom-Feed</a> · <a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/api/v1/lessons\">JSON-API</a> · "
	    "<a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/api/v1/openapi.json\">API-Beschreibung "
	    "(OpenAPI)</a> · Knoten ");
	web_esc(r->out, node_name(r->nd));
	evbuffer_add_printf(r->out, "</p></footer>\n</body>\n</html>\n");
}

void
web_page_end(struct web_req *r, int code)
{
	page_footer(r);
	web_send(r, code, "text/html; charset=utf-8");
}

void
web_page_error(struct web_req *r, int code, const char *msg)
{
	const char	*what = code == 404 ? "Nicht gefunden" : code == 414 ?
	    "Adresse zu lang" : code == 405 ? "Methode nicht erlaubt" :
	    code == 410 ? "Nicht mehr vorhanden" : code >= 500 ?
	    "Interner Fehler" : "Ungültige Anfrage";

	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	r->etag[0] = '\0';
	web_page_begin(r, what, NULL);
	evbuffer_add_printf(r->out, "<h1>%s</h1>\n<p class=\"notice\">", what);
	web_esc(r->out, msg);
	evbuffer_add_printf(r->out, "</p>\n<p><a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/\">Zur Startseite</a> · <a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/suche\">Zur Suche</a></p>\n");
	web_page_end(r, code);
}
