/* mpcheck.c — reject msgpack whose headers claim more than the frame holds (API-NOTES). */
#include "mpcheck.h"
#include "util.h"

/* Reads an n-byte big-endian count at p. */
static uint64_t
be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * Decodes one header at buf[*pos]: sets *skip to the payload bytes that
 * follow it and *children to the number of nested objects it opens.
 * Returns -1 on a truncated header or the reserved byte 0xc1.
 */
static int
header(const uint8_t *buf, size_t len, size_t *pos, uint64_t *skip,
    uint64_t *children)
{
	static const uint8_t fixlen[] = { 1, 2, 4, 8, 16 };	/* fixext 1..16 */
	uint8_t	 b;
	size_t	 need = 0, left;

	b = buf[(*pos)++];
	left = len - *pos;
	*skip = 0;
	*children = 0;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return 0;
	if ((b & 0xf0) == 0x80) {
		*children = 2u * (b & 0x0f);
		return 0;
	}
	if ((b & 0xf0) == 0x90) {
		*children = b & 0x0f;
		return 0;
	}
	if ((b & 0xe0) == 0xa0) {
		*skip = b & 0x1f;
		return 0;
	}
	switch (b) {
	case 0xc4: case 0xd9: need = 1; break;		/* bin8, str8 */
	case 0xc5: case 0xda: need = 2; break;		/* bin16, str16 */
	case 0xc6: case 0xdb: need = 4; break;		/* bin32, str32 */
	case 0xc7: need = 2; break;			/* ext8: len, type */
	case 0xc8: need = 3; break;			/* ext16 */
	case 0xc9: need = 5; break;			/* ext32 */
	case 0xca: case 0xce: case 0xd2: *skip = 4; return 0;
	case 0xcb: case 0xcf: case 0xd3: *skip = 8; return 0;
	case 0xcc: case 0xd0: *skip = 1; return 0;
	case 0xcd: case 0xd1: *skip = 2; return 0;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		*skip = 1 + fixlen[b - 0xd4];		/* type byte + data */
		return 0;
	case 0xdc: case 0xdd: need = b == 0xdc ? 2 : 4; break;	/* array */
	case 0xde: case 0xdf: need = b == 0xde ? 2 : 4; break;	/* map */
	default:
		return -1;				/* 0xc1 */
	}
	if (need > left)
		return -1;
	switch (b) {
	case 0xc7: case 0xc8: case 0xc9:	/* need covers the type byte */
		*skip = be(buf + *pos, (int)need - 1);
		break;
	case 0xdc: case 0xdd:
		*children = be(buf + *pos, (int)need);
		break;
	case 0xde: case 0xdf:
		*children = 2 * be(buf + *pos, (int)need);
		break;
	default:
		*skip = be(buf + *pos, (int)need);
		break;
	}
	*pos += need;
	return 0;
}

int
mpcheck(const uint8_t *buf, size_t len)
{
	uint64_t stack[MPCHECK_MAX_DEPTH + 1];	/* objects still to read per level */
	uint64_t skip, children;
	size_t	 pos = 0;
	int	 depth = 0;

	stack[0] = 1;
	while (depth >= 0) {
		if (stack[depth] == 0) {
			depth--;
			continue;
		}
		if (pos >= len)
			return -1;
		stack[depth]--;
		if (header(buf, len, &pos, &skip, &children) == -1)
			return -1;
		if (skip > len - pos)
			return -1;
		pos += skip;
		if (children == 0)
			continue;
		/* Every child needs at least one byte. */
		if (children > len - pos || depth == MPCHECK_MAX_DEPTH)
			return -1;
		stack[++depth] = children;
	}
	return pos == len ? 0 : -1;
}
