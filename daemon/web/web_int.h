/* web_int.h — what the web view's files share (daemon-internal). */
#ifndef KNOWD_WEB_INT_H
#define KNOWD_WEB_INT_H

#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "desk.h"
#include "keys.h"
#include "search.h"
#include "web_fmt.h"
#include "web_form.h"

#define WEB_MAX_URI	8192		/* bytes of a request target */
#define WEB_GET_BODY_MAX 1024		/* bytes of a body on anything but a desk POST */
#define WEB_PAGE_SIZE	20		/* results per page */
#define WEB_HISTORY_MAX	50		/* versions a history shows */
#define WEB_HISTORY_WALK 20000		/* commits of a branch a history reads at most */
#define WEB_VERSION	"0.1.0"
#define WEB_SIG_CACHE	256		/* signatures remembered (web_signature) */
/* Connections (web_conn.c). */
#define WEB_MAX_CONNS	256		/* open at once (at most a quarter of the
					   open file limit); the idlest goes first */
#define WEB_MAX_PER_ADDR 64		/* from one client address (at most a
					   quarter of the connections) */
#define WEB_REQUEST_SECS 10		/* a whole request, from connect or the last answer */
#define WEB_ANSWER_SECS	60		/* an answer read whole */
#define WEB_ACCEPT_ROUND 8		/* accepts before the loop reads them */

struct node;
struct buf;
struct hmap;
struct web_conn;
struct peers_backoff;
struct worker;
TAILQ_HEAD(web_conns, web_conn);

/* The signature of the commit that last changed a record, checked again. */
struct web_sig {
	int		 known;		/* a commit was found */
	int		 ok;		/* its signature and checks passed */
	char		 commit[48];
	unsigned long long seq;
	char		 time[32];
};

/* A signature checked before: valid while the branch's newer commits leave the blob alone. */
struct web_sig_entry {
	char		 nid[KEYS_NID_MAX];
	git_oid		 blob;
	git_oid		 head;		/* the branch's head it was checked at */
	struct web_sig	 sig;
};

struct web {
	struct node		*nd;
	struct evhttp			*http;
	struct evhttp_bound_socket	*sock;
	char				 addr[128];	/* host:port bound */
	char				 view[48];	/* the view's tree: the data's version */
	unsigned long			 gen;		/* branch moves seen */
	time_t				 changed;	/* when the data last changed */
	struct web_sig_entry		 sigs[WEB_SIG_CACHE];
	size_t				 nsigs, signext;
	/* web_conn.c: the connections, by last activity, oldest first. */
	struct event_base		*base;
	struct peers_backoff		*backoff;	/* accept back-off (peer.h) */
	struct web_conns		 conns;
	struct web_conns		 fresh;		/* accepted, not yet adopted */
	int				 nconns;
	int				 max_conns, max_per_addr;
	struct hmap			*addrs;		/* address → struct web_addr */
	struct hmap			*byconn;	/* evhttp connection → web_conn */
	struct event			*adopt;		/* adopts the fresh ones */
	unsigned			 accepted;
	struct desk			*desk;		/* the staff's desk, or NULL */
	struct worker			*hasher;	/* checks passwords, or NULL */
};

/* One request being answered. */
struct web_req {
	struct web		*w;
	struct node		*nd;
	struct evhttp_request	*req;
	struct evbuffer		*out;
	struct evkeyvalq	 params;
	char			*path;		/* decoded path */
	const char		*base;		/* absolute site base, or "" (relative links) */
	char			*basebuf;
	int			 api;		/* errors as JSON */
	int			 en;		/* the client prefers English (API errors) */
	char			 etag[40];	/* "\"…\"" of this answer, or "" */
	int			 post;		/* a POST (only under /redaktion) */
};

/* A page or API handler for a path (rest: what follows the matched prefix). */
typedef void web_fn(struct web_req *, const char *rest);

/* web_html.c: a page's head and header (nid: whose page, NULL: this node's). */
void	 web_page_begin(struct web_req *, const char *title, const char *nid);
/* Ends a page and sends it with code (200, 410). */
void	 web_page_end(struct web_req *, int code);
/* A styled HTML error page. */
void	 web_page_error(struct web_req *, int code, const char *msg);
/* Appends s escaped for HTML and XML text and attributes (highlight marks as <mark>). */
void	 web_esc(struct evbuffer *, const char *s);
/* Appends the site base (escaped), to be followed by an absolute path. */
void	 web_href(struct web_req *);
/* Appends s percent-encoded for a URL query value. */
void	 web_urlenc(struct evbuffer *, const char *s);
/* The German label of a Handlungsfeld, status, hurdle or kind value. */
const char *web_label(const char *value);
/* Appends a German date (<time datetime=…>05.12.2026</time>). */
void	 web_time(struct web_req *, const char *iso, int with_time);
/* The display name of nid's project slug (its title), or the slug. Caller frees. */
char	*web_project_title(struct web_req *, const char *nid, const char *slug);
/* The name of node nid, or its id. */
const char *web_node_name(struct web_req *, const char *nid);

/* web.c: replies. */
void	 web_send(struct web_req *, int code, const char *type);
/*
 * An error: JSON {"error": {code, message, field}} on the API (message in
 * German, or English when the client prefers it), else a styled page.
 */
void	 web_fail(struct web_req *, int code, const char *ecode,
	     const char *field, const char *de, const char *en);
/* A query parameter, or NULL. */
const char *web_param(struct web_req *, const char *key);
/* True after answering 503 (Retry-After) when the index is damaged or being rebuilt. */
int	 web_index_down(struct web_req *);
/* Fills a search query from the parameters; -1 after answering 400 (503: web_index_down). */
int	 web_query(struct web_req *, struct search_query *);
/* True for a node id: base58 characters, sensible length. */
int	 web_nid_ok(const char *);
/* The node parameter as a node id (did:key: dropped); -1 after answering 400/404. */
int	 web_node_param(struct web_req *, const char **nid);

/* web_conn.c: tracks evhttp's connections (call before binding, web_conn_listen after). */
void	 web_conn_start(struct web *, struct event_base *);
void	 web_conn_listen(struct web *);
/* Call after evhttp_free. */
void	 web_conn_stop(struct web *);
/* A whole request arrived on its connection: its answer's deadline starts. */
void	 web_conn_request(struct web *, struct evhttp_request *);
/*
 * A request answered later (a login's password check on a worker): if its
 * connection goes first, cancel(arg) runs and the request must not be
 * touched again. -1 when the connection is not tracked (answer now).
 */
int	 web_conn_defer(struct web *, struct evhttp_request *,
	     void (*cancel)(void *), void *arg);
/* The deferred request is being answered: no cancel any more. */
void	 web_conn_undefer(struct web *, struct evhttp_request *);
/* evhttp completion callback: the answer was sent; the next request's deadline starts. */
void	 web_conn_answered_cb(struct evhttp_request *, void *);

/*
 * web_contact.c: a lesson's contact card ("Ansprechpartner", its own or
 * its project's): a section of its page, and the API's "contact" (null
 * when none).
 */
void	 web_contact_box(struct web_req *, const struct search_hit *);
/* A project page's card (the project's own). */
void	 web_contact_project(struct web_req *, const char *nid, const char *slug);
void	 web_json_contact(struct web_req *, const struct search_hit *);

/* web_json.c: JSON output. */
void	 web_json_str(struct evbuffer *, const char *s);
void	 web_json_kv(struct evbuffer *, const char *key, const char *v, int comma);
/* Appends ,"key":[words of a space-separated list]. */
void	 web_json_words(struct evbuffer *, const char *key, const char *list);
/* Appends one search hit as a JSON object (urls from base). */
void	 web_json_hit(struct evbuffer *, const char *base, const struct search_hit *);

/*
 * The desk (/redaktion, web_desk*.c): one signed-in request (struct wdesk; its
 * functions are wdesk_*, the desk room's are desk_*). Staff write
 * lessons, save drafts, approve and publish them; see doc/DESIGN.md §8.
 */
struct wdesk {
	struct web_req		*r;
	struct desk		*d;
	struct desk_user	 u;
	struct desk_session	 s;
	struct web_form		 f;		/* a POST's fields */
};
/* web_desk.c: GET and POST /redaktion/… */
web_fn	 web_desk;
/* The page head of a desk page (no caching) and its end. */
void	 wdesk_page_begin(struct wdesk *, const char *title);
void	 wdesk_page_end(struct wdesk *, int code);
/* Answers 303 to base + path. */
void	 wdesk_redirect(struct wdesk *, const char *path);
/* A desk error page (German). */
void	 wdesk_fail(struct wdesk *, int code, const char *msg);
/* The hidden CSRF field of a form. */
void	 wdesk_csrf_field(struct wdesk *);
/* True when drafts need another account's approval (review). */
int	 wdesk_review_required(struct wdesk *);
/* True when the account may approve (reviewer or admin). */
int	 wdesk_may_approve(const struct wdesk *);
/* web_desk_form.c: the lesson form: a new one, an edit of a record, a draft. */
void	 wdesk_form_new(struct wdesk *);
void	 wdesk_form_edit(struct wdesk *, const char *id);
void	 wdesk_form_draft(struct wdesk *, const char *n);
/* POST /redaktion/speichern: preview, save a draft, or publish (review optional). */
void	 wdesk_form_post(struct wdesk *);
/* web_desk_act.c: the overview, approval, discarding, retraction, the audit log. */
void	 wdesk_overview(struct wdesk *);
void	 wdesk_approve(struct wdesk *);
void	 wdesk_discard(struct wdesk *);
void	 wdesk_retract(struct wdesk *);
void	 wdesk_audit_page(struct wdesk *);
/*
 * Publishes text (an edit starting from base) for the signed-in account;
 * on a stale edit answers 409 with both versions side by side. 0 and the
 * record's id in id on success; -1 after answering.
 */
int	 wdesk_publish(struct wdesk *, const char *text, const char *base,
	     const char *author, char id[64]);
/* A stale edit: this version and the one held, side by side (409). */
void	 wdesk_stale_page(struct wdesk *, const char *mine, const char *id,
	     int64_t draft);
/* The approve and discard buttons of a draft (as the account may use them). */
void	 wdesk_draft_actions(struct wdesk *, const struct desk_draft *);
/* A retraction asked for: what it retracts and its approval. */
void	 wdesk_retract_page(struct wdesk *, const struct desk_draft *);
/* One of our lessons' held text and its blob (hex) in base; NULL when none. Caller frees. */
char	*wdesk_held_text(struct wdesk *, const char *id, char base[48]);
/* The unit to name in commits for account name ("" or NULL when none). */
const char *wdesk_unit_of(struct wdesk *, const char *name, char *buf,
	     size_t size);

/* web_render.c: a record's Markdown as HTML (cmark-gfm: tables, autolinks; raw HTML off). Caller frees. */
char	*web_markdown(const char *md, size_t len);

/* web_pages.c */
web_fn	 web_page_start, web_page_search;
/* web_record.c */
web_fn	 web_page_lesson, web_page_node, web_page_project;
struct record;
/* A lesson's article as its page shows it (preview: without signature and print source). */
void	 web_lesson_article(struct web_req *, const struct search_hit *,
	     const struct record *, int preview);
/* The desk's preview of a record's text, rendered by web_lesson_article. */
void	 web_lesson_preview(struct web_req *, const char *text, size_t len);
/* The record at a blob (hex), parsed; NULL when unreadable. Caller frees. */
struct record *web_record_load(struct node *, const char *blobhex);
/* The signature of the commit that last changed nid's record at path (now blob). */
void	 web_signature(struct web *, const char *nid, const char *path,
	     const char *blobhex, struct web_sig *);
/*
 * The record a page or API call names (id, ?node=): 0 with *res holding it;
 * otherwise answered (400 or 404 for a bad id, 404, 410, 503) and -1.
 */
int	 web_lookup(struct web_req *, const char *id, struct search_result *);
/* Answers for a record not held: 410 when it was retracted, else 404. */
void	 web_record_missing(struct web_req *, const char *id, const char *nid);
/* web_history.c */
web_fn	 web_page_history;
/* web_api.c */
web_fn	 web_api_lessons, web_api_lesson, web_feed_atom;
/* web_openapi.c */
web_fn	 web_api_openapi;
extern const char web_openapi_json[];
/* web_export.c */
web_fn	 web_api_dcat;
/* Appends an Atom feed of lessons (all when limit is 0; with content when full). */
int	 web_atom(struct node *, const char *base, const char *nid,
	     const char *field, size_t limit, int full, struct evbuffer *out);

#endif
