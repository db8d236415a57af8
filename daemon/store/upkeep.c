/*
 * upkeep.c — keeping the repository small on disk, on a worker thread:
 * loose refs (one file and three directories per origin branch) are packed
 * into packed-refs after a burst of fetches, and the directories they left
 * are removed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"
#include "util.h"

/* Removes the empty directories below dir, bottom up; 1 when dir itself is empty now. */
static int
prune_empty(const char *dir, int depth)
{
	struct dirent	*de;
	DIR		*d;
	char		*p;
	int		 left = 0;

	if (depth > 8 || (d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR && prune_empty(p, depth + 1) &&
		    rmdir(p) == 0) {
			free(p);
			continue;
		}
		left = 1;
		free(p);
	}
	closedir(d);
	return !left;
}

int
store_pack_refs(git_repository *repo, char **cause)
{
	git_refdb	*db = NULL;
	char		*dir;
	int		 rv;

	if (git_repository_refdb(&db, repo) != 0 || git_refdb_compress(db) != 0) {
		git_refdb_free(db);
		return set_cause(cause, "packing refs: %s", store_git_error());
	}
	git_refdb_free(db);
	/*
	 * A ref the loop writes meanwhile makes its directories again; one
	 * whose directory vanished under it fails and is fetched again.
	 */
	dir = xasprintf("%srefs/namespaces", git_repository_path(repo));
	rv = prune_empty(dir, 0);
	free(dir);
	(void)rv;
	return 0;
}

unsigned int
store_moves(struct store *st)
{
	return st->moves;
}

void
store_moves_reset(struct store *st)
{
	st->moves = 0;
}
