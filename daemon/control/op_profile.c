/* op_profile.c — knowctl profile: this node's node.md shown and changed. */
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "util.h"

/* profile: {id, name, role, ags, region, website, description, created, modified}. */
void
op_profile(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct record	*r = NULL;
	char		*why = NULL;

	if (node_profile(env->node, &r, &why) != 0) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	reply_ok(pk);
	msgpack_pack_map(pk, 9);
	ctl_pack_kv(pk, "id", env->node->did);
	ctl_pack_kv(pk, "name", r->name);
	ctl_pack_kv(pk, "role", r->role);
	ctl_pack_kv(pk, "ags", r->ags);
	ctl_pack_kv(pk, "region", r->region);
	ctl_pack_kv(pk, "website", r->website);
	ctl_pack_kv(pk, "description", r->body);
	ctl_pack_kv(pk, "created", r->created);
	ctl_pack_kv(pk, "modified", r->modified);
	record_free(r);
}

/* profile-set: change the values given ("" removes one), sign and publish node.md. */
void
op_profile_set(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct node_profile	 p;
	struct node_result	 res;
	char			*why = NULL;
	int			 rv;

	p.name = ctl_str(req, "name");
	p.website = ctl_str(req, "website");
	p.region = ctl_str(req, "region");
	p.ags = ctl_str(req, "ags");
	p.description = ctl_str(req, "description");
	rv = node_profile_set(env->node, &p, &res, &why);
	reply_change(env, pk, rv, &res, why, "updated");
}
