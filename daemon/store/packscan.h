/*
 * packscan.h — a bounded pre-scan of a received git packfile (store room,
 * inside only; its own header so that the fuzz target and the unit tests
 * link packscan.c alone, with zlib).
 *
 * libgit2's indexer inflates every object and resolves every delta to
 * whatever size the pack declares. packscan walks the pack first, object by
 * object, and refuses it before any of that work when an object declares
 * more than the per-object limit, a delta declares a result beyond it, an
 * object inflates to other than it declared, or the pack as a whole would
 * inflate or resolve more than its budget. It inflates into a fixed scratch
 * buffer and keeps nothing but the objects' offsets. See PROTOCOL.md §3.3.
 */
#ifndef KNOWD_PACKSCAN_H
#define KNOWD_PACKSCAN_H

#include <stddef.h>
#include <stdint.h>

#define PACKSCAN_OBJECT_MAX	(1024u * 1024)	/* one object, inflated or resolved */
#define PACKSCAN_BUDGET		(256ull * 1024 * 1024)	/* one pack: inflated + resolved */
#define PACKSCAN_DEPTH_MAX	64		/* offset-delta chain */

struct packscan_limits {
	size_t		 object_max;	/* bytes an object may declare or resolve to */
	uint64_t	 budget;	/* inflated plus delta-result bytes of the pack */
	uint32_t	 objects_max;	/* objects the header may claim */
};

struct packscan_stats {
	uint32_t	 objects;
	uint32_t	 deltas;
	uint64_t	 inflated;	/* bytes zlib produced */
	uint64_t	 resolved;	/* result bytes the deltas declare */
};

/*
 * Scans a whole pack (header, objects, 20-byte trailer) against lim; 0 when
 * it keeps within every bound, else -1 with *cause naming the object (its
 * number and offset) and the bound. Thin packs are refused: an offset delta
 * must point at an earlier object of the pack. st (may be NULL) gets what
 * was seen.
 */
int	 packscan(const uint8_t *data, size_t len, const struct packscan_limits *lim,
	     struct packscan_stats *st, char **cause);

#endif
