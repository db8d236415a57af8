/* fuzz_ctl.c — libFuzzer target: control requests and replies from untrusted bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless two requests carry the same op and argument values. */
static void
same_request(const struct ctl_request *a, const struct ctl_request *b)
{
	const struct ctl_value *x, *y;
	int	 i;

	if (a->op != b->op)
		abort();
	for (i = 0; i < CTL_MAX_ARGS; i++) {
		x = &a->v[i];
		y = &b->v[i];
		if (x->present != y->present)
			abort();
		if (!x->present)
			continue;
		if (x->type != y->type || x->type != a->op->args[i].type)
			abort();
		switch (x->type) {
		case CTL_STR:
			if (strlen(x->s) != x->len)	/* no NUL inside text */
				abort();
			/* FALLTHROUGH */
		case CTL_BIN:
			if (x->len != y->len || memcmp(x->s, y->s, x->len) != 0 ||
			    x->len > a->op->args[i].max)
				abort();
			break;
		case CTL_UINT:
		case CTL_BOOL:
			if (x->u != y->u || x->u > a->op->args[i].max)
				abort();
			break;
		}
	}
}

/* Re-encodes a decoded request, decodes it again and compares; encoding is canonical. */
static void
check_request(const struct ctl_request *req)
{
	struct ctl_request again;
	uint8_t	*buf, *buf2;
	size_t	 len, len2;
	char	*cause = NULL;

	if (ctl_request_encode(req, &buf, &len, &cause) != 0)
		abort();
	if (ctl_request_decode(buf, len, &again, &cause) != 0)
		abort();
	same_request(req, &again);
	if (ctl_request_encode(&again, &buf2, &len2, &cause) != 0)
		abort();
	if (len != len2 || memcmp(buf, buf2, len) != 0)
		abort();
	ctl_request_clear(&again);
	free(buf2);
	free(buf);
}

/* Reads a decoded reply the way knowctl does. */
static void
check_reply(const struct ctl_reply *r)
{
	char	*s;

	if (r->code < CTL_OK || r->code > CTL_AGAIN || r->message == NULL ||
	    r->data == NULL)
		abort();
	s = ctl_obj_strdup(ctl_obj_get(r->data, "name"));
	free(s);
	(void)ctl_obj_uint(ctl_obj_get(r->data, "seq"));
}

/* Decodes the input as a request and as a reply. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	struct ctl_reply rep;
	char	*cause = NULL;

	if (ctl_request_decode(data, size, &req, &cause) == 0)
		check_request(&req);
	else
		free(cause);
	ctl_request_clear(&req);

	cause = NULL;
	if (ctl_reply_decode(data, size, &rep, &cause) == 0)
		check_reply(&rep);
	else
		free(cause);
	ctl_reply_clear(&rep);
	return 0;
}
