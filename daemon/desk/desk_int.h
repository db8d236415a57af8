/* desk_int.h — what the desk room's files share (inside desk/ only). */
#ifndef KNOWD_DESK_INT_H
#define KNOWD_DESK_INT_H

#include <sqlite3.h>

#include "desk.h"

/* Argon2id: about 0.1 s and 64 MiB on a small 2-core server. */
#define DESK_OPSLIMIT	3
#define DESK_MEMLIMIT	(64u * 1024 * 1024)
#define DESK_KEY_MAX	80	/* an account name or an address */

/* One account's or address's failed logins. */
struct desk_throttle {
	char	 key[DESK_KEY_MAX];	/* "" when free */
	int	 fails;
	time_t	 last;
};

struct desk {
	sqlite3			*db;
	struct desk_throttle	 byname[DESK_THROTTLE_SLOTS];
	struct desk_throttle	 byaddr[DESK_THROTTLE_SLOTS];
	time_t			 second;		/* the second checks counts */
	int			 checks;
};

/* desk.c: prepares sql; NULL (logged) on error. Caller finalizes. */
sqlite3_stmt *desk_prepare(struct desk *, const char *sql);
/* Runs a statement to its end and finalizes it; -1 on error (logged). */
int	 desk_step_done(struct desk *, sqlite3_stmt *);
/* Copies column i (text, may be NULL) into out of size n. */
void	 desk_col(sqlite3_stmt *, int i, char *out, size_t n);

#endif
