/* sshsig.c — SSH signatures (OpenSSH PROTOCOL.sshsig) with Ed25519, as git's gpg.format=ssh uses. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "keys_int.h"
#include "util.h"

#define SSHSIG_LABEL	"SSH SIGNATURE"
#define SSHSIG_MAGIC	"SSHSIG"
#define SSHSIG_MAGIC_LEN 6
#define SSHSIG_VERSION	1
#define SSHSIG_ARMOR_MAX (64 * 1024)
/* The signature blob: string "ssh-ed25519" || string sig64. */
#define SIGBLOB_LEN	(KEYS_ED25519_TYPE_LEN + 4 + KEYS_SIG_LEN)

/* A parsed blob plus its reserved field, which the signed data covers too. */
struct sshsig_full {
	struct keys_sshsig	 sig;
	const uint8_t		*reserved;
	size_t			 reservedlen;
};

/*
 * Builds the bytes Ed25519 signs: "SSHSIG" || string ns || string reserved
 * || string hashalg || string H(msg). hashalg is "sha512" or "sha256".
 */
static void
sshsig_tbs(struct buf *b, const uint8_t *ns, size_t nslen,
    const uint8_t *res, size_t reslen, const char *hashalg,
    const void *msg, size_t len)
{
	uint8_t	 h[crypto_hash_sha512_BYTES];
	size_t	 hlen;

	if (strcmp(hashalg, "sha256") == 0) {
		crypto_hash_sha256(h, msg, len);
		hlen = crypto_hash_sha256_BYTES;
	} else {
		crypto_hash_sha512(h, msg, len);
		hlen = crypto_hash_sha512_BYTES;
	}
	buf_add(b, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN);
	buf_add_be32(b, (uint32_t)nslen);
	buf_add(b, ns, nslen);
	buf_add_be32(b, (uint32_t)reslen);
	buf_add(b, res, reslen);
	buf_add_be32(b, (uint32_t)strlen(hashalg));
	buf_addstr(b, hashalg);
	buf_add_be32(b, (uint32_t)hlen);
	buf_add(b, h, hlen);
}

/* Makes an armored SSH signature of msg in namespace ns (sha512). Caller frees. */
int
keys_sshsig_sign(const struct keys_pair *kp, const char *ns, const void *msg,
    size_t len, char **armored)
{
	struct buf	 tbs, blob;
	uint8_t		 pub[KEYS_PUBBLOB_LEN], sig[KEYS_SIG_LEN];
	size_t		 nslen;

	if (ns == NULL || (nslen = strlen(ns)) == 0 || sodium_init() < 0)
		return -1;
	buf_init(&tbs);
	sshsig_tbs(&tbs, (const uint8_t *)ns, nslen, NULL, 0, "sha512", msg,
	    len);
	crypto_sign_detached(sig, NULL, tbs.data, tbs.len, kp->sk);
	buf_free(&tbs);

	keys_pub_blob(kp->pk, pub);
	buf_init(&blob);
	buf_add(&blob, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN);
	buf_add_be32(&blob, SSHSIG_VERSION);
	buf_add_be32(&blob, sizeof pub);
	buf_add(&blob, pub, sizeof pub);
	buf_add_be32(&blob, (uint32_t)nslen);
	buf_add(&blob, ns, nslen);
	buf_add_be32(&blob, 0);				/* reserved */
	buf_add_be32(&blob, 6);
	buf_add(&blob, "sha512", 6);
	buf_add_be32(&blob, SIGBLOB_LEN);
	buf_add(&blob, KEYS_ED25519_TYPE, KEYS_ED25519_TYPE_LEN);
	buf_add_be32(&blob, sizeof sig);
	buf_add(&blob, sig, sizeof sig);
	*armored = keys_armor(SSHSIG_LABEL, blob.data, blob.len, 0, NULL);
	buf_free(&blob);
	return 0;
}

/* Parses a blob, also returning the reserved field. */
static int
sshsig_parse(const uint8_t *blob, size_t len, struct sshsig_full *f,
    char **cause)
{
	struct keys_rd	 rd = { blob, len };
	struct keys_sshsig *s = &f->sig;
	const uint8_t	*p;
	size_t		 n;
	uint32_t	 version;

	if (keys_rd_bytes(&rd, SSHSIG_MAGIC_LEN, &p) != 0 ||
	    memcmp(p, SSHSIG_MAGIC, SSHSIG_MAGIC_LEN) != 0)
		return set_cause(cause, "not an SSH signature (no magic)");
	if (keys_rd_u32(&rd, &version) != 0 || version != SSHSIG_VERSION)
		return set_cause(cause, "unsupported SSH signature version");
	if (keys_rd_string(&rd, &p, &n) != 0 || n != KEYS_PUBBLOB_LEN ||
	    memcmp(p, KEYS_ED25519_TYPE "\0\0\0\x20",
	    KEYS_ED25519_TYPE_LEN + 4) != 0)
		return set_cause(cause, "signing key is not ssh-ed25519");
	memcpy(s->pk, p + KEYS_ED25519_TYPE_LEN + 4, KEYS_PK_LEN);
	if (keys_rd_string(&rd, &s->ns, &s->nslen) != 0)
		return set_cause(cause, "signature truncated in namespace");
	if (keys_rd_string(&rd, &f->reserved, &f->reservedlen) != 0)
		return set_cause(cause, "signature truncated in reserved "
		    "field");
	if (keys_rd_string(&rd, &s->hashalg, &s->hashalglen) != 0)
		return set_cause(cause, "signature truncated in hash "
		    "algorithm");
	if (keys_rd_string(&rd, &p, &n) != 0 || n != SIGBLOB_LEN ||
	    memcmp(p, KEYS_ED25519_TYPE "\0\0\0\x40",
	    KEYS_ED25519_TYPE_LEN + 4) != 0)
		return set_cause(cause, "signature is not ssh-ed25519");
	memcpy(s->sig, p + KEYS_ED25519_TYPE_LEN + 4, KEYS_SIG_LEN);
	if (rd.left != 0)
		return set_cause(cause, "trailing bytes after the signature");
	return 0;
}

/* Parses a raw signature blob; the parts point into blob. */
int
keys_sshsig_parse(const uint8_t *blob, size_t len, struct keys_sshsig *s,
    char **cause)
{
	struct sshsig_full	 f;

	if (sshsig_parse(blob, len, &f, cause) != 0)
		return -1;
	*s = f.sig;
	return 0;
}

/* Removes the armor of an SSH signature. Caller frees *out. */
int
keys_sshsig_dearmor(const char *armored, size_t alen, uint8_t **out,
    size_t *outlen, char **cause)
{
	if (alen > SSHSIG_ARMOR_MAX)
		return set_cause(cause, "SSH signature too long");
	return keys_dearmor(SSHSIG_LABEL, armored, alen, out, outlen, cause);
}

/* Checks the parsed signature against the expected key, namespace and message. */
static int
sshsig_check(const struct sshsig_full *f, const uint8_t pk[KEYS_PK_LEN],
    const char *ns, const void *msg, size_t len, char **cause)
{
	const struct keys_sshsig *s = &f->sig;
	struct buf	 tbs;
	const char	*alg;
	int		 rv;

	if (memcmp(s->pk, pk, KEYS_PK_LEN) != 0)
		return set_cause(cause, "signed by another key");
	if (!keys_str_eq(s->ns, s->nslen, ns))
		return set_cause(cause, "signature is for another namespace, "
		    "not \"%s\"", ns);
	if (keys_str_eq(s->hashalg, s->hashalglen, "sha512"))
		alg = "sha512";
	else if (keys_str_eq(s->hashalg, s->hashalglen, "sha256"))
		alg = "sha256";
	else
		return set_cause(cause, "unsupported signature hash algorithm");
	buf_init(&tbs);
	sshsig_tbs(&tbs, s->ns, s->nslen, f->reserved, f->reservedlen, alg,
	    msg, len);
	rv = crypto_sign_verify_detached(s->sig, tbs.data, tbs.len, pk);
	buf_free(&tbs);
	if (rv != 0)
		return set_cause(cause, "bad signature");
	return 0;
}

/* Verifies an armored SSH signature of msg by pk in namespace ns. */
int
keys_sshsig_verify(const uint8_t pk[KEYS_PK_LEN], const char *ns,
    const void *msg, size_t len, const char *armored, size_t alen,
    char **cause)
{
	struct sshsig_full	 f;
	uint8_t			*blob;
	size_t			 bloblen;
	int			 rv;

	if (ns == NULL || *ns == '\0')
		return set_cause(cause, "no signature namespace given");
	if (sodium_init() < 0)
		return set_cause(cause, "libsodium initialisation failed");
	if (keys_sshsig_dearmor(armored, alen, &blob, &bloblen, cause) != 0)
		return -1;
	rv = sshsig_parse(blob, bloblen, &f, cause);
	if (rv == 0)
		rv = sshsig_check(&f, pk, ns, msg, len, cause);
	free(blob);
	return rv;
}
