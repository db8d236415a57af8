/*
 * invite.h — invitations (PROTOCOL.md §4.9): the one line an agency hands a
 * new node, and the proofs a JOIN carries inside the secure channel.
 *
 * The line is "knowd-invite:v1:" followed by base64url (no padding) of
 *   version 1 (1 byte) || id (8) || secret (16) || agency pk (32) ||
 *   network length (1) || network || address length (1) || address ||
 *   check (4: the first bytes of BLAKE2b-256 over the prefix and the rest),
 * so a typo is caught before anything is dialed. Pure functions; fuzzed.
 */
#ifndef KNOWD_INVITE_H
#define KNOWD_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define INVITE_PREFIX		"knowd-invite:v1:"
#define INVITE_ID_LEN		8
#define INVITE_SECRET_LEN	16	/* 128 random bits */
#define INVITE_KEY_LEN		32	/* what the agency keeps of the secret */
#define INVITE_PROOF_LEN	32
#define INVITE_NET_MAX		128
#define INVITE_ADDR_MAX		128
#define INVITE_CHECK_LEN	4
#define INVITE_LINE_MAX		640	/* characters of a line, whitespace included */

struct invite_line {
	uint8_t	 id[INVITE_ID_LEN];
	uint8_t	 secret[INVITE_SECRET_LEN];
	uint8_t	 pk[KEYS_PK_LEN];		/* the agency's identity */
	char	 network[INVITE_NET_MAX + 1];
	char	 addr[INVITE_ADDR_MAX + 1];	/* host:port */
};

/*
 * Parses a line (surrounding whitespace and line breaks inside are
 * ignored). 0, or -1 with a German *cause naming what is wrong: prefix,
 * version, encoding, length, check (a typo), network or address.
 */
int	 invite_parse(const char *, struct invite_line *, char **cause);
/* The line of inv. Caller frees (and wipes: it holds the secret). */
char	*invite_format(const struct invite_line *);
/* What an agency keeps of a secret: BLAKE2b-256 keyed with it over "knowd invite key v1". */
void	 invite_key(const uint8_t secret[INVITE_SECRET_LEN],
	     uint8_t key[INVITE_KEY_LEN]);
/*
 * The proof of a JOIN (answer 0: the joiner's; 1: the agency's reply):
 * BLAKE2b-256 keyed with the invitation key over a context string and the
 * channel's handshake hash, so it holds for that channel only.
 */
void	 invite_proof(const uint8_t key[INVITE_KEY_LEN],
	     const uint8_t *hh, size_t hhlen, int answer,
	     uint8_t proof[INVITE_PROOF_LEN]);

#endif
