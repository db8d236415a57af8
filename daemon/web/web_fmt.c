/*
 * web_fmt.c — pure helpers of the web view, over caller buffers (no
 * sockets, no evhttp): German dates in Berlin time, HTTP dates both ways,
 * If-None-Match matching, the licences records name, and display names of
 * tags. What reads client bytes here (web_etag_match, web_http_date_parse,
 * web_lang_en) is bounded and fuzzed (tests/fuzz/fuzz_webfmt.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "web_fmt.h"

static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const days[7] = { "Sun", "Mon", "Tue", "Wed", "Thu",
    "Fri", "Sat" };

/* Seconds since the epoch of a UTC date and time (days from civil, no libc TZ). */
static long long
utc_seconds(int y, int mon, int d, int h, int mi, int s)
{
	long long	 era, yoe, doy, doe;

	y -= mon <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + s;
}

/* The UTC time of 01:00 on the last Sunday of month mon (3 or 10) of year y. */
static long long
last_sunday_1am(int y, int mon)
{
	long long	 t = utc_seconds(y, mon + 1, 1, 1, 0, 0) - 86400;

	/* t is the month's last day; 1970-01-01 was a Thursday. */
	return t - ((t / 86400 + 4) % 7) * 86400;
}

int
web_time_parse(const char *iso, long long *out)
{
	int	 y, mo, d, h = 0, mi = 0, s = 0, n = 0;

	if (iso == NULL || strlen(iso) < 10)
		return -1;
	if (sscanf(iso, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (iso[10] == 'T' && sscanf(iso + 11, "%2d:%2d:%2d", &h, &mi, &s) != 3)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60 || y < 1970 || y > 9999)
		return -1;
	*out = utc_seconds(y, mo, d, h, mi, s);
	return 0;
}

/* t as Berlin's local time: CET, CEST from March's last Sunday to October's (01:00 UTC). */
static void
berlin(long long t, struct tm *tm)
{
	time_t	 tt = (time_t)t;
	int	 y;

	gmtime_r(&tt, tm);
	y = tm->tm_year + 1900;
	t += t >= last_sunday_1am(y, 3) && t < last_sunday_1am(y, 10) ?
	    7200 : 3600;
	tt = (time_t)t;
	gmtime_r(&tt, tm);
}

/* An ISO time as a German date in Berlin time, with the time of day when asked. */
static void
date_de(const char *iso, int with_time, char out[WEB_DATE_MAX])
{
	struct tm	 tm;
	long long	 t;

	if (web_time_parse(iso, &t) != 0) {
		snprintf(out, WEB_DATE_MAX, "%s", "unbekannt");
		return;
	}
	berlin(t, &tm);
	if (with_time)
		snprintf(out, WEB_DATE_MAX, "%02d.%02d.%04d, %02d:%02d Uhr",
		    tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour,
		    tm.tm_min);
	else
		snprintf(out, WEB_DATE_MAX, "%02d.%02d.%04d", tm.tm_mday,
		    tm.tm_mon + 1, tm.tm_year + 1900);
}

void
web_date_de(const char *iso, char out[WEB_DATE_MAX])
{
	date_de(iso, 0, out);
}

void
web_datetime_de(const char *iso, char out[WEB_DATE_MAX])
{
	date_de(iso, 1, out);
}

void
web_http_date(long long t, char out[WEB_DATE_MAX])
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	gmtime_r(&tt, &tm);
	snprintf(out, WEB_DATE_MAX, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The month of a three-letter English name, 1-12, or 0. */
static int
month_of(const char *s)
{
	int	 i;

	for (i = 0; i < 12; i++)
		if (strncmp(s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

/*
 * Parses the three HTTP-date forms of RFC 9110 §5.6.7: IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94
 * 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994"). -1 when s is
 * none of them (the caller then ignores the header).
 */
int
web_http_date_parse(const char *s, long long *out)
{
	char	 mon[4] = "", wd[16] = "", tz[4] = "";
	int	 d, y, h, mi, sec, n = 0, m;

	if (s == NULL || strlen(s) > 64)
		return -1;
	if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n",
	    wd, &d, mon, &y, &h, &mi, &sec, tz, &n) == 8 && s[n] == '\0')
		;
	else if (sscanf(s, "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d "
	    "%3[A-Z]%n", wd, &d, mon, &y, &h, &mi, &sec, tz, &n) == 8 &&
	    s[n] == '\0')
		y += y < 70 ? 2000 : 1900;
	else if (sscanf(s, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wd,
	    mon, &d, &h, &mi, &sec, &y, &n) == 7 && s[n] == '\0')
		strcpy(tz, "GMT");
	else
		return -1;
	if (strcmp(tz, "GMT") != 0 || (m = month_of(mon)) == 0 || d < 1 ||
	    d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970 || y > 9999)
		return -1;
	*out = utc_seconds(y, m, d, h, mi, sec);
	return 0;
}

/*
 * True when an If-None-Match value matches etag ("\"abc\""): "*", or a
 * list of entity tags of which one, weak or not, is etag (weak comparison,
 * RFC 9110 §13.1.2). At most WEB_ETAG_LIST tags are looked at.
 */
int
web_etag_match(const char *inm, const char *etag)
{
	const char	*p = inm, *q;
	size_t		 elen = strlen(etag);
	int		 n = 0;

	if (inm == NULL)
		return 0;
	while (n++ < WEB_ETAG_LIST) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return 0;		/* not a list of entity tags */
		if ((size_t)(q + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = q + 1;
	}
	return 0;
}

const char *
web_word(const char **p, size_t *len)
{
	const char	*w;

	*p += strspn(*p, " ");
	if (**p == '\0')
		return NULL;
	w = *p;
	*len = strcspn(w, " ");
	*p = w + *len;
	return w;
}

/* True when an Accept-Language value's first range is English ("en", "en-GB"). */
int
web_lang_en(const char *al)
{
	if (al == NULL)
		return 0;
	al += strspn(al, " \t");
	return strncasecmp(al, "en", 2) == 0 && (al[2] == '\0' ||
	    al[2] == '-' || al[2] == ',' || al[2] == ';' || al[2] == ' ');
}

/* The licences records name: id (lowercase), German name, link. */
static const struct web_license licenses[] = {
	{ "dl-de/by-2-0", "Datenlizenz Deutschland – Namensnennung – Version 2.0",
	  "https://www.govdata.de/dl-de/by-2-0" },
	{ "dl-de/zero-2-0", "Datenlizenz Deutschland – Zero – Version 2.0",
	  "https://www.govdata.de/dl-de/zero-2-0" },
	{ "cc-by-4.0", "Creative Commons Namensnennung 4.0 International",
	  "https://creativecommons.org/licenses/by/4.0/deed.de" },
	{ "cc-by-sa-4.0", "Creative Commons Namensnennung – Weitergabe unter "
	  "gleichen Bedingungen 4.0 International",
	  "https://creativecommons.org/licenses/by-sa/4.0/deed.de" },
	{ "cc0-1.0", "Creative Commons Zero 1.0 Universell (gemeinfrei)",
	  "https://creativecommons.org/publicdomain/zero/1.0/deed.de" },
};

const struct web_license *
web_license(const char *id)
{
	size_t	 i;

	for (i = 0; id != NULL && i < sizeof licenses / sizeof *licenses; i++)
		if (strcasecmp(licenses[i].id, id) == 0)
			return &licenses[i];
	return NULL;
}

/*
 * The display name of a tag slug: words capitalised, hyphens as spaces
 * ("open-data" → "Open Data", "pilotprojekt" → "Pilotprojekt"). Tags are
 * slugs of at most 64 bytes; longer input is cut.
 */
void
web_tag_label(const char *slug, char out[WEB_LABEL_MAX])
{
	size_t	 i;
	int	 start = 1;

	for (i = 0; slug[i] != '\0' && i + 1 < WEB_LABEL_MAX; i++) {
		out[i] = slug[i] == '-' ? ' ' : slug[i];
		if (start && islower((unsigned char)out[i]))
			out[i] = (char)toupper((unsigned char)out[i]);
		start = out[i] == ' ';
	}
	out[i] = '\0';
}
