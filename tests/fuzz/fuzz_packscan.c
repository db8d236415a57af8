/*
 * fuzz_packscan.c — packscan (the bounds a received pack must keep before
 * libgit2 sees it) and the git fsck --strict checks of commits and trees,
 * on anything. The first byte picks: 0..127 a pack whose header this
 * target writes (count from the second byte) and whose 20-byte trailer it
 * appends, 128..191 a commit, 192..255 a tree. Every failure must say why;
 * a pack that passes must have kept its budget.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packscan.h"
#include "store_int.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Small limits, so the fuzzer reaches every bound. */
static const struct packscan_limits lim = { 4096, 64 * 1024, 64 };

/* Scans data as the objects of a pack of count objects. */
static void
one_pack(uint32_t count, const uint8_t *data, size_t size)
{
	struct packscan_stats st;
	uint8_t		*p = xcalloc(1, 12 + size + 20);
	char		*cause = NULL;

	memcpy(p, "PACK", 4);
	put_be32(p + 4, 2);
	put_be32(p + 8, count);
	if (size > 0)
		memcpy(p + 12, data, size);
	if (packscan(p, 12 + size + 20, &lim, &st, &cause) == 0) {
		if (cause != NULL || st.objects != count ||
		    st.inflated + st.resolved > lim.budget)
			abort();
	} else if (cause == NULL)
		abort();
	free(cause);
	free(p);
}

/* Checks data as a commit or a tree; a failure must say why. */
static void
one_object(int tree, const uint8_t *data, size_t size)
{
	char	*copy = xmalloc(size > 0 ? size : 1), *cause = NULL;
	int	 rv;

	/* An exact-size copy: ASan sees any read past the object. */
	memcpy(copy, data, size);
	rv = tree ? fsck_tree(copy, size, &cause) :
	    fsck_commit(copy, size, &cause);
	if ((rv == 0) != (cause == NULL))
		abort();
	free(cause);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (data[0] < 128)
		one_pack(data[1] & 0x3f, data + 2, size - 2);
	else
		one_object(data[0] >= 192, data + 1, size - 1);
	return 0;
}
