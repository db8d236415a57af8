/*
 * web.h — the door to the web room: the node's public, read-only web
 * pages, a JSON API and Atom feeds over HTTP (libevent's evhttp) on
 * knowd.conf's "http" address. "web" is the pages; "view" is the git ref
 * refs/heads/main (store's view.c). See doc/DESIGN.md §8.
 */
#ifndef KNOWD_WEB_H
#define KNOWD_WEB_H

struct event_base;
struct node;
struct web;

/*
 * Starts serving on nd->conf.http: *out stays NULL when that is off; -1 and
 * *cause when it cannot bind.
 */
int	 web_start(struct web **out, struct event_base *, struct node *,
	     char **cause);
void	 web_stop(struct web *);
/* The address the web pages are served on ("127.0.0.1:7780"), or NULL when off. */
const char *web_address(const struct web *);

#endif
