/* keys_int.h — helpers shared by the files of keys/ only; not part of keys.h. */
#ifndef KNOWD_KEYS_INT_H
#define KNOWD_KEYS_INT_H

#include <stddef.h>
#include <stdint.h>

/* "\0\0\0\x0bssh-ed25519": the SSH string naming the key type. */
#define KEYS_ED25519_TYPE	"\0\0\0\x0bssh-ed25519"
#define KEYS_ED25519_TYPE_LEN	15

/* A cursor over untrusted SSH wire bytes; every read checks what is left. */
struct keys_rd {
	const uint8_t	*p;
	size_t		 left;
};
int	 keys_rd_u32(struct keys_rd *, uint32_t *);
int	 keys_rd_string(struct keys_rd *, const uint8_t **, size_t *);
int	 keys_rd_bytes(struct keys_rd *, size_t, const uint8_t **);
/* True when p[0..n) equals the C string s. */
int	 keys_str_eq(const uint8_t *, size_t, const char *);

/*
 * PEM-like armor: "-----BEGIN label-----\n", base64 wrapped at 70 columns,
 * "-----END label-----" and a final newline when final_nl. Caller frees
 * (and wipes when the bytes are secret).
 */
char	*keys_armor(const char *label, const uint8_t *, size_t, int final_nl,
	     size_t *outlen);
/* Strips the armor and decodes the body; only whitespace may follow the END line. */
int	 keys_dearmor(const char *label, const char *text, size_t len,
	     uint8_t **out, size_t *outlen, char **cause);

#endif
