/*
 * web_form.c — pure parsers for the desk: urlencoded form bodies and the
 * Cookie header. Everything is bounded (WEB_FORM_BODY_MAX bytes, 128
 * pairs, 32-byte names) and checked before use; fuzzed by
 * tests/fuzz/fuzz_form.c.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include <stdint.h>

#include "util.h"
#include "web_form.h"

/* Decodes the two hex digits at s (not NUL-terminated) into *c. */
static int
hex_decode_n(const char *s, uint8_t *c)
{
	char	 two[3] = { s[0], s[1], '\0' };

	return hex_decode(two, c, 1);
}

/*
 * Decodes s[0..n) ('+' as space, %XX) into a new string; CR LF becomes LF.
 * NULL when a %-escape is malformed, the result is not UTF-8, or it holds
 * a control character other than tab and newline.
 */
static char *
form_decode(const char *s, size_t n, size_t *outlen)
{
	char	*o = xmalloc(n + 1);
	size_t	 i, k = 0;
	uint8_t	 c;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			c = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= n || hex_decode_n(s + i + 1, &c) != 0)
				goto bad;
			i += 2;
		} else
			c = (uint8_t)s[i];
		if (c == '\r')
			continue;	/* CR LF as LF; a lone CR goes too */
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			goto bad;
		o[k++] = (char)c;
	}
	o[k] = '\0';
	if (!utf8_valid(o, k))
		goto bad;
	*outlen = k;
	return o;
bad:
	free(o);
	return NULL;
}

/* True for a form field name: 1..WEB_FORM_KEY_MAX of [A-Za-z0-9_-]. */
static int
key_ok(const char *k)
{
	size_t	 n = strlen(k);

	return n >= 1 && n <= WEB_FORM_KEY_MAX && strspn(k,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
	    n;
}

/* Parses one "name=value" of n bytes into the next pair of f. */
static int
form_pair(struct web_form *f, const char *p, size_t n, char **cause)
{
	const char	*eq = memchr(p, '=', n);
	struct web_form_pair *v;
	size_t		 klen = eq != NULL ? (size_t)(eq - p) : n, kl;

	if (f->n == WEB_FORM_MAX_PAIRS)
		return set_cause(cause, "more than %d form fields",
		    WEB_FORM_MAX_PAIRS);
	if (klen > 3 * WEB_FORM_KEY_MAX)
		return set_cause(cause, "a form field name is too long");
	v = &f->v[f->n];
	if ((v->key = form_decode(p, klen, &kl)) == NULL || !key_ok(v->key)) {
		free(v->key);
		v->key = NULL;
		return set_cause(cause, "a form field name is not valid");
	}
	v->value = eq != NULL ? form_decode(eq + 1, n - klen - 1, &v->len) :
	    xstrdup("");
	if (v->value == NULL) {
		free(v->key);
		v->key = NULL;
		return set_cause(cause, "a form field's value is not valid "
		    "text");
	}
	f->n++;
	return 0;
}

int
web_form_parse(const char *body, size_t len, struct web_form *f,
    char **cause)
{
	const char	*p = body, *end = body + len, *amp;

	memset(f, 0, sizeof *f);
	if (len > WEB_FORM_BODY_MAX)
		return set_cause(cause, "the form is larger than %u bytes",
		    WEB_FORM_BODY_MAX);
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p && form_pair(f, p, (size_t)(amp - p), cause) != 0) {
			web_form_clear(f);
			return -1;
		}
		p = amp + 1;
	}
	return 0;
}

void
web_form_clear(struct web_form *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].value);
	}
	f->n = 0;
}

const char *
web_form_next(const struct web_form *f, const char *key, size_t *it)
{
	for (; *it < f->n; (*it)++)
		if (strcmp(f->v[*it].key, key) == 0)
			return f->v[(*it)++].value;
	return NULL;
}

const char *
web_form_get(const struct web_form *f, const char *key)
{
	size_t	 it = 0;

	return web_form_next(f, key, &it);
}

int
web_cookie_get(const char *h, const char *name, char *out, size_t size)
{
	size_t	 nl = strlen(name), vl;
	const char *v;

	while (h != NULL && *h != '\0') {
		while (*h == ' ' || *h == '\t' || *h == ';')
			h++;
		if (strncmp(h, name, nl) == 0 && h[nl] == '=') {
			v = h + nl + 1;
			vl = strcspn(v, "; \t");
			if (vl == 0 || vl >= size)
				return -1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return 0;
		}
		h = strchr(h, ';');
	}
	return -1;
}

int
web_peer_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*in4;
	const struct sockaddr_in6	*in6;
	const uint8_t			*a;
	static const uint8_t		 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		in4 = (const struct sockaddr_in *)sa;
		return ((const uint8_t *)&in4->sin_addr)[0] == 127;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	in6 = (const struct sockaddr_in6 *)sa;
	a = in6->sin6_addr.s6_addr;
	if (memcmp(a, &in6addr_loopback, 16) == 0)
		return 1;
	return memcmp(a, mapped, 12) == 0 && a[12] == 127;
}
