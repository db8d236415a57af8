/*
 * ctl.h — the control protocol between knowctl and knowd over DIR/control.sock.
 *
 * Every message is a frame: a 4-byte big-endian length, then that many bytes
 * of msgpack. A request is [op, {key: value, …}] with the keys and value
 * types that op's table entry allows; a reply is [code, message, data] where
 * code is a ctl_code, message a human sentence (empty on success) and data
 * any msgpack value (nil when there is nothing to return).
 */
#ifndef KNOWD_CTL_H
#define KNOWD_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#define CTL_SOCKET	"control.sock"
#define CTL_MAX_REQUEST	(1024 * 1024)
#define CTL_MAX_REPLY	(256u * 1024 * 1024)
#define CTL_MAX_ARGS	16

enum ctl_code {
	CTL_OK = 0,
	CTL_ERROR = 1,		/* the request was understood and failed */
	CTL_USAGE = 2,		/* the request was malformed */
	CTL_AGAIN = 3,		/* not now (catching up, socket full); ask again shortly */
};

enum ctl_type { CTL_STR, CTL_BIN, CTL_UINT, CTL_BOOL };

struct ctl_argspec {
	const char	*key;
	enum ctl_type	 type;
	size_t		 max;		/* bytes for STR/BIN, value for UINT */
};

/*
 * Every control operation. The schema table ctl_ops[] and knowd's handler
 * table are both indexed by it: a new operation is one entry here, one
 * schema row in ctl.c, one handler in daemon/control/ and one knowctl file.
 */
enum ctl_op {
	CTL_ID,
	CTL_STATUS,
	CTL_PUBLISH,
	CTL_RETRACT,
	CTL_SHOW,
	CTL_LIST,
	CTL_LOG,
	CTL_VERIFY,
	CTL_PEERS,
	CTL_PEER_ADD,
	CTL_PEER_REMOVE,
	CTL_TRUST_ADD,
	CTL_TRUST_REMOVE,
	CTL_TRUST_LIST,
	CTL_VOUCH,
	CTL_UNVOUCH,
	CTL_BACKUP,
	CTL_SEARCH,
	CTL_REINDEX,
	CTL_EXPORT,
	CTL_PENDING,
	CTL_ADMIT,
	CTL_DENY,
	CTL_USER_ADD,
	CTL_USER_LIST,
	CTL_USER_REMOVE,
	CTL_USER_PASSWD,
	CTL_AUDIT,
	CTL_INVITE,
	CTL_INVITE_LIST,
	CTL_INVITE_REVOKE,
	CTL_UNVOUCH_IMPACT,
	CTL_CONTACT_SET,
	CTL_CONTACT_SHOW,
	CTL_CONTACT_CLEAR,
	CTL_ERASE,
	CTL_PROFILE,
	CTL_PROFILE_SET,
	CTL_NOPS
};

struct ctl_opspec {
	const char		*name;
	struct ctl_argspec	 args[CTL_MAX_ARGS];
};

/* One argument value; s is NUL-terminated for STR (and for BIN, past len). */
struct ctl_value {
	int		 present;
	enum ctl_type	 type;
	char		*s;
	size_t		 len;
	uint64_t	 u;
};

/* A decoded request: values indexed like op->args. */
struct ctl_request {
	const struct ctl_opspec	*op;
	struct ctl_value	 v[CTL_MAX_ARGS];
};

/* The operations knowd understands, indexed by enum ctl_op (NULL-terminated by name). */
extern const struct ctl_opspec ctl_ops[CTL_NOPS + 1];
const struct ctl_opspec *ctl_op_find(const char *name);
/* The enum ctl_op of an entry of ctl_ops. */
#define ctl_op_id(op)	((enum ctl_op)((op) - ctl_ops))

/*
 * Decodes and type-checks a request frame payload. Pure; fuzzed. On failure
 * *cause says what is wrong. Caller clears *req with ctl_request_clear.
 */
int	 ctl_request_decode(const uint8_t *, size_t, struct ctl_request *,
	     char **cause);
void	 ctl_request_clear(struct ctl_request *);
/* Accessors: NULL / -1 when the argument is absent. */
const char *ctl_str(const struct ctl_request *, const char *key);
const uint8_t *ctl_bin(const struct ctl_request *, const char *key, size_t *len);
int	 ctl_uint(const struct ctl_request *, const char *key, uint64_t *);
int	 ctl_bool(const struct ctl_request *, const char *key);

/* Encodes a request from values given like a decoded one. Caller frees *out. */
int	 ctl_request_encode(const struct ctl_request *, uint8_t **out,
	     size_t *len, char **cause);
/* Sets an argument of a request being built (copies s). -1 for an unknown key. */
int	 ctl_set(struct ctl_request *, const char *key, const char *s, size_t len,
	     uint64_t u);

/* Reply building: begin with code and message, then pack exactly one data value. */
void	 ctl_reply_begin(msgpack_packer *, enum ctl_code, const char *message);
/* A whole error reply with nil data into sb. */
void	 ctl_reply_error(msgpack_sbuffer *, enum ctl_code, const char *fmt, ...)
	     __attribute__((format(printf, 3, 4)));

/* A decoded reply; data points into raw (a copy of the frame) and the unpacked zone. */
struct ctl_reply {
	uint8_t			*raw;
	msgpack_unpacked	 up;
	int			 code;
	char			*message;
	msgpack_object		*data;
};
int	 ctl_reply_decode(const uint8_t *, size_t, struct ctl_reply *, char **cause);
void	 ctl_reply_clear(struct ctl_reply *);

/* Packing helpers shared by the daemon's replies. */
void	 ctl_pack_str(msgpack_packer *, const char *);	/* nil for NULL */
void	 ctl_pack_kv(msgpack_packer *, const char *key, const char *value);
void	 ctl_pack_ku(msgpack_packer *, const char *key, uint64_t value);

/* Reading helpers for replies: a map's value by key, or NULL. */
const msgpack_object *ctl_obj_get(const msgpack_object *, const char *key);
/* A str/bin object as a new NUL-terminated string ("" for others). Caller frees. */
char	*ctl_obj_strdup(const msgpack_object *);
/* A positive integer object's value, or 0. */
uint64_t ctl_obj_uint(const msgpack_object *);

#endif
