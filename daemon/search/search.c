/*
 * search.c — keeping the search index in step with origin branches from
 * git tree diffs (the database itself, its schema and opening: search_db.c).
 *
 * Tables: records (metadata and text of every record, one row per nid and
 * path), fts (FTS5 over the stemmed title, summary and body, rowid =
 * records.rowid; a fourth column, facets, holds the filter values as
 * tokens, so filters narrow the match inside FTS5; a fifth, parts, the
 * endings and heads of the stems of title and summary, so a word finds the
 * compounds ending or starting with it), tfts (title, facets and parts of the title alone: finds
 * the title matches of a common word without reading its whole doclist),
 * terms (facet values per record, for filters and counts),
 * branches (the tree each nid's rows reflect) and retracted (records that
 * left a branch, for the Atom feed's deleted entries).
 */
#include <errno.h>
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

/* Joins a record list with spaces. Caller frees. */
static char *
list_join(const struct record_list *l)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		buf_addstr(&b, l->v[i]);
	}
	return buf_detach(&b, NULL);
}

/* Adds the terms rows of one facet of a record of kind: a list's or one value. */
static int
terms_add(struct search *s, sqlite3_int64 rid, const char *kind,
    const char *facet, const struct record_list *l, const char *one)
{
	sqlite3_stmt	*st = s->ins_term;
	size_t		 i, n = l != NULL ? l->n : 1;
	const char	*v;

	for (i = 0; i < n; i++) {
		v = l != NULL ? l->v[i] : one;
		if (v == NULL || *v == '\0')
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rid);
		search_bind(st, 2, facet);
		search_bind(st, 3, v);
		search_bind(st, 4, kind);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* A record that left a branch in this diff: retracted unless it comes back. */
struct gone {
	char	*id, *kind, *title, *fields;
};

/* Removes nid's row at path (and its fts and terms rows); fills *g when non-NULL. */
static int
row_remove(struct search *s, const char *nid, const char *path, struct gone *g)
{
	sqlite3_stmt	*st = s->sel_path;
	sqlite3_int64	 rid;
	char		*sql;
	int		 rv;

	sqlite3_reset(st);
	search_bind(st, 1, nid);
	search_bind(st, 2, path);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	rid = sqlite3_column_int64(st, 0);
	if (g != NULL) {
		g->id = search_col(st, 1);
		g->kind = search_col(st, 2);
		g->title = search_col(st, 3);
		g->fields = search_col(st, 4);
	}
	sqlite3_reset(st);
	sql = sqlite3_mprintf("DELETE FROM fts WHERE rowid=%lld;"
	    "DELETE FROM tfts WHERE rowid=%lld;DELETE FROM terms WHERE "
	    "rid=%lld;DELETE FROM bodies WHERE rid=%lld;DELETE FROM records "
	    "WHERE rowid=%lld;", rid, rid, rid, rid, rid);
	rv = search_exec(s, sql, NULL);
	sqlite3_free(sql);
	return rv;
}

/* Inserts the records row of r; sets *rid. */
static int
row_insert(struct search *s, const char *nid, const char *path,
    const git_oid *blob, const struct record *r, sqlite3_int64 *rid)
{
	sqlite3_stmt	*st = s->ins_rec;
	char		 hex[GIT_OID_HEXSZ + 1];
	char		*fields = list_join(&r->fields);
	char		*hurdles = list_join(&r->hurdles), *tags = list_join(&r->tags);
	char		*answers;
	const char	*v[14];
	int		 i, rv;

	git_oid_tostr(hex, sizeof hex, blob);
	v[0] = r->id; v[1] = nid; v[2] = record_kind_name(r->kind);
	v[3] = r->project; v[4] = r->title != NULL ? r->title : r->name;
	v[5] = r->summary; v[6] = fields; v[7] = r->status; v[8] = hurdles;
	v[9] = tags; v[10] = r->created; v[11] = r->modified; v[12] = path;
	v[13] = hex;
	sqlite3_reset(st);
	for (i = 0; i < 14; i++)
		search_bind(st, i + 1, v[i] != NULL ? v[i] : "");
	rv = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	*rid = sqlite3_last_insert_rowid(s->db);
	/* Snippets quote the answers, not the headings and guiding questions. */
	answers = search_text_answers(r->body != NULL ? r->body : "",
	    r->body != NULL ? r->bodylen : 0);
	st = s->ins_body;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, *rid);
	sqlite3_bind_text(st, 2, answers, -1, SQLITE_STATIC);
	if (rv == 0 && sqlite3_step(st) != SQLITE_DONE)
		rv = -1;
	sqlite3_reset(st);
	free(answers);
	free(fields);
	free(hurdles);
	free(tags);
	return rv;
}

/* The facet tokens of nid's record r, as search_query_facets asks for them. */
static char *
facets(const char *nid, const struct record *r)
{
	const struct record_list *l[] = { &r->fields, &r->hurdles, &r->tags };
	const char	 pre[] = "fht";
	struct buf	 b;
	size_t		 i, k;

	buf_init(&b);
	for (i = 0; i < nitems(l); i++)
		for (k = 0; k < l[i]->n; k++)
			search_facet_token(&b, pre[i], l[i]->v[k]);
	if (r->status != NULL)
		search_facet_token(&b, 's', r->status);
	if (r->project != NULL)
		search_facet_token(&b, 'p', r->project);
	search_facet_token(&b, 'n', nid);
	search_facet_token(&b, 'k', record_kind_name(r->kind));
	return buf_detach(&b, NULL);
}

/* Inserts the fts and tfts rows of nid's r: stemmed texts and facet tokens. */
static int
fts_insert(struct search *s, sqlite3_int64 rid, const char *nid,
    const struct record *r)
{
	sqlite3_stmt	*st = s->ins_fts;
	const char	*title = r->title != NULL ? r->title : r->name;
	struct buf	 parts;
	char		*t[4], *tparts;
	int		 i, rv;

	t[0] = search_text_stems(s->text, title, title != NULL ?
	    strlen(title) : 0);
	t[1] = search_text_stems(s->text, r->summary, r->summary != NULL ?
	    strlen(r->summary) : 0);
	t[2] = search_text_stems(s->text, r->body, r->bodylen);
	t[3] = facets(nid, r);
	/* parts: the title's compound endings (all tfts keeps), then the summary's. */
	buf_init(&parts);
	search_text_parts(s->text, title, title != NULL ? strlen(title) : 0,
	    &parts);
	tparts = xstrdup(parts.len > 0 ? (const char *)parts.data : "");
	buf_addc(&parts, ' ');
	search_text_parts(s->text, r->summary, r->summary != NULL ?
	    strlen(r->summary) : 0, &parts);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, rid);
	for (i = 0; i < 4; i++)
		search_bind(st, i + 2, t[i]);
	search_bind(st, 6, (const char *)parts.data);
	rv = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	st = s->ins_tfts;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, rid);
	search_bind(st, 2, t[0]);
	search_bind(st, 3, t[3]);
	search_bind(st, 4, tparts);
	if (rv == 0 && sqlite3_step(st) != SQLITE_DONE)
		rv = -1;
	for (i = 0; i < 4; i++)
		free(t[i]);
	free(tparts);
	buf_free(&parts);
	return rv;
}

/* Indexes a parsed record as nid's record at path (replacing what was there). */
static int
row_add_record(struct search *s, const char *nid, const char *path,
    const git_oid *blobid, const struct record *r)
{
	const char	*k = record_kind_name(r->kind);
	sqlite3_int64	 rid;

	if (row_remove(s, nid, path, NULL) != 0 ||
	    row_insert(s, nid, path, blobid, r, &rid) != 0 ||
	    ((r->kind == RECORD_LESSON || r->kind == RECORD_PROJECT) &&
	    fts_insert(s, rid, nid, r) != 0) ||
	    terms_add(s, rid, k, "field", &r->fields, NULL) != 0 ||
	    terms_add(s, rid, k, "hurdle", &r->hurdles, NULL) != 0 ||
	    terms_add(s, rid, k, "tag", &r->tags, NULL) != 0 ||
	    terms_add(s, rid, k, "status", NULL, r->status) != 0 ||
	    terms_add(s, rid, k, "project", NULL, r->project) != 0 ||
	    terms_add(s, rid, k, "node", NULL, nid) != 0)
		return -1;
	sqlite3_reset(s->del_gone);
	search_bind(s->del_gone, 1, nid);
	search_bind(s->del_gone, 2, r->id);
	return sqlite3_step(s->del_gone) == SQLITE_DONE ? 0 : -1;
}

/* Parses the blob at path and (re)indexes it as nid's record there. */
static int
row_add(struct search *s, git_repository *repo, const char *nid,
    const char *path, const git_oid *blobid)
{
	git_blob	*b;
	struct record	*r = NULL;
	int		 rv;

	if (git_blob_lookup(&b, repo, blobid) != 0)
		return row_remove(s, nid, path, NULL);
	if (record_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	    RECORD_STRICT, &r, NULL) != 0) {
		git_blob_free(b);
		/* The catalog logs unreadable records; the index drops them. */
		return row_remove(s, nid, path, NULL);
	}
	git_blob_free(b);
	rv = row_add_record(s, nid, path, blobid, r);
	record_free(r);
	return rv;
}

int
search_add_text(struct search *s, const char *nid, const char *path,
    const char *text, size_t len, char **cause)
{
	struct record	*r = NULL;
	git_oid		 zero;
	int		 rv;

	s->size_known = 0;
	memset(&zero, 0, sizeof zero);
	if (record_parse(text, len, RECORD_STRICT, &r, cause) != 0)
		return -1;
	if ((rv = row_add_record(s, nid, path, &zero, r)) != 0)
		set_cause(cause, "index: %s", sqlite3_errmsg(s->db));
	record_free(r);
	return rv;
}

struct apply_ctx {
	struct search	*s;
	git_repository	*repo;
	const char	*nid;
	struct gone	*gone;
	size_t		 ngone;
	int		 failed;
};

/* git_diff_foreach file callback: mirrors one changed file into the index. */
static int
apply_delta_cb(const git_diff_delta *d, float progress, void *arg)
{
	struct apply_ctx *ac = arg;
	struct gone	 g;

	memset(&g, 0, sizeof g);
	if (d->status == GIT_DELTA_DELETED) {
		if (row_remove(ac->s, ac->nid, d->old_file.path, &g) != 0)
			ac->failed = 1;
		if (g.id != NULL) {
			ac->gone = xreallocarray(ac->gone, ac->ngone + 1,
			    sizeof g);
			ac->gone[ac->ngone++] = g;
		}
		return 0;
	}
	if (record_path_allowed(d->new_file.path) &&
	    !record_path_erasure(d->new_file.path) &&
	    d->new_file.mode == GIT_FILEMODE_BLOB &&
	    row_add(ac->s, ac->repo, ac->nid, d->new_file.path,
	    &d->new_file.id) != 0)
		ac->failed = 1;
	return 0;
}

/* Records the lessons and projects that left the branch and did not come back. */
static int
gone_record(struct apply_ctx *ac)
{
	struct search	*s = ac->s;
	struct gone	*g;
	char		 now[32];
	size_t		 i;
	int		 rv = 0;

	time_iso(time(NULL), now);
	for (i = 0; i < ac->ngone; i++) {
		g = &ac->gone[i];
		sqlite3_reset(s->has_id);
		search_bind(s->has_id, 1, ac->nid);
		search_bind(s->has_id, 2, g->id);
		if (sqlite3_step(s->has_id) != SQLITE_ROW && rv == 0 &&
		    (strcmp(g->kind, "lesson") == 0 ||
		    strcmp(g->kind, "project") == 0)) {
			sqlite3_reset(s->ins_gone);
			search_bind(s->ins_gone, 1, g->id);
			search_bind(s->ins_gone, 2, ac->nid);
			search_bind(s->ins_gone, 3, g->kind);
			search_bind(s->ins_gone, 4, g->title);
			search_bind(s->ins_gone, 5, g->fields);
			search_bind(s->ins_gone, 6, now);
			if (sqlite3_step(s->ins_gone) != SQLITE_DONE)
				rv = -1;
		}
		sqlite3_reset(s->has_id);
		free(g->id);
		free(g->kind);
		free(g->title);
		free(g->fields);
	}
	free(ac->gone);
	return rv;
}

/* The tree nid's rows reflect, into *tree: 0 found, 1 none. */
static int
branch_get(struct search *s, const char *nid, git_oid *tree)
{
	const char	*hex;
	int		 rv = 1;

	sqlite3_reset(s->get_branch);
	search_bind(s->get_branch, 1, nid);
	if (sqlite3_step(s->get_branch) == SQLITE_ROW &&
	    (hex = (const char *)sqlite3_column_text(s->get_branch, 0)) != NULL &&
	    git_oid_fromstr(tree, hex) == 0)
		rv = 0;
	sqlite3_reset(s->get_branch);
	return rv;
}

/* Diffs from base (NULL: empty) to tree into the index, inside a transaction. */
static int
index_diff(struct search *s, git_repository *repo, const char *nid,
    git_tree *base, const git_oid *tree, char **cause)
{
	struct apply_ctx ac = { s, repo, nid, NULL, 0, 0 };
	git_tree	*new = NULL;
	git_diff	*diff = NULL;
	char		 hex[GIT_OID_HEXSZ + 1];
	int		 rv = -1;

	s->size_known = 0;
	if (git_tree_lookup(&new, repo, tree) != 0 ||
	    git_diff_tree_to_tree(&diff, repo, base, new, NULL) != 0) {
		set_cause(cause, "index: %s", git_error_last() != NULL ?
		    git_error_last()->message : "git error");
		goto out;
	}
	if (search_exec(s, "BEGIN", cause) != 0)
		goto out;
	git_diff_foreach(diff, apply_delta_cb, NULL, NULL, NULL, &ac);
	if (gone_record(&ac) != 0)
		ac.failed = 1;
	git_oid_tostr(hex, sizeof hex, tree);
	sqlite3_reset(s->set_branch);
	search_bind(s->set_branch, 1, nid);
	search_bind(s->set_branch, 2, hex);
	if (sqlite3_step(s->set_branch) != SQLITE_DONE)
		ac.failed = 1;
	sqlite3_reset(s->set_branch);
	if (ac.failed) {
		set_cause(cause, "index: %s", sqlite3_errmsg(s->db));
		search_exec(s, "ROLLBACK", NULL);
		goto out;
	}
	rv = search_exec(s, "COMMIT", cause);
out:
	git_diff_free(diff);
	git_tree_free(new);
	return rv;
}

int
search_index_tree(struct search *s, git_repository *repo, const char *nid,
    const git_oid *tree, char **cause)
{
	git_oid		 had;
	git_tree	*base = NULL;
	int		 rv;

	if (branch_get(s, nid, &had) == 0) {
		if (git_oid_equal(&had, tree))
			return 0;
		/* A tree we no longer have: start over for this node. */
		if (git_tree_lookup(&base, repo, &had) != 0 &&
		    search_drop_nid(s, nid, cause) != 0)
			return -1;
	}
	rv = index_diff(s, repo, nid, base, tree, cause);
	git_tree_free(base);
	return rv;
}

int
search_records(struct search *s, int (*cb)(const struct search_row *, void *),
    void *arg, char **cause)
{
	sqlite3_stmt		*st = NULL;
	struct search_row	 r;
	int			 rc;

	if (search_prepare(s, "SELECT id, nid, kind, project, title, created, "
	    "modified, path, blob FROM records", &st, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.id = (const char *)sqlite3_column_text(st, 0);
		r.nid = (const char *)sqlite3_column_text(st, 1);
		r.kind = (const char *)sqlite3_column_text(st, 2);
		r.project = (const char *)sqlite3_column_text(st, 3);
		r.title = (const char *)sqlite3_column_text(st, 4);
		r.created = (const char *)sqlite3_column_text(st, 5);
		r.modified = (const char *)sqlite3_column_text(st, 6);
		r.path = (const char *)sqlite3_column_text(st, 7);
		r.blob = (const char *)sqlite3_column_text(st, 8);
		if (r.id == NULL || r.nid == NULL || r.kind == NULL ||
		    r.project == NULL || r.title == NULL || r.created == NULL ||
		    r.modified == NULL || r.path == NULL || r.blob == NULL)
			continue;
		if (cb(&r, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return set_cause(cause, "index: %s", sqlite3_errmsg(s->db));
	return 0;
}

int
search_branches(struct search *s, void (*cb)(const char *, const git_oid *,
    void *), void *arg, char **cause)
{
	sqlite3_stmt	*st = NULL;
	const char	*nid, *hex;
	git_oid		 tree;
	int		 rc;

	if (search_prepare(s, "SELECT nid, tree FROM branches", &st, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nid = (const char *)sqlite3_column_text(st, 0);
		hex = (const char *)sqlite3_column_text(st, 1);
		if (nid != NULL && hex != NULL && git_oid_fromstr(&tree, hex) == 0)
			cb(nid, &tree, arg);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return set_cause(cause, "index: %s", sqlite3_errmsg(s->db));
	return 0;
}

void
search_shrink(struct search *s)
{
	sqlite3_db_release_memory(s->db);
}

int
search_holds(struct search *s, const char *nid, const git_oid *tree)
{
	git_oid	 had;

	return branch_get(s, nid, &had) == 0 && git_oid_equal(&had, tree);
}

int
search_nids(struct search *s, char ***out, size_t *n)
{
	sqlite3_stmt	*st = NULL;
	char		**v = NULL;
	size_t		  k = 0;

	if (search_prepare(s, "SELECT nid FROM branches", &st, NULL) != 0)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof *v);
		v[k++] = search_col(st, 0);
	}
	sqlite3_finalize(st);
	*out = v;
	*n = k;
	return 0;
}

int
search_drop_nid(struct search *s, const char *nid, char **cause)
{
	char	*sql;
	int	 rv;

	s->size_known = 0;
	sql = sqlite3_mprintf("BEGIN;"
	    "DELETE FROM fts WHERE rowid IN (SELECT rowid FROM records WHERE nid=%Q);"
	    "DELETE FROM tfts WHERE rowid IN (SELECT rowid FROM records WHERE nid=%Q);"
	    "DELETE FROM terms WHERE rid IN (SELECT rowid FROM records WHERE nid=%Q);"
	    "DELETE FROM bodies WHERE rid IN (SELECT rowid FROM records WHERE nid=%Q);"
	    "DELETE FROM records WHERE nid=%Q;"
	    "DELETE FROM branches WHERE nid=%Q;COMMIT;", nid, nid, nid, nid, nid,
	    nid);
	rv = search_exec(s, sql, cause);
	sqlite3_free(sql);
	if (rv != 0)
		search_exec(s, "ROLLBACK", NULL);
	return rv;
}

int
search_clear(struct search *s, char **cause)
{
	s->size_known = 0;
	/* A damaged index is not cleared but replaced (the old one kept aside). */
	if (search_damaged(s))
		return search_repair(s, cause);
	if (search_exec(s, "BEGIN;DELETE FROM fts;DELETE FROM tfts;"
	    "DELETE FROM terms;DELETE FROM facet_counts;DELETE FROM bodies;"
	    "DELETE FROM records;DELETE FROM branches;COMMIT;", cause) == 0)
		return 0;
	search_exec(s, "ROLLBACK", NULL);
	if (!search_damaged(s))
		return -1;
	if (cause != NULL) {
		free(*cause);
		*cause = NULL;
	}
	return search_repair(s, cause);
}

char *
search_digest(struct search *s)
{
	sqlite3_stmt	*st = NULL;
	struct buf	 b;
	int		 i;

	buf_init(&b);
	if (search_prepare(s, "SELECT r.nid, r.path, r.id, r.kind, r.project, "
	    "r.title, r.summary, r.fields, r.status, r.hurdles, r.tags, "
	    "r.modified, r.blob, f.title, f.summary, f.body, f.facets, f.parts, "
	    "t.title, t.facets, t.parts, (SELECT "
	    "group_concat(facet || '=' || value, ',') FROM (SELECT facet, value "
	    "FROM terms WHERE rid=r.rowid ORDER BY facet, value)), b.body FROM "
	    "records r LEFT JOIN fts f ON f.rowid=r.rowid LEFT JOIN tfts t ON "
	    "t.rowid=r.rowid LEFT JOIN bodies b ON b.rid=r.rowid UNION ALL "
	    "SELECT facet, value, n, '', '', '', '', '', '', '', '', '', '', '', "
	    "'', '', '', '', '', '', '', '', '' FROM facet_counts WHERE n > 0 ORDER "
	    "BY 1, 2", &st, NULL) != 0)
		return buf_detach(&b, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *t = sqlite3_column_text(st, i);

			buf_addstr(&b, t != NULL ? (const char *)t : "");
			buf_addc(&b, '|');
		}
		buf_addc(&b, '\n');
	}
	sqlite3_finalize(st);
	return buf_detach(&b, NULL);
}
