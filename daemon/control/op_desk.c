/*
 * op_desk.c — the desk's staff accounts and audit log for knowctl:
 * user-add, user-list, user-remove, user-passwd and audit. Passwords
 * arrive already hashed (Argon2id, by knowctl); nothing here is logged.
 */
#include <stdlib.h>
#include <string.h>

#include "control_int.h"
#include "desk.h"
#include "util.h"

/* True when the desk is open; else answers an error. */
static int
desk_here(struct control_env *env, msgpack_packer *pk)
{
	if (env->desk != NULL)
		return 1;
	reply_fail(pk, CTL_ERROR, "the desk (desk.sqlite) could not be opened; "
	    "see knowd's log");
	return 0;
}

/* user-add NAME --role ROLE [--unit UNIT], with the password's hash. */
void
op_user_add(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*name = ctl_str(req, "name"), *role = ctl_str(req, "role");
	const char	*hash = ctl_str(req, "hash");
	enum desk_role	 r;
	char		*why = NULL;

	if (!desk_here(env, pk))
		return;
	if (name == NULL || role == NULL || hash == NULL) {
		reply_fail(pk, CTL_USAGE, "user-add: name, role and password "
		    "needed");
		return;
	}
	if (desk_role_parse(role, &r) != 0) {
		reply_fail(pk, CTL_USAGE, "--role: author, reviewer oder admin");
		return;
	}
	if (desk_user_add(env->desk, name, r, ctl_str(req, "unit"), hash,
	    &why) == 0)
		desk_audit(env->desk, "knowctl", "user-add", NULL, name);
	reply_edit(pk, why != NULL ? -1 : 0, why);
}

/* user-list: every account with role and unit (never a hash). */
void
op_user_list(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct desk_user *u;
	size_t		 i, n;

	if (!desk_here(env, pk))
		return;
	if (desk_user_list(env->desk, &u, &n) != 0) {
		reply_fail(pk, CTL_ERROR, "the accounts could not be read");
		return;
	}
	reply_ok(pk);
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++) {
		msgpack_pack_map(pk, 4);
		ctl_pack_kv(pk, "name", u[i].name);
		ctl_pack_kv(pk, "role", desk_role_name(u[i].role));
		ctl_pack_kv(pk, "unit", u[i].unit);
		ctl_pack_ku(pk, "created", (uint64_t)u[i].created);
	}
	free(u);
}

/* user-remove NAME: the account and its sessions go; its drafts stay. */
void
op_user_remove(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*name = ctl_str(req, "name");
	char		*why = NULL;

	if (!desk_here(env, pk))
		return;
	if (name == NULL) {
		reply_fail(pk, CTL_USAGE, "user-remove: no name given");
		return;
	}
	if (desk_user_remove(env->desk, name, &why) == 0)
		desk_audit(env->desk, "knowctl", "user-remove", NULL, name);
	reply_edit(pk, why != NULL ? -1 : 0, why);
}

/* user-passwd NAME: a new password hash; the account's sessions end. */
void
op_user_passwd(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*name = ctl_str(req, "name"), *hash = ctl_str(req, "hash");
	char		*why = NULL;

	if (!desk_here(env, pk))
		return;
	if (name == NULL || hash == NULL) {
		reply_fail(pk, CTL_USAGE, "user-passwd: name and password "
		    "needed");
		return;
	}
	if (desk_user_passwd(env->desk, name, hash, &why) == 0)
		desk_audit(env->desk, "knowctl", "user-passwd", NULL, name);
	reply_edit(pk, why != NULL ? -1 : 0, why);
}

/* audit [--limit N]: the newest entries of the audit log. */
void
op_audit(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct desk_audit_entry *e;
	uint64_t	 limit = 100;
	size_t		 i, n;

	if (!desk_here(env, pk))
		return;
	ctl_uint(req, "limit", &limit);
	if (desk_audit_list(env->desk, (size_t)limit, &e, &n) != 0) {
		reply_fail(pk, CTL_ERROR, "the audit log could not be read");
		return;
	}
	reply_ok(pk);
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++) {
		msgpack_pack_map(pk, 5);
		ctl_pack_ku(pk, "time", (uint64_t)e[i].t);
		ctl_pack_kv(pk, "who", e[i].who);
		ctl_pack_kv(pk, "action", e[i].action);
		ctl_pack_kv(pk, "record", e[i].record);
		ctl_pack_kv(pk, "detail", e[i].detail);
	}
	desk_audit_free(e, n);
}
