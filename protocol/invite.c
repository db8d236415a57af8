/* invite.c — the invitation line and the JOIN proofs (PROTOCOL.md §4.9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "invite.h"
#include "log.h"
#include "util.h"

#define INVITE_VERSION	1
#define INVITE_BIN_MAX	(1 + INVITE_ID_LEN + INVITE_SECRET_LEN + \
	KEYS_PK_LEN + 1 + INVITE_NET_MAX + 1 + INVITE_ADDR_MAX + INVITE_CHECK_LEN)

static const char ctx_key[] = "knowd invite key v1";
static const char ctx_join[] = "knowd join v1";
static const char ctx_joined[] = "knowd joined v1";

/* The check bytes over the prefix and the payload before them. */
static void
invite_check(const uint8_t *p, size_t n, uint8_t out[INVITE_CHECK_LEN])
{
	crypto_generichash_blake2b_state st;
	uint8_t		 h[32];

	crypto_generichash_blake2b_init(&st, NULL, 0, sizeof h);
	crypto_generichash_blake2b_update(&st, (const uint8_t *)INVITE_PREFIX,
	    strlen(INVITE_PREFIX));
	crypto_generichash_blake2b_update(&st, p, n);
	crypto_generichash_blake2b_final(&st, h, sizeof h);
	memcpy(out, h, INVITE_CHECK_LEN);
}

/* True when s[0..n) is printable ASCII without spaces (a network name or address). */
static int
invite_text_ok(const uint8_t *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return n > 0;
}

/* Reads a length-prefixed text field of at most max bytes into out. */
static int
invite_field(const uint8_t *b, size_t n, size_t *pos, char *out, size_t max)
{
	size_t	 len;

	if (*pos >= n)
		return -1;
	len = b[(*pos)++];
	if (len == 0 || len > max || len > n - *pos ||
	    !invite_text_ok(b + *pos, len))
		return -1;
	memcpy(out, b + *pos, len);
	out[len] = '\0';
	*pos += len;
	return 0;
}

/* Checks and splits the decoded payload b[0..n). */
static int
invite_fields(const uint8_t *b, size_t n, struct invite_line *inv,
    char **cause)
{
	uint8_t	 check[INVITE_CHECK_LEN];
	size_t	 pos = 1 + INVITE_ID_LEN + INVITE_SECRET_LEN + KEYS_PK_LEN;

	if (n < pos + 2 + 2 + INVITE_CHECK_LEN)
		return set_cause(cause, "Einladung unvollständig: %zu Bytes, "
		    "mindestens %zu (Zeile abgeschnitten?)", n,
		    pos + 4 + (size_t)INVITE_CHECK_LEN);
	invite_check(b, n - INVITE_CHECK_LEN, check);
	if (sodium_memcmp(check, b + n - INVITE_CHECK_LEN,
	    INVITE_CHECK_LEN) != 0)
		return set_cause(cause, "Einladung fehlerhaft: die Prüfsumme "
		    "stimmt nicht (Tippfehler oder unvollständig kopiert?)");
	if (b[0] != INVITE_VERSION)
		return set_cause(cause, "Einladung der Version %u wird nicht "
		    "unterstützt (nur %d)", b[0], INVITE_VERSION);
	memcpy(inv->id, b + 1, INVITE_ID_LEN);
	memcpy(inv->secret, b + 1 + INVITE_ID_LEN, INVITE_SECRET_LEN);
	memcpy(inv->pk, b + 1 + INVITE_ID_LEN + INVITE_SECRET_LEN,
	    KEYS_PK_LEN);
	n -= INVITE_CHECK_LEN;
	if (invite_field(b, n, &pos, inv->network, INVITE_NET_MAX) != 0)
		return set_cause(cause, "Einladung fehlerhaft: Netzname");
	if (invite_field(b, n, &pos, inv->addr, INVITE_ADDR_MAX) != 0 ||
	    strchr(inv->addr, ':') == NULL)
		return set_cause(cause, "Einladung fehlerhaft: Adresse "
		    "(HOST:PORT erwartet)");
	if (pos != n)
		return set_cause(cause, "Einladung fehlerhaft: %zu Bytes zu "
		    "viel", n - pos);
	return 0;
}

int
invite_parse(const char *line, struct invite_line *inv, char **cause)
{
	uint8_t		 bin[INVITE_BIN_MAX + 1];
	const char	*s = line, *end;
	size_t		 n = 0, plen = strlen(INVITE_PREFIX);
	int		 rv;

	memset(inv, 0, sizeof *inv);
	if (strnlen(line, INVITE_LINE_MAX + 1) > INVITE_LINE_MAX)
		return set_cause(cause, "Einladung zu lang (höchstens %d "
		    "Zeichen)", INVITE_LINE_MAX);
	s += strspn(s, " \t\r\n");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]) != NULL)
		end--;
	if ((size_t)(end - s) < plen || memcmp(s, INVITE_PREFIX, plen) != 0) {
		if (strncmp(s, "knowd-invite:", 13) == 0)
			return set_cause(cause, "Einladung einer anderen "
			    "Version (erwartet %s…)", INVITE_PREFIX);
		return set_cause(cause, "keine Einladung: sie beginnt mit "
		    "%s", INVITE_PREFIX);
	}
	s += plen;
	if (sodium_base642bin(bin, sizeof bin, s, (size_t)(end - s), " \t\r\n",
	    &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		rv = set_cause(cause, "Einladung fehlerhaft: ungültige "
		    "Zeichen oder zu lang (Tippfehler?)");
	else
		rv = invite_fields(bin, n, inv, cause);
	sodium_memzero(bin, sizeof bin);
	if (rv != 0)
		sodium_memzero(inv, sizeof *inv);
	return rv;
}

char *
invite_format(const struct invite_line *inv)
{
	uint8_t	 bin[INVITE_BIN_MAX];
	char	 b64[sodium_base64_ENCODED_LEN(INVITE_BIN_MAX,
		     sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	size_t	 n = 0, nl = strlen(inv->network), al = strlen(inv->addr);
	char	*line;

	if (nl == 0 || nl > INVITE_NET_MAX || al == 0 || al > INVITE_ADDR_MAX)
		fatalx("invite_format: network or address length");
	bin[n++] = INVITE_VERSION;
	memcpy(bin + n, inv->id, INVITE_ID_LEN);
	n += INVITE_ID_LEN;
	memcpy(bin + n, inv->secret, INVITE_SECRET_LEN);
	n += INVITE_SECRET_LEN;
	memcpy(bin + n, inv->pk, KEYS_PK_LEN);
	n += KEYS_PK_LEN;
	bin[n++] = (uint8_t)nl;
	memcpy(bin + n, inv->network, nl);
	n += nl;
	bin[n++] = (uint8_t)al;
	memcpy(bin + n, inv->addr, al);
	n += al;
	invite_check(bin, n, bin + n);
	n += INVITE_CHECK_LEN;
	sodium_bin2base64(b64, sizeof b64, bin, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	line = xasprintf("%s%s", INVITE_PREFIX, b64);
	sodium_memzero(bin, sizeof bin);
	sodium_memzero(b64, sizeof b64);
	return line;
}

void
invite_key(const uint8_t secret[INVITE_SECRET_LEN],
    uint8_t key[INVITE_KEY_LEN])
{
	crypto_generichash_blake2b(key, INVITE_KEY_LEN,
	    (const uint8_t *)ctx_key, sizeof ctx_key, secret,
	    INVITE_SECRET_LEN);
}

void
invite_proof(const uint8_t key[INVITE_KEY_LEN], const uint8_t *hh,
    size_t hhlen, int answer, uint8_t proof[INVITE_PROOF_LEN])
{
	crypto_generichash_blake2b_state st;
	const char	*ctx = answer ? ctx_joined : ctx_join;

	crypto_generichash_blake2b_init(&st, key, INVITE_KEY_LEN,
	    INVITE_PROOF_LEN);
	crypto_generichash_blake2b_update(&st, (const uint8_t *)ctx,
	    strlen(ctx) + 1);
	crypto_generichash_blake2b_update(&st, hh, hhlen);
	crypto_generichash_blake2b_final(&st, proof, INVITE_PROOF_LEN);
	sodium_memzero(&st, sizeof st);
}
