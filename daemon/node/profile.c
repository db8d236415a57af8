/*
 * profile.c — this node's profile: its node.md (name, role, AGS, region,
 * website, and a description as the body), read and changed. A change is
 * a signed commit like a publish, so every peer gets it as today.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "node.h"
#include "node_int.h"
#include "util.h"

#define PROFILE_PATH	"node.md"

int
node_profile(struct node *nd, struct record **out, char **cause)
{
	git_oid	 head;
	char	*text = NULL, *why = NULL;
	size_t	 len;
	int	 rc;

	*out = NULL;
	if (store_head(nd->store, nd->nid, &head, NULL) != 0)
		return set_cause(cause, "this node's own branch is not here yet");
	rc = store_read(nd->store, &head, PROFILE_PATH, RECORD_MAX_BYTES, &text,
	    &len);
	if (rc != 0)
		return set_cause(cause, "node.md: %s", rc == 1 ? "missing" :
		    store_git_error());
	rc = record_parse(text, len, RECORD_STRICT, out, &why);
	free(text);
	if (rc != 0) {
		set_cause(cause, "node.md: %s", why);
		free(why);
	}
	return rc;
}

/* Sets *member to value: NULL leaves it, "" removes it. */
static void
profile_take(char **member, const char *value)
{
	if (value != NULL)
		record_set(member, *value != '\0' ? value : NULL);
}

/* Applies the change to r (a copy of node.md); -1 with every violation. */
static int
profile_apply(struct record *r, const struct node_profile *p, char **cause)
{
	char	 now[32], *body;

	if (p->name != NULL && *p->name == '\0')
		return set_cause(cause, "name: cannot be removed");
	profile_take(&r->name, p->name);
	profile_take(&r->website, p->website);
	profile_take(&r->region, p->region);
	profile_take(&r->ags, p->ags);
	if (p->description != NULL) {
		body = xstrdup(p->description);
		free(r->body);
		r->body = body;
		r->bodylen = strlen(body);
	}
	time_iso(time(NULL), now);
	record_set(&r->modified, strcmp(now, r->created) < 0 ? r->created : now);
	return record_validate(r, RECORD_STRICT, cause);
}

int
node_profile_set(struct node *nd, const struct node_profile *p,
    struct node_result *res, char **cause)
{
	struct store_change	 ch;
	struct record		*r = NULL;
	char			*text = NULL, *subject = NULL, *why = NULL;
	size_t			 len;
	int			 rv = -1;

	memset(res, 0, sizeof *res);
	if (p->name == NULL && p->website == NULL && p->region == NULL &&
	    p->ags == NULL && p->description == NULL)
		return set_cause(cause, "profile: nothing to change (give --name, "
		    "--website, --region, --ags or --description)");
	if (node_may_publish(nd, &res->again, cause) != 0 ||
	    node_profile(nd, &r, cause) != 0)
		goto out;
	if (profile_apply(r, p, &why) != 0) {
		set_cause(cause, "the profile was not changed:\n%s", why);
		goto out;
	}
	if (record_write(r, &text, &len) != 0) {
		set_cause(cause, "the profile could not be written");
		goto out;
	}
	snprintf(res->id, sizeof res->id, "%s", nd->nid);
	res->path = xstrdup(PROFILE_PATH);
	ch = (struct store_change){ res->path, text, len };
	subject = xasprintf("profile: %s", r->name);
	if (node_commit(nd, &ch, 1, subject, res, cause) != 0)
		goto out;
	log_info("profile changed (seq %llu)", (unsigned long long)res->seq);
	rv = 0;
out:
	free(why);
	free(subject);
	free(text);
	record_free(r);
	return rv;
}
