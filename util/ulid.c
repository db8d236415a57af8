/* ulid.c — record ids: ULIDs, 48 bits of milliseconds and 80 random bits in Crockford base32. */
#include <time.h>

#include <sodium.h>

#include "util.h"

void
ulid_new(char *out)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	struct timespec	 ts;
	uint64_t	 ms;
	uint8_t		 rnd[10];
	int		 i, bit;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (i = 9; i >= 0; i--) {		/* 48-bit time: 10 characters */
		out[i] = alphabet[ms & 31];
		ms >>= 5;
	}
	randombytes_buf(rnd, sizeof rnd);	/* 80 random bits: 16 characters */
	for (i = 0; i < 16; i++) {
		bit = i * 5;
		out[10 + i] = alphabet[((rnd[bit / 8] << 8 |
		    (bit / 8 + 1 < 10 ? rnd[bit / 8 + 1] : 0)) >>
		    (11 - bit % 8)) & 31];
	}
	out[26] = '\0';
}
