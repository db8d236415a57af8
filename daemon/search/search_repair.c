/*
 * search_repair.c — a damaged index is moved aside and rebuilt. When SQLite
 * says the file is damaged (SQLITE_CORRUPT: "database disk image is
 * malformed", SQLITE_NOTADB: "file is not a database") on any call, the
 * index counts as damaged: searches answer "being rebuilt" (503 on the
 * web pages), and the search loop (search_loop.c) moves the file aside as
 * index.sqlite.damaged-YYYYMMDDTHHMMSSZ for the operator, opens an empty
 * one in its place and has the branches indexed again; until the node says
 * that is done (search_rebuilt) the index counts as being rebuilt.
 *
 * SQLite reports every such error to its error log (SQLITE_CONFIG_LOG,
 * one per process, set before the first open), whatever statement met it;
 * a failed call's error code is checked too (search_note_error). knowd
 * opens one index, so a count per process is the index's.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "search.h"
#include "search_int.h"
#include "util.h"

static atomic_uint	 repair_damage;		/* damage reports so far */
static search_damage_fn	*repair_hook;		/* search_on_damage */
static void		*repair_hook_arg;

/* True for the error codes of a damaged file. */
static int
repair_is_damage(int code)
{
	return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
}

/* Counts one report of damage and tells the hook (it may run on any thread). */
static void
repair_count(void)
{
	atomic_fetch_add(&repair_damage, 1);
	if (repair_hook != NULL)
		repair_hook(repair_hook_arg);
}

/* SQLite's error log: every error of every statement passes here. */
static void
repair_log_cb(void *arg, int code, const char *msg)
{
	if (repair_is_damage(code))
		repair_count();
}

void
search_repair_init(void)
{
	static int	 done;

	if (done)
		return;
	done = 1;
	/* Refused (SQLITE_MISUSE) once SQLite is initialized: then only search_note_error counts. */
	if (sqlite3_config(SQLITE_CONFIG_LOG, repair_log_cb, NULL) != SQLITE_OK)
		log_debug("search index: SQLite's error log was set already");
}

void
search_repair_opened(struct search *s)
{
	s->damage_base = atomic_load(&repair_damage);
}

void
search_note_error(struct search *s)
{
	/* The log callback counted it already when it is set. */
	if (s->db != NULL && repair_is_damage(sqlite3_extended_errcode(s->db)) &&
	    atomic_load(&repair_damage) == s->damage_base)
		repair_count();
}

void
search_on_damage(search_damage_fn *fn, void *arg)
{
	repair_hook = fn;
	repair_hook_arg = arg;
}

int
search_damaged(const struct search *s)
{
	return s != NULL && atomic_load(&repair_damage) != s->damage_base;
}

int
search_unavailable(const struct search *s)
{
	return s != NULL && (s->rebuilding || search_damaged(s));
}

int
search_rebuilding(const struct search *s)
{
	return s != NULL && s->rebuilding;
}

void
search_rebuilt(struct search *s)
{
	if (s == NULL || !s->rebuilding)
		return;
	s->rebuilding = 0;
	log_info("search index: rebuilt, %zu records", search_size(s));
}

/* Renames from to to when from exists; -1 with *cause otherwise. */
static int
repair_rename(const char *from, const char *to, char **cause)
{
	if (rename(from, to) == -1 && access(from, F_OK) == 0)
		return set_cause(cause, "%s: %s", from, strerror(errno));
	return 0;
}

/* Moves the index and its WAL aside under a timestamped name. */
static int
repair_move_aside(const char *path, char **aside, char **cause)
{
	char		 stamp[32], *from, *to;
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 rv;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	*aside = xasprintf("%s.damaged-%s", path, stamp);
	if (repair_rename(path, *aside, cause) != 0)
		return -1;
	from = xasprintf("%s-wal", path);
	to = xasprintf("%s-wal", *aside);
	rv = repair_rename(from, to, cause);
	free(from);
	free(to);
	from = xasprintf("%s-shm", path);
	unlink(from);			/* shared memory, rebuilt from the WAL */
	free(from);
	return rv;
}

int
search_repair(struct search *s, char **cause)
{
	char	*aside = NULL;

	search_stmts_finalize(s);
	sqlite3_close(s->db);
	s->db = NULL;
	s->size_known = 0;
	s->merging = s->merge_started = 0;
	if (repair_move_aside(s->path, &aside, cause) != 0) {
		/* Kept nowhere: an empty index is still better than a broken one. */
		log_warnx("search index: %s; removing it", *cause);
		free(*cause);
		*cause = NULL;
		search_db_unlink(s->path);
	}
	if (search_db_try(s->path, s, cause) != 0 ||
	    search_stmts_prepare(s, cause) != 0) {
		free(aside);
		return -1;
	}
	search_repair_opened(s);
	s->rebuilding = 1;
	log_warnx("search index %s was damaged: kept as %s, rebuilding it from "
	    "the branches", s->path, aside != NULL ? aside : "(nothing)");
	free(aside);
	return 0;
}
