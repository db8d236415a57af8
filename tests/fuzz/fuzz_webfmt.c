/*
 * fuzz_webfmt.c — what the web view reads from a client's headers
 * (daemon/web/web_fmt.c): If-None-Match lists, HTTP dates in their three
 * forms, Accept-Language, and record dates shown in German. No input may
 * crash or read out of bounds; a date that parses prints as an
 * IMF-fixdate that parses back to the same second.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web_fmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, d[WEB_DATE_MAX];
	long long	 t, t2;

	if (size > 20000)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	(void)web_etag_match(s, "\"0123456789abcdef01234567\"");
	(void)web_lang_en(s);
	if (web_http_date_parse(s, &t) == 0) {
		web_http_date(t, d);
		if (web_http_date_parse(d, &t2) != 0 || t2 != t)
			abort();
	}
	if (web_time_parse(s, &t) == 0)
		web_datetime_de(s, d);
	web_date_de(s, d);
	free(s);
	return 0;
}
