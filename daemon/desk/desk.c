/*
 * desk.c — the desk's database, HOME/desk.sqlite (0600): accounts,
 * sessions, drafts and the audit log (doc/DESIGN.md §8). It is local
 * state, outside the git repository and never replicated.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "desk_int.h"
#include "home.h"
#include "log.h"
#include "util.h"

static const char schema[] =
"PRAGMA journal_mode=WAL;"
"PRAGMA synchronous=NORMAL;"
"PRAGMA secure_delete=ON;"
"CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, role TEXT NOT NULL,"
" unit TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL, created INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS sessions(idhash TEXT PRIMARY KEY,"
" user TEXT NOT NULL, csrf TEXT NOT NULL, created INTEGER NOT NULL,"
" seen INTEGER NOT NULL);"
"CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);"
"CREATE INDEX IF NOT EXISTS sessions_seen ON sessions(seen);"
"CREATE TABLE IF NOT EXISTS drafts(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
" record TEXT NOT NULL, base TEXT NOT NULL, author TEXT NOT NULL,"
" title TEXT NOT NULL, text TEXT NOT NULL, created INTEGER NOT NULL,"
" modified INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS audit(n INTEGER PRIMARY KEY, t INTEGER NOT NULL,"
" who TEXT NOT NULL, action TEXT NOT NULL, record TEXT NOT NULL,"
" detail TEXT NOT NULL);";

sqlite3_stmt *
desk_prepare(struct desk *d, const char *sql)
{
	sqlite3_stmt	*st = NULL;

	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("desk: %s", sqlite3_errmsg(d->db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int
desk_step_done(struct desk *d, sqlite3_stmt *st)
{
	int	 rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_warnx("desk: %s", sqlite3_errmsg(d->db));
		return -1;
	}
	return 0;
}

void
desk_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", s != NULL ? (const char *)s : "");
}

/* Creates the file 0600 before SQLite opens it, so it is never readable by others. */
static int
desk_create(const char *path, char **cause)
{
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return set_cause(cause, "%s: cannot create it", path);
	if (fchmod(fd, 0600) != 0) {
		close(fd);
		return set_cause(cause, "%s: cannot make it private", path);
	}
	close(fd);
	return 0;
}

int
desk_open(struct desk **out, const char *home, char **cause)
{
	struct desk	*d;
	char		*path = home_path(home, DESK_FILE), *err = NULL;

	*out = NULL;
	if (desk_create(path, cause) != 0) {
		free(path);
		return -1;
	}
	d = xcalloc(1, sizeof *d);
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(d->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		set_cause(cause, "%s: %s", path, err != NULL ? err :
		    sqlite3_errmsg(d->db));
		sqlite3_free(err);
		sqlite3_close(d->db);
		free(d);
		free(path);
		return -1;
	}
	sqlite3_busy_timeout(d->db, 1000);
	free(path);
	*out = d;
	return 0;
}

int
desk_snapshot(struct desk *d, const char *path, char **cause)
{
	sqlite3		*copy = NULL;
	sqlite3_stmt	*st;
	int		 rc;

	if (desk_create(path, cause) != 0)
		return -1;
	if ((st = desk_prepare(d, "VACUUM INTO ?1")) == NULL) {
		unlink(path);
		return set_cause(cause, "desk: cannot copy it");
	}
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	if (desk_step_done(d, st) != 0)
		goto fail;
	/* A restored home starts without anyone logged in. */
	rc = sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK || sqlite3_exec(copy, "PRAGMA secure_delete=ON;"
	    "DELETE FROM sessions; PRAGMA journal_mode=DELETE;", NULL, NULL,
	    NULL) != SQLITE_OK) {
		sqlite3_close(copy);
		goto fail;
	}
	sqlite3_close(copy);
	return 0;
fail:
	unlink(path);
	return set_cause(cause, "desk: cannot copy it: %s",
	    sqlite3_errmsg(d->db));
}

void
desk_close(struct desk *d)
{
	if (d == NULL)
		return;
	sqlite3_close(d->db);
	sodium_memzero(d, sizeof *d);
	free(d);
}
