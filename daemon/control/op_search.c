/* op_search.c — operations of the search index: search, reindex, and list's filters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "log.h"
#include "search.h"
#include "util.h"

/* Fills a search query from a request's arguments (strings point into req). */
static void
query_from_req(const struct ctl_request *req, struct search_query *q)
{
	uint64_t u;

	memset(q, 0, sizeof *q);
	q->q = ctl_str(req, "q");
	q->field = ctl_str(req, "field");
	q->status = ctl_str(req, "status");
	q->hurdle = ctl_str(req, "hurdle");
	q->node = ctl_str(req, "node");
	q->project = ctl_str(req, "project");
	q->tag = ctl_str(req, "tag");
	q->since = ctl_str(req, "since");
	q->kind = ctl_str(req, "kind");
	if (ctl_uint(req, "limit", &u) == 0)
		q->limit = (size_t)u;
	if (ctl_uint(req, "offset", &u) == 0)
		q->offset = (size_t)u;
}

/* Packs "key": [words of a space-separated list]. */
static void
pack_words(msgpack_packer *pk, const char *key, const char *list)
{
	const char	*p, *e;
	size_t		 n = 0;

	for (p = list; *p != '\0'; p = e) {
		p += strspn(p, " ");
		e = p + strcspn(p, " ");
		n += e > p;
	}
	ctl_pack_str(pk, key);
	msgpack_pack_array(pk, n);
	for (p = list; *p != '\0'; p = e) {
		p += strspn(p, " ");
		e = p + strcspn(p, " ");
		if (e > p) {
			msgpack_pack_str(pk, (size_t)(e - p));
			msgpack_pack_str_body(pk, p, (size_t)(e - p));
		}
	}
}

/* The snippet with its highlight markers as »…«. Caller frees. */
static char *
snippet_text(const char *s)
{
	struct buf	 b;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == SEARCH_HL_ON)
			buf_addstr(&b, "»");
		else if (*s == SEARCH_HL_OFF)
			buf_addstr(&b, "«");
		else
			buf_addc(&b, *s);
	}
	return buf_detach(&b, NULL);
}

/* Packs one search hit. */
static void
pack_hit(msgpack_packer *pk, const struct search_hit *h)
{
	char	*snip = snippet_text(h->snippet);

	msgpack_pack_map(pk, 17);
	ctl_pack_kv(pk, "id", h->id);
	ctl_pack_kv(pk, "kind", h->kind);
	reply_did(pk, "node", h->nid);
	ctl_pack_kv(pk, "node_name", h->node);
	ctl_pack_kv(pk, "project", h->project);
	ctl_pack_kv(pk, "title", h->title);
	ctl_pack_kv(pk, "summary", h->summary);
	pack_words(pk, "fields", h->fields);
	ctl_pack_kv(pk, "status", h->status);
	pack_words(pk, "hurdles", h->hurdles);
	pack_words(pk, "tags", h->tags);
	ctl_pack_kv(pk, "created", h->created);
	ctl_pack_kv(pk, "modified", h->modified);
	ctl_pack_kv(pk, "path", h->path);
	ctl_pack_kv(pk, "snippet", snip);
	ctl_pack_str(pk, "score");
	msgpack_pack_double(pk, h->score);
	ctl_pack_kv(pk, "blob", h->blob);
	free(snip);
}

/* Packs what the words found: {total, total_exact, any, unmatched, suggestion, hits}. */
static void
pack_result(msgpack_packer *pk, const struct search_result *res)
{
	size_t	 i;

	msgpack_pack_map(pk, 6);
	ctl_pack_ku(pk, "total", res->total);
	ctl_pack_str(pk, "total_exact");
	if (res->more)
		msgpack_pack_false(pk);
	else
		msgpack_pack_true(pk);
	ctl_pack_str(pk, "any");
	if (res->any)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
	ctl_pack_str(pk, "unmatched");
	msgpack_pack_array(pk, res->nunmatched);
	for (i = 0; i < res->nunmatched; i++)
		ctl_pack_str(pk, res->unmatched[i]);
	ctl_pack_str(pk, "suggestion");
	ctl_pack_str(pk, res->suggest);
	ctl_pack_str(pk, "hits");
	msgpack_pack_array(pk, res->n);
	for (i = 0; i < res->n; i++)
		pack_hit(pk, &res->v[i]);
}

/* Runs q and packs the whole reply: the hits alone (list) or with what the words found (search). */
static void
reply_search(struct control_env *env, const struct search_query *q,
    int full, msgpack_packer *pk)
{
	struct search_result	 res;
	char			*why = NULL;
	size_t			 i;

	if (env->node->search == NULL) {
		reply_fail(pk, CTL_ERROR, "the search index is not available");
		return;
	}
	if (search_query_check(q, &why) != 0) {
		reply_fail(pk, CTL_USAGE, why);
		free(why);
		return;
	}
	if (search_unavailable(env->node->search) ||
	    search_run(env->node->search, q, &res, &why) != 0) {
		/* Damaged, or met damage now: say so rather than SQLite's words. */
		reply_fail(pk, CTL_ERROR, search_unavailable(env->node->search) ?
		    SEARCH_REBUILDING_DE : why);
		free(why);
		return;
	}
	reply_ok(pk);
	if (full)
		pack_result(pk, &res);
	else {
		msgpack_pack_array(pk, res.n);
		for (i = 0; i < res.n; i++)
			pack_hit(pk, &res.v[i]);
	}
	search_result_free(&res);
}

/* search: ranked matches of q, with filters. */
void
op_search(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct search_query q;

	query_from_req(req, &q);
	reply_search(env, &q, 1, pk);
}

/* reindex: rebuilds the search index from every origin branch. */
void
op_reindex(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	char	*why = NULL;
	size_t	 n, queued;

	if (node_reindex(env->node, &queued, &why) != 0) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	n = search_size(env->node->search);
	if (queued > 0)
		log_info("search index rebuild: %zu branches in the background",
		    queued);
	else
		log_info("search index rebuilt: %zu records", n);
	search_loop_soon(env->search_loop);
	reply_ok(pk);
	msgpack_pack_map(pk, 2);
	ctl_pack_ku(pk, "records", n);
	ctl_pack_ku(pk, "queued", queued);
}

/* list with a search filter (field, status, hurdle, tag, since): answered from the index. */
int
op_list_search(struct control_env *env, const struct ctl_request *req,
    msgpack_packer *pk)
{
	struct search_query q;

	query_from_req(req, &q);
	if (q.field == NULL && q.status == NULL && q.hurdle == NULL &&
	    q.tag == NULL && q.since == NULL)
		return 0;
	q.limit = SEARCH_MAX_LIMIT;
	reply_search(env, &q, 0, pk);
	return 1;
}
