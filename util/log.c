/* log.c — leveled logging to stderr (journald adds its own timestamps under systemd). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int		 log_debug_on;
static const char	*log_prog = "knowd";

void
log_init(int debug, const char *progname)
{
	log_debug_on = debug;
	if (progname != NULL)
		log_prog = progname;
}

/* Writes one line: time, level, message and an optional errno text. */
static void
log_vline(const char *level, const char *fmt, va_list ap, int err)
{
	char		 msg[2048], stamp[32];
	struct timespec	 ts;
	struct tm	 tm;

	vsnprintf(msg, sizeof msg, fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	if (err != 0)
		fprintf(stderr, "%s.%03ld %s[%ld] %s: %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, log_prog, (long)getpid(), level, msg,
		    strerror(err));
	else
		fprintf(stderr, "%s.%03ld %s[%ld] %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, log_prog, (long)getpid(), level, msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vline("warning", fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline("warning", fmt, ap, 0);
	va_end(ap);
}

/* True when lim lets a line out now; appends the count held back to fmt. */
static int
log_limit_pass(struct log_limit *lim, char *fmt2, size_t sz, const char *fmt)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (lim->next != 0 && ts.tv_sec < lim->next) {
		lim->held++;
		return 0;
	}
	if (lim->held > 0)
		snprintf(fmt2, sz, "%s (and %lu more like it in the last minute)",
		    fmt, lim->held);
	else
		snprintf(fmt2, sz, "%s", fmt);
	lim->next = ts.tv_sec + 60;
	lim->held = 0;
	return 1;
}

void
log_warn_limit(struct log_limit *lim, const char *fmt, ...)
{
	va_list	 ap;
	char	 fmt2[512];
	int	 saved = errno;

	if (!log_limit_pass(lim, fmt2, sizeof fmt2, fmt))
		return;
	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	log_vline("warning", fmt2, ap, saved);
#pragma GCC diagnostic pop
	va_end(ap);
	errno = saved;
}

void
log_warnx_limit(struct log_limit *lim, const char *fmt, ...)
{
	va_list	 ap;
	char	 fmt2[512];

	if (!log_limit_pass(lim, fmt2, sizeof fmt2, fmt))
		return;
	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	log_vline("warning", fmt2, ap, 0);
#pragma GCC diagnostic pop
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline("info", fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	log_vline("debug", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vline("fatal", fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline("fatal", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
