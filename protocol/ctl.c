/* ctl.c — control protocol: the operation table, request decode/encode, reply helpers. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cards.h"
#include "ctl.h"
#include "mpcheck.h"
#include "record.h"
#include "util.h"

#define ID	{ "id", CTL_STR, 128 }
#define NODE	{ "node", CTL_STR, 128 }
/* The search filters list and search share (values checked by knowd). */
#define FILTERS	{ "field", CTL_STR, 64 }, { "status", CTL_STR, 64 }, \
	{ "hurdle", CTL_STR, 64 }, { "tag", CTL_STR, 128 }, \
	{ "since", CTL_STR, 32 }

/* Every operation and the arguments it takes; anything else is refused. */
const struct ctl_opspec ctl_ops[CTL_NOPS + 1] = {
	[CTL_ID] = { "id", { { NULL } } },
	[CTL_STATUS] = { "status", { { "branches", CTL_BOOL, 1 }, { NULL } } },
	[CTL_PUBLISH] = { "publish", { { "body", CTL_BIN, CTL_MAX_REQUEST },
	    { "force", CTL_BOOL, 1 }, { NULL } } },
	[CTL_RETRACT] = { "retract", { ID, { NULL } } },
	[CTL_SHOW] = { "show", { ID, NODE, { NULL } } },
	[CTL_LIST] = { "list", { NODE, { "project", CTL_STR, 128 },
	    { "kind", CTL_STR, 16 }, FILTERS, { NULL } } },
	[CTL_LOG] = { "log", { NODE, { "limit", CTL_UINT, 1000000 },
	    { NULL } } },
	[CTL_VERIFY] = { "verify", { { NULL } } },
	[CTL_PEERS] = { "peers", { { NULL } } },
	[CTL_PEER_ADD] = { "peer-add", { { "address", CTL_STR, 300 },
	    { NULL } } },
	[CTL_PEER_REMOVE] = { "peer-remove", { { "address", CTL_STR, 300 },
	    { NULL } } },
	[CTL_TRUST_ADD] = { "trust-add", { ID, { "name", CTL_STR, 200 },
	    { NULL } } },
	[CTL_TRUST_REMOVE] = { "trust-remove", { ID, { NULL } } },
	[CTL_TRUST_LIST] = { "trust-list", { { NULL } } },
	[CTL_VOUCH] = { "vouch", { ID, { "name", CTL_STR, 200 },
	    { "ags", CTL_STR, 16 }, { NULL } } },
	[CTL_UNVOUCH] = { "unvouch", { ID, { NULL } } },
	[CTL_BACKUP] = { "backup", { { "with_key", CTL_BOOL, 1 }, { NULL } } },
	[CTL_SEARCH] = { "search", { { "q", CTL_STR, 1024 }, NODE,
	    { "project", CTL_STR, 128 }, { "kind", CTL_STR, 16 }, FILTERS,
	    { "limit", CTL_UINT, 1000 }, { "offset", CTL_UINT, 1000000 },
	    { NULL } } },
	[CTL_REINDEX] = { "reindex", { { NULL } } },
	[CTL_EXPORT] = { "export", { { "format", CTL_STR, 16 }, { NULL } } },
	[CTL_PENDING] = { "pending", { { NULL } } },
	[CTL_ADMIT] = { "admit", { ID, { NULL } } },
	[CTL_DENY] = { "deny", { ID, { NULL } } },
	/* Staff accounts of the desk (the password arrives hashed). */
	[CTL_USER_ADD] = { "user-add", { { "name", CTL_STR, 64 },
	    { "role", CTL_STR, 16 }, { "unit", CTL_STR, 128 },
	    { "hash", CTL_STR, 128 }, { NULL } } },
	[CTL_USER_LIST] = { "user-list", { { NULL } } },
	[CTL_USER_REMOVE] = { "user-remove", { { "name", CTL_STR, 64 },
	    { NULL } } },
	[CTL_USER_PASSWD] = { "user-passwd", { { "name", CTL_STR, 64 },
	    { "hash", CTL_STR, 128 }, { NULL } } },
	[CTL_AUDIT] = { "audit", { { "limit", CTL_UINT, 100000 }, { NULL } } },
	[CTL_INVITE] = { "invite", { { "name", CTL_STR, 200 },
	    { "ags", CTL_STR, 16 }, { "expires", CTL_UINT, 365 * 86400 },
	    { "address", CTL_STR, 128 }, { NULL } } },
	[CTL_INVITE_LIST] = { "invite-list", { { NULL } } },
	[CTL_INVITE_REVOKE] = { "invite-revoke", { ID, { NULL } } },
	[CTL_UNVOUCH_IMPACT] = { "unvouch-impact", { ID, { NULL } } },
	[CTL_CONTACT_SET] = { "contact-set", { { "target", CTL_STR, 128 },
	    { "body", CTL_BIN, CARDS_FILE_MAX }, { NULL } } },
	[CTL_CONTACT_SHOW] = { "contact-show", { { "target", CTL_STR, 128 },
	    NODE, { NULL } } },
	[CTL_CONTACT_CLEAR] = { "contact-clear", { { "target", CTL_STR, 128 },
	    { NULL } } },
	[CTL_ERASE] = { "erase", { ID, { "commit", CTL_STR, 64 }, { NULL } } },
	[CTL_PROFILE] = { "profile", { { NULL } } },
	[CTL_PROFILE_SET] = { "profile-set", { { "name", CTL_STR, 800 },
	    { "website", CTL_STR, 1200 }, { "region", CTL_STR, 800 },
	    { "ags", CTL_STR, 16 }, { "description", CTL_STR, 65536 },
	    { NULL } } },
	[CTL_NOPS] = { NULL, { { NULL } } },
};

const struct ctl_opspec *
ctl_op_find(const char *name)
{
	const struct ctl_opspec *op;

	for (op = ctl_ops; op->name != NULL; op++)
		if (strcmp(op->name, name) == 0)
			return op;
	return NULL;
}

/* Index of key in op's argument table, or -1. */
static int
arg_index(const struct ctl_opspec *op, const char *key, size_t keylen)
{
	int	 i;

	for (i = 0; i < CTL_MAX_ARGS && op->args[i].key != NULL; i++)
		if (strlen(op->args[i].key) == keylen &&
		    memcmp(op->args[i].key, key, keylen) == 0)
			return i;
	return -1;
}

/* Type- and length-checks one argument value and stores a copy in *v. */
static int
decode_value(const struct ctl_argspec *spec, const msgpack_object *o,
    struct ctl_value *v, char **cause)
{
	const char	*p;
	size_t		 n;

	switch (spec->type) {
	case CTL_STR:
	case CTL_BIN:
		if (o->type == MSGPACK_OBJECT_STR) {
			p = o->via.str.ptr;
			n = o->via.str.size;
		} else if (o->type == MSGPACK_OBJECT_BIN) {
			p = o->via.bin.ptr;
			n = o->via.bin.size;
		} else
			return set_cause(cause, "argument \"%s\": expected %s",
			    spec->key, spec->type == CTL_STR ? "a string" :
			    "bytes");
		if (n > spec->max)
			return set_cause(cause, "argument \"%s\": %zu bytes is "
			    "too long (at most %zu)", spec->key, n, spec->max);
		if (spec->type == CTL_STR && !utf8_valid(p, n))
			return set_cause(cause, "argument \"%s\": not valid "
			    "UTF-8 text", spec->key);
		v->s = xstrndup(p, n);
		v->len = n;
		break;
	case CTL_UINT:
		if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    o->via.u64 > spec->max)
			return set_cause(cause, "argument \"%s\": expected a "
			    "number up to %zu", spec->key, spec->max);
		v->u = o->via.u64;
		break;
	case CTL_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return set_cause(cause, "argument \"%s\": expected "
			    "true or false", spec->key);
		v->u = o->via.boolean;
		break;
	}
	v->type = spec->type;
	v->present = 1;
	return 0;
}

/* Decodes the argument map of a request whose op is already known. */
static int
decode_args(struct ctl_request *req, const msgpack_object *map, char **cause)
{
	const msgpack_object_kv	*kv;
	uint32_t		 i;
	int			 idx;

	if (map->type != MSGPACK_OBJECT_MAP)
		return set_cause(cause, "request arguments are not a map");
	for (i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			return set_cause(cause, "argument name is not a string");
		idx = arg_index(req->op, kv->key.via.str.ptr,
		    kv->key.via.str.size);
		if (idx == -1)
			return set_cause(cause, "%s: unknown argument \"%.*s\"",
			    req->op->name, (int)(kv->key.via.str.size > 64 ?
			    64 : kv->key.via.str.size), kv->key.via.str.ptr);
		if (req->v[idx].present)
			return set_cause(cause, "argument \"%s\" given twice",
			    req->op->args[idx].key);
		if (decode_value(&req->op->args[idx], &kv->val, &req->v[idx],
		    cause) == -1)
			return -1;
	}
	return 0;
}

int
ctl_request_decode(const uint8_t *buf, size_t len, struct ctl_request *req,
    char **cause)
{
	msgpack_unpacked	 up;
	const msgpack_object	*o;
	char			 name[32];
	size_t			 off = 0;
	int			 rv = -1;

	memset(req, 0, sizeof *req);
	if (len > CTL_MAX_REQUEST)
		return set_cause(cause, "request too large");
	if (mpcheck(buf, len) == -1)
		return set_cause(cause, "request is not well-formed msgpack");
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, (const char *)buf, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS) {
		set_cause(cause, "request is not well-formed msgpack");
		goto out;
	}
	o = &up.data;
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 2 ||
	    o->via.array.ptr[0].type != MSGPACK_OBJECT_STR) {
		set_cause(cause, "request is not [operation, arguments]");
		goto out;
	}
	if (o->via.array.ptr[0].via.str.size >= sizeof name ||
	    memchr(o->via.array.ptr[0].via.str.ptr, '\0',
	    o->via.array.ptr[0].via.str.size) != NULL) {
		set_cause(cause, "unknown operation");
		goto out;
	}
	memcpy(name, o->via.array.ptr[0].via.str.ptr,
	    o->via.array.ptr[0].via.str.size);
	name[o->via.array.ptr[0].via.str.size] = '\0';
	if ((req->op = ctl_op_find(name)) == NULL) {
		set_cause(cause, "unknown operation \"%s\"", name);
		goto out;
	}
	rv = decode_args(req, &o->via.array.ptr[1], cause);
out:
	msgpack_unpacked_destroy(&up);
	if (rv == -1)
		ctl_request_clear(req);
	return rv;
}

void
ctl_request_clear(struct ctl_request *req)
{
	size_t	 i;

	for (i = 0; i < CTL_MAX_ARGS; i++)
		free(req->v[i].s);
	memset(req, 0, sizeof *req);
}

/* The value slot for key in a request, or NULL when the op has no such argument. */
static const struct ctl_value *
value_of(const struct ctl_request *req, const char *key)
{
	int	 idx;

	if (req->op == NULL)
		return NULL;
	idx = arg_index(req->op, key, strlen(key));
	if (idx == -1 || !req->v[idx].present)
		return NULL;
	return &req->v[idx];
}

const char *
ctl_str(const struct ctl_request *req, const char *key)
{
	const struct ctl_value *v = value_of(req, key);

	return v != NULL && v->type == CTL_STR ? v->s : NULL;
}

const uint8_t *
ctl_bin(const struct ctl_request *req, const char *key, size_t *len)
{
	const struct ctl_value *v = value_of(req, key);

	if (v == NULL || v->type != CTL_BIN)
		return NULL;
	*len = v->len;
	return (const uint8_t *)v->s;
}

int
ctl_uint(const struct ctl_request *req, const char *key, uint64_t *u)
{
	const struct ctl_value *v = value_of(req, key);

	if (v == NULL || v->type != CTL_UINT)
		return -1;
	*u = v->u;
	return 0;
}

int
ctl_bool(const struct ctl_request *req, const char *key)
{
	const struct ctl_value *v = value_of(req, key);

	return v != NULL && v->type == CTL_BOOL && v->u;
}

int
ctl_set(struct ctl_request *req, const char *key, const char *s, size_t len,
    uint64_t u)
{
	int	 idx;

	if ((idx = arg_index(req->op, key, strlen(key))) == -1)
		return -1;
	free(req->v[idx].s);
	req->v[idx].s = s != NULL ? xstrndup(s, len) : NULL;
	req->v[idx].len = len;
	req->v[idx].u = u;
	req->v[idx].type = req->op->args[idx].type;
	req->v[idx].present = 1;
	return 0;
}

int
ctl_request_encode(const struct ctl_request *req, uint8_t **out, size_t *len,
    char **cause)
{
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	const struct ctl_value	*v;
	uint32_t		 n = 0;
	int			 i;

	for (i = 0; i < CTL_MAX_ARGS; i++)
		n += req->v[i].present ? 1 : 0;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 2);
	ctl_pack_str(&pk, req->op->name);
	msgpack_pack_map(&pk, n);
	for (i = 0; i < CTL_MAX_ARGS; i++) {
		v = &req->v[i];
		if (!v->present)
			continue;
		ctl_pack_str(&pk, req->op->args[i].key);
		if (v->type == CTL_STR) {
			msgpack_pack_str(&pk, v->len);
			msgpack_pack_str_body(&pk, v->s, v->len);
		} else if (v->type == CTL_BIN) {
			msgpack_pack_bin(&pk, v->len);
			msgpack_pack_bin_body(&pk, v->s, v->len);
		} else if (v->type == CTL_UINT)
			msgpack_pack_uint64(&pk, v->u);
		else if (v->u)
			msgpack_pack_true(&pk);
		else
			msgpack_pack_false(&pk);
	}
	if (sb.size > CTL_MAX_REQUEST) {
		msgpack_sbuffer_destroy(&sb);
		return set_cause(cause, "request of %zu bytes is too large "
		    "(at most %d)", sb.size, CTL_MAX_REQUEST);
	}
	*len = sb.size;
	*out = (uint8_t *)msgpack_sbuffer_release(&sb);
	return 0;
}

void
ctl_pack_str(msgpack_packer *pk, const char *s)
{
	size_t	 n;

	if (s == NULL) {
		msgpack_pack_nil(pk);
		return;
	}
	n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void
ctl_pack_kv(msgpack_packer *pk, const char *key, const char *value)
{
	ctl_pack_str(pk, key);
	ctl_pack_str(pk, value);
}

void
ctl_pack_ku(msgpack_packer *pk, const char *key, uint64_t value)
{
	ctl_pack_str(pk, key);
	msgpack_pack_uint64(pk, value);
}

void
ctl_reply_begin(msgpack_packer *pk, enum ctl_code code, const char *message)
{
	msgpack_pack_array(pk, 3);
	msgpack_pack_int(pk, code);
	ctl_pack_str(pk, message != NULL ? message : "");
}

void
ctl_reply_error(msgpack_sbuffer *sb, enum ctl_code code, const char *fmt, ...)
{
	msgpack_packer	 pk;
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	ctl_reply_begin(&pk, code, msg);
	msgpack_pack_nil(&pk);
	free(msg);
}

int
ctl_reply_decode(const uint8_t *buf, size_t len, struct ctl_reply *r,
    char **cause)
{
	msgpack_object	*a;
	size_t		 off = 0;

	memset(r, 0, sizeof *r);
	msgpack_unpacked_init(&r->up);
	/* Unpacked strings point into the buffer: keep our own copy. */
	r->raw = xmalloc(len);
	memcpy(r->raw, buf, len);
	if (mpcheck(r->raw, len) == -1 || msgpack_unpack_next(&r->up,
	    (const char *)r->raw, len, &off) != MSGPACK_UNPACK_SUCCESS)
		goto bad;
	if (r->up.data.type != MSGPACK_OBJECT_ARRAY ||
	    r->up.data.via.array.size != 3)
		goto bad;
	a = r->up.data.via.array.ptr;
	if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 > CTL_AGAIN ||
	    a[1].type != MSGPACK_OBJECT_STR)
		goto bad;
	r->code = (int)a[0].via.u64;
	r->message = ctl_obj_strdup(&a[1]);
	r->data = &a[2];
	return 0;
bad:
	ctl_reply_clear(r);
	return set_cause(cause, "malformed reply from knowd");
}

void
ctl_reply_clear(struct ctl_reply *r)
{
	msgpack_unpacked_destroy(&r->up);
	free(r->message);
	free(r->raw);
	memset(r, 0, sizeof *r);
}

const msgpack_object *
ctl_obj_get(const msgpack_object *o, const char *key)
{
	size_t	 n = strlen(key);
	uint32_t i;

	if (o == NULL || o->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;

		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
		    memcmp(k->via.str.ptr, key, n) == 0)
			return &o->via.map.ptr[i].val;
	}
	return NULL;
}

char *
ctl_obj_strdup(const msgpack_object *o)
{
	if (o == NULL)
		return xstrdup("");
	if (o->type == MSGPACK_OBJECT_STR)
		return xstrndup(o->via.str.ptr, o->via.str.size);
	if (o->type == MSGPACK_OBJECT_BIN)
		return xstrndup(o->via.bin.ptr, o->via.bin.size);
	return xstrdup("");
}

uint64_t
ctl_obj_uint(const msgpack_object *o)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return 0;
	return o->via.u64;
}
