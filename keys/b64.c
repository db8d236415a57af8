/* b64.c — standard base64, the armor around key files and signatures, SSH wire reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "keys_int.h"
#include "util.h"

#define ARMOR_COLS	70

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of one base64 digit, or -1. */
static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* True for ASCII whitespace. */
static int
b64_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* Encodes n bytes as padded base64. Caller frees. */
char *
keys_b64_encode(const uint8_t *p, size_t n)
{
	size_t	 groups = n / 3 + (n % 3 != 0), i, o = 0;
	uint32_t v;
	char	*out;

	out = xreallocarray(NULL, groups + 1, 4);
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64_chars[v >> 18 & 0x3f];
		out[o++] = b64_chars[v >> 12 & 0x3f];
		out[o++] = b64_chars[v >> 6 & 0x3f];
		out[o++] = b64_chars[v & 0x3f];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = b64_chars[v >> 18 & 0x3f];
		out[o++] = b64_chars[v >> 12 & 0x3f];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = b64_chars[v >> 18 & 0x3f];
		out[o++] = b64_chars[v >> 12 & 0x3f];
		out[o++] = b64_chars[v >> 6 & 0x3f];
		out[o++] = '=';
	}
	out[o] = '\0';
	sodium_memzero(&v, sizeof v);
	return out;
}

/*
 * Checks the characters of s: only digits and whitespace, at most two '='
 * and nothing but whitespace after them, a multiple of four in all. Returns
 * the number of digits and padding characters, or -1.
 */
static int
b64_scan(const char *s, size_t len, size_t *nchars)
{
	size_t	 i, n = 0, npad = 0;
	int	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (b64_space(c))
			continue;
		if (c == '=')
			npad++;
		else if (npad > 0 || b64_value(c) < 0)
			return -1;
		n++;
	}
	if (n % 4 != 0 || npad > 2)
		return -1;
	*nchars = n;
	return 0;
}

/* Decodes padded base64, skipping whitespace; strict about padding and unused bits. */
int
keys_b64_decode(const char *s, size_t len, uint8_t **out, size_t *outlen)
{
	size_t	 i, n, o = 0;
	uint32_t acc = 0;
	uint8_t	*p;
	int	 c, q = 0;

	if (b64_scan(s, len, &n) != 0)
		return -1;
	p = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (b64_space(c) || c == '=')
			continue;
		acc = acc << 6 | (uint32_t)b64_value(c);
		if (++q == 4) {
			p[o++] = (uint8_t)(acc >> 16);
			p[o++] = (uint8_t)(acc >> 8);
			p[o++] = (uint8_t)acc;
			acc = 0;
			q = 0;
		}
	}
	/* The scan leaves 0, 2 or 3 digits here; unused bits must be zero. */
	if ((q == 2 && (acc & 0xf) != 0) || (q == 3 && (acc & 0x3) != 0)) {
		sodium_memzero(p, n / 4 * 3 + 1);
		free(p);
		sodium_memzero(&acc, sizeof acc);
		return -1;
	}
	if (q == 2)
		p[o++] = (uint8_t)(acc >> 4);
	else if (q == 3) {
		p[o++] = (uint8_t)(acc >> 10);
		p[o++] = (uint8_t)(acc >> 2);
	}
	sodium_memzero(&acc, sizeof acc);
	*out = p;
	*outlen = o;
	return 0;
}

/* Wraps bytes in BEGIN/END lines around base64 of 70 columns. Caller frees. */
char *
keys_armor(const char *label, const uint8_t *p, size_t n, int final_nl,
    size_t *outlen)
{
	char	*b64, *out;
	size_t	 blen, lines, size, i, o, l;
	int	 w;

	b64 = keys_b64_encode(p, n);
	blen = strlen(b64);
	lines = blen / ARMOR_COLS + (blen % ARMOR_COLS != 0);
	size = 2 * strlen(label) + 32 + blen + lines + 1;
	out = xmalloc(size);
	w = snprintf(out, size, "-----BEGIN %s-----\n", label);
	o = (size_t)w;
	for (i = 0; i < blen; i += ARMOR_COLS) {
		l = blen - i < ARMOR_COLS ? blen - i : ARMOR_COLS;
		memcpy(out + o, b64 + i, l);
		o += l;
		out[o++] = '\n';
	}
	w = snprintf(out + o, size - o, "-----END %s-----%s", label,
	    final_nl ? "\n" : "");
	o += (size_t)w;
	sodium_memzero(b64, blen);
	free(b64);
	if (outlen != NULL)
		*outlen = o;
	return out;
}

/* Finds the BEGIN and END lines of label in text and decodes what lies between. */
int
keys_dearmor(const char *label, const char *text, size_t len, uint8_t **out,
    size_t *outlen, char **cause)
{
	char		 begin[64], end[64];
	const char	*body, *stop;
	size_t		 blen, elen, i;

	blen = (size_t)snprintf(begin, sizeof begin, "-----BEGIN %s-----",
	    label);
	elen = (size_t)snprintf(end, sizeof end, "-----END %s-----", label);
	if (len < blen || memcmp(text, begin, blen) != 0)
		return set_cause(cause, "missing \"%s\" line", begin);
	body = text + blen;
	if (body < text + len && *body == '\r')
		body++;
	if (body >= text + len || *body != '\n')
		return set_cause(cause, "no line break after \"%s\"", begin);
	stop = memmem(body, (size_t)(text + len - body), end, elen);
	if (stop == NULL)
		return set_cause(cause, "missing \"%s\" line", end);
	if (stop[-1] != '\n')
		return set_cause(cause, "\"%s\" does not start a line", end);
	for (i = (size_t)(stop - text) + elen; i < len; i++) {
		if (!b64_space((unsigned char)text[i]))
			return set_cause(cause, "data after \"%s\"", end);
	}
	if (keys_b64_decode(body, (size_t)(stop - body), out, outlen) != 0)
		return set_cause(cause, "bad base64 between the armor lines");
	return 0;
}

/* Reads a big-endian u32. */
int
keys_rd_u32(struct keys_rd *rd, uint32_t *v)
{
	if (rd->left < 4)
		return -1;
	*v = get_be32(rd->p);
	rd->p += 4;
	rd->left -= 4;
	return 0;
}

/* Takes n raw bytes. */
int
keys_rd_bytes(struct keys_rd *rd, size_t n, const uint8_t **p)
{
	if (rd->left < n)
		return -1;
	*p = rd->p;
	rd->p += n;
	rd->left -= n;
	return 0;
}

/* Reads an SSH string: a big-endian u32 length, then that many bytes. */
int
keys_rd_string(struct keys_rd *rd, const uint8_t **p, size_t *n)
{
	uint32_t len;

	if (rd->left < 4 || (len = get_be32(rd->p)) > rd->left - 4)
		return -1;
	*p = rd->p + 4;
	*n = len;
	rd->p += 4 + (size_t)len;
	rd->left -= 4 + (size_t)len;
	return 0;
}

/* Compares wire bytes with a C string. */
int
keys_str_eq(const uint8_t *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}
