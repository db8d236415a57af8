/*
 * search_db.c — the index database itself: its schema, opening (a missing,
 * unreadable or older index is recreated: it is derived state), the
 * prepared statements, closing, and the helpers every file of the room
 * runs SQL through. The tables are described in search.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "search.h"
#include "search_int.h"
#include "util.h"

#define SEARCH_VERSION	9	/* 9: bodies hold the answers only */

static const char schema[] =
"PRAGMA journal_mode=WAL;"
"PRAGMA synchronous=NORMAL;"
/*
 * Memory: 16 MiB of page cache and no mapping (mapped pages count in RSS
 * and a mirror's index is hundreds of MiB: its RSS must stay bounded).
 */
"PRAGMA cache_size=-16384;"
"PRAGMA mmap_size=0;"
/* Deleted text is overwritten, not left in free pages (erasure, §3). */
"PRAGMA secure_delete=ON;"
"CREATE TABLE IF NOT EXISTS records(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL,"
" nid TEXT NOT NULL, kind TEXT NOT NULL, project TEXT NOT NULL, title TEXT NOT NULL,"
" summary TEXT NOT NULL, fields TEXT NOT NULL, status TEXT NOT NULL,"
" hurdles TEXT NOT NULL, tags TEXT NOT NULL, created TEXT NOT NULL,"
" modified TEXT NOT NULL, path TEXT NOT NULL, blob TEXT NOT NULL,"
" UNIQUE(nid, path));"
"CREATE TABLE IF NOT EXISTS bodies(rid INTEGER PRIMARY KEY, body TEXT NOT NULL);"
"CREATE INDEX IF NOT EXISTS records_id ON records(id);"
"CREATE INDEX IF NOT EXISTS records_mod ON records(kind, modified DESC, id);"
"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, summary, body,"
" facets, parts, tokenize='unicode61 remove_diacritics 0');"
"CREATE VIRTUAL TABLE IF NOT EXISTS tfts USING fts5(title, facets, parts,"
" tokenize='unicode61 remove_diacritics 0');"
"CREATE TABLE IF NOT EXISTS terms(rid INTEGER NOT NULL, facet TEXT NOT NULL,"
" value TEXT NOT NULL, kind TEXT NOT NULL);"
"DROP INDEX IF EXISTS terms_fv;"
"CREATE INDEX IF NOT EXISTS terms_fvk ON terms(facet, value, kind, rid);"
"CREATE INDEX IF NOT EXISTS terms_rid ON terms(rid);"
"CREATE TABLE IF NOT EXISTS facet_counts(facet TEXT NOT NULL, value TEXT NOT NULL,"
" n INTEGER NOT NULL, PRIMARY KEY(facet, value)) WITHOUT ROWID;"
"CREATE TRIGGER IF NOT EXISTS terms_ai AFTER INSERT ON terms WHEN"
" NEW.kind = 'lesson' BEGIN INSERT INTO facet_counts VALUES (NEW.facet,"
" NEW.value, 1) ON CONFLICT(facet, value) DO UPDATE SET n = n + 1; END;"
"CREATE TRIGGER IF NOT EXISTS terms_ad AFTER DELETE ON terms WHEN"
" OLD.kind = 'lesson' BEGIN UPDATE facet_counts SET n = n - 1 WHERE"
" facet = OLD.facet AND value = OLD.value; END;"
"CREATE TABLE IF NOT EXISTS branches(nid TEXT PRIMARY KEY, tree TEXT NOT NULL);"
"CREATE TABLE IF NOT EXISTS retracted(id TEXT NOT NULL, nid TEXT NOT NULL,"
" kind TEXT NOT NULL, title TEXT NOT NULL, fields TEXT NOT NULL,"
" time TEXT NOT NULL, PRIMARY KEY(nid, id));"
/* A row while an erasure's clean-up is unfinished (search_forget). */
"CREATE TABLE IF NOT EXISTS forget(since INTEGER NOT NULL);";

/* Runs SQL without results; -1 with *cause on failure. */
int
search_exec(struct search *s, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		search_note_error(s);
		set_cause(cause, "index: %s", err != NULL ? err :
		    sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Prepares a statement; -1 with *cause on failure. */
int
search_prepare(struct search *s, const char *sql, sqlite3_stmt **st,
    char **cause)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		search_note_error(s);
		return set_cause(cause, "index: %s", sqlite3_errmsg(s->db));
	}
	return 0;
}

sqlite3_stmt *
search_cached(struct search *s, const char *sql, char **cause)
{
	sqlite3_stmt	*st = NULL;
	size_t		 i;

	for (i = 0; i < s->ncached; i++)
		if (strcmp(s->cache[i].sql, sql) == 0)
			return s->cache[i].st;
	/* Only fixed statements come here: a full cache is a bug. */
	if (s->ncached == SEARCH_CACHED) {
		set_cause(cause, "index: statement cache full");
		return NULL;
	}
	if (search_prepare(s, sql, &st, cause) != 0)
		return NULL;
	s->cache[s->ncached].sql = xstrdup(sql);
	s->cache[s->ncached++].st = st;
	return st;
}

void
search_release(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Binds a text (NULL binds SQL NULL). */
void
search_bind(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* A column as a new string ("" for NULL). Caller frees. */
char *
search_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return xstrdup(t != NULL ? (const char *)t : "");
}

/* Opens path and checks it holds our schema version; -1 when unusable. */
int
search_db_try(const char *path, struct search *s, char **cause)
{
	sqlite3_stmt	*st = NULL;
	int		 v = -1;

	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return set_cause(cause, "%s: %s", path, sqlite3_errmsg(s->db));
	sqlite3_busy_timeout(s->db, SEARCH_BUSY_MS);
	if (search_rank_register(s->db, cause) != 0)
		return -1;
	if (search_prepare(s, "PRAGMA user_version", &st, cause) != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v != 0 && v != SEARCH_VERSION)
		return set_cause(cause, "%s: index version %d", path, v);
	if (search_exec(s, schema, cause) != 0)
		return -1;
	if (v == 0 && search_exec(s, "PRAGMA user_version=" 
	    SEARCH_STR(SEARCH_VERSION), cause) != 0)
		return -1;
	/* A cheap read of every table finds most damage. */
	return search_exec(s, "SELECT count(*) FROM records; SELECT count(*) "
	    "FROM terms; SELECT count(*) FROM branches; SELECT count(*) FROM "
	    "retracted; SELECT count(*) FROM fts WHERE fts MATCH 'x'; SELECT "
	    "count(*) FROM tfts WHERE tfts MATCH 'x';", cause);
}

/* Removes an index and its WAL files. */
void
search_db_unlink(const char *path)
{
	char	*p;

	unlink(path);
	p = xasprintf("%s-wal", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", path);
	unlink(p);
	free(p);
}

/* Prepares the statements indexing uses. */
int
search_stmts_prepare(struct search *s, char **cause)
{
	return search_prepare(s, "INSERT INTO records(id, nid, kind, project, "
	    "title, summary, fields, status, hurdles, tags, created, modified, "
	    "path, blob) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    &s->ins_rec, cause) != 0 ||
	    search_prepare(s, "INSERT INTO bodies(rid, body) VALUES (?,?)",
	    &s->ins_body, cause) != 0 ||
	    search_prepare(s, "INSERT INTO fts(rowid, title, summary, body, "
	    "facets, parts) VALUES (?,?,?,?,?,?)", &s->ins_fts, cause) != 0 ||
	    search_prepare(s, "INSERT INTO tfts(rowid, title, facets, parts) "
	    "VALUES (?,?,?,?)", &s->ins_tfts, cause) != 0 ||
	    search_prepare(s, "INSERT INTO terms(rid, facet, value, kind) "
	    "VALUES (?,?,?,?)", &s->ins_term, cause) != 0 ||
	    search_prepare(s, "SELECT rowid, id, kind, title, fields FROM "
	    "records WHERE nid=? AND path=?", &s->sel_path, cause) != 0 ||
	    search_prepare(s, "DELETE FROM retracted WHERE nid=? AND id=?",
	    &s->del_gone, cause) != 0 ||
	    search_prepare(s, "UPDATE retracted SET title=?, fields='' "
	    "WHERE nid=? AND id=?", &s->erase_gone, cause) != 0 ||
	    search_prepare(s, "INSERT OR REPLACE INTO retracted(id, nid, kind, "
	    "title, fields, time) VALUES (?,?,?,?,?,?)", &s->ins_gone,
	    cause) != 0 ||
	    search_prepare(s, "SELECT 1 FROM records WHERE nid=? AND id=?",
	    &s->has_id, cause) != 0 ||
	    search_prepare(s, "SELECT tree FROM branches WHERE nid=?",
	    &s->get_branch, cause) != 0 ||
	    search_prepare(s, "INSERT OR REPLACE INTO branches(nid, tree) "
	    "VALUES (?,?)", &s->set_branch, cause) != 0 ? -1 : 0;
}

int
search_db_open(const char *path, struct search **out, char **cause)
{
	struct search	*s = xcalloc(1, sizeof *s);
	char		*why = NULL;

	search_repair_init();
	s->count_cap = SEARCH_COUNT_CAP;
	s->path = xstrdup(path);
	if (search_db_try(path, s, &why) != 0) {
		log_warnx("search index unusable (%s): recreating it", why);
		free(why);
		sqlite3_close(s->db);
		s->db = NULL;
		search_db_unlink(path);
		if (search_db_try(path, s, cause) != 0) {
			search_db_close(s);
			return -1;
		}
	}
	search_repair_opened(s);
	if ((s->text = search_text_new()) == NULL) {
		search_db_close(s);
		return set_cause(cause, "German stemmer unavailable");
	}
	if (search_stmts_prepare(s, cause) != 0) {
		search_db_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
search_db_close(struct search *s)
{
	if (s == NULL)
		return;
	search_text_free(s->text);
	search_stmts_finalize(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

void
search_stmts_finalize(struct search *s)
{
	size_t	 i;

	for (i = 0; i < s->ncached; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	s->ncached = 0;
	sqlite3_finalize(s->ins_rec);
	sqlite3_finalize(s->ins_fts);
	sqlite3_finalize(s->ins_tfts);
	sqlite3_finalize(s->ins_term);
	sqlite3_finalize(s->ins_body);
	sqlite3_finalize(s->sel_path);
	sqlite3_finalize(s->del_gone);
	sqlite3_finalize(s->erase_gone);
	sqlite3_finalize(s->ins_gone);
	sqlite3_finalize(s->has_id);
	sqlite3_finalize(s->get_branch);
	sqlite3_finalize(s->set_branch);
	s->ins_rec = s->ins_fts = s->ins_tfts = s->ins_term = s->ins_body = NULL;
	s->sel_path = s->del_gone = s->ins_gone = s->has_id = NULL;
	s->erase_gone = NULL;
	s->get_branch = s->set_branch = NULL;
}
