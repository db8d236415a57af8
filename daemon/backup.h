/* backup.h — a consistent snapshot of the node home as a tar archive (knowctl backup). */
#ifndef KNOWD_BACKUP_H
#define KNOWD_BACKUP_H

#include "util.h"

struct knowd;

/* Builds the archive into *out (the secret key only when with_key). */
int	backup_make(struct knowd *, int with_key, struct buf *out, char **cause);

#endif
