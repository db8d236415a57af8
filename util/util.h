/*
 * util.h — the ground floor: checked allocation, strings, buffers, causes,
 * files, time stamps and ids. Knows nothing of keys, protocol or daemon.
 */
#ifndef KNOWD_UTIL_H
#define KNOWD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Messages for people go through GNU gettext in the domain "knowd"
 * (po/de.po). Only knowctl calls setlocale and binds the catalog, so
 * knowd and its logs stay English; N_ marks a string translated later.
 */
#include <libintl.h>
#define KNOWD_TEXTDOMAIN	"knowd"
#define _(s)	dgettext(KNOWD_TEXTDOMAIN, s)
#define N_(s)	(s)
/* i18n.c: binds the domain to its catalogs ($KNOWD_LOCALEDIR, next to the binary, LOCALEDIR). */
void	 i18n_bind(void);
/*
 * Messages of this thread in lang ("de"; else unchanged) until i18n_end
 * with what it returned: knowd answers a German form in German while its
 * log stays English. NULL when the locale is missing (then English).
 */
void	*i18n_begin(const char *lang);
void	 i18n_end(void *);

/* Allocation that aborts on exhaustion: callers never see NULL. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* printf into a new string. Caller frees. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);

/* Sets *cause (when cause is non-NULL) to a new formatted message; returns -1. */
int	 set_cause(char **cause, const char *, ...) __attribute__((format(printf, 2, 3)));

/* A growable byte buffer. data is always NUL-terminated past len. */
struct buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addc(struct buf *, int);
void	 buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 buf_add_be32(struct buf *, uint32_t);
/* Hands the contents to the caller (NUL-terminated) and resets the buffer. Caller frees. */
char	*buf_detach(struct buf *, size_t *);

/* Frees n strings and the array holding them. */
void	 strv_free(char **, size_t);
/* Appends a copy of s to the array *v of *n strings. */
void	 strv_push(char ***, size_t *, const char *);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void	 hex_encode(const uint8_t *, size_t, char *);
/* Decodes exactly 2n hex digits into n bytes; -1 on any bad digit or length. */
int	 hex_decode(const char *, uint8_t *, size_t);

uint32_t get_be32(const uint8_t *);
void	 put_be32(uint8_t *, uint32_t);

/* True when s[0..len) is valid UTF-8 without NUL bytes. */
int	 utf8_valid(const char *, size_t);

/* Reads a whole file, at most max bytes (more is an error). Caller frees *out. */
int	 read_file(const char *path, size_t max, char **out, size_t *len, char **cause);
/* Writes all n bytes of p to fd, retrying short writes; -1 on error. */
int	 write_all(int fd, const void *p, size_t n);
/*
 * The soft limit on open files (RLIMIT_NOFILE), or SIZE_MAX: listeners
 * size their caps by it, so clients of one kind cannot take every one.
 */
size_t	 nofile_limit(void);
/* A share of the open file limit: limit / div, between lo and hi. */
size_t	 nofile_share(size_t div, size_t lo, size_t hi);
/* Writes data to path atomically (temp file, fsync, rename) with the given mode. */
int	 write_file_atomic(const char *path, const void *, size_t, int mode, char **cause);

/*
 * hmap.c: a hash map from byte strings to pointers (keyed SipHash, so a
 * peer cannot make keys collide). It keeps pointers to the keys: a key
 * must live as long as its entry. Iterate with hmap_next from *it = 0;
 * deleting during an iteration may skip or repeat entries. A NULL map is
 * empty for every function but hmap_put.
 */
struct hmap;
struct hmap *hmap_new(void);
void	 hmap_free(struct hmap *);
void	*hmap_get(const struct hmap *, const void *key, size_t len);
void	*hmap_gets(const struct hmap *, const char *key);
/* Puts value under key, replacing what was there. */
void	 hmap_put(struct hmap *, const void *key, size_t len, void *value);
/* Removes key's entry; returns its value, or NULL. */
void	*hmap_del(struct hmap *, const void *key, size_t len);
size_t	 hmap_count(const struct hmap *);
void	*hmap_next(const struct hmap *, size_t *it);

/* time.c: "YYYY-MM-DDTHH:MM:SSZ" of t into out (21 bytes). */
void	 time_iso(time_t t, char *out);
/* ulid.c: a new ULID (time-ordered, 80 random bits) into out (27 bytes). */
void	 ulid_new(char *out);

#endif
