/*
 * op_contact.c — knowctl contact set, show and clear: the contact cards
 * outside the history (doc/DESIGN.md §11). A set or clear re-signs this
 * node's card set and sends it to every peer at once.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control_int.h"
#include "log.h"
#include "net.h"
#include "util.h"

/* Answers a set or clear: {target} or the German error. */
static void
reply_contact(struct control_env *env, msgpack_packer *pk, int rv,
    const char *target, char *why)
{
	if (rv != 0) {
		reply_fail(pk, CTL_ERROR, why != NULL ? why : "fehlgeschlagen");
		free(why);
		return;
	}
	net_contacts_published(env->net);
	reply_ok(pk);
	msgpack_pack_map(pk, 1);
	ctl_pack_kv(pk, "target", target);
}

/* contact-set {target, body}: a YAML card for one of our lessons or projects. */
void
op_contact_set(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*arg = ctl_str(req, "target");
	const uint8_t	*body;
	char		 target[CARDS_TARGET_MAX + 1] = "", *why = NULL;
	size_t		 len = 0;
	int		 rv;

	body = ctl_bin(req, "body", &len);
	if (arg == NULL || body == NULL) {
		reply_fail(pk, CTL_USAGE, "target and body are required");
		return;
	}
	rv = node_contact_set(env->node, arg, (const char *)body, len, target,
	    &why);
	reply_contact(env, pk, rv, target, why);
}

/* contact-clear {target}. */
void
op_contact_clear(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*arg = ctl_str(req, "target");
	char		 target[CARDS_TARGET_MAX + 1] = "", *why = NULL;
	int		 rv;

	if (arg == NULL) {
		reply_fail(pk, CTL_USAGE, "target is required");
		return;
	}
	rv = node_contact_clear(env->node, arg, target, &why);
	reply_contact(env, pk, rv, target, why);
}

void
op_contact_forget(struct control_env *env, const char *id)
{
	char	 target[CARDS_TARGET_MAX + 1], *why = NULL;

	if (node_contact_clear(env->node, id, target, &why) == 0)
		net_contacts_published(env->net);
	free(why);			/* it had none */
}

/* Packs a card: who it is for, what it says, when set and until when. */
static void
pack_card(struct control_env *env, msgpack_packer *pk, const char *nid,
    const char *target, const struct cards_card *c, uint64_t date)
{
	char	 set[32], until[32];

	time_iso((time_t)date, set);
	time_iso((time_t)(date + (uint64_t)env->node->conf.contact_max_age),
	    until);
	msgpack_pack_map(pk, 10);
	reply_did(pk, "node", nid);
	ctl_pack_kv(pk, "target", target);
	ctl_pack_kv(pk, "role", c->role);
	ctl_pack_kv(pk, "unit", c->unit);
	ctl_pack_kv(pk, "mailbox", c->mailbox);
	ctl_pack_kv(pk, "phone", c->phone);
	ctl_pack_kv(pk, "name", c->name);
	ctl_pack_kv(pk, "consent", c->consent);
	ctl_pack_kv(pk, "date", set);
	ctl_pack_kv(pk, "expires", until);
}

/*
 * contact-show {target, node}: a record id (a lesson: its own card, else
 * its project's) held here, or a project slug of node (default: ours).
 */
void
op_contact_show(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const struct catalog_entry *e;
	const char	*arg = ctl_str(req, "target"), *filter;
	const char	*nid = env->node->nid, *target;
	struct cards_card c;
	uint64_t	 date;
	int		 rv;

	if (arg == NULL) {
		reply_fail(pk, CTL_USAGE, "target is required");
		return;
	}
	if ((filter = ctl_str(req, "node")) != NULL &&
	    (nid = control_node_resolve(env->node, filter)) == NULL) {
		reply_fail(pk, CTL_ERROR, "no such node held here");
		return;
	}
	e = catalog_find(&env->node->cat, arg, filter != NULL ? nid : NULL,
	    env->node->nid);
	if (e != NULL && (e->kind == RECORD_LESSON ||
	    e->kind == RECORD_PROJECT)) {
		nid = e->nid;
		rv = node_contact_of(env->node, e, &c, &date, &target);
	} else {
		target = arg;
		rv = node_contact_find(env->node, nid, arg, &c, &date);
	}
	if (rv != 0) {
		reply_fail(pk, CTL_ERROR, "no contact card for this lesson or "
		    "project");
		return;
	}
	reply_ok(pk);
	pack_card(env, pk, nid, target, &c, date);
	memset(&c, 0, sizeof c);
}
