/* op_export.c — knowctl export: everything the node holds as JSON, CSV or Atom, or its DCAT-AP.de record. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "control_int.h"
#include "log.h"
#include "util.h"
#include "web.h"

/* export {format}: the export as one bin in data {format, content}. */
void
op_export(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	const char	*format = ctl_str(req, "format");
	struct evbuffer	*out;
	struct evbuffer_iovec v;
	char		*why = NULL;
	size_t		 len;
	int		 n;

	if (format == NULL) {
		reply_fail(pk, CTL_USAGE, "export: no format given (json, csv, "
		    "atom or dcat)");
		return;
	}
	if ((out = evbuffer_new()) == NULL) {
		reply_fail(pk, CTL_ERROR, "export: out of memory");
		return;
	}
	if (web_export(env->node, format, out, &why) != 0) {
		reply_fail(pk, strncmp(why, "export: unknown", 15) == 0 ?
		    CTL_USAGE : CTL_ERROR, why);
		free(why);
		evbuffer_free(out);
		return;
	}
	len = evbuffer_get_length(out);
	log_info("export: %s, %zu bytes", format, len);
	reply_ok(pk);
	msgpack_pack_map(pk, 2);
	ctl_pack_kv(pk, "format", format);
	ctl_pack_str(pk, "content");
	msgpack_pack_bin(pk, len);
	/* Chunk by chunk: no second contiguous copy of a large export. */
	while ((n = evbuffer_peek(out, -1, NULL, &v, 1)) > 0 &&
	    v.iov_len > 0) {
		msgpack_pack_bin_body(pk, v.iov_base, v.iov_len);
		evbuffer_drain(out, v.iov_len);
	}
	evbuffer_free(out);
}
