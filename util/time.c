/* time.c — time stamps as knowd writes them in records and replies. */
#include <time.h>

#include "util.h"

void
time_iso(time_t t, char *out)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
