/*
 * test_keys.c — unit tests for keys/: OpenSSH key files, public key lines,
 * did:key ids, base64 and SSH signatures.
 *
 * With arguments it is the helper of tests/regress/keys_sshkeygen.sh:
 *	test_keys gen DIR			writes DIR/node.key, DIR/node.pub
 *	test_keys sign KEYFILE NS FILE		prints the armored signature
 *	test_keys verify PUBFILE NS FILE SIGFILE	exits 0 when good, 1 when not
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "keys.h"
#include "keys_int.h"
#include "util.h"

/* A key written by `ssh-keygen -t ed25519 -N '' -C test@knowd` (test data only). */
static const char sshkeygen_key[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACCaj1STIMZlt+VSreWIj4bmnsPz2kPPtRJ+ZjHTtSu47AAAAJCrl564q5ee\n"
    "uAAAAAtzc2gtZWQyNTUxOQAAACCaj1STIMZlt+VSreWIj4bmnsPz2kPPtRJ+ZjHTtSu47A\n"
    "AAAEAvwhbKxons0O69LIIJP9+bsxa/q8DN0TY+bPc814F4IJqPVJMgxmW35VKt5YiPhuae\n"
    "w/PaQ8+1En5mMdO1K7jsAAAACnRlc3RAa25vd2QBAgM=\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
static const char sshkeygen_pub[] = "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIJqPVJMgxmW35VKt5YiPhuaew/PaQ8+1En5mMdO1K7js test@knowd\n";
/* `ssh-keygen -Y sign -f KEY -n git` of the 11 bytes "hello knowd". */
static const char sshkeygen_sig[] =
    "-----BEGIN SSH SIGNATURE-----\n"
    "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgmo9UkyDGZbflUq3liI+G5p7D89\n"
    "pDz7USfmYx07UruOwAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5\n"
    "AAAAQCYzSvnLxbjP4LPRwPI7M5QBjEeAGkzNPRFDfifzOZ8sHgAjGcqOCxef9vx+OQXx8k\n"
    "9M0kvNZknKSdoGpxroGgM=\n"
    "-----END SSH SIGNATURE-----\n";

/* Where the private section's check numbers start, and where its comment starts. */
#define BIN_PRIV_OFF	98
#define BIN_COMMENT_OFF	229

/* Decodes text and asserts the result: rc, and on success the same key as want. */
static int
decode_same(const char *text, size_t len, const struct keys_pair *want)
{
	struct keys_pair kp;
	char		*cause = NULL;

	memset(&kp, 0, sizeof kp);
	if (keys_sk_decode(text, len, &kp, &cause) != 0) {
		assert_non_null(cause);
		free(cause);
		return -1;
	}
	assert_null(cause);
	assert_memory_equal(kp.pk, want->pk, KEYS_PK_LEN);
	assert_memory_equal(kp.sk, want->sk, KEYS_SK_LEN);
	keys_wipe(&kp);
	return 0;
}

/* An exact-size copy of p, so ASan catches reads past n. Caller frees. */
static void *
exact(const void *p, size_t n)
{
	void	*q = xmalloc(n);

	memcpy(q, p, n);
	return q;
}

/* Generates a key and encodes it; *text is freed by the caller. */
static void
make_key(struct keys_pair *kp, const char *comment, char **text, size_t *len)
{
	assert_int_equal(keys_generate(kp), 0);
	assert_int_equal(keys_sk_encode(kp, comment, text, len), 0);
	assert_int_equal(strlen(*text), *len);
}

/* Encoded keys decode to the same pair; the armor looks like ssh-keygen's. */
static void
test_sk_roundtrip(void **state)
{
	struct keys_pair kp;
	char		*text, *line, *p;
	size_t		 len;

	make_key(&kp, "node@test", &text, &len);
	assert_true(strncmp(text, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
	assert_string_equal(text + len - 34, "-----END OPENSSH PRIVATE KEY-----\n");
	for (line = text; (p = strchr(line, '\n')) != NULL; line = p + 1)
		assert_true(p - line <= 70);
	assert_int_equal(decode_same(text, len, &kp), 0);
	free(text);

	/* No comment, and a long one: padding lengths differ. */
	assert_int_equal(keys_sk_encode(&kp, NULL, &text, &len), 0);
	assert_int_equal(decode_same(text, len, &kp), 0);
	free(text);
	assert_int_equal(keys_sk_encode(&kp, "a-comment-of-17ch", &text, &len), 0);
	assert_int_equal(decode_same(text, len, &kp), 0);
	free(text);
	assert_int_equal(keys_sk_encode(&kp, "two\nlines", &text, &len), -1);
	keys_wipe(&kp);
}

/* A key file, public line and signature written by ssh-keygen are understood. */
static void
test_sk_sshkeygen(void **state)
{
	struct keys_pair kp;
	uint8_t		 pk[KEYS_PK_LEN];
	char		 line[256], *cause = NULL;

	assert_int_equal(keys_sk_decode(sshkeygen_key, strlen(sshkeygen_key),
	    &kp, &cause), 0);
	assert_int_equal(keys_pub_decode(sshkeygen_pub, pk, &cause), 0);
	assert_memory_equal(kp.pk, pk, KEYS_PK_LEN);
	assert_int_equal(keys_pub_encode(kp.pk, "test@knowd", line, sizeof line), 0);
	assert_string_equal(line, sshkeygen_pub);
	assert_int_equal(keys_sshsig_verify(pk, "git", "hello knowd", 11,
	    sshkeygen_sig, strlen(sshkeygen_sig), &cause), 0);
	assert_int_equal(keys_sshsig_verify(pk, "git", "hello knowd!", 12,
	    sshkeygen_sig, strlen(sshkeygen_sig), &cause), -1);
	free(cause);
	keys_wipe(&kp);
}

/* Decodes the armored key into its binary form. Caller frees. */
static uint8_t *
key_binary(const char *text, size_t len, size_t *binlen)
{
	uint8_t	*bin;

	assert_int_equal(keys_dearmor("OPENSSH PRIVATE KEY", text, len, &bin,
	    binlen, NULL), 0);
	return bin;
}

/*
 * Every truncation of the text but its final newline is refused; so is every
 * truncation of the binary key (re-armored), and a trailing byte.
 */
static void
test_sk_truncated(void **state)
{
	struct keys_pair kp;
	uint8_t		*bin;
	char		*text, *t;
	size_t		 len, binlen, i, tlen;

	make_key(&kp, "trunc", &text, &len);
	for (i = 0; i < len; i++) {
		t = exact(text, i);
		assert_int_equal(decode_same(t, i, &kp), i < len - 1 ? -1 : 0);
		free(t);
	}
	bin = key_binary(text, len, &binlen);
	assert_int_equal((binlen - BIN_PRIV_OFF) % 8, 0);
	for (i = 0; i < binlen; i++) {
		t = keys_armor("OPENSSH PRIVATE KEY", bin, i, 1, &tlen);
		assert_int_equal(decode_same(t, tlen, &kp), -1);
		free(t);
	}
	/* A trailing byte is refused too. */
	bin = xreallocarray(bin, binlen + 1, 1);
	bin[binlen] = 0;
	t = keys_armor("OPENSSH PRIVATE KEY", bin, binlen + 1, 1, &tlen);
	assert_int_equal(decode_same(t, tlen, &kp), -1);
	free(t);
	free(bin);
	free(text);
	keys_wipe(&kp);
}

/* Changing any byte of the text either fails or yields the same key. */
static void
test_sk_flipped_text(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x02, 0x04, 0x20, 0x40, 0x80, 0xff };
	struct keys_pair kp;
	char		*text, *t;
	size_t		 len, i, m;
	int		 accepted = 0;

	make_key(&kp, "flip", &text, &len);
	t = xmalloc(len);
	for (i = 0; i < len; i++) {
		for (m = 0; m < nitems(masks); m++) {
			memcpy(t, text, len);
			t[i] ^= masks[m];
			if (decode_same(t, len, &kp) == 0)
				accepted++;
		}
	}
	/* Only whitespace changes and comment bits may pass; keys never change. */
	assert_true(accepted < (int)(len * nitems(masks)) / 10);
	free(t);
	free(text);
	keys_wipe(&kp);
}

/* Flipping any bit of the binary key fails, except in the comment. */
static void
test_sk_flipped_binary(void **state)
{
	struct keys_pair kp;
	uint8_t		*bin;
	char		*text, *t;
	size_t		 len, binlen, tlen, i;
	int		 bit, rc;

	make_key(&kp, "binflip", &text, &len);
	bin = key_binary(text, len, &binlen);
	for (i = 0; i < binlen; i++) {
		for (bit = 0; bit < 8; bit++) {
			bin[i] ^= 1 << bit;
			t = keys_armor("OPENSSH PRIVATE KEY", bin, binlen, 1, &tlen);
			rc = decode_same(t, tlen, &kp);
			/*
			 * Only the comment and its length may change and
			 * still parse (a longer comment can swallow the
			 * padding); decode_same checked the key is the same.
			 */
			if (i < BIN_COMMENT_OFF - 4 || i >= BIN_COMMENT_OFF + 7)
				assert_int_equal(rc, -1);
			free(t);
			bin[i] ^= 1 << bit;
		}
	}
	free(bin);
	free(text);
	keys_wipe(&kp);
}

/* Copies text with every "\n" turned into "\r\n". Caller frees. */
static char *
crlf(const char *text)
{
	struct buf	 b;
	const char	*p;

	buf_init(&b);
	for (p = text; *p != '\0'; p++) {
		if (*p == '\n')
			buf_addc(&b, '\r');
		buf_addc(&b, *p);
	}
	return buf_detach(&b, NULL);
}

/* Malformed files are refused with a cause; CRLF line ends are accepted. */
static void
test_sk_rejects(void **state)
{
	static const char *bad[] = {
		"",
		"-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n"
		    "-----END OPENSSH PRIVATE KEY-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n",
	};
	struct keys_pair kp;
	char		*cause, *text, *t;
	size_t		 i, len;

	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		assert_int_equal(keys_sk_decode(bad[i], strlen(bad[i]), &kp,
		    &cause), -1);
		assert_non_null(cause);
		free(cause);
	}
	/* Data after the END line. */
	make_key(&kp, "x", &text, &len);
	t = xasprintf("%sjunk\n", text);
	assert_int_equal(keys_sk_decode(t, strlen(t), &kp, NULL), -1);
	free(t);
	/* Leading garbage. */
	t = xasprintf(" %s", text);
	assert_int_equal(keys_sk_decode(t, strlen(t), &kp, NULL), -1);
	free(t);
	/* CRLF line ends are fine. */
	t = crlf(text);
	assert_int_equal(decode_same(t, strlen(t), &kp), 0);
	free(t);
	free(text);
	keys_wipe(&kp);
}

/* Public key lines round-trip; other key types and broken lines are refused. */
static void
test_pub(void **state)
{
	static const char *bad[] = {
		"",
		"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x",
		"ssh-ed25519",
		"ssh-ed25519 ",
		"ssh-ed25519 AAAA",
		"ssh-ed25519 !!!!",
		/* A 32-byte key inside an "ssh-ed25518" blob. */
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE4AAAAIJqPVJMgxmW35VKt5YiPhuaew/PaQ8+1En5mMdO1K7js",
		/* Right type, 31-byte key. */
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAH5qPVJMgxmW35VKt5YiPhuaew/PaQ8+1En5mMdO1K7g=",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqPVJMgxmW35VKt5YiPhuaew/PaQ8+1En5mMdO1K7js c\n"
		    "ssh-ed25519 AAAA\n",
	};
	struct keys_pair kp;
	uint8_t		 pk[KEYS_PK_LEN];
	char		 line[256], *cause;
	size_t		 i;

	assert_int_equal(keys_generate(&kp), 0);
	assert_int_equal(keys_pub_encode(kp.pk, "node one", line, sizeof line), 0);
	assert_true(strncmp(line, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 37) == 0);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_int_equal(keys_pub_decode(line, pk, NULL), 0);
	assert_memory_equal(pk, kp.pk, KEYS_PK_LEN);
	assert_int_equal(keys_pub_encode(kp.pk, NULL, line, sizeof line), 0);
	assert_int_equal(strlen(line), 12 + 68 + 1);
	assert_int_equal(keys_pub_decode(line, pk, NULL), 0);
	assert_memory_equal(pk, kp.pk, KEYS_PK_LEN);
	assert_int_equal(keys_pub_encode(kp.pk, NULL, line, 81), -1);
	assert_int_equal(keys_pub_encode(kp.pk, "a\nb", line, sizeof line), -1);
	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		assert_int_equal(keys_pub_decode(bad[i], pk, &cause), -1);
		assert_non_null(cause);
		free(cause);
	}
	keys_wipe(&kp);
}

/* The W3C did:key Ed25519 test vectors encode and decode. */
static void
test_did_vectors(void **state)
{
	/* W3C did-method-key test vectors (test-vectors/ed25519-x25519.json): seed i → did. */
	static const char *want[] = {
		"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
		"did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf",
		"did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ",
		"did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL",
	};
	uint8_t		 seed[32], pk[KEYS_PK_LEN], sk[KEYS_SK_LEN], back[KEYS_PK_LEN];
	char		 did[KEYS_DID_MAX], nid[KEYS_NID_MAX];
	size_t		 i;

	assert_true(sodium_init() >= 0);
	for (i = 0; i < nitems(want); i++) {
		memset(seed, 0, sizeof seed);
		seed[31] = (uint8_t)i;
		crypto_sign_seed_keypair(pk, sk, seed);
		keys_did_encode(pk, did);
		assert_string_equal(did, want[i]);
		keys_nid_encode(pk, nid);
		assert_string_equal(nid, want[i] + 8);
		assert_int_equal(strlen(nid), 48);
		assert_int_equal(keys_did_decode(did, back, NULL), 0);
		assert_memory_equal(back, pk, KEYS_PK_LEN);
		memset(back, 0, sizeof back);
		assert_int_equal(keys_did_decode(nid, back, NULL), 0);
		assert_memory_equal(back, pk, KEYS_PK_LEN);
	}
	sodium_memzero(sk, sizeof sk);
}

/* Anything but a canonical did:key of an Ed25519 key is refused with a cause. */
static void
test_did_rejects(void **state)
{
	static const char *bad[] = {
		"",
		"z",
		"did:key:",
		"did:key:z",
		"did:web:example.org",
		"did:key:f0ed013b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29",
		"6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"DID:KEY:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		/* secp256k1-pub (0xe7 0x01) and x25519-pub (0xec 0x01). */
		"did:key:zQ3shMYdM8Kuh6LHsfSkGi2tUnnX1e4u286ZN1qzm8wcrk3zh",
		"did:key:z6LSc9cEXR4wEYoL528KajoPMicpZG1XR3ytnqPGu7xiwi2i",
		/* ed25519-pub with 31 and 33 key bytes. */
		"did:key:z2DQV5Tm64jwFsRi2chqem1Wt2aP6bP34vi2itLNof8JFdG",
		"did:key:zQebgPz46dXF6xQtdeWC3Hp176BFCSRwmM6fivExUWaYckRGz",
		/* A leading zero byte ('1') before a valid value. */
		"did:key:z16Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z3L",
		/* Characters outside the alphabet: 0, O, I, l, and a fragment. */
		"did:key:z6Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z30",
		"did:key:z6Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z3O",
		"did:key:z6Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z3I",
		"did:key:z6Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z3l",
		"did:key:z6Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z3L#z6Mk",
		"did:key:z6Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z3L ",
		/* From the W3C did:key test suite: too short, too long. */
		"did:key:zTjsVPtY",
		"did:key:z6MkA9MEcFWsoUVqj2zX6LACFaikLQ28i9WAsJnURDS3HLGKSkUbwUbiLH22"
		    "ohgZ2BwgpQ6qC3VBTNV3pLhYDTVgR",
		"did:key:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
	};
	uint8_t		 pk[KEYS_PK_LEN];
	char		*cause;
	size_t		 i;

	assert_int_equal(keys_did_decode(
	    "did:key:z6Mkevh7bMWWUda468bFjfFGtDxLXgkG8L46bsaXEwHD9Z3L", pk, NULL), 0);
	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		if (keys_did_decode(bad[i], pk, &cause) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
}

/* RFC 4648 vectors; whitespace is skipped; bad characters and padding are refused. */
static void
test_b64(void **state)
{
	static const char *vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *bad[] = {
		"Zg=", "Zg", "Zh==", "Zm9=", "Zg==Zg==", "Z===", "====", "Zm9v!",
		"Zm9v-A==", "Zm9vYg=\n=x",
	};
	uint8_t		*out;
	char		*enc;
	size_t		 i, len;

	for (i = 0; i < nitems(vec); i++) {
		enc = keys_b64_encode((const uint8_t *)vec[i][0], strlen(vec[i][0]));
		assert_string_equal(enc, vec[i][1]);
		free(enc);
		assert_int_equal(keys_b64_decode(vec[i][1], strlen(vec[i][1]),
		    &out, &len), 0);
		assert_int_equal(len, strlen(vec[i][0]));
		assert_memory_equal(out, vec[i][0], len);
		free(out);
	}
	assert_int_equal(keys_b64_decode(" Zm9v\r\n Ym\tFy\n", 14, &out, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "foobar", 6);
	free(out);
	for (i = 0; i < nitems(bad); i++)
		assert_int_equal(keys_b64_decode(bad[i], strlen(bad[i]), &out,
		    &len), -1);
	/* A NUL byte inside is not whitespace. */
	assert_int_equal(keys_b64_decode("Zm\0v", 4, &out, &len), -1);
	/* Padding followed by whitespace is fine. */
	assert_int_equal(keys_b64_decode("Zg== \n", 6, &out, &len), 0);
	free(out);
}

/* Signs msg with a fresh key and returns the armored text. Caller frees. */
static char *
sign_fresh(struct keys_pair *kp, const char *ns, const char *msg)
{
	char	*armored = NULL;

	assert_int_equal(keys_generate(kp), 0);
	assert_int_equal(keys_sshsig_sign(kp, ns, msg, strlen(msg), &armored), 0);
	return armored;
}

/* Sign and verify; the wrong message, namespace or key is refused. */
static void
test_sshsig(void **state)
{
	struct keys_pair kp, other;
	struct keys_sshsig s;
	uint8_t		*blob;
	char		*a, *cause = NULL, *withnl;
	size_t		 alen, bloblen;

	a = sign_fresh(&kp, "git", "tree 123\n");
	alen = strlen(a);
	assert_true(strncmp(a, "-----BEGIN SSH SIGNATURE-----\n", 30) == 0);
	assert_string_equal(a + alen - 28, "\n-----END SSH SIGNATURE-----");
	assert_int_equal(keys_sshsig_dearmor(a, alen, &blob, &bloblen, NULL), 0);
	assert_int_equal(bloblen, 173);
	assert_int_equal(keys_sshsig_parse(blob, bloblen, &s, NULL), 0);
	assert_memory_equal(s.pk, kp.pk, KEYS_PK_LEN);
	assert_int_equal(s.nslen, 3);
	assert_memory_equal(s.ns, "git", 3);
	assert_int_equal(s.hashalglen, 6);
	assert_memory_equal(s.hashalg, "sha512", 6);
	free(blob);

	assert_int_equal(keys_sshsig_verify(kp.pk, "git", "tree 123\n", 9, a,
	    alen, &cause), 0);
	withnl = xasprintf("%s\n", a);
	assert_int_equal(keys_sshsig_verify(kp.pk, "git", "tree 123\n", 9,
	    withnl, strlen(withnl), NULL), 0);
	free(withnl);
	assert_int_equal(keys_sshsig_verify(kp.pk, "git", "tree 124\n", 9, a,
	    alen, &cause), -1);
	assert_string_equal(cause, "bad signature");
	free(cause);
	assert_int_equal(keys_sshsig_verify(kp.pk, "file", "tree 123\n", 9, a,
	    alen, &cause), -1);
	free(cause);
	assert_int_equal(keys_sshsig_verify(kp.pk, "", "tree 123\n", 9, a,
	    alen, NULL), -1);
	assert_int_equal(keys_generate(&other), 0);
	assert_int_equal(keys_sshsig_verify(other.pk, "git", "tree 123\n", 9, a,
	    alen, &cause), -1);
	assert_string_equal(cause, "signed by another key");
	free(cause);
	assert_int_equal(keys_sshsig_sign(&kp, "", "x", 1, &withnl), -1);
	free(a);

	/* The empty message signs and verifies too. */
	assert_int_equal(keys_sshsig_sign(&kp, "git", NULL, 0, &a), 0);
	assert_int_equal(keys_sshsig_verify(kp.pk, "git", "", 0, a, strlen(a),
	    NULL), 0);
	free(a);
	keys_wipe(&kp);
	keys_wipe(&other);
}

/* Appends an SSH string holding the C string s. */
static void
add_sshstr(struct buf *b, const char *s)
{
	buf_add_be32(b, (uint32_t)strlen(s));
	buf_addstr(b, s);
}

/*
 * Assembles and armors a signature of "msg" by hand, with any hash name and
 * reserved field; tbsalg is the hash name put in the signed data.
 */
static char *
sig_by_hand(const struct keys_pair *kp, const char *res, const char *alg,
    const char *tbsalg)
{
	struct buf	 tbs, blob;
	uint8_t		 h[64], pub[KEYS_PUBBLOB_LEN], sig[64];
	size_t		 hlen = strcmp(alg, "sha256") == 0 ? 32 : 64;
	char		*a;

	if (hlen == 32)
		crypto_hash_sha256(h, (const uint8_t *)"msg", 3);
	else
		crypto_hash_sha512(h, (const uint8_t *)"msg", 3);
	buf_init(&tbs);
	buf_add(&tbs, "SSHSIG", 6);
	add_sshstr(&tbs, "git");
	add_sshstr(&tbs, res);
	add_sshstr(&tbs, tbsalg);
	buf_add_be32(&tbs, (uint32_t)hlen);
	buf_add(&tbs, h, hlen);
	crypto_sign_detached(sig, NULL, tbs.data, tbs.len, kp->sk);
	buf_free(&tbs);

	keys_pub_blob(kp->pk, pub);
	buf_init(&blob);
	buf_add(&blob, "SSHSIG\0\0\0\1\0\0\0\x33", 14);
	buf_add(&blob, pub, sizeof pub);
	add_sshstr(&blob, "git");
	add_sshstr(&blob, res);
	add_sshstr(&blob, alg);
	buf_add(&blob, "\0\0\0\x53\0\0\0\x0bssh-ed25519\0\0\0\x40", 23);
	buf_add(&blob, sig, sizeof sig);
	a = keys_armor("SSH SIGNATURE", blob.data, blob.len, 0, NULL);
	buf_free(&blob);
	return a;
}

/* Verifies a hand-made signature of "msg" in namespace "git"; frees it. */
static int
verify_by_hand(const struct keys_pair *kp, char *a, char **cause)
{
	int	 rv;

	rv = keys_sshsig_verify(kp->pk, "git", "msg", 3, a, strlen(a), cause);
	free(a);
	return rv;
}

/* sha256 and reserved fields verify; unknown hashes and mismatches do not. */
static void
test_sshsig_hashes(void **state)
{
	struct keys_pair kp;
	char		*a, *cause = NULL;

	assert_int_equal(keys_generate(&kp), 0);
	a = sig_by_hand(&kp, "", "sha256", "sha256");
	assert_int_equal(keys_sshsig_verify(kp.pk, "git", "msh", 3, a, strlen(a),
	    NULL), -1);
	assert_int_equal(verify_by_hand(&kp, a, &cause), 0);
	assert_int_equal(verify_by_hand(&kp, sig_by_hand(&kp, "", "sha512",
	    "sha512"), &cause), 0);
	/* A reserved field is covered by the signature. */
	assert_int_equal(verify_by_hand(&kp, sig_by_hand(&kp, "ext", "sha512",
	    "sha512"), &cause), 0);
	assert_int_equal(verify_by_hand(&kp, sig_by_hand(&kp, "", "sha1",
	    "sha1"), &cause), -1);
	assert_string_equal(cause, "unsupported signature hash algorithm");
	free(cause);
	assert_int_equal(verify_by_hand(&kp, sig_by_hand(&kp, "", "sha512",
	    "sha256"), NULL), -1);
	keys_wipe(&kp);
}

/* Truncated, extended and bit-flipped signatures never parse or verify. */
static void
test_sshsig_mangled(void **state)
{
	struct keys_pair kp;
	struct keys_sshsig s;
	uint8_t		*blob, *b2;
	char		*a, *t;
	size_t		 alen, bloblen, i;
	int		 bit;

	a = sign_fresh(&kp, "git", "payload");
	alen = strlen(a);
	assert_int_equal(keys_sshsig_dearmor(a, alen, &blob, &bloblen, NULL), 0);
	for (i = 0; i < bloblen; i++) {
		b2 = exact(blob, i);
		assert_int_equal(keys_sshsig_parse(b2, i, &s, NULL), -1);
		free(b2);
	}
	b2 = xmalloc(bloblen + 1);
	memcpy(b2, blob, bloblen);
	b2[bloblen] = 0;
	assert_int_equal(keys_sshsig_parse(b2, bloblen + 1, &s, NULL), -1);
	/* Every single-bit change of the blob makes verification fail. */
	for (i = 0; i < bloblen; i++) {
		for (bit = 0; bit < 8; bit++) {
			b2[i] = blob[i] ^ (1 << bit);
			t = keys_armor("SSH SIGNATURE", b2, bloblen, 0, NULL);
			assert_int_equal(keys_sshsig_verify(kp.pk, "git",
			    "payload", 7, t, strlen(t), NULL), -1);
			free(t);
			b2[i] = blob[i];
		}
	}
	/* Truncated armor never verifies. */
	for (i = 0; i < alen; i++) {
		t = exact(a, i);
		assert_int_equal(keys_sshsig_verify(kp.pk, "git", "payload", 7,
		    t, i, NULL), -1);
		free(t);
	}
	free(b2);
	free(blob);
	free(a);
	keys_wipe(&kp);
}

/* Makes a fresh temporary directory. Caller frees. */
static char *
temp_dir(void)
{
	char	*dir = xasprintf("%s/test_keys.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");

	assert_non_null(mkdtemp(dir));
	return dir;
}

/* keys_save writes 0600/0644 and never overwrites; keys_load refuses open modes. */
static void
test_save_load(void **state)
{
	struct keys_pair kp, back;
	struct stat	 sb;
	uint8_t		 pk[KEYS_PK_LEN];
	char		*dir, *key, *pub, *cause = NULL, *text;
	size_t		 len;

	dir = temp_dir();
	key = xasprintf("%s/node.key", dir);
	pub = xasprintf("%s/node.pub", dir);
	assert_int_equal(keys_generate(&kp), 0);
	assert_int_equal(keys_save(key, pub, &kp, "node", &cause), 0);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(stat(pub, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(keys_load(key, &back, &cause), 0);
	assert_memory_equal(back.sk, kp.sk, KEYS_SK_LEN);
	assert_int_equal(read_file(pub, 4096, &text, &len, NULL), 0);
	assert_int_equal(keys_pub_decode(text, pk, NULL), 0);
	assert_memory_equal(pk, kp.pk, KEYS_PK_LEN);
	free(text);

	assert_int_equal(keys_save(key, pub, &kp, "node", &cause), -1);
	assert_non_null(strstr(cause, "already exists"));
	free(cause);

	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(keys_load(key, &back, &cause), -1);
	assert_non_null(strstr(cause, "permissions 0644 are too open"));
	free(cause);
	assert_int_equal(chmod(key, 0620), 0);
	assert_int_equal(keys_load(key, &back, NULL), -1);
	assert_int_equal(chmod(key, 0400), 0);
	assert_int_equal(keys_load(key, &back, NULL), 0);

	assert_int_equal(unlink(key), 0);
	assert_int_equal(keys_load(key, &back, &cause), -1);
	free(cause);
	assert_int_equal(unlink(pub), 0);
	assert_int_equal(rmdir(dir), 0);
	free(key);
	free(pub);
	free(dir);
	keys_wipe(&kp);
	keys_wipe(&back);
}

/* Prints a helper failure with its cause; returns 1, the exit code. */
static int
helper_fail(const char *what, char *cause)
{
	fprintf(stderr, "test_keys: %s: %s\n", what,
	    cause != NULL ? cause : "failed");
	free(cause);
	return 1;
}

/* test_keys gen DIR: a new key pair in DIR/node.key and DIR/node.pub; prints the did. */
static int
helper_gen(const char *dir)
{
	struct keys_pair kp;
	char		*key, *pub, *cause = NULL, did[KEYS_DID_MAX];
	int		 rv = 0;

	key = xasprintf("%s/node.key", dir);
	pub = xasprintf("%s/node.pub", dir);
	if (keys_generate(&kp) != 0 ||
	    keys_save(key, pub, &kp, "node", &cause) != 0)
		rv = helper_fail("gen", cause);
	else {
		keys_did_encode(kp.pk, did);
		printf("%s\n", did);
	}
	keys_wipe(&kp);
	free(key);
	free(pub);
	return rv;
}

/* test_keys sign KEYFILE NS FILE: prints the armored signature of FILE. */
static int
helper_sign(const char *keyfile, const char *ns, const char *file)
{
	struct keys_pair kp;
	char		*msg, *sig, *cause = NULL;
	size_t		 len;
	int		 rv;

	if (keys_load(keyfile, &kp, &cause) != 0)
		return helper_fail("sign", cause);
	if (read_file(file, 16 << 20, &msg, &len, &cause) != 0) {
		keys_wipe(&kp);
		return helper_fail("sign", cause);
	}
	if ((rv = keys_sshsig_sign(&kp, ns, msg, len, &sig)) == 0) {
		printf("%s\n", sig);
		free(sig);
	} else
		rv = helper_fail("sign", NULL);
	keys_wipe(&kp);
	free(msg);
	return rv;
}

/* test_keys verify PUBFILE NS FILE SIGFILE: exits 0 when the signature is good. */
static int
helper_verify(const char *pubfile, const char *ns, const char *file,
    const char *sigfile)
{
	uint8_t		 pk[KEYS_PK_LEN];
	char		*line = NULL, *msg = NULL, *sig = NULL, *cause = NULL;
	size_t		 len, msglen, siglen;
	int		 rv = 1;

	if (read_file(pubfile, 65536, &line, &len, &cause) != 0 ||
	    read_file(file, 16 << 20, &msg, &msglen, &cause) != 0 ||
	    read_file(sigfile, 65536, &sig, &siglen, &cause) != 0)
		rv = helper_fail("verify", cause);
	else if (keys_pub_decode(line, pk, &cause) != 0)
		rv = helper_fail(pubfile, cause);
	else if (keys_sshsig_verify(pk, ns, msg, msglen, sig, siglen,
	    &cause) != 0)
		rv = helper_fail("verify", cause);
	else
		rv = 0;
	free(line);
	free(msg);
	free(sig);
	return rv;
}

/* The modes used by tests/regress/keys_sshkeygen.sh. */
static int
helper(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "gen") == 0)
		return helper_gen(argv[2]);
	if (argc == 5 && strcmp(argv[1], "sign") == 0)
		return helper_sign(argv[2], argv[3], argv[4]);
	if (argc == 6 && strcmp(argv[1], "verify") == 0)
		return helper_verify(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: test_keys [gen DIR | sign KEYFILE NS FILE | "
	    "verify PUBFILE NS FILE SIGFILE]\n");
	return 2;
}

/* Runs the tests, or a helper mode when given arguments. */
int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sk_roundtrip),
		cmocka_unit_test(test_sk_sshkeygen),
		cmocka_unit_test(test_sk_truncated),
		cmocka_unit_test(test_sk_flipped_text),
		cmocka_unit_test(test_sk_flipped_binary),
		cmocka_unit_test(test_sk_rejects),
		cmocka_unit_test(test_pub),
		cmocka_unit_test(test_did_vectors),
		cmocka_unit_test(test_did_rejects),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_sshsig),
		cmocka_unit_test(test_sshsig_hashes),
		cmocka_unit_test(test_sshsig_mangled),
		cmocka_unit_test(test_save_load),
	};

	if (argc > 1)
		return helper(argc, argv);
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
