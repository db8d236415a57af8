/* publish.c — turning a submitted record into a signed commit on our own branch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "personal.h"
#include "node.h"
#include "node_int.h"
#include "util.h"

int
node_commit(struct node *nd, const struct store_change *ch, size_t n,
    const char *subject, struct node_result *res, char **cause)
{
	return node_commit_as(nd, ch, n, subject, NULL, res, cause);
}

/*
 * The commit's author: the organisation (the node's name) and, when given,
 * its organisational unit ("Stadt Münster / Stabsstelle Digitalisierung");
 * never a person. A unit git cannot carry (<, >, control bytes) is left out.
 */
static char *
commit_author(struct node *nd, const char *unit)
{
	const char	*p;

	if (unit == NULL || *unit == '\0')
		return xstrdup(node_name(nd));
	for (p = unit; *p != '\0'; p++)
		if (*p == '<' || *p == '>' || (unsigned char)*p < 0x20)
			return xstrdup(node_name(nd));
	return xasprintf("%s / %s", node_name(nd), unit);
}

int
node_commit_as(struct node *nd, const struct store_change *ch, size_t n,
    const char *subject, const char *unit, struct node_result *res,
    char **cause)
{
	git_oid	 old;
	char	*author;
	int	 r, rv;

	if ((r = store_head(nd->store, nd->nid, &old, NULL)) == -1)
		return set_cause(cause, "%s", store_git_error());
	author = commit_author(nd, unit);
	rv = store_commit(nd->store, &nd->kp, nd->nid, author, ch, n,
	    subject, &res->commit, &res->seq, cause);
	free(author);
	if (rv != 0)
		return -1;
	return node_branch_moved(nd, nd->nid, r == 0 ? &old : NULL,
	    &res->commit, NULL, cause);
}

/*
 * True when an edit started from an older version than the one held (a
 * lost update otherwise): its base blob differs from the held one, or,
 * without a base, its modified is older than the held record's.
 */
static int
publish_stale(const struct record *r, const struct catalog_entry *old,
    const struct node_pubopt *opt)
{
	char	 held[GIT_OID_HEXSZ + 1];

	if (opt != NULL && opt->base != NULL && *opt->base != '\0') {
		git_oid_tostr(held, sizeof held, &old->blob);
		return strcmp(held, opt->base) != 0;
	}
	return r->modified != NULL && old->modified != NULL &&
	    strcmp(r->modified, old->modified) < 0;
}

/*
 * Fills id, created and modified of a draft; finds the record an edit
 * replaces and refuses a stale edit (res->stale) unless forced.
 */
static int
publish_prepare(struct node *nd, struct record *r,
    const struct catalog_entry **old, const struct node_pubopt *opt,
    struct node_result *res, char **cause)
{
	char	 now[32], id[32];

	*old = NULL;
	if (r->kind != RECORD_LESSON && r->kind != RECORD_PROJECT)
		return set_cause(cause, "kind: only lesson and project records "
		    "can be published (node.md is written by knowd init)");
	time_iso(time(NULL), now);
	if (r->id != NULL) {
		*old = catalog_find(&nd->cat, r->id, nd->nid, NULL);
		if (*old == NULL)
			return set_cause(cause, "id: %s is not a record of this "
			    "node (leave id out to publish a new record)", r->id);
		if ((*old)->kind != r->kind)
			return set_cause(cause, "kind: %s is a %s, not a %s",
			    r->id, record_kind_name((*old)->kind),
			    record_kind_name(r->kind));
		if ((opt == NULL || !opt->force) && publish_stale(r, *old, opt)) {
			res->stale = 1;
			snprintf(res->id, sizeof res->id, "%s", r->id);
			return set_cause(cause, "modified: this edit of %s started "
			    "from an older version (%s) than the one held (%s): "
			    "someone published in between. Start again from "
			    "knowctl show %s, or publish with --force to "
			    "overwrite that change", r->id, opt != NULL &&
			    opt->base != NULL ? opt->base : r->modified,
			    (*old)->modified, r->id);
		}
		record_set(&r->created, (*old)->created);
	} else {
		ulid_new(id);
		record_set(&r->id, id);
		if (r->created == NULL)
			record_set(&r->created, now);
	}
	record_set(&r->modified, strcmp(now, r->created) < 0 ? r->created : now);
	return record_validate(r, RECORD_STRICT, cause);
}

int
node_may_publish(struct node *nd, int *again, char **cause)
{
	git_oid	 head;
	time_t	 now = time(NULL);

	*again = 0;
	if (store_head(nd->store, nd->nid, &head, NULL) != 0 && nd->own_damaged)
		return set_cause(cause, "this node's own branch was found "
		    "damaged on disk (see the log) and is being fetched again "
		    "from peers; nothing was published — check knowctl peers");
	if (store_head(nd->store, nd->nid, &head, NULL) != 0)
		return set_cause(cause, "this node's own branch has not arrived "
		    "from the network yet (knowd init --recover); nothing was "
		    "published — check knowctl peers");
	if (nd->recover_until > now) {
		*again = 1;
		return set_cause(cause, "knowd is catching up with its peers "
		    "after starting (at most %ld s more), so that nothing "
		    "forks its branch; try again shortly",
		    (long)(nd->recover_until - now));
	}
	return 0;
}

void
node_recovered(struct node *nd)
{
	if (nd->recover_until != 0)
		log_info("caught up with the network: publishing enabled");
	nd->recover_until = 0;
}

/* Refuses a text with personal data the operator has not excepted (German, naming the line). */
static int
publish_personal(struct node *nd, const char *buf, size_t len, char **cause)
{
	struct personal_allow	 al = {
		(const char *const *)nd->conf.personal_allow,
		nd->conf.npersonal_allow };
	struct personal_hit	 hit;
	char			*msg;

	if (!personal_find(buf, len, &al, &hit))
		return 0;
	msg = personal_message(&hit);
	set_cause(cause, "nicht veröffentlicht: %s", msg);
	free(msg);
	return -1;
}

/* Refuses a new record whose text is one of ours already (the same file published twice). */
static int
publish_twice(struct node *nd, const struct record *r,
    const struct catalog_entry *old, char **cause)
{
	const char	*id;

	if (old != NULL || (id = node_texts_find(nd, r)) == NULL)
		return 0;
	return set_cause(cause, "the same text is already published as %s (to "
	    "change that record, add its id to the file)", id);
}

int
node_publish(struct node *nd, const char *buf, size_t len,
    struct node_result *res, char **cause)
{
	return node_publish_as(nd, buf, len, NULL, res, cause);
}

int
node_publish_as(struct node *nd, const char *buf, size_t len,
    const struct node_pubopt *opt, struct node_result *res, char **cause)
{
	const struct catalog_entry *old;
	struct store_change	 ch[2];
	struct record		*r = NULL;
	char			*text = NULL, *subject = NULL, *why = NULL;
	size_t			 textlen, n = 1;
	int			 rv = -1;

	memset(res, 0, sizeof *res);
	if (node_may_publish(nd, &res->again, cause) != 0)
		return -1;
	if (record_parse(buf, len, RECORD_DRAFT, &r, &why) != 0 ||
	    publish_prepare(nd, r, &old, opt, res, &why) != 0) {
		set_cause(cause, "the record was not published:\n%s", why);
		goto out;
	}
	if (publish_personal(nd, buf, len, cause) != 0 ||
	    publish_twice(nd, r, old, cause) != 0)
		goto out;
	if (record_write(r, &text, &textlen) != 0) {
		set_cause(cause, "the record could not be written");
		goto out;
	}
	res->created = old == NULL;
	res->path = record_path(r);
	snprintf(res->id, sizeof res->id, "%s", r->id);
	ch[0] = (struct store_change){ res->path, text, textlen };
	if (old != NULL && strcmp(old->path, res->path) != 0)
		ch[n++] = (struct store_change){ old->path, NULL, 0 };
	subject = xasprintf("%s %s %s: %s", old == NULL ? "publish" : "edit",
	    record_kind_name(r->kind), r->id, r->title);
	if (node_commit_as(nd, ch, n, subject, opt != NULL ? opt->unit : NULL,
	    res, cause) != 0)
		goto out;
	node_texts_add(nd, r, res->seq);
	log_info("%s %s %s (seq %llu)", old == NULL ? "published" : "edited",
	    record_kind_name(r->kind), r->id, (unsigned long long)res->seq);
	rv = 0;
out:
	free(why);
	free(subject);
	free(text);
	record_free(r);
	return rv;
}

int
node_retract(struct node *nd, const char *id, struct node_result *res,
    char **cause)
{
	return node_retract_as(nd, id, NULL, res, cause);
}

int
node_retract_as(struct node *nd, const char *id, const char *unit,
    struct node_result *res, char **cause)
{
	const struct catalog_entry *e;
	struct store_change	 ch;
	char			*subject;
	int			 rv;

	memset(res, 0, sizeof *res);
	if (node_may_publish(nd, &res->again, cause) != 0)
		return -1;
	e = catalog_find(&nd->cat, id, nd->nid, NULL);
	if (e == NULL)
		return set_cause(cause, "%s: no such record of this node", id);
	snprintf(res->id, sizeof res->id, "%s", e->id);
	res->path = xstrdup(e->path);
	ch = (struct store_change){ res->path, NULL, 0 };
	subject = xasprintf("retract %s %s: %s", record_kind_name(e->kind),
	    e->id, e->title);
	rv = node_commit_as(nd, &ch, 1, subject, unit, res, cause);
	free(subject);
	if (rv == 0)
		log_info("retracted %s (seq %llu)", res->id,
		    (unsigned long long)res->seq);
	return rv;
}

/* Writes the canonical vouch record for nid. Caller frees *text. */
static int
vouch_record(struct node *nd, const char *nid, const char *name,
    const char *ags, char **text, size_t *len, char **cause)
{
	struct record	 r;
	char		 now[32];

	memset(&r, 0, sizeof r);
	time_iso(time(NULL), now);
	r.kind = RECORD_VOUCH;
	r.id = (char *)nid;
	r.name = (char *)name;
	r.ags = (char *)ags;
	r.created = r.modified = now;
	r.body = (char *)"";
	if (record_validate(&r, RECORD_STRICT, cause) != 0)
		return -1;
	return record_write(&r, text, len);
}

int
node_vouch(struct node *nd, const char *id, const char *name,
    const char *ags, struct node_result *res, char **cause)
{
	struct store_change	 ch;
	uint8_t			 pk[KEYS_PK_LEN];
	char			 nid[KEYS_NID_MAX], *text = NULL, *subject;
	char			*why = NULL;
	size_t			 len;
	int			 rv;

	memset(res, 0, sizeof *res);
	if (node_may_publish(nd, &res->again, cause) != 0)
		return -1;
	if (keys_did_decode(id, pk, &why) != 0) {
		set_cause(cause, "%s", why);
		free(why);
		return -1;
	}
	keys_nid_encode(pk, nid);
	if (strcmp(nid, nd->nid) == 0)
		return set_cause(cause, "a node does not vouch for itself");
	if (vouch_record(nd, nid, name, ags, &text, &len, &why) != 0) {
		set_cause(cause, "the vouch was not written:\n%s", why);
		free(why);
		return -1;
	}
	snprintf(res->id, sizeof res->id, "%s", nid);
	res->path = xasprintf("vouches/%s.md", nid);
	ch = (struct store_change){ res->path, text, len };
	subject = xasprintf("vouch for %s: %s", nid, name);
	rv = node_commit(nd, &ch, 1, subject, res, cause);
	free(subject);
	free(text);
	if (rv == 0)
		trust_settle(nd);
	return rv;
}

int
node_unvouch(struct node *nd, const char *id, struct node_result *res,
    char **cause)
{
	const struct catalog_entry *e = NULL;
	struct store_change	 ch;
	uint8_t			 pk[KEYS_PK_LEN];
	char			 nid[KEYS_NID_MAX], *subject, *path;
	int			 rv;

	memset(res, 0, sizeof *res);
	if (node_may_publish(nd, &res->again, cause) != 0)
		return -1;
	if (keys_did_decode(id, pk, NULL) != 0)
		return set_cause(cause, "%s: not a node id", id);
	keys_nid_encode(pk, nid);
	path = xasprintf("vouches/%s.md", nid);
	e = catalog_at(&nd->cat, nd->nid, path);
	free(path);
	if (e == NULL || e->kind != RECORD_VOUCH)
		return set_cause(cause, "this node does not vouch for %s", id);
	snprintf(res->id, sizeof res->id, "%s", nid);
	res->path = xstrdup(e->path);
	ch = (struct store_change){ res->path, NULL, 0 };
	subject = xasprintf("unvouch %s", nid);
	rv = node_commit(nd, &ch, 1, subject, res, cause);
	free(subject);
	if (rv == 0)
		trust_settle(nd);
	return rv;
}
