/* mpcheck.h — a pre-scan of msgpack bytes from untrusted sources, before unpacking. */
#ifndef KNOWD_MPCHECK_H
#define KNOWD_MPCHECK_H

#include <stddef.h>
#include <stdint.h>

#define MPCHECK_MAX_DEPTH 16

/*
 * Walks buf[0..len) and returns 0 only when it holds exactly one msgpack
 * object, nested at most MPCHECK_MAX_DEPTH deep, in which no array, map, str,
 * bin or ext claims more elements or bytes than are left in the buffer. After
 * this check msgpack-c's unpacker allocates at most a small multiple of len.
 */
int	mpcheck(const uint8_t *buf, size_t len);

#endif
