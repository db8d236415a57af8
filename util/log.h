/* log.h — leveled logging to stderr, in the manner of OpenBSD's log.c. */
#ifndef KNOWD_LOG_H
#define KNOWD_LOG_H

/* 0 = info and above, 1 = debug too. */
void	log_init(int debug, const char *progname);
/* Warnings with ": strerror(errno)" appended. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/*
 * One cause logged at most once a minute (a flood of refused connections
 * or accept errors must not fill the disk); the next line says how many
 * were held back. One static struct log_limit per call site.
 */
struct log_limit {
	long		 next;		/* monotonic second of the next line */
	unsigned long	 held;		/* lines held back since the last */
};
void	log_warn_limit(struct log_limit *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_warnx_limit(struct log_limit *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Log and exit(1); never for peer or control input. */
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
