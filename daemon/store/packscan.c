/* packscan.c — bounds every object of a received pack before libgit2 inflates or resolves it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "packscan.h"
#include "util.h"

#define SCAN_HEADER	12		/* "PACK", version, count */
#define SCAN_TRAILER	20		/* SHA-1 of everything before */
#define SCAN_CHUNK	(64 * 1024)	/* scratch output of one inflate call */
#define SCAN_DELTA_HDR	20		/* two varints of at most 10 bytes */

enum {
	OBJ_COMMIT = 1, OBJ_TREE = 2, OBJ_BLOB = 3, OBJ_TAG = 4,
	OBJ_OFS_DELTA = 6, OBJ_REF_DELTA = 7
};

static const char *const type_name[8] = {
	"type 0", "commit", "tree", "blob", "tag", "type 5", "offset delta",
	"ref delta"
};

/* The scan's state: where it is, what it kept, what it spent. */
struct scan {
	const uint8_t	*data;
	size_t		 end;		/* where the trailer starts */
	size_t		 pos;
	const struct packscan_limits *lim;
	struct packscan_stats st;
	size_t		*offsets;	/* each object's start, ascending */
	uint8_t		*depth;		/* each object's offset-delta depth */
	uint8_t		*out;		/* SCAN_CHUNK of scratch */
	z_stream	 z;
	int		 zinit;
};

/* One object's header as the pack states it. */
struct scan_obj {
	uint32_t	 index;
	size_t		 start;
	int		 type;
	uint64_t	 size;		/* inflated bytes declared */
	uint32_t	 base;		/* offset delta: the base's index */
	uint8_t		 hdr[SCAN_DELTA_HDR];	/* a delta's first inflated bytes */
	size_t		 nhdr;
};

/* Fails the scan naming the object: "pack object N (TYPE at offset O): what". */
static int __attribute__((format(printf, 3, 4)))
obj_fail(char **cause, const struct scan_obj *o, const char *fmt, ...)
{
	va_list	 ap;
	char	*what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	set_cause(cause, "pack object %u (%s at offset %zu): %s", o->index,
	    type_name[o->type & 7], o->start, what);
	free(what);
	return -1;
}

/* Fails the scan: the pack would inflate and resolve more than its budget. */
static int
budget_fail(const struct scan *s, const struct scan_obj *o, char **cause)
{
	return obj_fail(cause, o, "the pack would inflate and resolve more "
	    "than %llu bytes", (unsigned long long)s->lim->budget);
}

/* Reads the type-and-size varint that starts every object. */
static int
read_obj_header(struct scan *s, struct scan_obj *o, char **cause)
{
	unsigned int	 shift = 4;
	uint8_t		 c;

	if (s->pos >= s->end)
		return set_cause(cause, "pack object %u at offset %zu: pack "
		    "ends early", o->index, s->pos);
	c = s->data[s->pos++];
	o->type = (c >> 4) & 7;
	o->size = c & 15;
	while (c & 0x80) {
		if (s->pos >= s->end || shift > 57)
			return set_cause(cause, "pack object %u at offset %zu: "
			    "bad size header", o->index, o->start);
		c = s->data[s->pos++];
		o->size |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (o->type == 0 || o->type == 5)
		return set_cause(cause, "pack object %u at offset %zu: unknown "
		    "type %d", o->index, o->start, o->type);
	return 0;
}

/* Finds the index of the object starting at off (-1 when none does). */
static long
find_offset(const struct scan *s, uint32_t n, size_t off)
{
	uint32_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->offsets[mid] == off)
			return (long)mid;
		if (s->offsets[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Reads an offset delta's base offset (git's encoding) and finds its object. */
static int
read_ofs_base(struct scan *s, struct scan_obj *o, char **cause)
{
	uint64_t	 ofs;
	long		 base;
	uint8_t		 c;

	if (s->pos >= s->end)
		return obj_fail(cause, o, "the pack ends at offset %zu", s->pos);
	c = s->data[s->pos++];
	ofs = c & 0x7f;
	while (c & 0x80) {
		if (s->pos >= s->end || ofs > (UINT64_MAX >> 8))
			return obj_fail(cause, o, "bad base offset");
		c = s->data[s->pos++];
		ofs = ((ofs + 1) << 7) | (c & 0x7f);
	}
	if (ofs == 0 || ofs > o->start ||
	    (base = find_offset(s, o->index, o->start - ofs)) < 0)
		return obj_fail(cause, o, "its base %llu bytes back is no "
		    "earlier object of the pack", (unsigned long long)ofs);
	o->base = (uint32_t)base;
	if (s->depth[base] + 1 > PACKSCAN_DEPTH_MAX)
		return obj_fail(cause, o, "delta chain deeper than %d",
		    PACKSCAN_DEPTH_MAX);
	s->depth[o->index] = s->depth[base] + 1;
	return 0;
}

/* Reads one little-endian base-128 varint of a delta header. */
static int
delta_varint(const uint8_t *p, size_t n, size_t *at, uint64_t *v)
{
	unsigned int	 shift = 0;
	uint8_t		 c;

	*v = 0;
	do {
		if (*at >= n || shift > 63)
			return -1;
		c = p[(*at)++];
		*v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return 0;
}

/* Checks a delta's declared source and result sizes, once its first bytes are in. */
static int
check_delta_header(struct scan *s, struct scan_obj *o, int complete,
    char **cause)
{
	uint64_t	 src, res;
	size_t		 at = 0;

	if (delta_varint(o->hdr, o->nhdr, &at, &src) != 0 ||
	    delta_varint(o->hdr, o->nhdr, &at, &res) != 0) {
		if (!complete && o->nhdr < SCAN_DELTA_HDR)
			return 1;		/* more bytes to come */
		return obj_fail(cause, o, "bad delta header");
	}
	if (src > s->lim->object_max)
		return obj_fail(cause, o, "delta source of %llu bytes, larger "
		    "than %zu bytes", (unsigned long long)src, s->lim->object_max);
	if (res > s->lim->object_max)
		return obj_fail(cause, o, "delta result of %llu bytes, larger "
		    "than %zu bytes", (unsigned long long)res, s->lim->object_max);
	s->st.resolved += res;
	if (s->st.inflated + s->st.resolved > s->lim->budget)
		return budget_fail(s, o, cause);
	return 0;
}

/* Keeps a delta's first inflated bytes until its header can be read. */
static int
delta_bytes(struct scan *s, struct scan_obj *o, size_t got, int *pending,
    int complete, char **cause)
{
	size_t		 take = SCAN_DELTA_HDR - o->nhdr;
	int		 r;

	if (take > got)
		take = got;
	memcpy(o->hdr + o->nhdr, s->out, take);
	o->nhdr += take;
	if ((r = check_delta_header(s, o, complete, cause)) < 0)
		return -1;
	*pending = r;
	return 0;
}

/* Inflates one object's zlib stream into scratch, counting, to its end. */
static int
inflate_obj(struct scan *s, struct scan_obj *o, char **cause)
{
	int		 delta = o->type >= OBJ_OFS_DELTA, pending = delta, zr;
	uint64_t	 total = 0;
	size_t		 got;

	if (inflateReset(&s->z) != Z_OK)
		return obj_fail(cause, o, "zlib cannot reset");
	s->z.next_in = (Bytef *)(s->data + s->pos);
	s->z.avail_in = (uInt)(s->end - s->pos);
	do {
		s->z.next_out = s->out;
		s->z.avail_out = SCAN_CHUNK;
		zr = inflate(&s->z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			return obj_fail(cause, o, "bad zlib data after %llu bytes",
			    (unsigned long long)total);
		got = SCAN_CHUNK - s->z.avail_out;
		total += got;
		s->st.inflated += got;
		if (total > o->size)
			return obj_fail(cause, o, "inflates past its declared "
			    "%llu bytes", (unsigned long long)o->size);
		if (s->st.inflated + s->st.resolved > s->lim->budget)
			return budget_fail(s, o, cause);
		if (pending && got > 0 &&
		    delta_bytes(s, o, got, &pending, zr == Z_STREAM_END, cause) != 0)
			return -1;
		if (zr == Z_OK && got == 0 && s->z.avail_in == 0)
			return obj_fail(cause, o, "the pack ends inside it");
	} while (zr != Z_STREAM_END);
	if (total != o->size)
		return obj_fail(cause, o, "inflates to %llu bytes, not the "
		    "%llu it declares", (unsigned long long)total,
		    (unsigned long long)o->size);
	if (pending)
		return obj_fail(cause, o, "delta too short for its header");
	s->pos = s->end - s->z.avail_in;
	return 0;
}

/* Scans one object: header, size bound, base, stream. */
static int
scan_obj(struct scan *s, uint32_t index, char **cause)
{
	struct scan_obj	 o;

	memset(&o, 0, sizeof o);
	o.index = index;
	o.start = s->pos;
	s->offsets[index] = s->pos;
	if (read_obj_header(s, &o, cause) != 0)
		return -1;
	if (o.size > s->lim->object_max)
		return obj_fail(cause, &o, "%llu bytes, larger than %zu bytes",
		    (unsigned long long)o.size, s->lim->object_max);
	if (o.type == OBJ_OFS_DELTA && read_ofs_base(s, &o, cause) != 0)
		return -1;
	if (o.type == OBJ_REF_DELTA) {
		if (s->end - s->pos < 20)
			return obj_fail(cause, &o, "the pack ends at offset %zu", s->pos);
		s->pos += 20;
	}
	if (o.type >= OBJ_OFS_DELTA)
		s->st.deltas++;
	return inflate_obj(s, &o, cause);
}

/* Checks the 12-byte header; *count gets the objects it claims. */
static int
scan_header(const uint8_t *data, size_t len, const struct packscan_limits *lim,
    uint32_t *count, char **cause)
{
	uint32_t	 version;

	if (len < SCAN_HEADER + SCAN_TRAILER)
		return set_cause(cause, "pack of %zu bytes is too short", len);
	if (memcmp(data, "PACK", 4) != 0)
		return set_cause(cause, "not a pack: no PACK signature");
	version = get_be32(data + 4);
	if (version != 2 && version != 3)
		return set_cause(cause, "pack version %u, expected 2 or 3",
		    version);
	*count = get_be32(data + 8);
	if (*count > lim->objects_max)
		return set_cause(cause, "pack claims %u objects, limit %u",
		    *count, lim->objects_max);
	/* Every object takes at least two bytes of header and stream. */
	if (*count > (len - SCAN_HEADER - SCAN_TRAILER) / 2)
		return set_cause(cause, "pack claims %u objects in %zu bytes",
		    *count, len);
	return 0;
}

int
packscan(const uint8_t *data, size_t len, const struct packscan_limits *lim,
    struct packscan_stats *st, char **cause)
{
	struct scan	 s;
	uint32_t	 count = 0, i;
	int		 rv = -1;

	memset(&s, 0, sizeof s);
	if (scan_header(data, len, lim, &count, cause) != 0)
		goto out;
	s.data = data;
	s.end = len - SCAN_TRAILER;
	s.pos = SCAN_HEADER;
	s.lim = lim;
	s.offsets = xcalloc(count + 1, sizeof *s.offsets);
	s.depth = xcalloc(count + 1, 1);
	s.out = xmalloc(SCAN_CHUNK);
	if (inflateInit(&s.z) != Z_OK) {
		set_cause(cause, "zlib: cannot start");
		goto out;
	}
	s.zinit = 1;
	for (i = 0; i < count; i++)
		if (scan_obj(&s, i, cause) != 0)
			goto out;
	s.st.objects = count;
	if (s.pos != s.end) {
		set_cause(cause, "pack has %zu bytes after its %u objects",
		    s.end - s.pos, count);
		goto out;
	}
	rv = 0;
out:
	if (st != NULL)
		*st = s.st;
	if (s.zinit)
		inflateEnd(&s.z);
	free(s.offsets);
	free(s.depth);
	free(s.out);
	return rv;
}
