/* keys.c — Ed25519 key pairs and their OpenSSH files (openssh-key-v1, one-line public key). */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"
#include "keys_int.h"
#include "util.h"

#define SK_LABEL	"OPENSSH PRIVATE KEY"
#define SK_MAGIC	"openssh-key-v1"	/* with its NUL: 15 bytes */
#define SK_MAGIC_LEN	15
#define SK_BLOCK	8		/* cipher "none" pads to 8 bytes */
#define SK_FILE_MAX	(64 * 1024)	/* a real ed25519 file is ~400 bytes */
#define COMMENT_MAX	1024
#define PUBLINE_MAX	(sizeof "ssh-ed25519 " + 68 + COMMENT_MAX + 2)

/* A writer into a buffer sized exactly beforehand (no realloc: it holds secrets). */
struct wr {
	uint8_t	*p;
	size_t	 off;
};

/* Appends raw bytes. */
static void
wr_bytes(struct wr *w, const void *p, size_t n)
{
	memcpy(w->p + w->off, p, n);
	w->off += n;
}

/* Appends a big-endian u32. */
static void
wr_u32(struct wr *w, uint32_t v)
{
	put_be32(w->p + w->off, v);
	w->off += 4;
}

/* Appends an SSH string: u32 length, then the bytes. */
static void
wr_string(struct wr *w, const void *p, size_t n)
{
	wr_u32(w, (uint32_t)n);
	if (n > 0)
		wr_bytes(w, p, n);
}

/* True when a comment fits one line of a public key file. */
static int
comment_ok(const char *comment)
{
	size_t	 n = strlen(comment), i;

	if (n > COMMENT_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (comment[i] == '\n' || comment[i] == '\r')
			return 0;
	}
	return 1;
}

/* Makes a new random key pair. */
int
keys_generate(struct keys_pair *kp)
{
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(kp->pk, kp->sk);
	return 0;
}

/* Wipes the secret key. */
void
keys_wipe(struct keys_pair *kp)
{
	sodium_memzero(kp->sk, sizeof kp->sk);
}

/* Writes the SSH public key blob of pk. */
void
keys_pub_blob(const uint8_t pk[KEYS_PK_LEN], uint8_t out[KEYS_PUBBLOB_LEN])
{
	struct wr	 w = { out, 0 };

	wr_bytes(&w, KEYS_ED25519_TYPE, KEYS_ED25519_TYPE_LEN);
	wr_string(&w, pk, KEYS_PK_LEN);
}

/* Builds the binary openssh-key-v1 structure. Caller wipes and frees. */
static uint8_t *
sk_build(const struct keys_pair *kp, const char *comment, size_t *outlen)
{
	struct wr	 w;
	uint8_t		 blob[KEYS_PUBBLOB_LEN];
	size_t		 clen = strlen(comment), priv, len, i;
	uint32_t	 check;

	priv = 8 + KEYS_ED25519_TYPE_LEN + 4 + KEYS_PK_LEN + 4 + KEYS_SK_LEN +
	    4 + clen;
	priv += (SK_BLOCK - priv % SK_BLOCK) % SK_BLOCK;
	/* magic, cipher, kdf, kdf options, count, public key, private part */
	len = SK_MAGIC_LEN + 8 + 8 + 4 + 4 + 4 + sizeof blob + 4 + priv;
	w.p = xmalloc(len);
	w.off = 0;
	keys_pub_blob(kp->pk, blob);
	check = randombytes_random();

	wr_bytes(&w, SK_MAGIC, SK_MAGIC_LEN);
	wr_string(&w, "none", 4);		/* cipher */
	wr_string(&w, "none", 4);		/* kdf */
	wr_string(&w, NULL, 0);			/* kdf options */
	wr_u32(&w, 1);				/* number of keys */
	wr_string(&w, blob, sizeof blob);
	wr_u32(&w, (uint32_t)priv);
	wr_u32(&w, check);
	wr_u32(&w, check);
	wr_bytes(&w, KEYS_ED25519_TYPE, KEYS_ED25519_TYPE_LEN);
	wr_string(&w, kp->pk, KEYS_PK_LEN);
	wr_string(&w, kp->sk, KEYS_SK_LEN);
	wr_string(&w, comment, clen);
	for (i = 1; w.off < len; i++)
		w.p[w.off++] = (uint8_t)i;
	*outlen = len;
	return w.p;
}

/* Encodes the key pair as an unencrypted OpenSSH private key file. Caller wipes and frees. */
int
keys_sk_encode(const struct keys_pair *kp, const char *comment, char **out,
    size_t *outlen)
{
	uint8_t	*bin;
	size_t	 len;

	if (comment == NULL)
		comment = "";
	if (!comment_ok(comment) || sodium_init() < 0)
		return -1;
	bin = sk_build(kp, comment, &len);
	*out = keys_armor(SK_LABEL, bin, len, 1, outlen);
	sodium_memzero(bin, len);
	free(bin);
	return 0;
}

/* Checks the private section: check ints, keys, comment, padding 1, 2, 3, …. */
static int
sk_parse_private(struct keys_rd *rd, const uint8_t pubpk[KEYS_PK_LEN],
    struct keys_pair *kp, char **cause)
{
	const uint8_t	*type, *pk, *sk, *comment;
	size_t		 pklen, sklen, clen, i;
	uint32_t	 c1, c2;

	if (keys_rd_u32(rd, &c1) != 0 || keys_rd_u32(rd, &c2) != 0)
		return set_cause(cause, "private section truncated");
	if (c1 != c2)
		return set_cause(cause, "check numbers differ (encrypted or "
		    "corrupt key)");
	if (keys_rd_bytes(rd, KEYS_ED25519_TYPE_LEN, &type) != 0 ||
	    memcmp(type, KEYS_ED25519_TYPE, KEYS_ED25519_TYPE_LEN) != 0)
		return set_cause(cause, "private key is not ssh-ed25519");
	if (keys_rd_string(rd, &pk, &pklen) != 0 || pklen != KEYS_PK_LEN)
		return set_cause(cause, "bad public key in private section");
	if (keys_rd_string(rd, &sk, &sklen) != 0 || sklen != KEYS_SK_LEN)
		return set_cause(cause, "bad secret key in private section");
	if (keys_rd_string(rd, &comment, &clen) != 0)
		return set_cause(cause, "bad comment in private section");
	if (rd->left >= SK_BLOCK)
		return set_cause(cause, "too much padding in private section");
	for (i = 0; i < rd->left; i++) {
		if (rd->p[i] != (uint8_t)(i + 1))
			return set_cause(cause, "bad padding in private "
			    "section");
	}
	if (memcmp(pk, pubpk, KEYS_PK_LEN) != 0)
		return set_cause(cause, "public and private sections hold "
		    "different keys");
	if (sodium_memcmp(sk + 32, pk, KEYS_PK_LEN) != 0)
		return set_cause(cause, "secret key does not contain its "
		    "public key");
	memcpy(kp->sk, sk, KEYS_SK_LEN);
	memcpy(kp->pk, pk, KEYS_PK_LEN);
	return 0;
}

/* Checks that the seed in kp->sk really yields kp->pk. */
static int
sk_check_seed(const struct keys_pair *kp)
{
	uint8_t	 pk[KEYS_PK_LEN], sk[KEYS_SK_LEN];
	int	 rv;

	if (sodium_init() < 0)
		return -1;
	crypto_sign_seed_keypair(pk, sk, kp->sk);
	rv = sodium_memcmp(pk, kp->pk, sizeof pk) == 0 ? 0 : -1;
	sodium_memzero(sk, sizeof sk);
	return rv;
}

/* Parses the binary openssh-key-v1 structure, trusting no length in it. */
static int
sk_parse(const uint8_t *bin, size_t len, struct keys_pair *kp, char **cause)
{
	struct keys_rd	 rd = { bin, len }, priv;
	const uint8_t	*magic, *s, *blob;
	size_t		 n, bloblen;
	uint32_t	 nkeys;

	if (keys_rd_bytes(&rd, SK_MAGIC_LEN, &magic) != 0 ||
	    memcmp(magic, SK_MAGIC, SK_MAGIC_LEN) != 0)
		return set_cause(cause, "not an openssh-key-v1 key");
	if (keys_rd_string(&rd, &s, &n) != 0 || !keys_str_eq(s, n, "none"))
		return set_cause(cause, "encrypted keys are not supported");
	if (keys_rd_string(&rd, &s, &n) != 0 || !keys_str_eq(s, n, "none"))
		return set_cause(cause, "key derivation is not supported");
	if (keys_rd_string(&rd, &s, &n) != 0 || n != 0)
		return set_cause(cause, "unexpected key derivation options");
	if (keys_rd_u32(&rd, &nkeys) != 0 || nkeys != 1)
		return set_cause(cause, "the file must hold exactly one key");
	if (keys_rd_string(&rd, &blob, &bloblen) != 0 ||
	    bloblen != KEYS_PUBBLOB_LEN ||
	    memcmp(blob, KEYS_ED25519_TYPE "\0\0\0\x20",
	    KEYS_ED25519_TYPE_LEN + 4) != 0)
		return set_cause(cause, "public key is not ssh-ed25519");
	if (keys_rd_string(&rd, &priv.p, &priv.left) != 0)
		return set_cause(cause, "private section truncated");
	if (rd.left != 0)
		return set_cause(cause, "trailing bytes after the private "
		    "section");
	if (priv.left < SK_BLOCK || priv.left % SK_BLOCK != 0)
		return set_cause(cause, "private section length is not a "
		    "multiple of %d", SK_BLOCK);
	if (sk_parse_private(&priv, blob + KEYS_ED25519_TYPE_LEN + 4, kp,
	    cause) != 0)
		return -1;
	if (sk_check_seed(kp) != 0) {
		keys_wipe(kp);
		return set_cause(cause, "secret key does not match its "
		    "public key");
	}
	return 0;
}

/* Decodes an OpenSSH private key file into kp; kp is untouched on failure. */
int
keys_sk_decode(const char *text, size_t len, struct keys_pair *kp,
    char **cause)
{
	uint8_t	*bin;
	size_t	 binlen;
	char	*why = NULL;
	int	 rv;

	if (len > SK_FILE_MAX)
		return set_cause(cause, "private key file too large");
	if (keys_dearmor(SK_LABEL, text, len, &bin, &binlen, &why) != 0) {
		set_cause(cause, "not an OpenSSH private key: %s", why);
		free(why);
		return -1;
	}
	rv = sk_parse(bin, binlen, kp, cause);
	sodium_memzero(bin, binlen);
	free(bin);
	return rv;
}

/* Writes "ssh-ed25519 BASE64[ comment]\n" into out. */
int
keys_pub_encode(const uint8_t pk[KEYS_PK_LEN], const char *comment, char *out,
    size_t outsz)
{
	uint8_t	 blob[KEYS_PUBBLOB_LEN];
	char	*b64;
	int	 n;

	if (comment != NULL && !comment_ok(comment))
		return -1;
	keys_pub_blob(pk, blob);
	b64 = keys_b64_encode(blob, sizeof blob);
	if (comment != NULL && *comment != '\0')
		n = snprintf(out, outsz, "ssh-ed25519 %s %s\n", b64, comment);
	else
		n = snprintf(out, outsz, "ssh-ed25519 %s\n", b64);
	free(b64);
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	return 0;
}

/* Parses one public key line "ssh-ed25519 BASE64 [comment]". */
int
keys_pub_decode(const char *line, uint8_t pk[KEYS_PK_LEN], char **cause)
{
	const char	*tok, *nl;
	uint8_t		*blob;
	size_t		 toklen, bloblen;

	if (strncmp(line, "ssh-ed25519", 11) != 0 ||
	    (line[11] != ' ' && line[11] != '\t'))
		return set_cause(cause, "not an ssh-ed25519 public key");
	tok = line + 11 + strspn(line + 11, " \t");
	toklen = strcspn(tok, " \t\r\n");
	if (toklen == 0 || toklen > 128)
		return set_cause(cause, "bad public key encoding");
	/* One line only: after its end nothing but whitespace. */
	if ((nl = strchr(tok, '\n')) != NULL &&
	    nl[1 + strspn(nl + 1, " \t\r\n")] != '\0')
		return set_cause(cause, "more than one line");
	if (keys_b64_decode(tok, toklen, &blob, &bloblen) != 0)
		return set_cause(cause, "bad base64 in public key");
	if (bloblen != KEYS_PUBBLOB_LEN || memcmp(blob,
	    KEYS_ED25519_TYPE "\0\0\0\x20", KEYS_ED25519_TYPE_LEN + 4) != 0) {
		free(blob);
		return set_cause(cause, "public key blob is not ssh-ed25519");
	}
	memcpy(pk, blob + KEYS_ED25519_TYPE_LEN + 4, KEYS_PK_LEN);
	free(blob);
	return 0;
}

/* Fails with a cause unless path does not exist yet. */
static int
refuse_existing(const char *path, char **cause)
{
	struct stat	 sb;

	if (lstat(path, &sb) == 0)
		return set_cause(cause, "%s: already exists; refusing to "
		    "overwrite it", path);
	if (errno != ENOENT)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	return 0;
}

/* Writes a new key pair to keyfile (0600) and pubfile (0644); never overwrites. */
int
keys_save(const char *keyfile, const char *pubfile,
    const struct keys_pair *kp, const char *comment, char **cause)
{
	char	 line[PUBLINE_MAX], *text = NULL;
	size_t	 len = 0;
	int	 rv = -1;

	if (refuse_existing(keyfile, cause) != 0 ||
	    refuse_existing(pubfile, cause) != 0)
		return -1;
	if (keys_pub_encode(kp->pk, comment, line, sizeof line) != 0 ||
	    keys_sk_encode(kp, comment, &text, &len) != 0)
		return set_cause(cause, "bad key comment (one line, at most "
		    "%d bytes)", COMMENT_MAX);
	if (write_file_atomic(keyfile, text, len, 0600, cause) != 0)
		goto out;
	if (write_file_atomic(pubfile, line, strlen(line), 0644, cause) != 0) {
		unlink(keyfile);
		goto out;
	}
	rv = 0;
out:
	if (text != NULL) {
		sodium_memzero(text, len);
		free(text);
	}
	return rv;
}

/* Loads the secret key file, refusing one that group or others may access. */
int
keys_load(const char *keyfile, struct keys_pair *kp, char **cause)
{
	struct stat	 sb;
	char		*text, *why = NULL;
	size_t		 len;
	int		 rv;

	if (stat(keyfile, &sb) == -1)
		return set_cause(cause, "%s: %s", keyfile, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return set_cause(cause, "%s: not a regular file", keyfile);
	if ((sb.st_mode & 077) != 0)
		return set_cause(cause, "%s: permissions %04o are too open; "
		    "the secret key must not be readable by group or others "
		    "(chmod 600)", keyfile, (unsigned)(sb.st_mode & 07777));
	if (read_file(keyfile, SK_FILE_MAX, &text, &len, cause) != 0)
		return -1;
	rv = keys_sk_decode(text, len, kp, &why);
	if (rv != 0) {
		set_cause(cause, "%s: %s", keyfile, why);
		free(why);
	}
	sodium_memzero(text, len);
	free(text);
	return rv;
}
