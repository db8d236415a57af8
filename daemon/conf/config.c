/* config.c — parse, check and print knowd.conf. */
#include <ctype.h>
#include <stddef.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "keys.h"
#include "util.h"

#define CONFIG_MAX_BYTES (1024 * 1024)

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->listen = xstrdup(CONFIG_DEFAULT_LISTEN);
	c->network = xstrdup(CONFIG_DEFAULT_NETWORK);
	c->http = xstrdup(CONFIG_DEFAULT_HTTP);
	c->idle_timeout = 90;
	c->keepalive = 30;
	c->max_peers_in = 64;
	c->max_peers_out = 8;
	c->sync_interval = 30;
	c->trust_depth = 1;
	c->contact_max_age = CONFIG_DEFAULT_CONTACT_AGE;
}

/* Sets contact_max_age from "N", "Ns", "Nm", "Nh" or "Nd". */
static int
config_set_age(struct config *c, const char *v, char **cause)
{
	char	*end;
	long	 n, mul = 1;

	n = strtol(v, &end, 10);
	switch (*end) {
	case 'd':
		mul = 86400;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'm':
		mul = 60;
		break;
	}
	if (*end != '\0' && strchr("dhms", *end) != NULL)
		end++;
	if (*v == '\0' || !isdigit((unsigned char)*v) || *end != '\0' ||
	    n < 1 || n > CONFIG_MAX_CONTACT_AGE / mul)
		return set_cause(cause, "contact_max_age: \"%s\" is not a "
		    "duration from 1s to 3650d (e.g. 365d, 12h, 90m)", v);
	c->contact_max_age = n * mul;
	return 0;
}

/* The numeric settings: name, member offset, smallest and largest value. */
static const struct {
	const char	*key;
	size_t		 off;
	int		 min, max;
} config_ints[] = {
	{ "idle_timeout", offsetof(struct config, idle_timeout), 2, 86400 },
	{ "keepalive", offsetof(struct config, keepalive), 1, 3600 },
	{ "max_peers_in", offsetof(struct config, max_peers_in), 0, 10000 },
	{ "max_peers_out", offsetof(struct config, max_peers_out), 0, 1000 },
	{ "sync_interval", offsetof(struct config, sync_interval), 1, 86400 },
	{ "trust_depth", offsetof(struct config, trust_depth), 0, 8 },
};

/* Sets a numeric setting; 1 when key is not one, -1 on a bad value. */
static int
config_set_int(struct config *c, const char *key, const char *v, char **cause)
{
	char	*end;
	long	 n;
	size_t	 i;

	for (i = 0; i < nitems(config_ints); i++) {
		if (strcmp(key, config_ints[i].key) != 0)
			continue;
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < config_ints[i].min ||
		    n > config_ints[i].max)
			return set_cause(cause, "%s: \"%s\" is not a number "
			    "from %d to %d", key, v, config_ints[i].min,
			    config_ints[i].max);
		*(int *)((char *)c + config_ints[i].off) = (int)n;
		return 0;
	}
	return 1;
}

void
config_free(struct config *c)
{
	size_t	 i;

	free(c->listen);
	free(c->network);
	free(c->http);
	for (i = 0; i < c->npeers; i++) {
		free(c->peers[i].nid);
		free(c->peers[i].host);
		free(c->peers[i].port);
	}
	free(c->peers);
	for (i = 0; i < c->ntrust; i++) {
		free(c->trust[i].nid);
		free(c->trust[i].name);
	}
	free(c->trust);
	for (i = 0; i < c->nadmit; i++)
		free(c->admit[i]);
	free(c->admit);
	for (i = 0; i < c->ndeny; i++)
		free(c->deny[i]);
	free(c->deny);
	free(c->public_url);
	for (i = 0; i < c->nallowed_hosts; i++)
		free(c->allowed_hosts[i]);
	free(c->allowed_hosts);
	for (i = 0; i < c->npersonal_allow; i++)
		free(c->personal_allow[i]);
	free(c->personal_allow);
	free(c->imprint_url);
	free(c->privacy_url);
	free(c->operator);
	free(c->web_auth_header);
	memset(c, 0, sizeof *c);
}

int
config_split_hostport(const char *s, char **host, char **port, char **cause)
{
	const char	*colon, *h = s;
	size_t		 hl;
	char		*end;
	long		 p;

	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return set_cause(cause, "\"%s\": expected [ADDRESS]:PORT", s);
		h = s + 1;
		hl = (size_t)(colon - h);
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return set_cause(cause, "\"%s\": expected HOST:PORT", s);
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl > 253)
		return set_cause(cause, "\"%s\": missing or overlong host", s);
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || p < 0 || p > 65535 ||
	    !isdigit((unsigned char)colon[1]))
		return set_cause(cause, "\"%s\": port must be a number 0-65535", s);
	*host = xstrndup(h, hl);
	*port = xstrdup(colon + 1);
	return 0;
}

int
config_parse_peer(const char *s, struct config_peer *p, char **cause)
{
	const char	*at;
	uint8_t		 pk[KEYS_PK_LEN];
	char		*nid = NULL, *why = NULL;

	memset(p, 0, sizeof *p);
	if ((at = strchr(s, '@')) != NULL) {
		nid = xstrndup(s, (size_t)(at - s));
		if (keys_did_decode(nid, pk, &why) != 0) {
			set_cause(cause, "peer \"%s\": %s", s, why);
			free(why);
			free(nid);
			return -1;
		}
		free(nid);
		p->nid = xmalloc(KEYS_NID_MAX);
		keys_nid_encode(pk, p->nid);
		s = at + 1;
	}
	if (config_split_hostport(s, &p->host, &p->port, cause) != 0) {
		free(p->nid);
		p->nid = NULL;
		return -1;
	}
	return 0;
}

/* Parses "NID [name…]" of a trust line. */
static int
parse_trust(const char *v, struct config *c, char **cause)
{
	uint8_t		 pk[KEYS_PK_LEN];
	const char	*sp;
	char		*id, *why = NULL;
	struct config_trust *t;

	sp = strpbrk(v, " \t");
	id = xstrndup(v, sp != NULL ? (size_t)(sp - v) : strlen(v));
	if (keys_did_decode(id, pk, &why) != 0) {
		set_cause(cause, "trust: %s", why);
		free(why);
		free(id);
		return -1;
	}
	free(id);
	c->trust = xreallocarray(c->trust, c->ntrust + 1, sizeof *c->trust);
	t = &c->trust[c->ntrust++];
	t->nid = xmalloc(KEYS_NID_MAX);
	keys_nid_encode(pk, t->nid);
	while (sp != NULL && (*sp == ' ' || *sp == '\t'))
		sp++;
	t->name = sp != NULL && *sp != '\0' ? xstrdup(sp) : NULL;
	return 0;
}

/* Parses the NID of an admit or deny line onto the list (*v, *n). */
static int
parse_nid_line(const char *key, const char *v, char ***list, size_t *n,
    char **cause)
{
	uint8_t		 pk[KEYS_PK_LEN];
	char		*why = NULL;

	if (keys_did_decode(v, pk, &why) != 0) {
		set_cause(cause, "%s: %s", key, why);
		free(why);
		return -1;
	}
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n] = xmalloc(KEYS_NID_MAX);
	keys_nid_encode(pk, (*list)[(*n)++]);
	return 0;
}

/* Sets a HOST:PORT setting (or NULL for "off") after checking it. */
static int
config_set_addr(char **member, const char *v, char **cause)
{
	char	*h, *p;

	free(*member);
	*member = NULL;
	if (strcmp(v, "off") == 0)
		return 0;
	if (config_split_hostport(v, &h, &p, cause) != 0)
		return -1;
	free(h);
	free(p);
	*member = xstrdup(v);
	return 0;
}

/* True for bytes a host (name, IPv4, [IPv6]) and an optional :port may hold. */
static int
host_ok(const char *h, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 261)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && strchr(".-:[]", h[i]) == NULL)
			return 0;
	return 1;
}

int
config_url_check(const char *key, const char *v, char **cause)
{
	const char	*h, *p;
	size_t		 i;

	if (strlen(v) > 200)
		return set_cause(cause, "%s: longer than 200 characters", key);
	if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else
		return set_cause(cause, "%s: \"%s\" does not start with https:// "
		    "or http://", key, v);
	p = h + strcspn(h, "/");
	if (!host_ok(h, (size_t)(p - h)))
		return set_cause(cause, "%s: \"%s\" has no valid host name", key,
		    v);
	/* A path of URL-safe characters; no query, fragment or spaces. */
	for (i = 0; p[i] != '\0'; i++)
		if (!isalnum((unsigned char)p[i]) &&
		    strchr("/-._~%!$&'()*+,;=:@", p[i]) == NULL)
			return set_cause(cause, "%s: \"%s\": the character '%c' "
			    "is not allowed (no query, fragment or spaces)", key,
			    v, isprint((unsigned char)p[i]) ? p[i] : '?');
	return 0;
}

/* Sets a URL setting after checking it; public_url loses its trailing slashes. */
static int
config_set_url(char **member, const char *key, const char *v, char **cause)
{
	size_t	 n;

	if (config_url_check(key, v, cause) != 0)
		return -1;
	free(*member);
	*member = xstrdup(v);
	if (strcmp(key, "public_url") == 0)
		for (n = strlen(*member); n > 0 && (*member)[n - 1] == '/'; n--)
			(*member)[n - 1] = '\0';
	return 0;
}

/* Adds the space-separated words of a list line (at most 64), each checked by ok. */
static int
config_add_words(char ***list, size_t *n, const char *v,
    int (*ok)(const char *, size_t), const char *key, const char *what,
    char **cause)
{
	const char	*p, *e;

	for (p = v; *p != '\0'; p = e) {
		p += strspn(p, " \t");
		e = p + strcspn(p, " \t");
		if (e == p)
			break;
		if (!ok(p, (size_t)(e - p)) || *n >= 64)
			return set_cause(cause, "%s: \"%.*s\" is not %s (at most "
			    "64 of them)", key, (int)(e - p), p, what);
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = xstrndup(p, (size_t)(e - p));
	}
	return 0;
}

/* A personal_data_allow word: @domain, name@domain, or a phone number. */
static int
allow_ok(const char *p, size_t n)
{
	const char	*at = memchr(p, '@', n);
	size_t		 i, digits = 0;

	if (at != NULL)
		return memchr(at, '.', n - (size_t)(at - p)) != NULL &&
		    memchr(at + 1, '@', n - (size_t)(at - p) - 1) == NULL;
	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)p[i]))
			digits++;
		else if (strchr("+-/()", p[i]) == NULL)
			return 0;
	}
	return digits >= 3;
}

int
config_host_allowed(const struct config *c, const char *host)
{
	size_t	 i;

	for (i = 0; host != NULL && i < c->nallowed_hosts; i++)
		if (strcasecmp(c->allowed_hosts[i], host) == 0)
			return 1;
	return 0;
}

/* Sets the operator's name shown in the web view's footer. */
static int
config_set_operator(struct config *c, const char *v, char **cause)
{
	const char	*p;

	if (*v == '\0' || strlen(v) > 200)
		return set_cause(cause, "operator: 1-200 characters");
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return set_cause(cause, "operator: control characters");
	free(c->operator);
	c->operator = xstrdup(v);
	return 0;
}

/* Applies one "key = value" setting of the web view's public face; 1 when key is none. */
static int
config_set_public(struct config *c, const char *key, const char *v,
    char **cause)
{
	if (strcmp(key, "public_url") == 0)
		return config_set_url(&c->public_url, key, v, cause);
	else if (strcmp(key, "imprint_url") == 0)
		return config_set_url(&c->imprint_url, key, v, cause);
	else if (strcmp(key, "privacy_url") == 0)
		return config_set_url(&c->privacy_url, key, v, cause);
	else if (strcmp(key, "allowed_hosts") == 0)
		return config_add_words(&c->allowed_hosts, &c->nallowed_hosts,
		    v, host_ok, key, "HOST or HOST:PORT", cause);
	else if (strcmp(key, "personal_data_allow") == 0)
		return config_add_words(&c->personal_allow, &c->npersonal_allow,
		    v, allow_ok, key, "@DOMAIN, NAME@DOMAIN or a phone number",
		    cause);
	else if (strcmp(key, "operator") == 0)
		return config_set_operator(c, v, cause);
	return 1;
}

/*
 * The desk's settings: review = required|optional; web_auth = password,
 * or header NAME (a reverse proxy on loopback names the user). 1 when key
 * is neither.
 */
static int
config_set_desk(struct config *c, const char *key, const char *v,
    char **cause)
{
	size_t	 n;

	if (strcmp(key, "review") == 0) {
		if (strcmp(v, "required") == 0)
			c->review = CONFIG_REVIEW_REQUIRED;
		else if (strcmp(v, "optional") == 0)
			c->review = CONFIG_REVIEW_OPTIONAL;
		else
			return set_cause(cause, "review: \"%s\" is not required "
			    "or optional", v);
		return 0;
	}
	if (strcmp(key, "web_auth") != 0)
		return 1;
	free(c->web_auth_header);
	c->web_auth_header = NULL;
	if (strcmp(v, "password") == 0)
		return 0;
	if (strncmp(v, "header ", 7) != 0)
		return set_cause(cause, "web_auth: \"%s\" is not password or "
		    "header NAME (e.g. header X-Remote-User)", v);
	v += 7;
	while (*v == ' ')
		v++;
	n = strlen(v);
	if (n == 0 || n > 64 || strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return set_cause(cause, "web_auth: header name: 1-64 letters, "
		    "digits, - and _");
	c->web_auth_header = xstrdup(v);
	return 0;
}

/* Applies one "key = value" setting. */
static int
config_set(struct config *c, const char *key, const char *v, char **cause)
{
	int	 r;

	if ((r = config_set_int(c, key, v, cause)) != 1 ||
	    (r = config_set_public(c, key, v, cause)) != 1 ||
	    (r = config_set_desk(c, key, v, cause)) != 1)
		return r;
	if (strcmp(key, "contact_max_age") == 0)
		return config_set_age(c, v, cause);
	if (strcmp(key, "listen") == 0)
		return config_set_addr(&c->listen, v, cause);
	else if (strcmp(key, "http") == 0)
		return config_set_addr(&c->http, v, cause);
	else if (strcmp(key, "network") == 0) {
		if (*v == '\0' || strlen(v) > 128)
			return set_cause(cause, "network: name must be 1-128 "
			    "characters");
		free(c->network);
		c->network = xstrdup(v);
	} else if (strcmp(key, "peer") == 0) {
		c->peers = xreallocarray(c->peers, c->npeers + 1,
		    sizeof *c->peers);
		if (config_parse_peer(v, &c->peers[c->npeers], cause) != 0)
			return -1;
		c->npeers++;
	} else if (strcmp(key, "trust") == 0)
		return parse_trust(v, c, cause);
	else if (strcmp(key, "admit") == 0)
		return parse_nid_line(key, v, &c->admit, &c->nadmit, cause);
	else if (strcmp(key, "deny") == 0)
		return parse_nid_line(key, v, &c->deny, &c->ndeny, cause);
	else if (strcmp(key, "mirror") == 0) {
		if (strcmp(v, "all") != 0 && strcmp(v, "trusted") != 0)
			return set_cause(cause, "mirror: \"%s\" is not all or "
			    "trusted", v);
		c->mirror_all = strcmp(v, "all") == 0;
	} else
		return set_cause(cause, "unknown key \"%s\"", key);
	return 0;
}

/* Trims ASCII whitespace from both ends in place. */
static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
config_apply_line(struct config *c, char *line, char **cause)
{
	char	*eq, *key, *val;

	key = trim(line);
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL)
		return set_cause(cause, "expected \"key = value\"");
	*eq = '\0';
	key = trim(key);
	val = trim(eq + 1);
	return config_set(c, key, val, cause);
}

int
config_load(const char *path, struct config *c, char **cause)
{
	char	*text, *line, *next, *why = NULL;
	size_t	 len, lineno = 0;

	config_defaults(c);
	if (read_file(path, CONFIG_MAX_BYTES, &text, &len, cause) != 0) {
		config_free(c);
		return -1;
	}
	if (!utf8_valid(text, len)) {
		free(text);
		config_free(c);
		return set_cause(cause, "%s: not UTF-8 text", path);
	}
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (config_apply_line(c, line, &why) != 0) {
			set_cause(cause, "%s:%zu: %s", path, lineno, why);
			free(why);
			free(text);
			config_free(c);
			return -1;
		}
	}
	free(text);
	return 0;
}

char *
config_print(const struct config *c)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	buf_printf(&b, "listen = %s\n", c->listen != NULL ? c->listen : "off");
	buf_printf(&b, "network = %s\n", c->network);
	buf_printf(&b, "mirror = %s\n", c->mirror_all ? "all" : "trusted");
	if (c->http == NULL || strcmp(c->http, CONFIG_DEFAULT_HTTP) != 0)
		buf_printf(&b, "http = %s\n", c->http != NULL ? c->http : "off");
	if (c->public_url != NULL)
		buf_printf(&b, "public_url = %s/\n", c->public_url);
	if (c->nallowed_hosts > 0) {
		buf_addstr(&b, "allowed_hosts =");
		for (i = 0; i < c->nallowed_hosts; i++)
			buf_printf(&b, " %s", c->allowed_hosts[i]);
		buf_addc(&b, '\n');
	}
	if (c->npersonal_allow > 0) {
		buf_addstr(&b, "personal_data_allow =");
		for (i = 0; i < c->npersonal_allow; i++)
			buf_printf(&b, " %s", c->personal_allow[i]);
		buf_addstr(&b, "\n");
	}
	if (c->imprint_url != NULL)
		buf_printf(&b, "imprint_url = %s\n", c->imprint_url);
	if (c->privacy_url != NULL)
		buf_printf(&b, "privacy_url = %s\n", c->privacy_url);
	if (c->operator != NULL)
		buf_printf(&b, "operator = %s\n", c->operator);
	if (c->review != CONFIG_REVIEW_AUTO)
		buf_printf(&b, "review = %s\n", c->review ==
		    CONFIG_REVIEW_REQUIRED ? "required" : "optional");
	if (c->web_auth_header != NULL)
		buf_printf(&b, "web_auth = header %s\n", c->web_auth_header);
	if (c->contact_max_age != CONFIG_DEFAULT_CONTACT_AGE)
		buf_printf(&b, "contact_max_age = %lds\n", c->contact_max_age);
	for (i = 0; i < nitems(config_ints); i++)
		buf_printf(&b, "%s = %d\n", config_ints[i].key,
		    *(const int *)((const char *)c + config_ints[i].off));
	for (i = 0; i < c->npeers; i++) {
		const struct config_peer *p = &c->peers[i];
		int v6 = strchr(p->host, ':') != NULL;

		buf_printf(&b, "peer = %s%s%s%s%s:%s\n",
		    p->nid != NULL ? p->nid : "", p->nid != NULL ? "@" : "",
		    v6 ? "[" : "", p->host, v6 ? "]" : "", p->port);
	}
	for (i = 0; i < c->ntrust; i++)
		buf_printf(&b, "trust = %s%s%s\n", c->trust[i].nid,
		    c->trust[i].name != NULL ? " " : "",
		    c->trust[i].name != NULL ? c->trust[i].name : "");
	for (i = 0; i < c->nadmit; i++)
		buf_printf(&b, "admit = %s\n", c->admit[i]);
	for (i = 0; i < c->ndeny; i++)
		buf_printf(&b, "deny = %s\n", c->deny[i]);
	return buf_detach(&b, NULL);
}
