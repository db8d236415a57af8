/*
 * desk_draft.c — drafts waiting for approval (Freigabe): a record's text
 * as an author saved it, with the blob it started from, or a retraction
 * asked for; and the audit log of who drafted, approved, published and
 * retracted which record when. Both stay on this node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_int.h"
#include "log.h"
#include "util.h"

#define DRAFT_COLS "id, kind, record, base, author, title, text, created, " \
	"modified"

/* True when the desk may take one more draft. */
static int
draft_room(struct desk *d)
{
	sqlite3_stmt	*st = desk_prepare(d, "SELECT count(*) FROM drafts");
	int		 ok = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_int64(st, 0) < DESK_MAX_DRAFTS;
	sqlite3_finalize(st);
	return ok;
}

int
desk_draft_save(struct desk *d, int64_t *id, enum desk_draft_kind kind,
    const char *record, const char *base, const char *author,
    const char *title, const char *text, time_t now, char **cause)
{
	sqlite3_stmt	*st;

	if (*id == 0 && !draft_room(d))
		return set_cause(cause, "Es warten schon %d Entwürfe; bitte "
		    "zuerst welche freigeben oder verwerfen.", DESK_MAX_DRAFTS);
	if (*id == 0)
		st = desk_prepare(d, "INSERT INTO drafts(kind, record, base, "
		    "author, title, text, created, modified) VALUES (?1, ?2, ?3,"
		    " ?4, ?5, ?6, ?7, ?7)");
	else
		st = desk_prepare(d, "UPDATE drafts SET kind = ?1, record = ?2, "
		    "base = ?3, author = ?4, title = ?5, text = ?6, modified = ?7"
		    " WHERE id = ?8");
	if (st == NULL)
		return set_cause(cause, "Entwurf nicht gespeichert");
	sqlite3_bind_text(st, 1, kind == DESK_DRAFT_RETRACT ? "retract" :
	    "edit", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, record != NULL ? record : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, base != NULL ? base : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, title != NULL ? title : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, text != NULL ? text : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)now);
	if (*id != 0)
		sqlite3_bind_int64(st, 8, *id);
	if (desk_step_done(d, st) != 0)
		return set_cause(cause, "Entwurf nicht gespeichert");
	if (*id == 0)
		*id = sqlite3_last_insert_rowid(d->db);
	return 0;
}

/* Fills *dr from a row of DRAFT_COLS. */
static void
draft_row(sqlite3_stmt *st, struct desk_draft *dr)
{
	char	 kind[16];
	const unsigned char *t;

	memset(dr, 0, sizeof *dr);
	dr->id = sqlite3_column_int64(st, 0);
	desk_col(st, 1, kind, sizeof kind);
	dr->kind = strcmp(kind, "retract") == 0 ? DESK_DRAFT_RETRACT :
	    DESK_DRAFT_EDIT;
	desk_col(st, 2, dr->record, sizeof dr->record);
	desk_col(st, 3, dr->base, sizeof dr->base);
	desk_col(st, 4, dr->author, sizeof dr->author);
	t = sqlite3_column_text(st, 5);
	dr->title = xstrdup(t != NULL ? (const char *)t : "");
	t = sqlite3_column_text(st, 6);
	dr->text = xstrdup(t != NULL ? (const char *)t : "");
	dr->created = (time_t)sqlite3_column_int64(st, 7);
	dr->modified = (time_t)sqlite3_column_int64(st, 8);
}

int
desk_draft_get(struct desk *d, int64_t id, struct desk_draft *dr)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(dr, 0, sizeof *dr);
	st = desk_prepare(d, "SELECT " DRAFT_COLS " FROM drafts WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		draft_row(st, dr);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
desk_draft_list(struct desk *d, size_t max, struct desk_draft **out,
    size_t *n)
{
	sqlite3_stmt	*st;

	*out = NULL;
	*n = 0;
	st = desk_prepare(d, "SELECT " DRAFT_COLS " FROM drafts ORDER BY "
	    "modified DESC, id DESC LIMIT ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		draft_row(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	return 0;
}

int
desk_draft_delete(struct desk *d, int64_t id)
{
	sqlite3_stmt	*st = desk_prepare(d, "DELETE FROM drafts WHERE id = ?");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return desk_step_done(d, st);
}

void
desk_draft_clear(struct desk_draft *dr)
{
	free(dr->title);
	free(dr->text);
	memset(dr, 0, sizeof *dr);
}

void
desk_drafts_free(struct desk_draft *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		desk_draft_clear(&v[i]);
	free(v);
}

void
desk_audit(struct desk *d, const char *who, const char *action,
    const char *record, const char *detail)
{
	sqlite3_stmt	*st;

	st = desk_prepare(d, "INSERT INTO audit(t, who, action, record, detail)"
	    " VALUES (strftime('%s','now'), ?, ?, ?, ?)");
	if (st == NULL)
		return;
	sqlite3_bind_text(st, 1, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, record != NULL ? record : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail != NULL ? detail : "", -1, SQLITE_STATIC);
	if (desk_step_done(d, st) != 0 ||
	    sqlite3_last_insert_rowid(d->db) % 1000 != 0)
		return;
	/* Every thousandth entry: only the newest DESK_AUDIT_KEEP stay. */
	st = desk_prepare(d, "DELETE FROM audit WHERE n <= ?");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(d->db) -
	    DESK_AUDIT_KEEP);
	desk_step_done(d, st);
}

int
desk_audit_list(struct desk *d, size_t max, struct desk_audit_entry **out,
    size_t *n)
{
	sqlite3_stmt	*st;
	struct desk_audit_entry *e;
	const unsigned char *t;

	*out = NULL;
	*n = 0;
	st = desk_prepare(d, "SELECT n, t, who, action, record, detail FROM "
	    "audit ORDER BY n DESC LIMIT ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		e = &(*out)[(*n)++];
		memset(e, 0, sizeof *e);
		e->n = sqlite3_column_int64(st, 0);
		e->t = (time_t)sqlite3_column_int64(st, 1);
		desk_col(st, 2, e->who, sizeof e->who);
		desk_col(st, 3, e->action, sizeof e->action);
		desk_col(st, 4, e->record, sizeof e->record);
		t = sqlite3_column_text(st, 5);
		e->detail = xstrdup(t != NULL ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return 0;
}

void
desk_audit_free(struct desk_audit_entry *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].detail);
	free(v);
}
