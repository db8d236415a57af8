/*
 * web_history.c — GET /verlauf/ID?node=NID: a lesson's history. Every
 * signed commit of its node's branch that changed it, newest first, with
 * its date and a line diff of the record's text (libgit2's patch of the
 * two blobs), added lines marked <ins>, removed ones <del>.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "node.h"
#include "record.h"
#include "store.h"
#include "util.h"
#include "web_int.h"

#define DIFF_LINES	400	/* lines of one version's diff shown */

/* Appends one diff line as <ins>, <del> or plain text. */
static void
diff_line(struct web_req *r, const git_diff_line *l)
{
	char	*t = xstrndup(l->content, l->content_len);
	size_t	 n = strlen(t);

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'))
		t[--n] = '\0';
	if (l->origin == GIT_DIFF_LINE_ADDITION)
		evbuffer_add_printf(r->out, "<ins><span class=\"sr\">+ </span>");
	else if (l->origin == GIT_DIFF_LINE_DELETION)
		evbuffer_add_printf(r->out, "<del><span class=\"sr\">− </span>");
	else
		evbuffer_add_printf(r->out, "<span class=\"ctx\">  ");
	web_esc(r->out, t);
	/* Each line is a block of its own: no newline between them. */
	evbuffer_add_printf(r->out, "%s", l->origin == GIT_DIFF_LINE_ADDITION ?
	    "</ins>" : l->origin == GIT_DIFF_LINE_DELETION ? "</del>" :
	    "</span>");
	free(t);
}

/* Appends the diff from old (NULL: nothing) to new (NULL: removed) as a <pre>. */
static void
diff_html(struct web_req *r, const git_oid *old, const git_oid *new)
{
	git_repository	*repo = store_repo(r->nd->store);
	git_blob	*a = NULL, *b = NULL;
	git_patch	*p = NULL;
	git_diff_options opts;
	const git_diff_line *l;
	size_t		 h, i, nl, shown = 0;

	/* Erased by its owner (PROTOCOL.md §3.6): the skeleton stays, not the text. */
	if ((old != NULL && store_erased(old)) ||
	    (new != NULL && store_erased(new))) {
		evbuffer_add_printf(r->out, "<p class=\"erased\">Dieser Inhalt "
		    "wurde aus Datenschutzgründen gelöscht.</p>\n");
		return;
	}
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 2;
	if ((old != NULL && git_blob_lookup(&a, repo, old) != 0) ||
	    (new != NULL && git_blob_lookup(&b, repo, new) != 0) ||
	    git_patch_from_blobs(&p, a, NULL, b, NULL, &opts) != 0) {
		evbuffer_add_printf(r->out, "<p>Die Änderung ist nicht lesbar."
		    "</p>\n");
		goto out;
	}
	evbuffer_add_printf(r->out, "<pre class=\"diff\">");
	for (h = 0; h < git_patch_num_hunks(p) && shown < DIFF_LINES; h++) {
		if (h > 0)
			evbuffer_add_printf(r->out, "<span class=\"gap\">…</span>");
		nl = (size_t)git_patch_num_lines_in_hunk(p, h);
		for (i = 0; i < nl && shown < DIFF_LINES; i++, shown++)
			if (git_patch_get_line_in_hunk(&l, p, h, i) == 0)
				diff_line(r, l);
	}
	if (shown == DIFF_LINES)
		evbuffer_add_printf(r->out, "<span class=\"gap\">… (gekürzt)"
		    "</span>");
	evbuffer_add_printf(r->out, "</pre>\n");
out:
	git_patch_free(p);
	git_blob_free(a);
	git_blob_free(b);
}

/* One version: its heading with date, commit and what happened, then its diff. */
static void
version_html(struct web_req *r, const struct store_version *v,
    const struct store_version *older)
{
	char	 iso[32], hex[GIT_OID_HEXSZ + 1];

	time_iso((time_t)v->time, iso);
	git_oid_tostr(hex, sizeof hex, &v->commit);
	evbuffer_add_printf(r->out, "<section class=\"version\"><h2>");
	web_time(r, iso, 1);
	evbuffer_add_printf(r->out, ": %s</h2>\n<p class=\"meta\">Signierter "
	    "Commit <span class=\"id\">%s</span> (Nr. %llu)</p>\n", v->removed ?
	    "zurückgezogen" : older == NULL ? "erste Fassung" : "geändert", hex,
	    (unsigned long long)v->seq);
	/* The first version is all new: its text folds away. */
	if (older == NULL)
		evbuffer_add_printf(r->out, "<details><summary>Text der ersten "
		    "Fassung</summary>\n");
	diff_html(r, older != NULL && !older->removed ? &older->blob : NULL,
	    v->removed ? NULL : &v->blob);
	if (older == NULL)
		evbuffer_add_printf(r->out, "</details>\n");
	evbuffer_add_printf(r->out, "</section>\n");
}

/* GET /verlauf/ID[?node=NID]: the versions of a lesson with their changes. */
void
web_page_history(struct web_req *r, const char *rest)
{
	struct search_result	 res;
	struct store_version	*v = NULL;
	const struct search_hit	*h;
	char			*why = NULL;
	size_t			 n = 0, i;

	if (web_lookup(r, rest, &res) != 0)
		return;
	h = &res.v[0];
	if (store_history(store_repo(r->nd->store), h->nid, h->path, NULL,
	    WEB_HISTORY_MAX + 1, WEB_HISTORY_WALK, &v, &n, &why) != 0) {
		web_fail(r, 500, "internal", NULL, "Der Verlauf ist nicht lesbar.",
		    why);
		free(why);
		search_result_free(&res);
		return;
	}
	web_page_begin(r, h->title, h->nid);
	evbuffer_add_printf(r->out, "<p class=\"meta\">Verlauf</p>\n<h1>");
	web_esc(r->out, h->title);
	evbuffer_add_printf(r->out, "</h1>\n<p>%zu %s, die neueste zuerst. "
	    "Jede ist ein von ", n > WEB_HISTORY_MAX ? (size_t)WEB_HISTORY_MAX : n,
	    n == 1 ? "Fassung" : "Fassungen");
	web_esc(r->out, h->node);
	evbuffer_add_printf(r->out, " signierter Commit. <a href=\"");
	web_href(r);
	evbuffer_add_printf(r->out, "/lektion/%s?node=%s\">Zur aktuellen "
	    "Fassung</a></p>\n", h->id, h->nid);
	for (i = 0; i < n && i < WEB_HISTORY_MAX; i++)
		version_html(r, &v[i], i + 1 < n ? &v[i + 1] : NULL);
	free(v);
	search_result_free(&res);
	web_page_end(r, 200);
}
