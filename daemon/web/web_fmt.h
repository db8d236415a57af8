/*
 * web_fmt.h — the web view's pure helpers (web_fmt.c): dates, HTTP
 * conditional headers, licences, tag labels. No evhttp, so unit tests and
 * the fuzz target take them alone (daemon-internal).
 */
#ifndef KNOWD_WEB_FMT_H
#define KNOWD_WEB_FMT_H

#define WEB_DATE_MAX	40	/* "Sun, 06 Nov 1994 08:49:37 GMT", "05.12.2026, 14:03 Uhr" */
#define WEB_LABEL_MAX	80
#define WEB_ETAG_LIST	64	/* entity tags of an If-None-Match looked at */

struct web_license {
	const char	*id, *name, *url;
};

/* "YYYY-MM-DD[THH:MM:SSZ]" as seconds since the epoch; -1 when malformed. */
int	 web_time_parse(const char *iso, long long *out);
/* An ISO time as a German date in Berlin time: "05.12.2026" ("unbekannt" when malformed). */
void	 web_date_de(const char *iso, char out[WEB_DATE_MAX]);
/* The same with the time: "05.12.2026, 14:03 Uhr". */
void	 web_datetime_de(const char *iso, char out[WEB_DATE_MAX]);
/* An IMF-fixdate HTTP date: "Sun, 06 Nov 1994 08:49:37 GMT". */
void	 web_http_date(long long t, char out[WEB_DATE_MAX]);
/* Parses any of the three HTTP-date forms; -1 when s is none. */
int	 web_http_date_parse(const char *s, long long *out);
/* True when an If-None-Match value matches etag (weak comparison, "*" matches). */
int	 web_etag_match(const char *inm, const char *etag);
/* True when an Accept-Language value puts English first. */
int	 web_lang_en(const char *accept_language);
/* The licence a record's license field names, or NULL when unknown. */
const struct web_license *web_license(const char *id);
/* The next word of a space-separated list at *p (advancing it), its length in *len; NULL at the end. */
const char *web_word(const char **p, size_t *len);
/* A tag slug's display name: "open-data" → "Open Data". */
void	 web_tag_label(const char *slug, char out[WEB_LABEL_MAX]);

#endif
