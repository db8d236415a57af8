/*
 * search.h — the door to the search room: the search index, a derived
 * SQLite database HOME/index.sqlite (FTS5 over folded, German-stemmed token
 * streams, plus a table of record metadata and one of retracted records). It is fed from git tree diffs as
 * origin branches move, and can be rebuilt from the branches at any time.
 * It takes trees from a git_repository it is given and knows nothing of
 * the node that feeds it (doc/DESIGN.md §2).
 */
#ifndef KNOWD_SEARCH_H
#define KNOWD_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <git2.h>

#define SEARCH_FILE		"index.sqlite"
#define SEARCH_MAX_QUERY	1024	/* bytes of query text */
#define SEARCH_MAX_WORDS	16	/* words of a query used */
#define SEARCH_MAX_LIMIT	1000
/* A query with words counts its matches up to this many (then "more"). */
#define SEARCH_COUNT_CAP	10000
/* Query stems this long also match compounds ending in them (title, summary). */
#define SEARCH_COMPOUND		5
#define SEARCH_PARTS		"{parts} : "	/* column filter of compound endings */
/* Marks compound endings and heads as terms of their own (short doclists). */
#define SEARCH_PART_MARK	"zq"	/* "zqbeleucht": …beleucht */
#define SEARCH_HEAD_MARK	"zh"	/* "zhstrass": strass… */
/* Index merges: pages of work per step, seconds between merges of a changing index. */
#define SEARCH_COMPACT_PAGES	32
#define SEARCH_COMPACT_EVERY	(6 * 3600)
#define SEARCH_HL_ON		'\x02'	/* snippet highlight markers */
#define SEARCH_HL_OFF		'\x03'

struct buf;
struct event_base;
struct search;
struct search_loop;
struct search_text;

/* What to look for: every member may be NULL (no condition). */
struct search_query {
	const char	*q;		/* words, never FTS5 syntax */
	const char	*field;
	const char	*status;
	const char	*hurdle;
	const char	*node;		/* did:key, nid or node name */
	const char	*project;
	const char	*tag;
	const char	*since;		/* YYYY-MM-DD[THH:MM:SSZ], compared to modified */
	const char	*kind;		/* lesson, project, node (default lesson and project) */
	const char	*id;		/* exactly this record id */
	size_t		 limit;		/* 0: 50 */
	size_t		 offset;
};

/* One matching record. Strings are never NULL. */
struct search_hit {
	char	*id, *nid, *node, *kind, *project, *title, *summary;
	char	*fields, *status, *hurdles, *tags;	/* lists space-separated */
	char	*created, *modified, *path, *blob;
	char	*snippet;	/* with SEARCH_HL_ON/OFF around matches */
	double	 score;
};

struct search_result {
	struct search_hit	*v;
	size_t			 n;
	size_t			 total;		/* matches before limit/offset */
	int			 more;		/* more than total matched */
	int			 any;		/* no record had every word: any of them */
	char			**unmatched;	/* query words no record holds */
	size_t			 nunmatched;
	char			*suggest;	/* the query spelled as the index knows it, or NULL */
};

/* One word of a query: as typed, and its stem. */
struct search_term {
	char	*word;
	char	*stem;
};

/* A facet value and how many lessons carry it. */
struct search_count {
	char	*value;
	char	*label;		/* node name for the node facet, else value */
	size_t	 n;
};

/* A retracted record, for the Atom feed's deleted entries. */
struct search_gone {
	char	*id, *nid, *title, *when;
};

/* Opens (creating or, when unreadable, recreating) the index at path. */
int	 search_db_open(const char *path, struct search **, char **cause);
void	 search_db_close(struct search *);
/* Brings nid's records in the index to tree (from whatever it held before). */
int	 search_index_tree(struct search *, git_repository *, const char *nid,
	     const git_oid *tree, char **cause);
/* Indexes one record's text as nid's record at path, without git (benchmarks). */
int	 search_add_text(struct search *, const char *nid, const char *path,
	     const char *text, size_t len, char **cause);
/* Calls cb with every node the index holds and the tree it holds it at. */
int	 search_branches(struct search *, void (*cb)(const char *nid,
	     const git_oid *tree, void *), void *arg, char **cause);
/* Gives back the page cache a scan filled (after search_records at start). */
void	 search_shrink(struct search *);
/* True when the index holds nid's records as of tree. */
int	 search_holds(struct search *, const char *nid, const git_oid *tree);
/* One record as the index holds it (for a catalog loaded from the index). */
struct search_row {
	const char	*id, *nid, *kind, *project, *title;
	const char	*created, *modified, *path, *blob;	/* blob: hex */
};
/* Calls cb for every record the index holds, in no order; stops when cb returns nonzero. */
int	 search_records(struct search *, int (*cb)(const struct search_row *,
	     void *), void *arg, char **cause);
/* The nodes whose records the index holds. Caller frees with strv_free. */
int	 search_nids(struct search *, char ***nids, size_t *n);
/* Forgets every record of nid (not as retractions). */
int	 search_drop_nid(struct search *, const char *nid, char **cause);
/* Empties the index (records, branches; retractions are kept). */
int	 search_clear(struct search *, char **cause);

/* Checks a query's values (vocabularies, dates, lengths); *cause says what is wrong. */
int	 search_query_check(const struct search_query *, char **cause);
/* Runs a query. Caller frees *res with search_result_free. */
int	 search_run(struct search *, const struct search_query *,
	     struct search_result *, char **cause);
void	 search_result_free(struct search_result *);
/* How many lessons and projects the index holds. */
size_t	 search_size(struct search *);
/* Lesson counts per value of facet (field, status, hurdle, node, tag, project). */
int	 search_facet(struct search *, const char *facet, struct search_count **,
	     size_t *n, char **cause);
void	 search_counts_free(struct search_count *, size_t);
/* Retracted records, newest first, optionally of one node or Handlungsfeld. */
int	 search_retracted(struct search *, const char *nid, const char *field,
	     size_t limit, struct search_gone **, size_t *n, char **cause);
void	 search_gone_free(struct search_gone *, size_t);
/*
 * search_suggest.c: what a query's words found. Fills res->unmatched with
 * the words of q no record holds (an exact look-up in the index's
 * vocabulary each), and, when res found nothing at all, res->suggest with
 * q where each such word is replaced by the nearest word of the index's
 * own vocabulary (edit distance 1, or 2 for words of eight letters or
 * more; the same first three letters; at most SEARCH_SUGGEST_SCAN terms
 * looked at, for the first SEARCH_SUGGEST_WORDS such words).
 */
#define SEARCH_SUGGEST_SCAN	5000
#define SEARCH_SUGGEST_WORDS	2
void	 search_unmatched(struct search *, const char *q, struct search_result *);
/* The title of nid's project slug, or NULL. Caller frees. */
char	*search_project_title(struct search *, const char *nid, const char *slug);
/* The retraction of record id (of nid when given): 0 found, 1 none, -1 error. */
int	 search_gone_find(struct search *, const char *id, const char *nid,
	     struct search_gone *out);

/* A digest of the index's records (for tests: incremental equals rebuilt). */
char	*search_digest(struct search *);

/* search_compact.c: the full-text tables' segments (2 when compact: one each; -1 unknown). */
int64_t	 search_segments(struct search *);
/*
 * Merges the full-text tables toward one segment each, about pages pages of
 * work per call: 1 while more is left, 0 when done, -1 on error.
 */
int	 search_compact_step(struct search *, int pages, char **cause);
/* Merges them completely (search_compact_step until done). */
int	 search_compact(struct search *, char **cause);
/*
 * After an erasure of nid's records ids: their retracted entries keep no
 * title (at once), and no trace of deleted text is left in the file: the
 * FTS5 segments merged fully (freed pages zeroed by secure_delete), then
 * the WAL checkpointed and truncated. With a search loop for s that
 * clean-up runs there in steps (search_loop_forgetting while it lasts),
 * else here at once. A mark in the file until the end has a loop started
 * after a kill finish it.
 */
#define SEARCH_ERASED_TITLE	"(aus Datenschutzgründen gelöscht)"
int	 search_forget(struct search *, const char *nid, char *const *ids,
	     size_t n, char **cause);
/* True when an erasure's clean-up is marked unfinished in the file. */
int	 search_forget_pending(struct search *);
/*
 * Its end, after the full merge: the WAL checkpointed and truncated, the
 * mark removed. 1 when a reader was in the way (try again), -1 on error.
 */
int	 search_forget_finish(struct search *, char **cause);
/*
 * search_loop.c: merges the index in steps of SEARCH_COMPACT_PAGES pages on
 * an event loop: after a start, after a rebuild, and when the last merge is
 * SEARCH_COMPACT_EVERY old. s may be NULL (search is off): then it idles.
 */
struct search_loop *search_loop_start(struct event_base *, struct search *);
void	 search_loop_stop(struct search_loop *);
/* A rebuild happened: merge now rather than when due. */
void	 search_loop_soon(struct search_loop *);
/* True while a merge is in progress. */
int	 search_loop_merging(const struct search_loop *);
/* True from search_forget until its clean-up is done. */
int	 search_loop_forgetting(const struct search_loop *);

/*
 * search_repair.c: a damaged index (SQLite's "database disk image is
 * malformed", "file is not a database" on any call) is moved aside as
 * index.sqlite.damaged-YYYYMMDDTHHMMSSZ and rebuilt from the branches;
 * meanwhile searches answer SEARCH_REBUILDING_DE (503 on the web pages).
 */
#define SEARCH_REBUILDING_DE	"Der Suchindex wird neu aufgebaut; bitte in " \
	"einer Minute noch einmal versuchen."
#define SEARCH_REBUILDING_EN	"The search index is being rebuilt; please " \
	"try again in a minute."
/* True when damage was met since the index was opened (or repaired). */
int	 search_damaged(const struct search *);
/* True while damaged or being rebuilt: searches would miss records. */
int	 search_unavailable(const struct search *);
/* True from a repair until search_rebuilt. */
int	 search_rebuilding(const struct search *);
/* Moves the damaged file aside and opens an empty index in its place. */
int	 search_repair(struct search *, char **cause);
/* The branches are indexed again: the rebuild is done. */
void	 search_rebuilt(struct search *);
/* Called (from any thread) when damage is met; one per process. */
typedef void search_damage_fn(void *arg);
void	 search_on_damage(search_damage_fn *, void *arg);
/*
 * search_loop.c: on damage, the loop repairs the index and calls rebuild
 * (which indexes every branch again and calls search_rebuilt when done).
 */
void	 search_loop_on_damage(struct search_loop *, void (*rebuild)(void *),
	     void *arg);

/* search_text.c: folding, tokenizing, stemming. */
struct search_text *search_text_new(void);
void	 search_text_free(struct search_text *);
/* Folds one word (lowercase, umlauts, ß, ae/oe/ue) into out; returns its length. */
size_t	 search_fold(const char *word, size_t len, char *out, size_t outsz);
/* The stemmed token stream of text: "stem stem …". Caller frees. */
char	*search_text_stems(struct search_text *, const char *text, size_t len);
/* Appends the endings of text's stems that could end a compound, to b. */
void	 search_text_parts(struct search_text *, const char *text, size_t len,
	     struct buf *b);
/* The query's stems as an FTS5 expression of quoted terms, or NULL when none. Caller frees. */
char	*search_text_match(struct search_text *, const char *q);
/* The same, any of the stems (OR) rather than all. Caller frees. */
char	*search_text_match_any(struct search_text *, const char *q);
/*
 * Appends the facet token of value (" " prefix hex(value)) to b: one word the
 * tokenizer keeps whole, distinct per facet (prefix) and value.
 */
void	 search_facet_token(struct buf *, char prefix, const char *value);
/* The distinct non-stopword words of q with their stems. Caller frees with search_terms_free. */
size_t	 search_text_terms(struct search_text *, const char *q,
	     struct search_term **out);
void	 search_terms_free(struct search_term *, size_t);
/* The first word of text whose stem is stem, as written there, or NULL. Caller frees. */
char	*search_text_surface(struct search_text *, const char *stem,
	     const char *text);
/* A lesson's body without headings and guiding questions: the answers, for snippets. Caller frees. */
char	*search_text_answers(const char *body, size_t len);
/* A snippet of text around the first word whose stem is in the query. Caller frees. */
char	*search_text_snippet(struct search_text *, const char *q,
	     const char *text, size_t maxwords);

#endif
