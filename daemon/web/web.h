/*
 * web.h — the door to the web room: the node's public, read-only web
 * pages, a JSON API and Atom feeds over HTTP (libevent's evhttp) on
 * knowd.conf's "http" address. "web" is the pages; "view" is the git ref
 * refs/heads/main (store's view.c). See doc/DESIGN.md §8.
 */
#ifndef KNOWD_WEB_H
#define KNOWD_WEB_H

struct event_base;
struct evbuffer;
struct node;
struct web;
struct desk;
struct worker;

#define WEB_EXPORT_MAX	(200u * 1024 * 1024)	/* bytes of one export */

/*
 * Starts serving on nd->conf.http: *out stays NULL when that is off; -1 and
 * *cause when it cannot bind.
 */
int	 web_start(struct web **out, struct event_base *, struct node *,
	     char **cause);
void	 web_stop(struct web *);
/*
 * The staff's desk (/redaktion, doc/DESIGN.md §8); NULL: the desk answers
 * 503. Passwords are checked on hasher (a worker of its own; NULL: on the
 * event loop).
 */
void	 web_set_desk(struct web *, struct desk *, struct worker *hasher);
/* The address the web pages are served on ("127.0.0.1:7780"), or NULL when off. */
const char *web_address(const struct web *);
/*
 * Everything the node holds as format "json", "csv" or "atom", or its
 * DCAT-AP.de catalogue record ("dcat", JSON-LD), appended to out; links
 * from public_url. -1 and *cause for an unknown format or an export over
 * WEB_EXPORT_MAX bytes (knowctl export).
 */
int	 web_export(struct node *, const char *format, struct evbuffer *out,
	     char **cause);

#endif
