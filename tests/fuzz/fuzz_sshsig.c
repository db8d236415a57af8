/* fuzz_sshsig.c — libFuzzer target: SSH signature blobs (raw) and armored signatures (text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The seeds in tests/fuzz/seeds/fuzz_sshsig are signatures of this message in
 * namespace "git" by the key with seed 0x01 0x01 … 0x01, so mutations of them
 * reach the signature check.
 */
#define FUZZ_MSG	"knowd fuzz message\n"

/* Parses the input as a raw blob, then de-armors and verifies it as text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 pk[KEYS_PK_LEN];
	static int	 ready;
	struct keys_sshsig s;
	uint8_t		 seed[32], sk[KEYS_SK_LEN], *blob;
	size_t		 len;
	char		*cause = NULL;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		memset(seed, 1, sizeof seed);
		crypto_sign_seed_keypair(pk, sk, seed);
		sodium_memzero(sk, sizeof sk);
		ready = 1;
	}

	if (keys_sshsig_parse(data, size, &s, &cause) == 0 &&
	    (s.nslen > size || s.hashalglen > size))
		abort();
	free(cause);

	cause = NULL;
	if (keys_sshsig_dearmor((const char *)data, size, &blob, &len,
	    &cause) == 0) {
		cause = NULL;
		if (keys_sshsig_parse(blob, len, &s, &cause) != 0)
			free(cause);
		free(blob);
	} else
		free(cause);

	cause = NULL;
	keys_sshsig_verify(pk, "git", FUZZ_MSG, strlen(FUZZ_MSG),
	    (const char *)data, size, &cause);
	free(cause);
	return 0;
}
