/*
 * web.c — the web view's HTTP server: evhttp on the "http" address of
 * knowd.conf, GET and HEAD only, bounded headers and bodies, a timeout, and
 * a table of paths. Everything a client sends is length-checked and
 * validated before use; anything unexpected gets a clear 4xx.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "conf.h"
#include "node.h"
#include "log.h"
#include "record.h"
#include "util.h"
#include "web.h"
#include "web_int.h"

static const struct {
	const char	*prefix;
	int		 exact;		/* the path must equal prefix */
	web_fn		*fn;
} routes[] = {
	{ "/", 1, web_page_start },
	{ "/suche", 1, web_page_search },
	{ "/lektion/", 0, web_page_lesson },
	{ "/kommune/", 0, web_page_node },
	{ "/projekt/", 0, web_page_project },
	{ "/api/v1/lessons", 1, web_api_lessons },
	{ "/feed.atom", 1, web_feed_atom },
};

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
"body{font:1rem/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;"
"margin:0 auto;max-width:52rem;padding:0 1rem}"
"a{color:#0b4f9c}a:focus,input:focus,select:focus,button:focus"
"{outline:3px solid #c25400;outline-offset:2px}"
".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;"
"background:#fff;padding:.5rem}"
"header{border-bottom:2px solid #0b4f9c;padding:.5rem 0}"
"header a{font-weight:bold;text-decoration:none}"
"mark{background:#ffe066;color:#000}"
"form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;"
"background:#f2f5f9;padding:1rem;border-radius:4px}"
"label{display:block;font-weight:600}input,select,button{font:inherit;"
"padding:.3rem}button{background:#0b4f9c;color:#fff;border:0;"
"padding:.4rem 1rem;border-radius:4px}"
"ol.hits{padding-left:1.2rem}ol.hits li{margin:0 0 1rem}"
".meta{color:#444;font-size:.9rem;margin:0}"
"dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}"
"dt{font-weight:600}dd{margin:0}"
".facets{display:flex;flex-wrap:wrap;gap:0 2rem}"
"footer{border-top:1px solid #ccc;margin-top:2rem;color:#444;"
"font-size:.9rem}";

/* Begins a page: head, skip link, header with the site's name. */
void
web_page_begin(struct web_req *r, const char *title)
{
	evbuffer_add_printf(r->out, "<!DOCTYPE html>\n<html lang=\"de\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	web_esc(r->out, title);
	evbuffer_add_printf(r->out, " – knowd</title>\n<link rel=\"alternate\" "
	    "type=\"application/atom+xml\" title=\"Neue Erfahrungen\" "
	    "href=\"/feed.atom\">\n<style>%s</style>\n</head>\n<body>\n"
	    "<a class=\"skip\" href=\"#inhalt\">Zum Inhalt springen</a>\n"
	    "<header><a href=\"/\">knowd – Erfahrungen der Kommunen</a> · ", css);
	web_esc(r->out, node_name(r->nd));
	evbuffer_add_printf(r->out, "</header>\n<main id=\"inhalt\">\n");
}

/* Ends a page and sends it. */
void
web_page_end(struct web_req *r)
{
	evbuffer_add_printf(r->out, "</main>\n<footer><p>Lesesicht dieses "
	    "Knotens. <a href=\"/feed.atom\">Atom-Feed</a> · "
	    "<a href=\"/api/v1/lessons\">JSON-API</a></p></footer>\n"
	    "</body>\n</html>\n");
	web_send(r, 200, "text/html; charset=utf-8");
}

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
web_urlenc(struct evbuffer *b, const char *s)
{
	char	*e = evhttp_encode_uri(s);

	if (e != NULL)
		evbuffer_add(b, e, strlen(e));
	free(e);
}

void
web_send(struct web_req *r, int code, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_send_reply(r->req, code, code == 200 ? "OK" : "Error", r->out);
}

void
web_error(struct web_req *r, int code, const char *msg)
{
	const char	*what = code == 404 ? "Nicht gefunden" : code == 414 ?
	    "Adresse zu lang" : code == 405 ? "Methode nicht erlaubt" :
	    code >= 500 ? "Interner Fehler" : "Ungültige Anfrage";

	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	evbuffer_add_printf(r->out, "<!DOCTYPE html>\n<html lang=\"de\"><head>"
	    "<meta charset=\"utf-8\"><title>%d %s</title></head><body><main>"
	    "<h1>%d %s</h1><p>", code, what, code, what);
	web_esc(r->out, msg);
	evbuffer_add_printf(r->out, "</p><p><a href=\"/\">Zur Startseite</a>"
	    "</p></main></body></html>\n");
	web_send(r, code, "text/html; charset=utf-8");
}

const char *
web_param(struct web_req *r, const char *key)
{
	const char *v = evhttp_find_header(&r->params, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
web_query(struct web_req *r, struct search_query *q)
{
	const char	*lim = web_param(r, "limit"), *off = web_param(r, "offset");
	char		*why = NULL, *end;

	memset(q, 0, sizeof *q);
	q->q = web_param(r, "q");
	q->field = web_param(r, "field");
	q->status = web_param(r, "status");
	q->hurdle = web_param(r, "hurdle");
	q->node = web_param(r, "node");
	q->project = web_param(r, "project");
	q->tag = web_param(r, "tag");
	q->since = web_param(r, "since");
	q->kind = web_param(r, "kind");
	q->limit = WEB_PAGE_SIZE;
	if (lim != NULL && ((q->limit = strtoul(lim, &end, 10)) == 0 ||
	    *end != '\0' || q->limit > SEARCH_MAX_LIMIT)) {
		web_error(r, 400, "limit: eine Zahl von 1 bis 1000");
		return -1;
	}
	if (off != NULL && ((q->offset = strtoul(off, &end, 10)) > 1000000 ||
	    *end != '\0' || !isdigit((unsigned char)*off))) {
		web_error(r, 400, "offset: eine Zahl von 0 bis 1000000");
		return -1;
	}
	if (search_query_check(q, &why) != 0) {
		web_error(r, 400, why);
		free(why);
		return -1;
	}
	if (r->nd->search == NULL) {
		web_error(r, 503, "Der Suchindex ist nicht verfügbar.");
		return -1;
	}
	return 0;
}

/* True when a decoded path is one we could serve: no dot segments, no odd bytes. */
static int
path_ok(const char *p)
{
	if (*p != '/' || strstr(p, "/.") != NULL || strstr(p, "//") != NULL ||
	    strchr(p, '\\') != NULL)
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* True when the query's parameters are few, UTF-8 and free of control characters. */
static int
params_ok(const struct evkeyvalq *kv)
{
	const struct evkeyval	*e;
	const char		*p;
	size_t			 n = 0;

	TAILQ_FOREACH(e, kv, next) {
		if (++n > 32 || strlen(e->key) > 32 ||
		    !utf8_valid(e->value, strlen(e->value)))
			return 0;
		for (p = e->value; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return 0;
	}
	return 1;
}

/* Parses target's path and query into r; answers 4xx and returns -1 when they are bad. */
static int
req_parse(struct web_req *r)
{
	const char	*target = evhttp_request_get_uri(r->req);
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(r->req);
	const char	*raw, *query;
	size_t		 len;

	if (target == NULL || u == NULL) {
		web_error(r, 400, "Die Adresse ist unlesbar.");
		return -1;
	}
	if (strlen(target) > WEB_MAX_URI) {
		web_error(r, 414, "Die Adresse ist zu lang.");
		return -1;
	}
	raw = evhttp_uri_get_path(u);
	query = evhttp_uri_get_query(u);
	r->path = evhttp_uridecode(raw != NULL && *raw != '\0' ? raw : "/", 0,
	    &len);
	if (r->path == NULL || strlen(r->path) != len || !path_ok(r->path) ||
	    !utf8_valid(r->path, len)) {
		web_error(r, 404, "Diese Seite gibt es nicht.");
		return -1;
	}
	if (query != NULL && (evhttp_parse_query_str(query, &r->params) != 0 ||
	    !params_ok(&r->params))) {
		web_error(r, 400, "Die Suchparameter sind ungültig.");
		return -1;
	}
	return 0;
}

/* evhttp callback: answers one request from the route table. */
static void
web_request_cb(struct evhttp_request *req, void *arg)
{
	struct web	*w = arg;
	struct web_req	 r;
	size_t		 i, n;

	memset(&r, 0, sizeof r);
	r.w = w;
	r.nd = w->nd;
	r.req = req;
	r.out = evbuffer_new();
	TAILQ_INIT(&r.params);
	if (r.out == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		web_error(&r, 405, "Diese Ansicht ist nur lesbar (GET, HEAD).");
	} else if (req_parse(&r) == 0) {
		for (i = 0; i < nitems(routes); i++) {
			n = strlen(routes[i].prefix);
			if (routes[i].exact ? strcmp(r.path, routes[i].prefix) == 0 :
			    strncmp(r.path, routes[i].prefix, n) == 0) {
				routes[i].fn(&r, r.path + n);
				break;
			}
		}
		if (i == nitems(routes))
			web_error(&r, 404, "Diese Seite gibt es nicht.");
	}
	evhttp_clear_headers(&r.params);
	evbuffer_free(r.out);
	free(r.path);
}

/* Writes the address a bound socket got into w->addr and w->base. */
static void
web_bound_addr(struct web *w, const char *host)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	int			 port = 0;
	int			 v6 = strchr(host, ':') != NULL;

	if (getsockname(evhttp_bound_socket_get_fd(w->sock),
	    (struct sockaddr *)&ss, &len) == 0)
		port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	snprintf(w->addr, sizeof w->addr, "%s%s%s:%d", v6 ? "[" : "", host,
	    v6 ? "]" : "", port);
	snprintf(w->base, sizeof w->base, "http://%s", w->addr);
}

int
web_start(struct web **out, struct event_base *base, struct node *nd,
    char **cause)
{
	struct web	*w;
	char		*host = NULL, *port = NULL;

	*out = NULL;
	if (nd->conf.http == NULL)
		return 0;
	if (config_split_hostport(nd->conf.http, &host, &port, cause) != 0)
		return -1;
	w = xcalloc(1, sizeof *w);
	w->nd = nd;
	if ((w->http = evhttp_new(base)) == NULL)
		fatalx("evhttp_new failed");
	/* Other methods reach web_request_cb only to be answered 405. */
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(w->http, 16384);
	evhttp_set_max_body_size(w->http, 1024);
	evhttp_set_timeout(w->http, 10);
	evhttp_set_gencb(w->http, web_request_cb, w);
	w->sock = evhttp_bind_socket_with_handle(w->http, host,
	    (ev_uint16_t)atoi(port));
	if (w->sock == NULL) {
		set_cause(cause, "web pages: cannot listen on %s", nd->conf.http);
		evhttp_free(w->http);
		free(w);
		free(host);
		free(port);
		return -1;
	}
	web_bound_addr(w, host);
	free(host);
	free(port);
	*out = w;
	log_info("web pages on %s", w->base);
	return 0;
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	evhttp_free(w->http);
	free(w);
}

const char *
web_address(const struct web *w)
{
	return w != NULL ? w->addr : NULL;
}
