/* search_int.h — what search.c and search_query.c share (daemon-internal). */
#ifndef KNOWD_SEARCH_INT_H
#define KNOWD_SEARCH_INT_H

#include <sqlite3.h>

#include "record.h"
#include "search.h"

#define SEARCH_XSTR(x)	#x
#define SEARCH_STR(x)	SEARCH_XSTR(x)

#define SEARCH_CACHED	12	/* statements search_cached keeps */
#define SEARCH_BUSY_MS	2000	/* busy timeout of the connection */

struct search {
	sqlite3			*db;
	char			*path;
	unsigned		 damage_base;	/* search_repair.c: damage seen at open */
	int			 rebuilding;	/* moved aside, rebuilt from the branches */
	struct search_text	*text;
	sqlite3_stmt		*ins_rec, *ins_body, *ins_fts, *ins_tfts, *ins_term;
	sqlite3_stmt		*sel_path;
	sqlite3_stmt		*del_gone, *ins_gone, *has_id, *erase_gone;
	sqlite3_stmt		*get_branch, *set_branch;
	size_t			 count_cap;	/* SEARCH_COUNT_CAP; tests lower it */
	size_t			 size;		/* search_size, while size_known */
	int			 size_known;	/* cleared by every change */
	int			 merging;	/* search_compact.c: table being merged */
	int			 merge_started;	/* its first step is done */
	/* search_loop.c: told when search_forget needs a full merge (NULL: none). */
	void			(*forgot)(void *);
	void			*forgot_arg;
	struct {
		char		*sql;
		sqlite3_stmt	*st;
	}			 cache[SEARCH_CACHED];	/* search_cached */
	size_t			 ncached;
};

/* search.c: opening, for search_repair.c. */
int	 search_db_try(const char *path, struct search *, char **cause);
void	 search_db_unlink(const char *path);
int	 search_stmts_prepare(struct search *, char **cause);
void	 search_stmts_finalize(struct search *);

/* search_repair.c: counts SQLite's reports of damage (once per process, before any open). */
void	 search_repair_init(void);
/* The index at s->db was opened whole: damage from now on is its own. */
void	 search_repair_opened(struct search *);
/* After a failed SQLite call: counts it when it says the file is damaged. */
void	 search_note_error(struct search *);

int	 search_exec(struct search *, const char *sql, char **cause);
int	 search_prepare(struct search *, const char *sql, sqlite3_stmt **,
	     char **cause);
/*
 * A prepared statement of sql kept for reuse (queries run the same few
 * often): hand it back with search_release, never finalize it. NULL with
 * *cause on failure.
 */
sqlite3_stmt *search_cached(struct search *, const char *sql, char **cause);
/* Resets a statement from search_cached and clears its bindings. */
void	 search_release(sqlite3_stmt *);
void	 search_bind(sqlite3_stmt *, int, const char *);
/* A column as a new string ("" for NULL). Caller frees. */
char	*search_col(sqlite3_stmt *, int);

/* search_rank.c: registers krank(), FTS5's bm25 with document counts given. */
int	 search_rank_register(sqlite3 *, char **cause);
/* krank's arguments after the table for an FTS5 match: ", n0, n1…". Caller frees. */
char	*search_rank_args(struct search *, const char *match);

#endif
