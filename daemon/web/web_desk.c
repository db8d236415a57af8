/*
 * web_desk.c — the desk's door in the web view: /redaktion/… for staff.
 * Signing in (a password checked by the desk room, throttled; or a user
 * name header a reverse proxy on loopback sets, web_auth = header NAME),
 * session cookies (HttpOnly; Secure; SameSite=Strict; Path=/redaktion),
 * the CSRF token every form carries, and the routes. Every path but the
 * login answers 303 to the login without a session. The public pages stay
 * read-only: only here is POST accepted (doc/DESIGN.md §8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "conf.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "util.h"
#include "web_int.h"

#define SID_COOKIE	"knowd_sid"
#define PRE_COOKIE	"knowd_pre"	/* the login form's CSRF token */
#define COOKIE_ATTRS	"; HttpOnly; Secure; SameSite=Strict; Path=/redaktion"

void
wdesk_redirect(struct wdesk *q, const char *path)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(q->r->req);
	char	*loc = xasprintf("%s%s", q->r->base, path);

	evhttp_add_header(h, "Location", loc);
	evhttp_add_header(h, "Cache-Control", "no-store");
	free(loc);
	evhttp_send_reply(q->r->req, 303, "See Other", NULL);
}

void
wdesk_page_begin(struct wdesk *q, const char *title)
{
	struct web_req	*r = q->r;

	r->etag[0] = '\0';
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Cache-Control", "no-store");
	web_page_begin(r, title, NULL);
	evbuffer_add_printf(r->out, "<nav class=\"desk\"><a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/redaktion/\">Redaktion</a>");
	if (q->u.name[0] != '\0') {
		evbuffer_add_printf(r->out, " · <a href=\"");
		web_href(r);
		evbuffer_add_printf(r->out, "/redaktion/neu\">Neue Erfahrung</a>");
		if (q->u.role == DESK_ADMIN) {
			evbuffer_add_printf(r->out, " · <a href=\"");
			web_href(r);
			evbuffer_add_printf(r->out, "/redaktion/protokoll\">"
			    "Protokoll</a>");
		}
		evbuffer_add_printf(r->out, " · <span class=\"who\">");
		web_esc(r->out, q->u.name);
		evbuffer_add_printf(r->out, " (%s)</span> <form class=\"inline\" "
		    "method=\"post\" action=\"", q->u.role == DESK_ADMIN ?
		    "Verwaltung" : q->u.role == DESK_REVIEWER ? "Freigabe" :
		    "Redaktion");
		web_href(r);
		evbuffer_add_printf(r->out, "/redaktion/abmelden\">");
		wdesk_csrf_field(q);
		evbuffer_add_printf(r->out, "<button>Abmelden</button></form>");
	}
	evbuffer_add_printf(r->out, "</nav>\n");
}

void
wdesk_page_end(struct wdesk *q, int code)
{
	web_page_end(q->r, code);
}

void
wdesk_fail(struct wdesk *q, int code, const char *msg)
{
	const char *what = code == 403 ? "Nicht erlaubt" : code == 404 ?
	    "Nicht gefunden" : code == 409 ? "Konflikt" : code == 429 ?
	    "Bitte warten" : code >= 500 ? "Interner Fehler" :
	    "Ungültige Anfrage";

	evbuffer_drain(q->r->out, evbuffer_get_length(q->r->out));
	wdesk_page_begin(q, what);
	evbuffer_add_printf(q->r->out, "<h1>%s</h1>\n<p class=\"notice\">",
	    what);
	web_esc(q->r->out, msg);
	evbuffer_add_printf(q->r->out, "</p>\n<p><a href=\"");
	web_href(q->r);
	evbuffer_add_printf(q->r->out, "/redaktion/\">Zur Redaktion</a></p>\n");
	wdesk_page_end(q, code);
}

void
wdesk_csrf_field(struct wdesk *q)
{
	evbuffer_add_printf(q->r->out, "<input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\">", q->s.csrf);
}

int
wdesk_review_required(struct wdesk *q)
{
	int	 review = q->r->nd->conf.review;

	if (review != CONFIG_REVIEW_AUTO)
		return review == CONFIG_REVIEW_REQUIRED;
	return desk_user_count(q->d) > 1;
}

int
wdesk_may_approve(const struct wdesk *q)
{
	return q->u.role == DESK_REVIEWER || q->u.role == DESK_ADMIN;
}

/* Adds a Set-Cookie header: name=value with our attributes (value "": expire it). */
static void
set_cookie(struct wdesk *q, const char *name, const char *value, int secs)
{
	char	*c = xasprintf("%s=%s%s; Max-Age=%d", name, value, COOKIE_ATTRS,
	    *value == '\0' ? 0 : secs);

	evhttp_add_header(evhttp_request_get_output_headers(q->r->req),
	    "Set-Cookie", c);
	free(c);
}

/* The value of a cookie of this request into out; -1 when absent. */
static int
get_cookie(struct wdesk *q, const char *name, char *out, size_t size)
{
	return web_cookie_get(evhttp_find_header(
	    evhttp_request_get_input_headers(q->r->req), "Cookie"), name, out,
	    size);
}

/* The peer's address as text (for throttling), into out. */
static void
peer_addr(struct wdesk *q, char *out, size_t size)
{
	struct evhttp_connection *c = evhttp_request_get_connection(q->r->req);
	char		*host = NULL;
	ev_uint16_t	 port = 0;

	if (c != NULL)
		evhttp_connection_get_peer(c, &host, &port);
	snprintf(out, size, "%s", host != NULL ? host : "?");
}

/*
 * True when the browser will keep a Secure cookie from this request: the
 * site is reached over HTTPS (public_url, or a proxy's X-Forwarded-Proto),
 * or on this host (browsers treat localhost and loopback as secure).
 */
static int
secure_context(struct wdesk *q)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(q->r->req);
	const char	*proto = evhttp_find_header(in, "X-Forwarded-Proto");
	const char	*host = evhttp_find_header(in, "Host");

	if (strncmp(q->r->base, "https://", 8) == 0 ||
	    (proto != NULL && strcmp(proto, "https") == 0))
		return 1;
	return host != NULL && (strncmp(host, "localhost", 9) == 0 ||
	    strncmp(host, "127.", 4) == 0 || strncmp(host, "[::1]", 5) == 0);
}

/* The login page, with a message (NULL: none) and the name typed. */
static void
login_page(struct wdesk *q, int code, const char *msg, const char *name)
{
	struct web_req	*r = q->r;
	char		 pre[DESK_CSRF_LEN + 1];
	uint8_t		 b[32];

	randombytes_buf(b, sizeof b);
	hex_encode(b, sizeof b, pre);
	set_cookie(q, PRE_COOKIE, pre, 3600);
	wdesk_page_begin(q, "Anmelden");
	evbuffer_add_printf(r->out, "<h1>Anmelden zur Redaktion</h1>\n");
	if (msg != NULL) {
		evbuffer_add_printf(r->out, "<p class=\"notice\" role=\"alert\">");
		web_esc(r->out, msg);
		evbuffer_add_printf(r->out, "</p>\n");
	}
	if (q->r->nd->conf.web_auth_header != NULL)
		evbuffer_add_printf(r->out, "<p class=\"notice\">Die Redaktion "
		    "meldet sich hier über das Single Sign-on der Verwaltung an "
		    "(web_auth = header): bitte die Redaktion über dessen Adresse "
		    "aufrufen.</p>\n");
	else if (!secure_context(q))
		evbuffer_add_printf(r->out, "<p class=\"notice\">Die Anmeldung "
		    "braucht eine HTTPS-Verbindung: ohne sie behält der Browser "
		    "die Sitzung nicht. Bitte die Redaktion über https:// "
		    "aufrufen (siehe knowd.conf(5)).</p>\n");
	evbuffer_add_printf(r->out, "<form class=\"desk\" method=\"post\" "
	    "action=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/redaktion/anmelden\"><input type=\"hidden\""
	    " name=\"csrf\" value=\"%s\"><div><label for=\"name\">Konto</label>"
	    "<input id=\"name\" name=\"name\" autocomplete=\"username\" "
	    "required maxlength=\"64\" value=\"", pre);
	web_esc(r->out, name != NULL ? name : "");
	evbuffer_add_printf(r->out, "\"></div><div><label for=\"password\">"
	    "Passwort</label><input id=\"password\" name=\"password\" "
	    "type=\"password\" autocomplete=\"current-password\" required>"
	    "</div><div><button>Anmelden</button></div></form>\n");
	sodium_memzero(pre, sizeof pre);
	wdesk_page_end(q, code);
}

/* Ends a checked login: a session and 303 to the desk, or the form again. */
static void
login_finish(struct wdesk *q, struct desk_check *chk)
{
	char	 sid[DESK_SID_LEN + 1], csrf[DESK_CSRF_LEN + 1];

	if (desk_login_end(q->d, chk, time(NULL), &q->u) != DESK_LOGIN_OK) {
		memset(&q->u, 0, sizeof q->u);
		login_page(q, 403, "Konto oder Passwort ist falsch.", chk->name);
		return;
	}
	if (desk_session_new(q->d, q->u.name, time(NULL), sid, csrf) != 0) {
		wdesk_fail(q, 500, "Die Sitzung konnte nicht angelegt werden.");
		return;
	}
	set_cookie(q, SID_COOKIE, sid, DESK_MAX_SECS);
	set_cookie(q, PRE_COOKIE, "", 0);
	sodium_memzero(sid, sizeof sid);
	sodium_memzero(csrf, sizeof csrf);
	desk_audit(q->d, q->u.name, "login", NULL, NULL);
	wdesk_redirect(q, "/redaktion/");
}

/* A login's password check on the hasher thread, and what its answer needs. */
struct login_job {
	struct worker_job	 job;		/* first: the worker's part */
	struct web		*w;
	struct evhttp_request	*req;		/* NULL once its connection went */
	char			*base;
	struct desk_check	 chk;
};

/* Worker thread: Argon2id (about 0.1 s), touching nothing but the check. */
static void
login_job_run(struct worker_job *j, git_repository *repo)
{
	desk_login_verify(&((struct login_job *)j)->chk);
}

/* The connection went while the password was being checked. */
static void
login_job_cancel(void *arg)
{
	((struct login_job *)arg)->req = NULL;
}

/* Event loop: answers the login (unless its connection went) and frees the job. */
static void
login_job_done(struct worker_job *j)
{
	struct login_job *lj = (struct login_job *)j;
	struct web_req	 r;
	struct wdesk	 q;

	if (lj->req != NULL) {
		web_conn_undefer(lj->w, lj->req);
		memset(&r, 0, sizeof r);
		memset(&q, 0, sizeof q);
		r.w = lj->w;
		r.nd = lj->w->nd;
		r.req = lj->req;
		r.base = lj->base;
		TAILQ_INIT(&r.params);
		q.r = &r;
		q.d = lj->w->desk;
		if ((r.out = evbuffer_new()) == NULL)
			evhttp_send_error(lj->req, 500, NULL);
		else if (j->cancelled)
			wdesk_fail(&q, 503, "knowd hält gerade an. Bitte gleich "
			    "noch einmal anmelden.");
		else
			login_finish(&q, &lj->chk);
		if (r.out != NULL)
			evbuffer_free(r.out);
	}
	desk_check_clear(&lj->chk);
	free(lj->base);
	free(lj);
}

/* Answers a login that must wait (throttled), in German, 429. */
static void
login_wait(struct wdesk *q, int wait, const char *name)
{
	char	*msg = xasprintf("Zu viele Fehlversuche. Bitte in %d Sekunden "
	    "noch einmal versuchen.", wait);

	evhttp_add_header(evhttp_request_get_output_headers(q->r->req),
	    "Retry-After", "30");
	login_page(q, 429, msg, name);
	free(msg);
	log_info("desk: login for an account throttled");
}

/*
 * POST /redaktion/anmelden: the login form's token, then the password,
 * checked on the hasher thread (the answer follows from login_job_done),
 * or here when there is none.
 */
static void
login_post(struct wdesk *q)
{
	const char	*name = web_form_get(&q->f, "name");
	const char	*pw = web_form_get(&q->f, "password");
	struct login_job *lj;
	char		 pre[DESK_CSRF_LEN + 1], addr[64];
	int		 wait;
	enum desk_login	 rv;

	if (q->r->nd->conf.web_auth_header != NULL) {
		login_page(q, 403, "Auf diesem Knoten meldet sich die Redaktion "
		    "über das Single Sign-on der Verwaltung an, nicht mit einem "
		    "Passwort.", name);
		return;
	}
	if (get_cookie(q, PRE_COOKIE, pre, sizeof pre) != 0 ||
	    !desk_token_equal(pre, web_form_get(&q->f, "csrf"))) {
		login_page(q, 403, "Die Anmeldung kam nicht aus dem "
		    "Anmeldeformular dieser Seite. Bitte noch einmal.", name);
		return;
	}
	if (name == NULL || pw == NULL) {
		login_page(q, 400, "Bitte Konto und Passwort angeben.", name);
		return;
	}
	peer_addr(q, addr, sizeof addr);
	lj = xcalloc(1, sizeof *lj);
	rv = desk_login_begin(q->d, &lj->chk, name, pw, strlen(pw), addr,
	    time(NULL), &wait);
	if (rv == DESK_LOGIN_WAIT)
		login_wait(q, wait, name);
	else if (rv == DESK_LOGIN_OK && q->r->w->hasher != NULL &&
	    web_conn_defer(q->r->w, q->r->req, login_job_cancel, lj) == 0) {
		lj->job.run = login_job_run;
		lj->job.done = login_job_done;
		lj->w = q->r->w;
		lj->req = q->r->req;
		lj->base = xstrdup(q->r->base);
		log_debug("desk: a password check goes to the hasher thread");
		worker_submit(q->r->w->hasher, &lj->job);
		return;
	} else {
		if (rv == DESK_LOGIN_OK)
			desk_login_verify(&lj->chk);
		login_finish(q, &lj->chk);
	}
	desk_check_clear(&lj->chk);
	free(lj);
}

/*
 * web_auth = header NAME: the account a reverse proxy on loopback names.
 * The header of any other peer is ignored. 0 with q->u set, else -1.
 */
static int
auth_header(struct wdesk *q)
{
	const char	*hdr = q->r->nd->conf.web_auth_header, *who;
	struct evhttp_connection *c = evhttp_request_get_connection(q->r->req);

	if (hdr == NULL || c == NULL ||
	    !web_peer_loopback(evhttp_connection_get_addr(c)))
		return -1;
	who = evhttp_find_header(evhttp_request_get_input_headers(q->r->req),
	    hdr);
	if (who == NULL || !desk_name_valid(who) ||
	    desk_user_get(q->d, who, &q->u) != 0)
		return -1;
	return 0;
}

/*
 * Finds the request's account: its session cookie, or (header mode) the
 * proxy's header, which gets a session of its own for the CSRF token.
 * 0 when signed in; else -1 after answering 303 to the login.
 */
static int
wdesk_auth(struct wdesk *q)
{
	char	 sid[DESK_SID_LEN + 1], nsid[DESK_SID_LEN + 1];
	int	 have;

	have = get_cookie(q, SID_COOKIE, sid, sizeof sid) == 0 &&
	    desk_session_find(q->d, sid, time(NULL), &q->s) == 0 &&
	    desk_user_get(q->d, q->s.user, &q->u) == 0;
	if (q->r->nd->conf.web_auth_header != NULL) {
		if (auth_header(q) != 0) {
			memset(&q->u, 0, sizeof q->u);
			have = 0;
		} else if (!have || strcmp(q->s.user, q->u.name) != 0) {
			if (desk_session_new(q->d, q->u.name, time(NULL), nsid,
			    q->s.csrf) != 0)
				return -1;
			snprintf(q->s.user, sizeof q->s.user, "%s", q->u.name);
			set_cookie(q, SID_COOKIE, nsid, DESK_MAX_SECS);
			sodium_memzero(nsid, sizeof nsid);
			have = 1;
		}
	}
	sodium_memzero(sid, sizeof sid);
	if (have)
		return 0;
	memset(&q->u, 0, sizeof q->u);
	wdesk_redirect(q, "/redaktion/anmelden");
	return -1;
}

/* Reads a POST's urlencoded body into q->f; -1 after answering 4xx. */
static int
read_form(struct wdesk *q)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(q->r->req);
	const char	*ct = evhttp_find_header(
	    evhttp_request_get_input_headers(q->r->req), "Content-Type");
	size_t		 len = evbuffer_get_length(in);
	char		*why = NULL;

	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) != 0 || (ct[33] != '\0' && ct[33] != ';')) {
		wdesk_fail(q, 415, "Formulare bitte als "
		    "application/x-www-form-urlencoded senden.");
		return -1;
	}
	if (web_form_parse((const char *)evbuffer_pullup(in, -1), len, &q->f,
	    &why) != 0) {
		log_debug("desk: form refused: %s", why);
		free(why);
		wdesk_fail(q, 400, "Das Formular ist unlesbar (zu groß, zu viele "
		    "Felder oder ungültige Zeichen).");
		return -1;
	}
	return 0;
}

/* POST /redaktion/abmelden: the session ends. */
static void
logout(struct wdesk *q)
{
	char	 sid[DESK_SID_LEN + 1];

	if (get_cookie(q, SID_COOKIE, sid, sizeof sid) == 0)
		desk_session_end(q->d, sid);
	sodium_memzero(sid, sizeof sid);
	set_cookie(q, SID_COOKIE, "", 0);
	memset(&q->u, 0, sizeof q->u);
	wdesk_redirect(q, "/redaktion/anmelden");
}

/* Runs a signed-in POST at path p (its CSRF token checked). */
static void
route_post(struct wdesk *q, const char *p)
{
	if (!desk_token_equal(q->s.csrf, web_form_get(&q->f, "csrf"))) {
		wdesk_fail(q, 403, "Die Sicherheitsprüfung des Formulars ist "
		    "fehlgeschlagen (CSRF-Token fehlt oder ist falsch). Bitte "
		    "das Formular neu laden.");
		return;
	}
	if (strcmp(p, "abmelden") == 0)
		logout(q);
	else if (strcmp(p, "speichern") == 0)
		wdesk_form_post(q);
	else if (strcmp(p, "freigeben") == 0)
		wdesk_approve(q);
	else if (strcmp(p, "verwerfen") == 0)
		wdesk_discard(q);
	else if (strcmp(p, "zurueckziehen") == 0)
		wdesk_retract(q);
	else
		wdesk_fail(q, 404, "Diese Seite gibt es nicht.");
}

/* Runs a signed-in GET at path p. */
static void
route_get(struct wdesk *q, const char *p)
{
	if (*p == '\0')
		wdesk_overview(q);
	else if (strcmp(p, "neu") == 0)
		wdesk_form_new(q);
	else if (strncmp(p, "bearbeiten/", 11) == 0)
		wdesk_form_edit(q, p + 11);
	else if (strncmp(p, "entwurf/", 8) == 0)
		wdesk_form_draft(q, p + 8);
	else if (strcmp(p, "protokoll") == 0)
		wdesk_audit_page(q);
	else
		wdesk_fail(q, 404, "Diese Seite gibt es nicht.");
}

/* Wipes the form's values (a password among them) and frees them. */
static void
form_wipe(struct web_form *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		sodium_memzero(f->v[i].value, f->v[i].len);
	web_form_clear(f);
}

/* GET or POST /redaktion…: the desk. */
void
web_desk(struct web_req *r, const char *rest)
{
	struct wdesk	 q;

	memset(&q, 0, sizeof q);
	q.r = r;
	q.d = r->w->desk;
	r->etag[0] = '\0';
	if (q.d == NULL) {
		web_fail(r, 503, "unavailable", NULL, "Die Redaktion ist auf "
		    "diesem Knoten nicht verfügbar (desk.sqlite, siehe Log).",
		    "The desk is not available.");
		return;
	}
	if (*rest != '/' && *rest != '\0') {
		web_fail(r, 404, "not_found", NULL, "Diese Seite gibt es nicht.",
		    "No such page.");
		return;
	}
	rest = *rest == '/' ? rest + 1 : rest;
	if (strcmp(rest, "anmelden") == 0) {
		if (!r->post)
			login_page(&q, 200, NULL, NULL);
		else if (read_form(&q) == 0)
			login_post(&q);
	} else if (wdesk_auth(&q) == 0) {
		if (!r->post)
			route_get(&q, rest);
		else if (read_form(&q) == 0)
			route_post(&q, rest);
	}
	form_wipe(&q.f);
	sodium_memzero(&q.s, sizeof q.s);
}
