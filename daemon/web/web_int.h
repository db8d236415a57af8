/* web_int.h — what the web view's files share (daemon-internal). */
#ifndef KNOWD_WEB_INT_H
#define KNOWD_WEB_INT_H

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "search.h"

#define WEB_MAX_URI	8192		/* bytes of a request target */
#define WEB_PAGE_SIZE	20		/* results per page */

struct node;

struct web {
	struct node		*nd;
	struct evhttp			*http;
	struct evhttp_bound_socket	*sock;
	char				 addr[128];	/* host:port bound */
	char				 base[160];	/* http://host:port */
};

/* One request being answered. */
struct web_req {
	struct web		*w;
	struct node		*nd;
	struct evhttp_request	*req;
	struct evbuffer		*out;
	struct evkeyvalq	 params;
	char			*path;		/* decoded path */
};

/* A page or API handler for a path (rest: what follows the matched prefix). */
typedef void web_fn(struct web_req *, const char *rest);

/* web.c: a page's head and header, and its footer (which sends it). */
void	 web_page_begin(struct web_req *, const char *title);
void	 web_page_end(struct web_req *);
/* web.c: replies. */
void	 web_send(struct web_req *, int code, const char *type);
void	 web_error(struct web_req *, int code, const char *msg);
/* A query parameter, or NULL. */
const char *web_param(struct web_req *, const char *key);
/* Fills a search query from the parameters; -1 after answering 400. */
int	 web_query(struct web_req *, struct search_query *);
/* Appends s escaped for HTML and XML text and attributes (highlight marks as <mark>). */
void	 web_esc(struct evbuffer *, const char *s);
/* Appends s percent-encoded for a URL query value. */
void	 web_urlenc(struct evbuffer *, const char *s);
/* The German label of a Handlungsfeld, status or hurdle value. */
const char *web_label(const char *value);

/* web_pages.c */
web_fn	 web_page_start, web_page_search;
/* web_record.c */
web_fn	 web_page_lesson, web_page_node, web_page_project;
/* web_api.c */
web_fn	 web_api_lessons, web_feed_atom;

#endif
