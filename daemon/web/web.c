/*
 * web.c — the web view's HTTP server: evhttp on the "http" address of
 * knowd.conf, GET and HEAD only (POST only for the staff's desk under
 * /redaktion, web_desk.c), bounded headers and bodies, a timeout, and
 * a table of paths. Everything a client sends is length-checked and
 * validated before use; anything unexpected gets a clear 4xx (JSON on the
 * API, a styled German page elsewhere). Links are built from public_url,
 * or from an allowed Host, or left relative (doc/DESIGN.md §8). Answers
 * carry an ETag and Last-Modified from the data's version, and a request
 * whose validators still match is answered 304 before anything is read.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <sodium.h>
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
	int		 api;		/* errors as JSON */
	web_fn		*fn;
	int		 desk;		/* per account: no ETag, POST allowed */
} routes[] = {
	{ "/", 1, 0, web_page_start, 0 },
	{ "/suche", 1, 0, web_page_search, 0 },
	{ "/lektion/", 0, 0, web_page_lesson, 0 },
	{ "/verlauf/", 0, 0, web_page_history, 0 },
	{ "/kommune/", 0, 0, web_page_node, 0 },
	{ "/projekt/", 0, 0, web_page_project, 0 },
	{ "/api/v1/lessons", 1, 1, web_api_lessons, 0 },
	{ "/api/v1/lessons/", 0, 1, web_api_lesson, 0 },
	{ "/api/v1/openapi.json", 1, 1, web_api_openapi, 0 },
	{ "/api/v1/catalog.jsonld", 1, 1, web_api_dcat, 0 },
	{ "/api/", 0, 1, NULL, 0 },
	{ "/feed.atom", 1, 0, web_feed_atom, 0 },
	{ "/redaktion", 0, 0, web_desk, 1 },
};

void
web_send(struct web_req *r, int code, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	char	 date[WEB_DATE_MAX];

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	if (r->api)
		evhttp_add_header(h, "Access-Control-Allow-Origin", "*");
	if ((code == 200 || code == 410) && r->etag[0] != '\0') {
		evhttp_add_header(h, "ETag", r->etag);
		evhttp_add_header(h, "Cache-Control", "no-cache");
		/* A change in this very second could follow: say nothing then. */
		if (r->w->changed < time(NULL)) {
			web_http_date((long long)r->w->changed, date);
			evhttp_add_header(h, "Last-Modified", date);
		}
		evhttp_add_header(h, "Vary", "Host, Accept-Language");
	}
	evhttp_send_reply(r->req, code, code == 200 ? "OK" : code == 410 ?
	    "Gone" : "Error", r->out);
}

void
web_fail(struct web_req *r, int code, const char *ecode, const char *field,
    const char *de, const char *en)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

	if (!r->api) {
		web_page_error(r, code, de);
		return;
	}
	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	evbuffer_add_printf(r->out, "{\"error\":{");
	web_json_kv(r->out, "code", ecode, 0);
	web_json_kv(r->out, "message", r->en ? en : de, 1);
	if (field != NULL)
		web_json_kv(r->out, "field", field, 1);
	else
		evbuffer_add_printf(r->out, ",\"field\":null");
	evbuffer_add_printf(r->out, "}}\n");
	evhttp_add_header(h, "Content-Language", r->en ? "en" : "de");
	web_send(r, code, "application/json; charset=utf-8");
}

const char *
web_param(struct web_req *r, const char *key)
{
	const char *v = evhttp_find_header(&r->params, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
web_nid_ok(const char *s)
{
	static const char b58[] =
	    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	size_t	 n = strlen(s);

	return n >= 32 && n < KEYS_NID_MAX && strspn(s, b58) == n;
}

int
web_node_param(struct web_req *r, const char **nid)
{
	const char	*node = web_param(r, "node");

	*nid = NULL;
	if (node == NULL)
		return 0;
	if (strncmp(node, KEYS_DID_PREFIX, strlen(KEYS_DID_PREFIX)) == 0)
		node += strlen(KEYS_DID_PREFIX);
	if (!web_nid_ok(node)) {
		web_fail(r, 400, "bad_parameter", "node", "node: keine "
		    "Knoten-ID (did:key:z6Mk… oder z6Mk…)", "node: not a node id "
		    "(did:key:z6Mk… or z6Mk…)");
		return -1;
	}
	*nid = node;
	return 0;
}

/* What each query parameter must be, in German and English. */
static const struct {
	const char	*key, *de, *en;
} query_msgs[] = {
	{ "q", "q: höchstens 1024 Bytes", "q: at most 1024 bytes" },
	{ "field", "field: kein Handlungsfeld (z. B. energie-umwelt, "
	  "mobilitaet)", "field: not a Handlungsfeld (e.g. energie-umwelt, "
	  "mobilitaet)" },
	{ "status", "status: einer von idee, planung, umsetzung, regelbetrieb, "
	  "beendet", "status: one of idee, planung, umsetzung, regelbetrieb, "
	  "beendet" },
	{ "hurdle", "hurdle: eine von finanziell, organisatorisch, technisch, "
	  "sozial, rechtlich", "hurdle: one of finanziell, organisatorisch, "
	  "technisch, sozial, rechtlich" },
	{ "node", "node: höchstens 256 Bytes", "node: at most 256 bytes" },
	{ "project", "project: ein Kürzel aus a-z, 0-9 und - (höchstens 64 "
	  "Zeichen)", "project: a slug of a-z, 0-9 and - (at most 64 "
	  "characters)" },
	{ "tag", "tag: ein Kürzel aus a-z, 0-9 und - (höchstens 64 Zeichen)",
	  "tag: a slug of a-z, 0-9 and - (at most 64 characters)" },
	{ "since", "since: ein Datum JJJJ-MM-TT", "since: a date YYYY-MM-DD" },
};

/* The member of q that query parameter i of query_msgs sets. */
static const char **
query_member(struct search_query *q, size_t i)
{
	const char **m[] = { &q->q, &q->field, &q->status, &q->hurdle,
	    &q->node, &q->project, &q->tag, &q->since };

	return m[i];
}

/*
 * Checks each parameter of q alone with the search room's rules, so the
 * answer names the one at fault; kind must be lesson or project here.
 * Answers 400 and returns -1 at the first bad one.
 */
static int
query_vocab(struct web_req *r, struct search_query *q)
{
	struct search_query one;
	size_t	 i;

	for (i = 0; i < nitems(query_msgs); i++) {
		if (*query_member(q, i) == NULL)
			continue;
		memset(&one, 0, sizeof one);
		*query_member(&one, i) = *query_member(q, i);
		if (search_query_check(&one, NULL) != 0) {
			web_fail(r, 400, "bad_parameter", query_msgs[i].key,
			    query_msgs[i].de, query_msgs[i].en);
			return -1;
		}
	}
	if (q->kind != NULL && strcmp(q->kind, "lesson") != 0 &&
	    strcmp(q->kind, "project") != 0) {
		web_fail(r, 400, "bad_parameter", "kind", "kind: lesson oder "
		    "project", "kind: lesson or project");
		return -1;
	}
	return 0;
}

/* Reads limit and offset; -1 after answering 400. */
static int
query_page(struct web_req *r, struct search_query *q)
{
	const char	*lim = web_param(r, "limit"), *off = web_param(r, "offset");
	char		*end;

	q->limit = WEB_PAGE_SIZE;
	if (lim != NULL && (!isdigit((unsigned char)*lim) ||
	    (q->limit = strtoul(lim, &end, 10)) == 0 || *end != '\0' ||
	    q->limit > SEARCH_MAX_LIMIT)) {
		web_fail(r, 400, "bad_parameter", "limit", "limit: eine Zahl von "
		    "1 bis 1000", "limit: a number from 1 to 1000");
		return -1;
	}
	if (off != NULL && (!isdigit((unsigned char)*off) ||
	    (q->offset = strtoul(off, &end, 10)) > 1000000 || *end != '\0')) {
		web_fail(r, 400, "bad_parameter", "offset", "offset: eine Zahl "
		    "von 0 bis 1000000", "offset: a number from 0 to 1000000");
		return -1;
	}
	return 0;
}

int
web_query(struct web_req *r, struct search_query *q)
{
	char	*why = NULL;

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
	if (query_page(r, q) != 0 || query_vocab(r, q) != 0)
		return -1;
	if (search_query_check(q, &why) != 0) {
		/* Each parameter passed alone: say so rather than guess. */
		web_fail(r, 400, "bad_parameter", NULL, "Die Suchparameter passen "
		    "nicht zusammen.", why);
		free(why);
		return -1;
	}
	if (r->nd->search == NULL) {
		web_fail(r, 503, "unavailable", NULL, "Der Suchindex ist nicht "
		    "verfügbar.", "The search index is not available.");
		return -1;
	}
	return web_index_down(r) ? -1 : 0;
}

int
web_index_down(struct web_req *r)
{
	if (!search_unavailable(r->nd->search))
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Retry-After", "60");
	web_fail(r, 503, "rebuilding", NULL, SEARCH_REBUILDING_DE,
	    SEARCH_REBUILDING_EN);
	return 1;
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
		web_fail(r, 400, "bad_request", NULL, "Die Adresse ist unlesbar.",
		    "The request target cannot be read.");
		return -1;
	}
	if (strlen(target) > WEB_MAX_URI) {
		web_fail(r, 414, "uri_too_long", NULL, "Die Adresse ist zu lang.",
		    "The request target is too long.");
		return -1;
	}
	raw = evhttp_uri_get_path(u);
	query = evhttp_uri_get_query(u);
	r->path = evhttp_uridecode(raw != NULL && *raw != '\0' ? raw : "/", 0,
	    &len);
	if (r->path == NULL || strlen(r->path) != len || !path_ok(r->path) ||
	    !utf8_valid(r->path, len)) {
		web_fail(r, 404, "not_found", NULL, "Diese Seite gibt es nicht.",
		    "No such page.");
		return -1;
	}
	r->api = strncmp(r->path, "/api/", 5) == 0;
	if (query != NULL && (evhttp_parse_query_str(query, &r->params) != 0 ||
	    !params_ok(&r->params))) {
		web_fail(r, 400, "bad_parameter", NULL, "Die Suchparameter sind "
		    "ungültig (UTF-8, höchstens 32).", "The query parameters are "
		    "invalid (UTF-8, at most 32).");
		return -1;
	}
	return 0;
}

/*
 * The site base links are built from: public_url; else http(s)://Host when
 * the request's Host is in allowed_hosts; else "" (relative links).
 */
static void
req_base(struct web_req *r)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
	const struct config *c = &r->nd->conf;
	const char	*host = evhttp_find_header(in, "Host");
	const char	*proto = evhttp_find_header(in, "X-Forwarded-Proto");

	r->en = web_lang_en(evhttp_find_header(in, "Accept-Language"));
	if (c->public_url != NULL)
		r->base = c->public_url;
	else if (host != NULL && strlen(host) <= 261 &&
	    config_host_allowed(c, host)) {
		r->basebuf = xasprintf("%s://%s", proto != NULL &&
		    strcmp(proto, "https") == 0 ? "https" : "http", host);
		r->base = r->basebuf;
	} else
		r->base = "";
}

/* Adds s and a separator to the hash state (NULL as empty). */
static void
etag_add(crypto_generichash_state *st, const char *s)
{
	if (s != NULL)
		crypto_generichash_update(st, (const unsigned char *)s,
		    strlen(s));
	crypto_generichash_update(st, (const unsigned char *)"\n", 1);
}

/*
 * The answer's entity tag: a hash of the data's version (the view's tree),
 * the request target, the base and language links and errors depend on,
 * and the footer's settings. Computed before any work is done.
 */
static void
req_etag(struct web_req *r)
{
	const struct config *c = &r->nd->conf;
	crypto_generichash_state st;
	unsigned char	 h[12];
	char		 gen[32], cards[32];
	size_t		 i;

	crypto_generichash_init(&st, NULL, 0, sizeof h);
	snprintf(gen, sizeof gen, "%lu", r->w->view[0] == '\0' ? r->w->gen : 0);
	/* Contact cards change without the view: their generation counts too. */
	snprintf(cards, sizeof cards, "%llu",
	    (unsigned long long)node_contacts_gen(r->nd));
	etag_add(&st, cards);
	etag_add(&st, WEB_VERSION);
	etag_add(&st, r->w->view);
	etag_add(&st, gen);
	etag_add(&st, evhttp_request_get_uri(r->req));
	etag_add(&st, r->base);
	etag_add(&st, r->en ? "en" : "de");
	etag_add(&st, c->imprint_url);
	etag_add(&st, c->privacy_url);
	etag_add(&st, c->operator);
	etag_add(&st, node_name(r->nd));
	crypto_generichash_final(&st, h, sizeof h);
	r->etag[0] = '"';
	for (i = 0; i < sizeof h; i++)
		snprintf(r->etag + 1 + 2 * i, 3, "%02x", h[i]);
	strcat(r->etag, "\"");
}

/*
 * True when the client's copy is current (RFC 9110 §13.2.2): If-None-Match
 * decides when present, else If-Modified-Since against Last-Modified.
 */
static int
req_not_modified(struct web_req *r)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
	const char	*inm = evhttp_find_header(in, "If-None-Match");
	const char	*ims = evhttp_find_header(in, "If-Modified-Since");
	long long	 t;

	if (inm != NULL)
		return web_etag_match(inm, r->etag);
	return ims != NULL && web_http_date_parse(ims, &t) == 0 &&
	    r->w->changed < time(NULL) && (long long)r->w->changed <= t;
}

/* Answers 304 Not Modified with the validators. */
static void
req_304(struct web_req *r)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	char	 date[WEB_DATE_MAX];

	evhttp_add_header(h, "ETag", r->etag);
	evhttp_add_header(h, "Cache-Control", "no-cache");
	evhttp_add_header(h, "Vary", "Host, Accept-Language");
	if (r->w->changed < time(NULL)) {
		web_http_date((long long)r->w->changed, date);
		evhttp_add_header(h, "Last-Modified", date);
	}
	evhttp_send_reply(r->req, 304, "Not Modified", NULL);
}

/* Finds the path's handler and runs it (or answers 304 or 404). */
static void
req_route(struct web_req *r)
{
	size_t	 i, n;

	for (i = 0; i < nitems(routes); i++) {
		n = strlen(routes[i].prefix);
		if (routes[i].exact ? strcmp(r->path, routes[i].prefix) == 0 :
		    strncmp(r->path, routes[i].prefix, n) == 0)
			break;
	}
	if (i == nitems(routes) || routes[i].fn == NULL) {
		web_fail(r, 404, "not_found", NULL, "Diese Seite gibt es nicht.",
		    "No such resource.");
		return;
	}
	if (r->post && !routes[i].desk) {
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Allow", "GET, HEAD");
		web_fail(r, 405, "method_not_allowed", NULL, "Diese Ansicht ist "
		    "nur lesbar (GET, HEAD).", "This view is read-only (GET, "
		    "HEAD).");
		return;
	}
	if (routes[i].desk) {
		routes[i].fn(r, r->path + n);
		return;
	}
	req_etag(r);
	if (req_not_modified(r)) {
		req_304(r);
		return;
	}
	routes[i].fn(r, r->path + n);
}

/* evhttp callback: answers one request from the route table. */
static void
web_request_cb(struct evhttp_request *req, void *arg)
{
	struct web	*w = arg;
	struct web_req	 r;
	enum evhttp_cmd_type cmd;

	web_conn_request(w, req);
	memset(&r, 0, sizeof r);
	r.w = w;
	r.nd = w->nd;
	r.req = req;
	r.out = evbuffer_new();
	r.base = "";
	TAILQ_INIT(&r.params);
	if (r.out == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	cmd = evhttp_request_get_command(req);
	r.post = cmd == EVHTTP_REQ_POST;
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD && !r.post) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		web_fail(&r, 405, "method_not_allowed", NULL, "Diese Ansicht ist "
		    "nur lesbar (GET, HEAD).", "This view is read-only (GET, "
		    "HEAD).");
	} else if (!r.post && evbuffer_get_length(
	    evhttp_request_get_input_buffer(req)) > WEB_GET_BODY_MAX) {
		web_fail(&r, 413, "too_large", NULL, "Die Anfrage ist zu groß.",
		    "The request is too large.");
	} else if (req_parse(&r) == 0) {
		req_base(&r);
		req_route(&r);
	}
	evhttp_clear_headers(&r.params);
	evbuffer_free(r.out);
	free(r.path);
	free(r.basebuf);
}

/* Reads the view's tree into w->view ("" when there is none yet). */
static void
web_view_read(struct web *w)
{
	git_oid	 tree;

	w->view[0] = '\0';
	if (view_tree(w->nd->store, &tree) == 0)
		git_oid_tostr(w->view, sizeof w->view, &tree);
}

/* node listener: a branch moved, so the data has a new version. */
static int
web_moved_cb(struct node *nd, enum node_event ev, const struct node_move *mv,
    size_t n, void *source, void *arg, char **cause)
{
	struct web *w = arg;

	w->gen++;
	w->changed = time(NULL);
	web_view_read(w);
	return 0;
}

/* Writes the address a bound socket got into w->addr. */
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
}

/* A new evhttp with our limits; every method reaches the callback (others get 405). */
static struct evhttp *
web_http_new(struct event_base *base, struct web *w)
{
	struct evhttp	*http;

	if ((http = evhttp_new(base)) == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(http, 16384);
	/* Forms of the desk (POST /redaktion) may be this large; others 1 KiB. */
	evhttp_set_max_body_size(http, WEB_FORM_BODY_MAX);
	evhttp_set_timeout(http, 10);
	evhttp_set_gencb(http, web_request_cb, w);
	return http;
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
	w->http = web_http_new(base, w);
	web_conn_start(w, base);
	w->sock = evhttp_bind_socket_with_handle(w->http, host,
	    (ev_uint16_t)atoi(port));
	if (w->sock == NULL) {
		set_cause(cause, "web pages: cannot listen on %s", nd->conf.http);
		evhttp_free(w->http);
		web_conn_stop(w);
		free(w);
		free(host);
		free(port);
		return -1;
	}
	web_bound_addr(w, host);
	web_conn_listen(w);
	free(host);
	free(port);
	w->changed = time(NULL);
	web_view_read(w);
	node_listen(nd, NODE_MOVED, web_moved_cb, w);
	*out = w;
	log_info("web pages on http://%s%s%s", w->addr, nd->conf.public_url !=
	    NULL ? ", published as " : "", nd->conf.public_url != NULL ?
	    nd->conf.public_url : "");
	if (nd->conf.imprint_url == NULL || nd->conf.privacy_url == NULL)
		log_warnx("web pages: imprint_url and privacy_url are not set in "
		    "knowd.conf; a public German site needs an Impressum and a "
		    "Datenschutzerklärung");
	return 0;
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	node_unlisten(w->nd, web_moved_cb, w);
	evhttp_free(w->http);
	web_conn_stop(w);
	free(w);
}

void
web_set_desk(struct web *w, struct desk *d, struct worker *hasher)
{
	if (w == NULL)
		return;
	w->desk = d;
	w->hasher = hasher;
}

const char *
web_address(const struct web *w)
{
	return w != NULL ? w->addr : NULL;
}
