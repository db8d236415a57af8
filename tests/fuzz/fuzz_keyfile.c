/* fuzz_keyfile.c — libFuzzer target: OpenSSH private key files and public key lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Feeds the input to both key file decoders; decoded keys must round-trip. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keys_pair kp;
	uint8_t		 pk[KEYS_PK_LEN];
	char		*text, *cause = NULL, *again;
	size_t		 len;

	if (keys_sk_decode((const char *)data, size, &kp, &cause) == 0) {
		/* Whatever decodes must encode and decode to the same key. */
		if (keys_sk_encode(&kp, "fuzz", &again, &len) != 0 ||
		    keys_sk_decode(again, len, &kp, NULL) != 0)
			abort();
		free(again);
		keys_wipe(&kp);
	}
	free(cause);

	/* keys_pub_decode takes a C string. */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cause = NULL;
	if (keys_pub_decode(text, pk, &cause) == 0 && cause != NULL)
		abort();
	free(cause);
	free(text);
	return 0;
}
