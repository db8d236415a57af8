/* backup.h — a consistent snapshot of the node home as a tar archive (knowctl backup). */
#ifndef KNOWD_BACKUP_H
#define KNOWD_BACKUP_H

#include "util.h"

#include <git2.h>

struct backup;
struct knowd;

/* On the event loop: a snapshot of every ref (the secret key goes in only when with_key). */
struct backup *backup_begin(struct knowd *, int with_key, char **cause);
/* On any thread with its own repository: the tar archive of the snapshot into *out. */
int	backup_build(struct backup *, git_repository *, struct buf *out,
	    char **cause);
void	backup_free(struct backup *);

#endif
