/* keys.h — node identity: Ed25519 key pairs, OpenSSH key files, did:key ids, SSH signatures. */
#ifndef KNOWD_KEYS_H
#define KNOWD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_PK_LEN	32
#define KEYS_SK_LEN	64	/* libsodium layout: seed (32) || public key (32) */
#define KEYS_SIG_LEN	64
/* "did:key:z" + base58btc(0xed 0x01 || pk) is 56 characters; room to spare. */
#define KEYS_DID_MAX	64
/* A node id (nid) is the multibase part of the did:key: "z6Mk…" (48 characters). */
#define KEYS_NID_MAX	56
#define KEYS_DID_PREFIX	"did:key:"

struct keys_pair {
	uint8_t	pk[KEYS_PK_LEN];
	uint8_t	sk[KEYS_SK_LEN];
};

/* Generates a new key pair. Calls sodium_init itself. */
int	 keys_generate(struct keys_pair *);
/* Wipes the secret half. */
void	 keys_wipe(struct keys_pair *);

/*
 * OpenSSH key files. The private key file is "openssh-key-v1", unencrypted,
 * as `ssh-keygen -t ed25519 -N ''` writes it; the public key is one line
 * "ssh-ed25519 BASE64 comment\n".
 */
/* Encodes the private key file text. Caller frees *out (wipe it first). */
int	 keys_sk_encode(const struct keys_pair *, const char *comment,
	     char **out, size_t *outlen);
/* Parses a private key file text; checks the keys match. */
int	 keys_sk_decode(const char *text, size_t len, struct keys_pair *,
	     char **cause);
/* Writes the public key line into out (NUL-terminated); -1 when outsz is too small. */
int	 keys_pub_encode(const uint8_t pk[KEYS_PK_LEN], const char *comment,
	     char *out, size_t outsz);
/* Parses "ssh-ed25519 BASE64 [comment]". */
int	 keys_pub_decode(const char *line, uint8_t pk[KEYS_PK_LEN], char **cause);
/* The SSH public key blob: string "ssh-ed25519" || string pk (51 bytes). */
#define KEYS_PUBBLOB_LEN 51
void	 keys_pub_blob(const uint8_t pk[KEYS_PK_LEN], uint8_t out[KEYS_PUBBLOB_LEN]);

/* Writes both files (secret 0600, public 0644) atomically; refuses to overwrite. */
int	 keys_save(const char *keyfile, const char *pubfile,
	     const struct keys_pair *, const char *comment, char **cause);
/* Loads a secret key file; refuses one readable or writable by group or others. */
int	 keys_load(const char *keyfile, struct keys_pair *, char **cause);

/* did:key:z6Mk… of a public key. out has KEYS_DID_MAX bytes. */
void	 keys_did_encode(const uint8_t pk[KEYS_PK_LEN], char *out);
/* The nid ("z6Mk…", the did:key without its "did:key:" prefix). out has KEYS_NID_MAX bytes. */
void	 keys_nid_encode(const uint8_t pk[KEYS_PK_LEN], char *out);
/*
 * Decodes "did:key:z…" or a bare "z…" nid to a public key. Rejects other
 * multibase prefixes, other multicodecs than ed25519-pub, wrong lengths and
 * anything that is not base58btc.
 */
int	 keys_did_decode(const char *did, uint8_t pk[KEYS_PK_LEN], char **cause);

/*
 * SSH signatures (OpenSSH PROTOCOL.sshsig), Ed25519 only. Signing hashes with
 * sha512; verifying accepts sha512 and sha256.
 */
/* Signs msg in namespace ns; *armored is the armored text without a final newline. Caller frees. */
int	 keys_sshsig_sign(const struct keys_pair *, const char *ns,
	     const void *msg, size_t len, char **armored);
/* Verifies an armored signature over msg by pk in namespace ns; 0 when good. */
int	 keys_sshsig_verify(const uint8_t pk[KEYS_PK_LEN], const char *ns,
	     const void *msg, size_t len, const char *armored, size_t alen,
	     char **cause);
/* The parts of a signature blob, pointing into the caller's decoded buffer. */
struct keys_sshsig {
	uint8_t		 pk[KEYS_PK_LEN];
	const uint8_t	*ns;
	size_t		 nslen;
	const uint8_t	*hashalg;
	size_t		 hashalglen;
	uint8_t		 sig[KEYS_SIG_LEN];
};
/* Parses a raw (de-armored) sshsig blob. Pure; fuzzed. */
int	 keys_sshsig_parse(const uint8_t *blob, size_t len, struct keys_sshsig *,
	     char **cause);
/* Removes the armor: base64-decodes the body between BEGIN/END lines. Caller frees *out. */
int	 keys_sshsig_dearmor(const char *armored, size_t alen, uint8_t **out,
	     size_t *outlen, char **cause);

/* Standard padded base64 (RFC 4648). Caller frees the result. */
char	*keys_b64_encode(const uint8_t *, size_t);
/* Decodes standard base64, ignoring ASCII whitespace; -1 on bad input. Caller frees *out. */
int	 keys_b64_decode(const char *, size_t, uint8_t **out, size_t *outlen);

#endif
