/*
 * fuzz_form.c — what the desk reads from a browser (daemon/web/web_form.c):
 * urlencoded form bodies and Cookie headers. No input may crash, read out
 * of bounds or leak; every value of a parsed form is valid UTF-8 without
 * NUL or control characters but tab and newline, and its names are short.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "web_form.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_form	 f;
	char		*s, v[80], *why = NULL;
	const char	*p;
	size_t		 i, it = 0;

	if (web_form_parse((const char *)data, size, &f, &why) == 0) {
		for (i = 0; i < f.n; i++) {
			if (strlen(f.v[i].key) > WEB_FORM_KEY_MAX ||
			    strlen(f.v[i].value) != f.v[i].len ||
			    !utf8_valid(f.v[i].value, f.v[i].len))
				abort();
			for (p = f.v[i].value; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 && *p != '\t' &&
				    *p != '\n')
					abort();
		}
		if (f.n > 0 && web_form_next(&f, f.v[0].key, &it) !=
		    f.v[0].value)
			abort();
		web_form_clear(&f);
	} else
		free(why);
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (web_cookie_get(s, "knowd_sid", v, sizeof v) == 0 &&
	    strlen(v) >= sizeof v)
		abort();
	free(s);
	return 0;
}
