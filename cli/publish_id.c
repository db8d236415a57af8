/*
 * publish_id.c — after knowctl publish made a new record, its id goes into
 * the file (a line "id: …" after the first ---), so that publishing the
 * same file again changes that record instead of making a second one. The
 * file is replaced atomically with the rest of it byte for byte; when it
 * cannot be, knowctl prints the line and a command that adds it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"
#include "util.h"

/* Where the line goes: just past the first "---" line (after a BOM); 0 when none. */
static size_t
id_offset(const char *text, size_t len, int *crlf)
{
	size_t	 at = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		at = 3;
	if (len - at < 4 || memcmp(text + at, "---", 3) != 0)
		return 0;
	at += 3;
	*crlf = text[at] == '\r';
	if (*crlf && at + 1 < len && text[at + 1] == '\n')
		return at + 2;
	return text[at] == '\n' ? at + 1 : 0;
}

/* Writes text with the id line into path (its target if a link), as it was read; -1 with errno. */
static int
write_back(const char *path, const char *text, size_t len, const char *id,
    char **cause)
{
	struct stat	 st;
	struct buf	 b;
	char		*now = NULL, *real;
	size_t		 at, nowlen;
	int		 crlf = 0, rv = -1;

	if ((at = id_offset(text, len, &crlf)) == 0)
		return set_cause(cause, "%s", _("no line --- at its beginning"));
	if ((real = realpath(path, NULL)) == NULL || stat(real, &st) == -1) {
		set_cause(cause, "%s", strerror(errno));
		goto out;
	}
	/* Unchanged since it was read: nothing someone saved meanwhile is lost. */
	if (read_file(real, RECORD_MAX_BYTES, &now, &nowlen, NULL) != 0 ||
	    nowlen != len || memcmp(now, text, len) != 0) {
		set_cause(cause, "%s", _("it changed since it was read"));
		goto out;
	}
	buf_init(&b);
	buf_add(&b, text, at);
	buf_printf(&b, "id: %s%s", id, crlf ? "\r\n" : "\n");
	buf_add(&b, text + at, len - at);
	rv = write_file_atomic(real, b.data, b.len, st.st_mode & 07777, cause);
	buf_free(&b);
out:
	free(now);
	free(real);
	return rv;
}

int
cli_publish_write_id(const char *path, const char *text, size_t len,
    const char *id)
{
	char	*why = NULL;

	if (strcmp(path, "-") == 0)
		return 0;
	if (write_back(path, text, len, id, &why) == 0) {
		fprintf(stderr, _("knowctl publish: the id is now in %s: publish "
		    "it again to change the record\n"), path);
		return 0;
	}
	fprintf(stderr, _("knowctl publish: could not write the id into %s "
	    "(%s).\nAdd the line \"id: %s\" after the first line ---, for "
	    "example with:\n  sed -i '1a id: %s' '%s'\n"), path, why, id, id,
	    path);
	free(why);
	return -1;
}
