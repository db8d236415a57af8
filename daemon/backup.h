/* backup.h — a consistent snapshot of the node home as a tar archive (knowctl backup). */
#ifndef KNOWD_BACKUP_H
#define KNOWD_BACKUP_H

#include "util.h"

#include <stdint.h>

#include <git2.h>

struct backup;
struct knowd;

/* On the event loop: a snapshot of every ref (the secret key goes in only when with_key). */
struct backup *backup_begin(struct knowd *, int with_key, char **cause);
/* The archive: an open file (already unlinked), its size and SHA-256. */
struct backup_out {
	int		 fd;
	uint64_t	 size;
	uint8_t		 sha256[32];
};

/* On any thread with its own repository: writes the archive of the snapshot. */
int	backup_build(struct backup *, git_repository *, struct backup_out *,
	    char **cause);
void	backup_free(struct backup *);

#endif
