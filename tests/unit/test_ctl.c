/* test_ctl.c — the msgpack pre-scan and the control protocol: requests, replies, rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl.h"
#include "mpcheck.h"
#include "util.h"

/* A packer writing into its own sbuffer. */
struct mp {
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
};

/* Starts an empty message. */
static void
mp_init(struct mp *m)
{
	msgpack_sbuffer_init(&m->sb);
	msgpack_packer_init(&m->pk, &m->sb, msgpack_sbuffer_write);
}

/* Frees the message. */
static void
mp_free(struct mp *m)
{
	msgpack_sbuffer_destroy(&m->sb);
}

/* Appends raw bytes, for headers the packer would never choose. */
static void
mp_raw(struct mp *m, const void *p, size_t n)
{
	msgpack_sbuffer_write(&m->sb, p, n);
}

/* Packs a C string (nil for NULL). */
static void
mp_str(struct mp *m, const char *s)
{
	ctl_pack_str(&m->pk, s);
}

/* A packed sequence of n filler bytes as str, bin or ext. */
static void
mp_blob(struct mp *m, int kind, size_t n)
{
	char	*p = xmalloc(n + 1);

	memset(p, 'x', n);
	if (kind == 's') {
		msgpack_pack_str(&m->pk, n);
		msgpack_pack_str_body(&m->pk, p, n);
	} else if (kind == 'b') {
		msgpack_pack_bin(&m->pk, n);
		msgpack_pack_bin_body(&m->pk, p, n);
	} else
		msgpack_pack_ext_with_body(&m->pk, p, n, 7);
	free(p);
}

/* A packed array (or map) of n nils (or n nil: nil pairs). */
static void
mp_nils(struct mp *m, int map, size_t n)
{
	size_t	 i;

	if (map)
		msgpack_pack_map(&m->pk, n);
	else
		msgpack_pack_array(&m->pk, n);
	for (i = 0; i < (map ? 2 * n : n); i++)
		msgpack_pack_nil(&m->pk);
}

/*
 * Packs value number i of the every-type table and returns the first byte
 * it must start with, or -1 past the end.
 */
static int
pack_one(struct mp *m, int i)
{
	msgpack_packer	*pk = &m->pk;

	switch (i) {
	case 0: msgpack_pack_nil(pk); return 0xc0;
	case 1: msgpack_pack_false(pk); return 0xc2;
	case 2: msgpack_pack_true(pk); return 0xc3;
	case 3: msgpack_pack_uint8(pk, 5); return 0x05;
	case 4: msgpack_pack_uint8(pk, 200); return 0xcc;
	case 5: msgpack_pack_uint16(pk, 300); return 0xcd;
	case 6: msgpack_pack_uint32(pk, 70000); return 0xce;
	case 7: msgpack_pack_uint64(pk, 1ULL << 40); return 0xcf;
	case 8: msgpack_pack_int8(pk, -3); return 0xfd;
	case 9: msgpack_pack_int8(pk, -100); return 0xd0;
	case 10: msgpack_pack_int16(pk, -1000); return 0xd1;
	case 11: msgpack_pack_int32(pk, -100000); return 0xd2;
	case 12: msgpack_pack_int64(pk, -(1LL << 40)); return 0xd3;
	case 13: msgpack_pack_float(pk, 1.5f); return 0xca;
	case 14: msgpack_pack_double(pk, -2.25); return 0xcb;
	case 15: mp_blob(m, 's', 3); return 0xa3;
	case 16: mp_blob(m, 's', 40); return 0xd9;
	case 17: mp_blob(m, 's', 300); return 0xda;
	case 18: mp_blob(m, 'b', 5); return 0xc4;
	case 19: mp_blob(m, 'b', 300); return 0xc5;
	case 20: mp_blob(m, 'e', 1); return 0xd4;
	case 21: mp_blob(m, 'e', 2); return 0xd5;
	case 22: mp_blob(m, 'e', 4); return 0xd6;
	case 23: mp_blob(m, 'e', 8); return 0xd7;
	case 24: mp_blob(m, 'e', 16); return 0xd8;
	case 25: mp_blob(m, 'e', 3); return 0xc7;
	case 26: mp_blob(m, 'e', 300); return 0xc8;
	case 27: mp_blob(m, 'e', 0); return 0xc7;
	case 28: mp_nils(m, 0, 0); return 0x90;
	case 29: mp_nils(m, 0, 3); return 0x93;
	case 30: mp_nils(m, 0, 20); return 0xdc;
	case 31: mp_nils(m, 1, 0); return 0x80;
	case 32: mp_nils(m, 1, 2); return 0x82;
	case 33: mp_nils(m, 1, 20); return 0xde;
	/* 32-bit lengths the packer only uses for big values, written by hand. */
	case 34: mp_raw(m, "\xdb\x00\x00\x00\x02hi", 7); return 0xdb;
	case 35: mp_raw(m, "\xc6\x00\x00\x00\x01\x00", 6); return 0xc6;
	case 36: mp_raw(m, "\xc9\x00\x00\x00\x02\x05" "ab", 8); return 0xc9;
	case 37: mp_raw(m, "\xdd\x00\x00\x00\x02\xc0\xc3", 7); return 0xdd;
	case 38: mp_raw(m, "\xdf\x00\x00\x00\x01\x01\xc2", 7); return 0xdf;
	default: return -1;
	}
}

#define NTYPES 39

/* Asserts that mpcheck accepts m and that msgpack-c unpacks all of it. */
static void
assert_valid(const struct mp *m)
{
	msgpack_unpacked up;
	size_t	 off = 0;

	assert_int_equal(mpcheck((const uint8_t *)m->sb.data, m->sb.size), 0);
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, m->sb.data, m->sb.size, &off),
	    MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, m->sb.size);
	msgpack_unpacked_destroy(&up);
}

/* mpcheck over a string literal's bytes. */
static int
mpcheck_str(const char *s, size_t n)
{
	return mpcheck((const uint8_t *)s, n);
}

/* Every type alone, and the big forms the packer picks for big values. */
static void
test_mpcheck_every_type(void **state)
{
	struct mp m;
	int	 i, first;

	for (i = 0; i < NTYPES; i++) {
		mp_init(&m);
		first = pack_one(&m, i);
		assert_int_not_equal(first, -1);
		assert_int_equal((uint8_t)m.sb.data[0], first);
		assert_valid(&m);
		mp_free(&m);
	}
	assert_int_equal(pack_one(&m, NTYPES), -1);

	mp_init(&m);
	mp_blob(&m, 's', 70000);
	mp_blob(&m, 'b', 70000);
	mp_blob(&m, 'e', 70000);
	mp_nils(&m, 0, 65536);
	mp_nils(&m, 1, 65536);
	assert_int_equal((uint8_t)m.sb.data[0], 0xdb);
	/* Five objects in a row are not one message; each one alone is. */
	assert_int_equal(mpcheck((uint8_t *)m.sb.data, m.sb.size), -1);
	mp_free(&m);
	for (i = 0; i < 5; i++) {
		mp_init(&m);
		if (i < 3)
			mp_blob(&m, "sbe"[i], 70000);
		else
			mp_nils(&m, i == 4, 65536);
		assert_int_equal((uint8_t)m.sb.data[0],
		    ((const uint8_t *)"\xdb\xc6\xc9\xdd\xdf")[i]);
		assert_valid(&m);
		mp_free(&m);
	}
}

/* One message nesting every type in an array and a map. */
static void
pack_composite(struct mp *m)
{
	int	 i;

	msgpack_pack_map(&m->pk, 2);
	mp_str(m, "all");
	msgpack_pack_array(&m->pk, NTYPES);
	for (i = 0; i < NTYPES; i++)
		pack_one(m, i);
	mp_str(m, "nested");
	msgpack_pack_array(&m->pk, 1);
	msgpack_pack_map(&m->pk, 1);
	msgpack_pack_uint8(&m->pk, 1);
	mp_blob(m, 'e', 5);
}

/* Every proper prefix of a valid message is refused, and so is one byte more. */
static void
test_mpcheck_truncated(void **state)
{
	struct mp m;
	uint8_t	*p;
	size_t	 cut;

	mp_init(&m);
	pack_composite(&m);
	assert_valid(&m);
	p = xmalloc(m.sb.size + 1);
	memcpy(p, m.sb.data, m.sb.size);
	for (cut = 0; cut < m.sb.size; cut++)
		if (mpcheck(p, cut) != -1)
			fail_msg("prefix of %zu of %zu bytes accepted", cut,
			    m.sb.size);
	p[m.sb.size] = 0xc0;
	assert_int_equal(mpcheck(p, m.sb.size + 1), -1);
	assert_int_equal(mpcheck(p, 0), -1);
	free(p);
	mp_free(&m);
}

/* Headers that claim more than the frame holds (API-NOTES: the 3 GiB bombs). */
static void
test_mpcheck_bombs(void **state)
{
	uint8_t	 b[64];
	int	 i;

	assert_int_equal(mpcheck_str("\xdd\x08\x00\x00\x00", 5), -1);
	assert_int_equal(mpcheck_str("\xdd\x08\x00\x00\x00\x00", 6), -1);
	assert_int_equal(mpcheck_str("\x91\xdd\x08\x00\x00\x00\xc0", 7), -1);
	/* Five nested array32 headers, 20 GiB for an unchecked unpacker. */
	for (i = 0; i < 5; i++)
		memcpy(b + 5 * i, "\xdd\x08\x00\x00\x00", 5);
	memset(b + 25, 0xc0, sizeof b - 25);
	assert_int_equal(mpcheck(b, sizeof b), -1);
	/* str32, bin32, ext32 claiming 2 GiB. */
	assert_int_equal(mpcheck_str("\xdb\x80\x00\x00\x00" "abcd", 9), -1);
	assert_int_equal(mpcheck_str("\xc6\x80\x00\x00\x00" "abcd", 9), -1);
	assert_int_equal(mpcheck_str("\xc9\x80\x00\x00\x00\x01" "abc", 9), -1);
	assert_int_equal(mpcheck_str("\xdb\xff\xff\xff\xff", 5), -1);
	/* Maps claiming more pairs than bytes: 65536 pairs, and 15 in 21 bytes. */
	memcpy(b, "\xdf\x00\x01\x00\x00", 5);
	memset(b + 5, 0xc0, sizeof b - 5);
	assert_int_equal(mpcheck(b, sizeof b), -1);
	b[0] = 0x8f;
	assert_int_equal(mpcheck(b, 21), -1);
	assert_int_equal(mpcheck(b, 31), 0);		/* exactly 15 pairs */
	/* An array one element short. */
	assert_int_equal(mpcheck_str("\x93\xc0\xc0", 3), -1);
	/* An ext must not swallow the header of the next object. */
	assert_int_equal(mpcheck_str("\x95\xc7\x00\x01\xdd\x08\x00\x00\x00", 9),
	    -1);
}

/* Nesting up to MPCHECK_MAX_DEPTH containers passes, one more fails. */
static void
test_mpcheck_depth(void **state)
{
	uint8_t	 b[2 * MPCHECK_MAX_DEPTH + 8];
	size_t	 n, i;
	int	 want;

	for (n = 1; n <= MPCHECK_MAX_DEPTH + 1; n++) {
		want = n <= MPCHECK_MAX_DEPTH ? 0 : -1;
		memset(b, 0x91, n);			/* [[…[nil]…]] */
		b[n] = 0xc0;
		assert_int_equal(mpcheck(b, n + 1), want);
		for (i = 0; i < n; i++)			/* {nil: {nil: … nil}} */
			memcpy(b + 2 * i, "\x81\xc0", 2);
		b[2 * n] = 0xc0;
		assert_int_equal(mpcheck(b, 2 * n + 1), want);
		memset(b, 0x81, n);			/* {{…{nil: nil}…}: nil} */
		memset(b + n, 0xc0, n + 1);
		assert_int_equal(mpcheck(b, 2 * n + 1), want);
	}
}

/* The reserved byte 0xc1, alone and inside a container. */
static void
test_mpcheck_reserved(void **state)
{
	assert_int_equal(mpcheck_str("\xc1", 1), -1);
	assert_int_equal(mpcheck_str("\x92\xc0\xc1", 3), -1);
	assert_int_equal(mpcheck_str("\x81\xc1\xc0", 3), -1);
	assert_int_equal(mpcheck_str("\xc0", 1), 0);
}

/* Fills every argument of op with a value derived from its spec. */
static void
fill_request(struct ctl_request *req, const struct ctl_opspec *op, int big)
{
	static const char bin[] = "\x00\xff\x01\x80 bytes\x00";
	const struct ctl_argspec *a;
	char	*s;
	size_t	 n;

	memset(req, 0, sizeof *req);
	req->op = op;
	for (a = op->args; a->key != NULL; a++) {
		switch (a->type) {
		case CTL_STR:
			n = big ? a->max : strlen(a->key) + 4;
			s = xmalloc(n + 1);
			memset(s, 'a', n);
			memcpy(s, big ? "\xc3\xa4" : "\xc3\xa4-", big ? 2 : 3);
			assert_int_equal(ctl_set(req, a->key, s, n, 0), 0);
			free(s);
			break;
		case CTL_BIN:
			assert_int_equal(ctl_set(req, a->key, bin,
			    sizeof bin - 1, 0), 0);
			break;
		case CTL_UINT:
			assert_int_equal(ctl_set(req, a->key, NULL, 0,
			    big ? a->max : 7), 0);
			break;
		case CTL_BOOL:
			assert_int_equal(ctl_set(req, a->key, NULL, 0, 1), 0);
			break;
		}
	}
}

/* Asserts two requests carry the same op and argument values. */
static void
assert_request_equal(const struct ctl_request *a, const struct ctl_request *b)
{
	int	 i;

	assert_ptr_equal(a->op, b->op);
	for (i = 0; i < CTL_MAX_ARGS; i++) {
		assert_int_equal(a->v[i].present, b->v[i].present);
		if (!a->v[i].present)
			continue;
		assert_int_equal(a->v[i].type, b->v[i].type);
		if (a->v[i].type == CTL_STR || a->v[i].type == CTL_BIN) {
			assert_int_equal(a->v[i].len, b->v[i].len);
			assert_memory_equal(a->v[i].s, b->v[i].s, a->v[i].len);
			assert_int_equal(b->v[i].s[b->v[i].len], '\0');
		} else
			assert_int_equal(a->v[i].u, b->v[i].u);
	}
}

/* Encodes req and decodes it again into out, which must succeed. */
static void
roundtrip(const struct ctl_request *req, struct ctl_request *out)
{
	uint8_t	*buf;
	size_t	 len;
	char	*cause = NULL;

	if (ctl_request_encode(req, &buf, &len, &cause) != 0)
		fail_msg("encode %s: %s", req->op->name, cause);
	if (ctl_request_decode(buf, len, out, &cause) != 0)
		fail_msg("decode %s: %s", req->op->name, cause);
	free(buf);
}

/* Every op with no arguments, with every argument, and with every one at its limit. */
static void
test_ctl_roundtrip(void **state)
{
	const struct ctl_opspec *op;
	struct ctl_request req, out;
	int	 big;

	for (op = ctl_ops; op->name != NULL; op++) {
		assert_ptr_equal(ctl_op_find(op->name), op);
		for (big = -1; big <= 1; big++) {
			if (big == 1 && strcmp(op->name, "publish") == 0)
				continue;	/* body max is the frame size */
			if (big == -1) {
				memset(&req, 0, sizeof req);
				req.op = op;
			} else
				fill_request(&req, op, big);
			roundtrip(&req, &out);
			assert_request_equal(&req, &out);
			ctl_request_clear(&out);
			ctl_request_clear(&req);
		}
	}
	assert_null(ctl_op_find("nope"));
}

/* The accessors see the right argument, and nothing for absent or mistyped keys. */
static void
test_ctl_accessors(void **state)
{
	struct ctl_request req, out;
	const uint8_t	*b;
	uint64_t	 u = 0;
	size_t		 n;

	fill_request(&req, ctl_op_find("log"), 0);
	roundtrip(&req, &out);
	assert_string_equal(ctl_str(&out, "node"), "\xc3\xa4-aaaaa");
	assert_int_equal(ctl_uint(&out, "limit", &u), 0);
	assert_int_equal(u, 7);
	assert_null(ctl_str(&out, "limit"));
	assert_int_equal(ctl_uint(&out, "node", &u), -1);
	assert_null(ctl_str(&out, "nope"));
	assert_int_equal(ctl_bool(&out, "node"), 0);
	assert_int_equal(ctl_set(&out, "nope", "x", 1, 0), -1);
	ctl_request_clear(&out);
	ctl_request_clear(&req);

	fill_request(&req, ctl_op_find("publish"), 0);
	roundtrip(&req, &out);
	assert_non_null(b = ctl_bin(&out, "body", &n));
	assert_int_equal(n, 11);
	assert_memory_equal(b, "\x00\xff\x01\x80 bytes\x00", 11);
	assert_null(ctl_str(&out, "body"));
	ctl_request_clear(&out);
	ctl_request_clear(&req);

	memset(&req, 0, sizeof req);
	req.op = ctl_op_find("show");
	roundtrip(&req, &out);
	assert_null(ctl_str(&out, "id"));
	ctl_request_clear(&out);

	/* Empty values: msgpack-c hands these over with a NULL pointer. */
	assert_int_equal(ctl_set(&req, "id", "", 0, 0), 0);
	roundtrip(&req, &out);
	assert_string_equal(ctl_str(&out, "id"), "");
	ctl_request_clear(&out);
	ctl_request_clear(&req);
	req.op = ctl_op_find("publish");
	assert_int_equal(ctl_set(&req, "body", "", 0, 0), 0);
	roundtrip(&req, &out);
	assert_non_null(ctl_bin(&out, "body", &n));
	assert_int_equal(n, 0);
	ctl_request_clear(&out);
	ctl_request_clear(&req);
}

/* Decodes m as a request, expecting failure with a cause containing want. */
static void
assert_rejected(const struct mp *m, const char *want)
{
	struct ctl_request req;
	char	*cause = NULL;

	if (ctl_request_decode((const uint8_t *)m->sb.data, m->sb.size, &req,
	    &cause) == 0)
		fail_msg("accepted; expected \"%s\"", want);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
	assert_null(req.op);		/* cleared on failure */
}

/* Starts [op, {…n pairs…}]. */
static void
mp_request(struct mp *m, const char *op, size_t n)
{
	mp_init(m);
	msgpack_pack_array(&m->pk, 2);
	mp_str(m, op);
	msgpack_pack_map(&m->pk, n);
}

/* Requests of the wrong shape. */
static void
test_ctl_reject_shape(void **state)
{
	struct mp m;
	char	 longop[40];

	mp_request(&m, "nope", 0);
	assert_rejected(&m, "unknown operation \"nope\"");
	mp_free(&m);
	memset(longop, 'a', sizeof longop - 1);
	longop[sizeof longop - 1] = '\0';
	mp_request(&m, longop, 0);
	assert_rejected(&m, "unknown operation");
	mp_free(&m);

	mp_init(&m);
	mp_nils(&m, 1, 1);
	assert_rejected(&m, "not [operation, arguments]");
	mp_free(&m);
	mp_init(&m);
	mp_str(&m, "status");
	assert_rejected(&m, "not [operation, arguments]");
	mp_free(&m);
	mp_init(&m);
	msgpack_pack_array(&m.pk, 1);
	mp_str(&m, "status");
	assert_rejected(&m, "not [operation, arguments]");
	mp_free(&m);
	mp_init(&m);
	msgpack_pack_array(&m.pk, 3);
	mp_str(&m, "status");
	msgpack_pack_map(&m.pk, 0);
	msgpack_pack_nil(&m.pk);
	assert_rejected(&m, "not [operation, arguments]");
	mp_free(&m);
	mp_init(&m);
	msgpack_pack_array(&m.pk, 2);
	msgpack_pack_uint8(&m.pk, 1);
	msgpack_pack_map(&m.pk, 0);
	assert_rejected(&m, "not [operation, arguments]");
	mp_free(&m);

	mp_init(&m);
	msgpack_pack_array(&m.pk, 2);
	mp_str(&m, "status");
	msgpack_pack_array(&m.pk, 0);
	assert_rejected(&m, "arguments are not a map");
	mp_free(&m);
}

/* Bytes that are not one well-formed message. */
static void
test_ctl_reject_bytes(void **state)
{
	struct mp m;
	uint8_t	*big;
	struct ctl_request req;
	char	*cause = NULL;

	mp_init(&m);
	assert_rejected(&m, "not well-formed");			/* empty */
	mp_raw(&m, "\xdd\x08\x00\x00\x00\x00", 6);
	assert_rejected(&m, "not well-formed");
	mp_free(&m);
	mp_request(&m, "status", 0);
	msgpack_pack_nil(&m.pk);				/* trailing */
	assert_rejected(&m, "not well-formed");
	mp_free(&m);
	mp_request(&m, "show", 1);				/* truncated */
	mp_str(&m, "id");
	assert_rejected(&m, "not well-formed");
	mp_free(&m);

	big = xcalloc(1, CTL_MAX_REQUEST + 1);
	assert_int_equal(ctl_request_decode(big, CTL_MAX_REQUEST + 1, &req,
	    &cause), -1);
	assert_string_equal(cause, "request too large");
	free(cause);
	free(big);
}

/* Argument maps with unknown, mistyped or repeated keys. */
static void
test_ctl_reject_keys(void **state)
{
	struct mp m;

	mp_request(&m, "show", 1);
	mp_str(&m, "bogus");
	mp_str(&m, "x");
	assert_rejected(&m, "show: unknown argument \"bogus\"");
	mp_free(&m);
	mp_request(&m, "status", 1);
	mp_str(&m, "id");
	mp_str(&m, "x");
	assert_rejected(&m, "status: unknown argument \"id\"");
	mp_free(&m);
	mp_request(&m, "show", 1);
	msgpack_pack_uint8(&m.pk, 1);
	mp_str(&m, "x");
	assert_rejected(&m, "argument name is not a string");
	mp_free(&m);
	mp_request(&m, "show", 2);
	mp_str(&m, "id");
	mp_str(&m, "a");
	mp_str(&m, "id");
	mp_str(&m, "b");
	assert_rejected(&m, "argument \"id\" given twice");
	mp_free(&m);
}

/* Argument values of the wrong type, too long, too large or not UTF-8. */
static void
test_ctl_reject_values(void **state)
{
	struct mp m;
	char	 s[130];

	mp_request(&m, "show", 1);
	mp_str(&m, "id");
	msgpack_pack_uint8(&m.pk, 5);
	assert_rejected(&m, "argument \"id\": expected a string");
	mp_free(&m);
	mp_request(&m, "publish", 1);
	mp_str(&m, "body");
	msgpack_pack_nil(&m.pk);
	assert_rejected(&m, "argument \"body\": expected bytes");
	mp_free(&m);
	mp_request(&m, "log", 1);
	mp_str(&m, "limit");
	mp_str(&m, "5");
	assert_rejected(&m, "argument \"limit\": expected a number");
	mp_free(&m);
	mp_request(&m, "log", 1);
	mp_str(&m, "limit");
	msgpack_pack_int8(&m.pk, -1);
	assert_rejected(&m, "argument \"limit\": expected a number");
	mp_free(&m);
	mp_request(&m, "log", 1);
	mp_str(&m, "limit");
	msgpack_pack_uint32(&m.pk, 1000001);
	assert_rejected(&m, "expected a number up to 1000000");
	mp_free(&m);

	memset(s, 'a', sizeof s);
	mp_request(&m, "show", 1);
	mp_str(&m, "id");
	msgpack_pack_str(&m.pk, 129);
	msgpack_pack_str_body(&m.pk, s, 129);
	assert_rejected(&m, "129 bytes is too long (at most 128)");
	mp_free(&m);
	mp_request(&m, "show", 1);
	mp_str(&m, "id");
	mp_str(&m, "ok\xc3(");
	assert_rejected(&m, "argument \"id\": not valid UTF-8");
	mp_free(&m);
	mp_request(&m, "show", 1);
	mp_str(&m, "id");
	msgpack_pack_str(&m.pk, 3);
	msgpack_pack_str_body(&m.pk, "a\0b", 3);
	assert_rejected(&m, "not valid UTF-8");
	mp_free(&m);
}

/* An op name with a NUL inside ("status\0junk") is not taken for "status". */
static void
test_ctl_bug_opname_nul(void **state)
{
	struct mp m;
	struct ctl_request req;
	char	*cause = NULL;

	mp_init(&m);
	msgpack_pack_array(&m.pk, 2);
	msgpack_pack_str(&m.pk, 11);
	msgpack_pack_str_body(&m.pk, "status\0junk", 11);
	msgpack_pack_map(&m.pk, 0);
	assert_int_equal(ctl_request_decode((uint8_t *)m.sb.data, m.sb.size,
	    &req, &cause), -1);
	assert_non_null(strstr(cause, "unknown operation"));
	free(cause);
	mp_free(&m);
}

/* A request too large to encode is refused. */
static void
test_ctl_encode_too_large(void **state)
{
	struct ctl_request req;
	uint8_t	*buf = NULL;
	size_t	 len;
	char	*body, *cause = NULL;

	memset(&req, 0, sizeof req);
	req.op = ctl_op_find("publish");
	body = xcalloc(1, CTL_MAX_REQUEST);
	assert_int_equal(ctl_set(&req, "body", body, CTL_MAX_REQUEST, 0), 0);
	assert_int_equal(ctl_request_encode(&req, &buf, &len, &cause), -1);
	assert_non_null(strstr(cause, "too large"));
	assert_null(buf);
	free(cause);
	free(body);
	ctl_request_clear(&req);
}

/* Decodes m as a reply, which must succeed. */
static void
reply_ok(const struct mp *m, struct ctl_reply *r)
{
	char	*cause = NULL;

	if (ctl_reply_decode((const uint8_t *)m->sb.data, m->sb.size, r,
	    &cause) != 0)
		fail_msg("reply: %s", cause);
}

/* A success reply with a map, read back through the ctl_obj helpers. */
static void
test_reply_roundtrip(void **state)
{
	struct mp m;
	struct ctl_reply r;
	const msgpack_object *o;
	char	*s;

	mp_init(&m);
	ctl_reply_begin(&m.pk, CTL_OK, NULL);
	msgpack_pack_map(&m.pk, 4);
	ctl_pack_kv(&m.pk, "name", "Stadt M\xc3\xbcnster");
	ctl_pack_ku(&m.pk, "seq", 1ULL << 40);
	ctl_pack_kv(&m.pk, "none", NULL);
	mp_str(&m, "raw");
	msgpack_pack_bin(&m.pk, 3);
	msgpack_pack_bin_body(&m.pk, "a\0b", 3);
	reply_ok(&m, &r);
	mp_free(&m);		/* the reply keeps its own copy */

	assert_int_equal(r.code, CTL_OK);
	assert_string_equal(r.message, "");
	assert_int_equal(r.data->type, MSGPACK_OBJECT_MAP);
	s = ctl_obj_strdup(ctl_obj_get(r.data, "name"));
	assert_string_equal(s, "Stadt M\xc3\xbcnster");
	free(s);
	assert_int_equal(ctl_obj_uint(ctl_obj_get(r.data, "seq")), 1ULL << 40);
	o = ctl_obj_get(r.data, "none");
	assert_non_null(o);
	assert_int_equal(o->type, MSGPACK_OBJECT_NIL);
	s = ctl_obj_strdup(o);
	assert_string_equal(s, "");
	free(s);
	s = ctl_obj_strdup(ctl_obj_get(r.data, "raw"));
	assert_string_equal(s, "a");
	free(s);
	assert_null(ctl_obj_get(r.data, "nam"));
	assert_null(ctl_obj_get(r.data, "names"));
	assert_null(ctl_obj_get(ctl_obj_get(r.data, "seq"), "x"));
	assert_null(ctl_obj_get(NULL, "x"));
	assert_int_equal(ctl_obj_uint(ctl_obj_get(r.data, "name")), 0);
	assert_int_equal(ctl_obj_uint(NULL), 0);
	s = ctl_obj_strdup(NULL);
	assert_string_equal(s, "");
	free(s);
	ctl_reply_clear(&r);
	ctl_reply_clear(&r);		/* twice is harmless */
}

/* An error reply carries code and formatted message, with nil data. */
static void
test_reply_error(void **state)
{
	struct mp m;
	struct ctl_reply r;

	mp_init(&m);
	ctl_reply_error(&m.sb, CTL_USAGE, "bad %s %d", "thing", 42);
	reply_ok(&m, &r);
	assert_int_equal(r.code, CTL_USAGE);
	assert_string_equal(r.message, "bad thing 42");
	assert_int_equal(r.data->type, MSGPACK_OBJECT_NIL);
	ctl_reply_clear(&r);
	mp_free(&m);

	mp_init(&m);
	ctl_reply_begin(&m.pk, CTL_ERROR, "failed");
	mp_nils(&m, 0, 2);
	reply_ok(&m, &r);
	assert_int_equal(r.code, CTL_ERROR);
	assert_string_equal(r.message, "failed");
	assert_int_equal(r.data->type, MSGPACK_OBJECT_ARRAY);
	assert_int_equal(r.data->via.array.size, 2);
	ctl_reply_clear(&r);
	mp_free(&m);
}

/* Decodes bytes as a reply, expecting the malformed-reply error. */
static void
reply_bad(const void *p, size_t n)
{
	struct ctl_reply r;
	char	*cause = NULL;

	if (ctl_reply_decode(p, n, &r, &cause) == 0)
		fail_msg("malformed reply of %zu bytes accepted", n);
	assert_string_equal(cause, "malformed reply from knowd");
	assert_null(r.raw);
	assert_null(r.message);
	free(cause);
	ctl_reply_clear(&r);
}

/* Replies of the wrong shape or with bad bytes. */
static void
test_reply_rejects(void **state)
{
	struct mp m;
	size_t	 cut;

	reply_bad("", 0);
	reply_bad("\xc0", 1);
	reply_bad("\x92\x00\xa0", 3);				/* [0, ""] */
	reply_bad("\x94\x00\xa0\xc0\xc0", 5);			/* four items */
	reply_bad("\x93\xa1" "0\xa0\xc0", 5);			/* code "0" */
	reply_bad("\x93\xff\xa0\xc0", 4);			/* code -1 */
	reply_bad("\x93\x04\xa0\xc0", 4);			/* code 4: above CTL_AGAIN */
	reply_bad("\x93\x00\xc0\xc0", 4);			/* message nil */
	reply_bad("\x93\x00\xc4\x00\xc0", 5);			/* message bin */
	reply_bad("\x93\x00\xa0\xc0\xc0", 5);			/* trailing */
	reply_bad("\x93\x00\xa0\xdd\x08\x00\x00\x00", 8);	/* bomb */
	reply_bad("\x93\x00\xa0\xc1", 4);

	mp_init(&m);
	ctl_reply_begin(&m.pk, CTL_OK, "fine");
	mp_nils(&m, 1, 3);
	for (cut = 0; cut < m.sb.size; cut++)
		reply_bad(m.sb.data, cut);
	mp_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpcheck_every_type),
		cmocka_unit_test(test_mpcheck_truncated),
		cmocka_unit_test(test_mpcheck_bombs),
		cmocka_unit_test(test_mpcheck_depth),
		cmocka_unit_test(test_mpcheck_reserved),
		cmocka_unit_test(test_ctl_roundtrip),
		cmocka_unit_test(test_ctl_accessors),
		cmocka_unit_test(test_ctl_reject_shape),
		cmocka_unit_test(test_ctl_reject_bytes),
		cmocka_unit_test(test_ctl_reject_keys),
		cmocka_unit_test(test_ctl_reject_values),
		cmocka_unit_test(test_ctl_bug_opname_nul),
		cmocka_unit_test(test_ctl_encode_too_large),
		cmocka_unit_test(test_reply_roundtrip),
		cmocka_unit_test(test_reply_error),
		cmocka_unit_test(test_reply_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
