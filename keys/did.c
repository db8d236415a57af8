/* did.c — did:key ids: multibase base58btc ('z') of the multicodec 0xed 0x01 and the public key. */
#include <string.h>

#include "keys.h"
#include "util.h"

#define B58_IN_MAX	64	/* bytes we ever encode or decode */
/* Digits for B58_IN_MAX bytes: 64 * log(256) / log(58) < 88. */
#define B58_OUT_MAX	90
#define MC_LEN		2	/* multicodec ed25519-pub: varint 0xed 0x01 */

static const char b58_chars[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Value of one base58 digit, or -1. */
static int
b58_value(int c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b58_chars, c)) == NULL)
		return -1;
	return (int)(p - b58_chars);
}

/*
 * Base58btc of in[0..n) into out (outsz bytes with the NUL); every leading
 * zero byte becomes a '1'. -1 when it does not fit.
 */
static int
b58_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	uint8_t	 digits[B58_OUT_MAX];	/* little-endian base 58 */
	size_t	 zeros = 0, ndig = 0, i, j;
	unsigned int carry;

	if (n > B58_IN_MAX)
		return -1;
	while (zeros < n && in[zeros] == 0)
		zeros++;
	for (i = zeros; i < n; i++) {
		carry = in[i];
		for (j = 0; j < ndig; j++) {
			carry += (unsigned int)digits[j] << 8;
			digits[j] = carry % 58;
			carry /= 58;
		}
		while (carry > 0) {
			digits[ndig++] = carry % 58;
			carry /= 58;
		}
	}
	if (zeros + ndig + 1 > outsz)
		return -1;
	memset(out, '1', zeros);
	for (j = 0; j < ndig; j++)
		out[zeros + j] = b58_chars[digits[ndig - 1 - j]];
	out[zeros + ndig] = '\0';
	return 0;
}

/*
 * Decodes base58btc s[0..len) into out (at most outsz bytes); each leading
 * '1' is a zero byte.
 */
static int
b58_decode(const char *s, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen, char **cause)
{
	uint8_t	 bytes[B58_IN_MAX];	/* little-endian base 256 */
	size_t	 zeros = 0, nb = 0, i, j;
	unsigned int carry;
	int	 v;

	while (zeros < len && s[zeros] == '1')
		zeros++;
	for (i = zeros; i < len; i++) {
		if ((v = b58_value((unsigned char)s[i])) < 0)
			return set_cause(cause, "character %zu is not "
			    "base58btc", i + 1);
		carry = (unsigned int)v;
		for (j = 0; j < nb; j++) {
			carry += (unsigned int)bytes[j] * 58;
			bytes[j] = carry & 0xff;
			carry >>= 8;
		}
		while (carry > 0) {
			if (nb == sizeof bytes)
				return set_cause(cause, "value too long");
			bytes[nb++] = carry & 0xff;
			carry >>= 8;
		}
	}
	if (zeros + nb > outsz)
		return set_cause(cause, "base58btc value too long");
	memset(out, 0, zeros);
	for (j = 0; j < nb; j++)
		out[zeros + j] = bytes[nb - 1 - j];
	*outlen = zeros + nb;
	return 0;
}

/* Writes the nid "z6Mk…" of pk: 'z' and base58btc of 0xed 0x01 || pk. */
void
keys_nid_encode(const uint8_t pk[KEYS_PK_LEN], char *out)
{
	uint8_t	 mc[MC_LEN + KEYS_PK_LEN] = { 0xed, 0x01 };

	memcpy(mc + MC_LEN, pk, KEYS_PK_LEN);
	out[0] = 'z';
	/* 34 bytes starting 0xed are always 47 digits: this cannot fail. */
	if (b58_encode(mc, sizeof mc, out + 1, KEYS_NID_MAX - 1) != 0)
		out[0] = '\0';
}

/* Writes "did:key:" and the nid of pk. */
void
keys_did_encode(const uint8_t pk[KEYS_PK_LEN], char *out)
{
	memcpy(out, KEYS_DID_PREFIX, sizeof KEYS_DID_PREFIX - 1);
	keys_nid_encode(pk, out + sizeof KEYS_DID_PREFIX - 1);
}

/* Decodes a did:key or bare nid into the Ed25519 public key, strictly. */
int
keys_did_decode(const char *did, uint8_t pk[KEYS_PK_LEN], char **cause)
{
	uint8_t		 buf[MC_LEN + KEYS_PK_LEN + 8];
	char		 check[KEYS_NID_MAX];
	const char	*s = did;
	size_t		 len, n = 0;

	if (strnlen(did, KEYS_DID_MAX + 1) > KEYS_DID_MAX)
		return set_cause(cause, "node id too long (at most %d "
		    "characters)", KEYS_DID_MAX);
	if (strncmp(s, KEYS_DID_PREFIX, sizeof KEYS_DID_PREFIX - 1) == 0)
		s += sizeof KEYS_DID_PREFIX - 1;
	else if (strncmp(s, "did:", 4) == 0)
		return set_cause(cause, "not a did:key id (only did:key is "
		    "supported)");
	if (*s != 'z')
		return set_cause(cause, "node id must be multibase base58btc "
		    "(starting with 'z')");
	len = strlen(s + 1);
	if (len == 0)
		return set_cause(cause, "empty node id");
	if (b58_decode(s + 1, len, buf, sizeof buf, &n, cause) != 0)
		return -1;
	if (n != sizeof buf - 8)
		return set_cause(cause, "node id holds %zu bytes, not %zu", n,
		    sizeof buf - 8);
	if (buf[0] != 0xed || buf[1] != 0x01)
		return set_cause(cause, "node id is not an Ed25519 key "
		    "(multicodec 0x%02x%02x, not 0xed01)", buf[0], buf[1]);
	/* Base58 with leading '1's is canonical; the round trip makes sure. */
	keys_nid_encode(buf + MC_LEN, check);
	if (strcmp(check, s) != 0)
		return set_cause(cause, "node id is not in canonical form");
	memcpy(pk, buf + MC_LEN, KEYS_PK_LEN);
	return 0;
}
