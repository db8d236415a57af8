/*
 * test_web.c — the web view's pure helpers (web_fmt.c): German dates in
 * Berlin time across the summer-time switches, the three HTTP-date forms,
 * If-None-Match lists, Accept-Language, licences and tag names; and the
 * answers-only text snippets are taken from (search_text_answers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "search.h"
#include "web_fmt.h"

/* Dates are shown in Berlin time: CET in winter, CEST from the last Sunday of March. */
static void
test_dates(void **state)
{
	char	 d[WEB_DATE_MAX];

	web_date_de("2026-12-05T14:03:00Z", d);
	assert_string_equal(d, "05.12.2026");
	web_datetime_de("2026-12-05T14:03:00Z", d);
	assert_string_equal(d, "05.12.2026, 15:03 Uhr");
	web_datetime_de("2026-07-01T22:30:00Z", d);	/* CEST: next day */
	assert_string_equal(d, "02.07.2026, 00:30 Uhr");
	/* 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC. */
	web_datetime_de("2026-03-29T00:59:59Z", d);
	assert_string_equal(d, "29.03.2026, 01:59 Uhr");
	web_datetime_de("2026-03-29T01:00:00Z", d);
	assert_string_equal(d, "29.03.2026, 03:00 Uhr");
	web_datetime_de("2026-10-25T00:59:00Z", d);
	assert_string_equal(d, "25.10.2026, 02:59 Uhr");
	web_datetime_de("2026-10-25T01:00:00Z", d);
	assert_string_equal(d, "25.10.2026, 02:00 Uhr");
	web_date_de("2026-12-31T23:30:00Z", d);		/* New Year in Berlin */
	assert_string_equal(d, "01.01.2027");
	web_date_de("kaputt", d);
	assert_string_equal(d, "unbekannt");
	web_date_de("2026-13-01T00:00:00Z", d);
	assert_string_equal(d, "unbekannt");
}

/* HTTP dates: written as IMF-fixdate, read in all three forms, nonsense refused. */
static void
test_http_dates(void **state)
{
	char		 d[WEB_DATE_MAX];
	long long	 t;

	web_http_date(784111777, d);
	assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(web_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(web_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(web_http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(web_http_date_parse("Sun, 06 Nov 1994 08:49:37 CET", &t), -1);
	assert_int_equal(web_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t), -1);
	assert_int_equal(web_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT x", &t), -1);
	assert_int_equal(web_http_date_parse("gestern", &t), -1);
	assert_int_equal(web_http_date_parse("", &t), -1);
	assert_int_equal(web_http_date_parse("Sun, 32 Nov 1994 08:49:37 GMT", &t), -1);
}

/* If-None-Match: "*", one tag, weak tags, lists; anything else does not match. */
static void
test_etags(void **state)
{
	const char	*e = "\"abc123\"";

	assert_true(web_etag_match("\"abc123\"", e));
	assert_true(web_etag_match("W/\"abc123\"", e));
	assert_true(web_etag_match("*", e));
	assert_true(web_etag_match("\"x\", W/\"y\" ,\"abc123\"", e));
	assert_false(web_etag_match("\"abc12\"", e));
	assert_false(web_etag_match("\"abc1234\"", e));
	assert_false(web_etag_match("abc123", e));
	assert_false(web_etag_match("\"abc123", e));
	assert_false(web_etag_match("", e));
	assert_false(web_etag_match(NULL, e));
}

/* Accept-Language: English only when it comes first. */
static void
test_lang(void **state)
{
	assert_true(web_lang_en("en"));
	assert_true(web_lang_en("en-GB,en;q=0.8"));
	assert_true(web_lang_en(" EN-us"));
	assert_false(web_lang_en("de-DE,en;q=0.5"));
	assert_false(web_lang_en("english"));
	assert_false(web_lang_en(NULL));
}

/* Licences by their ids; tag slugs as names. */
static void
test_names(void **state)
{
	char	 l[WEB_LABEL_MAX];

	assert_non_null(web_license("dl-de/by-2-0"));
	assert_string_equal(web_license("CC-BY-4.0")->url,
	    "https://creativecommons.org/licenses/by/4.0/deed.de");
	assert_null(web_license("proprietär"));
	assert_null(web_license(NULL));
	web_tag_label("open-data", l);
	assert_string_equal(l, "Open Data");
	web_tag_label("pilotprojekt", l);
	assert_string_equal(l, "Pilotprojekt");
	web_tag_label("5g-netz", l);
	assert_string_equal(l, "5g Netz");
}

/* Snippets come from the answers: headings and guiding questions are left out. */
static void
test_answers(void **state)
{
	const char	*body = "## Ziele\n\n_Welche Ziele wurden formuliert?_\n\n"
	    "Messbare Aussagen nach einem Jahr.\n\n  *Wer war beteiligt?*  \n"
	    "Das Tiefbauamt.\n_betont, ohne Frage_\n";
	char		*a = search_text_answers(body, strlen(body));

	assert_null(strstr(a, "Ziele"));
	assert_null(strstr(a, "Welche"));
	assert_null(strstr(a, "Wer war"));
	assert_non_null(strstr(a, "Messbare Aussagen nach einem Jahr."));
	assert_non_null(strstr(a, "Das Tiefbauamt."));
	assert_non_null(strstr(a, "_betont, ohne Frage_"));
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_http_dates),
		cmocka_unit_test(test_etags),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
