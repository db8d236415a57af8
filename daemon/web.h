/*
 * web.h — the read-only web view: knowd serves HTML pages, a JSON API and
 * Atom feeds over HTTP (libevent's evhttp) on knowd.conf's "http" address.
 */
#ifndef KNOWD_WEB_H
#define KNOWD_WEB_H

struct knowd;

/* Starts serving on kd->conf.http (nothing when it is off); -1 and *cause when it cannot bind. */
int	 web_start(struct knowd *, char **cause);
void	 web_stop(struct knowd *);
/* The address the web view listens on ("127.0.0.1:7780"), or NULL when off. */
const char *web_address(const struct knowd *);

#endif
