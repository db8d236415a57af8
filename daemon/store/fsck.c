/*
 * fsck.c — the checks `git fsck --strict` makes of commits and trees, on
 * their raw bytes, plus knowd's own rule that an origin tree holds only
 * plain files (100644) and trees (40000). The messages are git's, so an
 * operator can match them with what git fsck would say.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store.h"
#include "store_int.h"
#include "util.h"

/* Checks "<hex40>\n" at *p and steps past it. */
static int
fsck_hexline(const char **p, const char *end)
{
	const char	*q = *p;
	int		 i;

	if (end - q < GIT_OID_HEXSZ + 1)
		return -1;
	for (i = 0; i < GIT_OID_HEXSZ; i++)
		if (!isxdigit((unsigned char)q[i]))
			return -1;
	if (q[GIT_OID_HEXSZ] != '\n')
		return -1;
	*p = q + GIT_OID_HEXSZ + 1;
	return 0;
}

/* Checks one "Name <email> 1234567890 +0100\n" as git's fsck_ident does. */
static int
fsck_ident(const char **ident, const char *end, char **cause)
{
	const char	*p = *ident, *nl = memchr(p, '\n', (size_t)(end - p));
	const char	*digits;

	if (nl == NULL)
		return set_cause(cause, "invalid author/committer line - "
		    "unterminated");
	if (*p == '<')
		return set_cause(cause, "invalid author/committer line - "
		    "missing space before email");
	p += strcspn(p, "<>\n");
	if (*p == '>')
		return set_cause(cause, "invalid author/committer line - bad name");
	if (*p != '<')
		return set_cause(cause, "invalid author/committer line - "
		    "missing email");
	if (p == *ident || p[-1] != ' ')
		return set_cause(cause, "invalid author/committer line - "
		    "missing space before email");
	p++;
	p += strcspn(p, "<>\n");
	if (*p != '>')
		return set_cause(cause, "invalid author/committer line - bad email");
	if (*++p != ' ')
		return set_cause(cause, "invalid author/committer line - "
		    "missing space before date");
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p))
		return set_cause(cause, "invalid author/committer line - bad date");
	if (*p == '0' && p[1] != ' ')
		return set_cause(cause, "invalid author/committer line - "
		    "zero-padded date");
	for (digits = p; isdigit((unsigned char)*p); p++)
		;
	if (p - digits > 18)
		return set_cause(cause, "invalid author/committer line - "
		    "date causes integer overflow");
	if (*p != ' ')
		return set_cause(cause, "invalid author/committer line - bad date");
	p++;
	if ((*p != '+' && *p != '-') || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]) ||
	    !isdigit((unsigned char)p[4]) || p + 5 != nl)
		return set_cause(cause, "invalid author/committer line - "
		    "bad time zone");
	*ident = nl + 1;
	return 0;
}

/* Checks that the header ends with a blank line (or the object with a newline) and holds no NUL. */
static int
fsck_headers(const char *buf, size_t len, char **cause)
{
	size_t	 i;

	if (memchr(buf, '\0', len) != NULL)
		return set_cause(cause, "NUL byte in the commit object body");
	for (i = 0; i < len; i++)
		if (buf[i] == '\n' && (i + 1 == len || buf[i + 1] == '\n'))
			return 0;
	return set_cause(cause, "unterminated header");
}

/* Checks that line starts with word (e.g. "author "); steps past it. */
static int
fsck_word(const char **p, const char *end, const char *word)
{
	size_t	 n = strlen(word);

	if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
		return 0;
	*p += n;
	return 1;
}

int
fsck_commit(const char *buf, size_t len, char **cause)
{
	const char	*p = buf, *end = buf + len;

	/*
	 * The header's end was found and nothing holds a NUL, so the
	 * scans below stop at a newline before end.
	 */
	if (fsck_headers(buf, len, cause) != 0)
		return -1;
	if (!fsck_word(&p, end, "tree "))
		return set_cause(cause, "invalid format - expected 'tree' line");
	if (fsck_hexline(&p, end) != 0)
		return set_cause(cause, "invalid 'tree' line format - bad sha1");
	while (fsck_word(&p, end, "parent "))
		if (fsck_hexline(&p, end) != 0)
			return set_cause(cause, "invalid 'parent' line format "
			    "- bad sha1");
	if (!fsck_word(&p, end, "author "))
		return set_cause(cause, "invalid format - expected 'author' line");
	if (fsck_ident(&p, end, cause) != 0)
		return -1;
	if (fsck_word(&p, end, "author "))
		return set_cause(cause, "invalid format - multiple 'author' lines");
	if (!fsck_word(&p, end, "committer "))
		return set_cause(cause, "invalid format - expected 'committer' "
		    "line");
	return fsck_ident(&p, end, cause);
}

/* One tree entry, as read from the raw tree. */
struct fsck_entry {
	const char	*name;
	size_t		 len;
	int		 dir;
};

/* git's tree order: a tree's name compares as if it ended in '/'. */
static int
fsck_entry_cmp(const struct fsck_entry *a, const struct fsck_entry *b)
{
	size_t	 n = a->len < b->len ? a->len : b->len;
	int	 c = memcmp(a->name, b->name, n), ca, cb;

	if (c != 0)
		return c;
	ca = a->len > n ? (unsigned char)a->name[n] : a->dir ? '/' : 0;
	cb = b->len > n ? (unsigned char)b->name[n] : b->dir ? '/' : 0;
	return ca - cb;
}

/* qsort order by name alone, to find two entries of one name. */
static int
fsck_name_cmp(const void *x, const void *y)
{
	const struct fsck_entry *a = x, *b = y;
	size_t	 n = a->len < b->len ? a->len : b->len;
	int	 c = memcmp(a->name, b->name, n);

	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

/* Checks one entry's mode and name; fills e. */
static int
fsck_tree_entry(const char **p, const char *end, struct fsck_entry *e,
    char **cause)
{
	static const uint8_t zero[GIT_OID_RAWSZ];
	const char	*sp = memchr(*p, ' ', (size_t)(end - *p)), *nul;

	if (sp == NULL || (nul = memchr(sp, '\0', (size_t)(end - sp))) == NULL ||
	    end - nul - 1 < GIT_OID_RAWSZ)
		return set_cause(cause, "cannot be parsed as a tree");
	if (**p == '0')
		return set_cause(cause, "contains zero-padded file modes");
	if (sp - *p == 6 && memcmp(*p, "100644", 6) == 0)
		e->dir = 0;
	else if (sp - *p == 5 && memcmp(*p, "40000", 5) == 0)
		e->dir = 1;
	else
		return set_cause(cause, "entry of mode %.*s: an origin tree "
		    "holds only files (100644) and trees (40000)",
		    (int)(sp - *p < 8 ? sp - *p : 8), *p);
	e->name = sp + 1;
	e->len = (size_t)(nul - e->name);
	if (e->len == 0)
		return set_cause(cause, "contains empty pathname");
	if (memchr(e->name, '/', e->len) != NULL)
		return set_cause(cause, "contains full pathnames");
	if ((e->len == 1 && e->name[0] == '.') ||
	    (e->len == 2 && memcmp(e->name, "..", 2) == 0))
		return set_cause(cause, "contains '.' or '..'");
	if (e->len == 4 && strncasecmp(e->name, ".git", 4) == 0)
		return set_cause(cause, "contains '.git'");
	if (memcmp(nul + 1, zero, GIT_OID_RAWSZ) == 0)
		return set_cause(cause, "contains entries pointing to null sha1");
	*p = nul + 1 + GIT_OID_RAWSZ;
	return 0;
}

int
fsck_tree(const char *buf, size_t len, char **cause)
{
	struct fsck_entry *e = NULL;
	const char	*p = buf, *end = buf + len;
	size_t		 n = 0, cap = 0, i;
	int		 rv = -1;

	while (p < end) {
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			e = xreallocarray(e, cap, sizeof *e);
		}
		if (fsck_tree_entry(&p, end, &e[n], cause) != 0)
			goto out;
		if (n > 0 && fsck_entry_cmp(&e[n - 1], &e[n]) >= 0) {
			set_cause(cause, fsck_name_cmp(&e[n - 1], &e[n]) == 0 ?
			    "contains duplicate file entries" :
			    "not properly sorted");
			goto out;
		}
		n++;
	}
	/* A file "a" and a tree "a" are not neighbours in git's order. */
	if (n > 1)
		qsort(e, n, sizeof *e, fsck_name_cmp);
	for (i = 1; i < n; i++)
		if (fsck_name_cmp(&e[i - 1], &e[i]) == 0) {
			set_cause(cause, "contains duplicate file entries");
			goto out;
		}
	rv = 0;
out:
	free(e);
	return rv;
}
