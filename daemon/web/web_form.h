/*
 * web_form.h — the desk's pure parsers of what a browser sends (web_form.c):
 * an application/x-www-form-urlencoded body and a Cookie header. No evhttp,
 * so the unit test and the fuzz target take them alone (daemon-internal).
 */
#ifndef KNOWD_WEB_FORM_H
#define KNOWD_WEB_FORM_H

#include <stddef.h>

#define WEB_FORM_BODY_MAX	(256u * 1024)	/* bytes of a form's body */
#define WEB_FORM_MAX_PAIRS	128		/* name=value pairs */
#define WEB_FORM_KEY_MAX	32		/* bytes of a name */

struct web_form_pair {
	char	*key;
	char	*value;		/* decoded UTF-8, NUL-terminated, no NUL inside */
	size_t	 len;
};

struct web_form {
	struct web_form_pair	 v[WEB_FORM_MAX_PAIRS];
	size_t			 n;
};

/*
 * Parses a urlencoded body ("a=1&b=x+y%C3%BC"): '+' is a space, %XX a
 * byte; names are 1..32 of [A-Za-z0-9_-], values valid UTF-8 without NUL
 * or control characters other than tab, CR and LF (CR LF becomes LF).
 * -1 and *cause (English) on anything else; the form is then empty.
 */
int	 web_form_parse(const char *body, size_t len, struct web_form *,
	     char **cause);
void	 web_form_clear(struct web_form *);
/* The first value of key, or NULL. */
const char *web_form_get(const struct web_form *, const char *key);
/* The value of key after index *it (start with *it = 0); NULL at the end. */
const char *web_form_next(const struct web_form *, const char *key, size_t *it);
/* Copies cookie name's value from a Cookie header into out (at most size-1 bytes); -1 when absent or too long. */
int	 web_cookie_get(const char *header, const char *name, char *out,
	     size_t size);

struct sockaddr;
/*
 * True when a connection's peer is on loopback (127.0.0.0/8, ::1, or
 * ::ffff:127.x.x.x): only then is a user name header (web_auth = header)
 * trusted, as only a reverse proxy on this host can have set it.
 */
int	 web_peer_loopback(const struct sockaddr *);

#endif
