/* confedit.c — line-preserving, atomic edits of knowd.conf. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "util.h"

#define CONFEDIT_MAX (1024 * 1024)

/* Rewrites path with text, keeping the file's mode. */
static int
confedit_write(const char *path, const char *text, size_t len, char **cause)
{
	struct stat	 sb;
	int		 mode = 0640;

	if (stat(path, &sb) == 0)
		mode = sb.st_mode & 07777;
	return write_file_atomic(path, text, len, mode, cause);
}

int
confedit_add(const char *path, const char *key, const char *value,
    char **cause)
{
	struct buf	 b;
	char		*text;
	size_t		 len;
	int		 rv;

	if (read_file(path, CONFEDIT_MAX, &text, &len, cause) != 0)
		return -1;
	buf_init(&b);
	buf_add(&b, text, len);
	if (len > 0 && text[len - 1] != '\n')
		buf_addc(&b, '\n');
	buf_printf(&b, "%s = %s\n", key, value);
	rv = confedit_write(path, (char *)b.data, b.len, cause);
	buf_free(&b);
	free(text);
	return rv;
}

/* If line is "key = value", returns a pointer to the trimmed value (line is modified). */
static char *
line_value(char *line, const char *key)
{
	size_t	 klen = strlen(key);
	char	*v, *e;

	while (isspace((unsigned char)*line))
		line++;
	if (strncmp(line, key, klen) != 0)
		return NULL;
	v = line + klen;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v++ != '=')
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	e = v + strlen(v);
	while (e > v && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return v;
}

int
confedit_remove(const char *path, const char *key,
    int (*match)(const char *, const void *), const void *arg, int *removed,
    char **cause)
{
	struct buf	 b;
	char		*text, *line, *next, *copy, *v;
	size_t		 len;
	int		 rv = 0;

	*removed = 0;
	if (read_file(path, CONFEDIT_MAX, &text, &len, cause) != 0)
		return -1;
	buf_init(&b);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			next++;
		copy = xstrndup(line, next != NULL ? (size_t)(next - line - 1) :
		    strlen(line));
		v = line_value(copy, key);
		if (v != NULL && match(v, arg))
			(*removed)++;
		else
			buf_add(&b, line, next != NULL ? (size_t)(next - line) :
			    strlen(line));
		free(copy);
	}
	if (*removed > 0)
		rv = confedit_write(path, b.len > 0 ? (char *)b.data : "", b.len,
		    cause);
	buf_free(&b);
	free(text);
	return rv;
}
