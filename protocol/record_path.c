/* record_path.c — where records live in an origin branch tree (doc/DESIGN.md §3). */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

char *
record_path(const struct record *r)
{
	char	*path = NULL;

	switch (r->kind) {
	case RECORD_LESSON:
		if (r->project != NULL && r->id != NULL)
			path = xasprintf("projects/%s/lessons/%s.md", r->project,
			    r->id);
		break;
	case RECORD_PROJECT:
		if (r->project != NULL)
			path = xasprintf("projects/%s/project.md", r->project);
		break;
	case RECORD_NODE:
		path = xstrdup("node.md");
		break;
	case RECORD_VOUCH:
		if (r->id != NULL)
			path = xasprintf("vouches/%s.md", r->id);
		break;
	case RECORD_ERASURE:
		if (r->id != NULL)
			path = xasprintf("erasures/%s.md", r->id);
		break;
	}
	if (path != NULL && !record_path_allowed(path)) {
		free(path);
		path = NULL;
	}
	return path;
}

/*
 * Copies the name in front of ".md" at the end of p into out (size n); 0 when
 * p is such a name with no '/' in it.
 */
static int
md_name(const char *p, char *out, size_t n)
{
	size_t	 len = strlen(p);

	if (len < 4 || len - 3 >= n || strcmp(p + len - 3, ".md") != 0 ||
	    memchr(p, '/', len) != NULL)
		return -1;
	memcpy(out, p, len - 3);
	out[len - 3] = '\0';
	return 0;
}

int
record_path_erasure(const char *path)
{
	return strncmp(path, "erasures/", 9) == 0;
}

int
record_path_allowed(const char *path)
{
	char		 seg[RECORD_MAX_SLUG + 2];
	const char	*p, *slash;

	if (strcmp(path, "node.md") == 0)
		return 1;
	if (strncmp(path, "vouches/", 8) == 0)
		return md_name(path + 8, seg, sizeof seg) == 0 && record_nid_valid(seg);
	if (strncmp(path, "erasures/", 9) == 0)
		return md_name(path + 9, seg, sizeof seg) == 0 && record_id_valid(seg);
	if (strncmp(path, "projects/", 9) != 0)
		return 0;
	p = path + 9;
	if ((slash = strchr(p, '/')) == NULL || (size_t)(slash - p) >= sizeof seg)
		return 0;
	memcpy(seg, p, slash - p);
	seg[slash - p] = '\0';
	if (!record_slug_valid(seg))
		return 0;
	p = slash + 1;
	if (strcmp(p, "project.md") == 0)
		return 1;
	if (strncmp(p, "lessons/", 8) != 0)
		return 0;
	return md_name(p + 8, seg, sizeof seg) == 0 && record_id_valid(seg);
}
