/*
 * desk_session.c — login sessions: a random id (32 bytes, hex) goes to the
 * browser in a cookie, only its BLAKE2b hash is stored; each session has
 * its own CSRF token, an idle and an absolute expiry, and there are at
 * most DESK_MAX_SESSIONS (the one used longest ago gives way).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "desk_int.h"
#include "util.h"

/* The stored form of a session id: hex of its BLAKE2b-256 hash. */
static void
sid_hash(const char *sid, char out[65])
{
	uint8_t	 h[32];

	crypto_generichash(h, sizeof h, (const uint8_t *)sid, strlen(sid),
	    NULL, 0);
	hex_encode(h, sizeof h, out);
}

/* 32 random bytes as hex into out (65 bytes). */
static void
random_hex(char out[65])
{
	uint8_t	 b[32];

	randombytes_buf(b, sizeof b);
	hex_encode(b, sizeof b, out);
	sodium_memzero(b, sizeof b);
}

/* Drops expired sessions and, past the cap, the ones used longest ago. */
static void
session_prune(struct desk *d, time_t now)
{
	sqlite3_stmt	*st;

	st = desk_prepare(d, "DELETE FROM sessions WHERE seen < ? OR created < ?"
	    " OR idhash IN (SELECT idhash FROM sessions ORDER BY seen DESC"
	    " LIMIT -1 OFFSET ?)");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(now - DESK_IDLE_SECS));
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(now - DESK_MAX_SECS));
	sqlite3_bind_int(st, 3, DESK_MAX_SESSIONS - 1);
	desk_step_done(d, st);
}

int
desk_session_new(struct desk *d, const char *user, time_t now,
    char sid[DESK_SID_LEN + 1], char csrf[DESK_CSRF_LEN + 1])
{
	sqlite3_stmt	*st;
	char		 h[65];

	session_prune(d, now);
	random_hex(sid);
	random_hex(csrf);
	sid_hash(sid, h);
	st = desk_prepare(d, "INSERT INTO sessions(idhash, user, csrf, created,"
	    " seen) VALUES (?, ?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	return desk_step_done(d, st);
}

/* True for 64 lowercase hex digits. */
static int
sid_ok(const char *s)
{
	return strlen(s) == DESK_SID_LEN &&
	    strspn(s, "0123456789abcdef") == DESK_SID_LEN;
}

int
desk_session_find(struct desk *d, const char *sid, time_t now,
    struct desk_session *s)
{
	sqlite3_stmt	*st;
	char		 h[65];
	int		 rc;

	if (sid == NULL || !sid_ok(sid))
		return 1;
	sid_hash(sid, h);
	st = desk_prepare(d, "SELECT user, csrf, created, seen FROM sessions "
	    "WHERE idhash = ? AND seen >= ? AND created >= ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(now - DESK_IDLE_SECS));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)(now - DESK_MAX_SECS));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(s, 0, sizeof *s);
		desk_col(st, 0, s->user, sizeof s->user);
		desk_col(st, 1, s->csrf, sizeof s->csrf);
		s->created = (time_t)sqlite3_column_int64(st, 2);
		s->seen = now;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	st = desk_prepare(d, "UPDATE sessions SET seen = ? WHERE idhash = ?");
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
		sqlite3_bind_text(st, 2, h, -1, SQLITE_STATIC);
		desk_step_done(d, st);
	}
	return 0;
}

void
desk_session_end(struct desk *d, const char *sid)
{
	sqlite3_stmt	*st;
	char		 h[65];

	if (sid == NULL || !sid_ok(sid))
		return;
	sid_hash(sid, h);
	if ((st = desk_prepare(d, "DELETE FROM sessions WHERE idhash = ?")) ==
	    NULL)
		return;
	sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
	desk_step_done(d, st);
}

void
desk_session_end_user(struct desk *d, const char *user)
{
	sqlite3_stmt	*st;

	if ((st = desk_prepare(d, "DELETE FROM sessions WHERE user = ?")) ==
	    NULL)
		return;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	desk_step_done(d, st);
}

int
desk_token_equal(const char *a, const char *b)
{
	size_t	 n;

	if (a == NULL || b == NULL || (n = strlen(a)) != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
