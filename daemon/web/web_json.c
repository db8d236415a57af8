/*
 * web_json.c — JSON output of the web view (API, exports): strings escaped
 * per RFC 8259 (and "<" as \u003c, so no "</script" can appear), word lists
 * and search hits.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "web_int.h"

void
web_json_str(struct evbuffer *b, const char *s)
{
	const char	*run;
	unsigned char	 c;

	evbuffer_add(b, "\"", 1);
	for (run = s; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\' && c != '<')
			continue;
		evbuffer_add(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == SEARCH_HL_ON)
			evbuffer_add_printf(b, "»");
		else if (c == SEARCH_HL_OFF)
			evbuffer_add_printf(b, "«");
		else if (c == '"' || c == '\\')
			evbuffer_add_printf(b, "\\%c", c);
		else if (c == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add_printf(b, "\\u%04x", c);
	}
	evbuffer_add(b, run, (size_t)(s - run));
	evbuffer_add(b, "\"", 1);
}

void
web_json_kv(struct evbuffer *b, const char *key, const char *v, int comma)
{
	evbuffer_add_printf(b, "%s\"%s\":", comma ? "," : "", key);
	web_json_str(b, v != NULL ? v : "");
}

void
web_json_words(struct evbuffer *b, const char *key, const char *list)
{
	const char	*p = list, *w;
	char		*s;
	size_t		 n;
	int		 first = 1;

	evbuffer_add_printf(b, ",\"%s\":[", key);
	while ((w = web_word(&p, &n)) != NULL) {
		s = xstrndup(w, n);
		if (!first)
			evbuffer_add(b, ",", 1);
		web_json_str(b, s);
		free(s);
		first = 0;
	}
	evbuffer_add(b, "]", 1);
}

void
web_json_hit(struct evbuffer *b, const char *base, const struct search_hit *h)
{
	char	*u;

	evbuffer_add(b, "{", 1);
	web_json_kv(b, "id", h->id, 0);
	web_json_kv(b, "kind", h->kind, 1);
	evbuffer_add_printf(b, ",\"node\":\"did:key:%s\"", h->nid);
	web_json_kv(b, "node_name", h->node, 1);
	web_json_kv(b, "project", h->project, 1);
	web_json_kv(b, "title", h->title, 1);
	web_json_kv(b, "summary", h->summary, 1);
	web_json_words(b, "fields", h->fields);
	web_json_kv(b, "status", h->status, 1);
	web_json_words(b, "hurdles", h->hurdles);
	web_json_words(b, "tags", h->tags);
	web_json_kv(b, "created", h->created, 1);
	web_json_kv(b, "modified", h->modified, 1);
	u = xasprintf("%s/lektion/%s?node=%s", base, h->id, h->nid);
	web_json_kv(b, "url", u, 1);
	free(u);
	u = xasprintf("%s/api/v1/lessons/%s?node=%s", base, h->id, h->nid);
	web_json_kv(b, "api_url", u, 1);
	free(u);
	web_json_kv(b, "snippet", h->snippet, 1);
	evbuffer_add_printf(b, ",\"score\":%.4f}", h->score + 0.0);	/* no -0 */
}
