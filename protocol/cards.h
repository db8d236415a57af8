/*
 * cards.h — contact cards: whom to ask about a project or a lesson, kept
 * outside the signed history (PROTOCOL.md §2.6, doc/DESIGN.md §11).
 *
 * A node has one signed *card set*: a body [pk, seq, time, [[target, date,
 * hash]…]] signed by the node, and beside it each card's *content* (salt,
 * role, unit, mailbox, phone, name, consent) whose BLAKE2b-256 is the
 * entry's hash. A relay or a node whose clock says a card expired drops
 * the content and keeps the signed body, so the text goes while the set
 * still verifies. The CARDS message carries one set, CARDSUM the (pk, seq)
 * of the sets a node holds, for anti-entropy. Pure code over caller
 * buffers: the YAML card a user writes, the codec, signing and checking.
 */
#ifndef KNOWD_CARDS_H
#define KNOWD_CARDS_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "util.h"

#define CARDS_MAX		64	/* cards in one node's set */
#define CARDS_TARGET_MAX	64	/* a project slug or a lesson id */
#define CARDS_TEXT_MAX		120	/* role, unit, mailbox, name */
#define CARDS_PHONE_MAX		40
#define CARDS_DATE_LEN		10	/* consent: YYYY-MM-DD */
#define CARDS_SALT_LEN		16
#define CARDS_HASH_LEN		32
#define CARDS_CONTENT_MAX	800	/* bytes of one card's content */
#define CARDS_BODY_MAX		8192	/* bytes of a signed set body */
#define CARDS_FILE_MAX		4096	/* bytes of a YAML card */
#define CARDS_SUM_MAX		512	/* entries in one CARDSUM */
#define CARDS_CTX		"knowd cards v1"	/* signature context (+NUL) */

/* What a card says. Strings are NUL-terminated; "" when absent. */
struct cards_card {
	char	role[CARDS_TEXT_MAX + 1];
	char	unit[CARDS_TEXT_MAX + 1];
	char	mailbox[CARDS_TEXT_MAX + 1];
	char	phone[CARDS_PHONE_MAX + 1];
	char	name[CARDS_TEXT_MAX + 1];	/* a person, only with consent */
	char	consent[CARDS_DATE_LEN + 1];	/* YYYY-MM-DD, with name */
};

/* One entry of a set: signed (target, date, hash) and its content, if held. */
struct cards_entry {
	char			target[CARDS_TARGET_MAX + 1];
	uint64_t		date;		/* set or renewed, unix seconds */
	uint8_t			hash[CARDS_HASH_LEN];
	int			has;		/* content present */
	uint8_t			raw[CARDS_CONTENT_MAX];	/* content as hashed */
	size_t			rawlen;
	struct cards_card	c;		/* raw, decoded */
};

/* One node's card set, as signed and as it travels. */
struct cards_set {
	uint8_t			pk[KEYS_PK_LEN];
	uint64_t		seq;		/* higher replaces lower */
	uint64_t		time;		/* signed, unix seconds */
	struct cards_entry	e[CARDS_MAX];
	size_t			n;
	uint8_t			body[CARDS_BODY_MAX];
	size_t			bodylen;
	uint8_t			sig[KEYS_SIG_LEN];
};

/* CARDSUM modes (PROTOCOL.md §4.10). */
enum cards_mode {
	CARDS_DIGEST = 0,	/* my digest; answer with your list and a DIGEST_REPLY */
	CARDS_LIST = 1,		/* sets I hold: send me newer ones, ask me for mine */
	CARDS_WANT = 2,		/* sets I hold older or not at all: send yours */
	CARDS_DIGEST_REPLY = 3,	/* my digest; if it differs, send your list */
};

struct cards_sum_entry {
	uint8_t		pk[KEYS_PK_LEN];
	uint64_t	seq;
};

/* CARDSUM: [13, mode, count, digest, [[pk, seq]…]]. */
struct cards_sum {
	uint64_t		mode;
	uint64_t		count;		/* sets the sender holds */
	uint8_t			digest[32];
	struct cards_sum_entry	e[CARDS_SUM_MAX];
	size_t			n;
};

/*
 * Parses a YAML card (keys role, unit, mailbox, phone, name, consent).
 * On failure *cause is a German sentence naming the line and key.
 */
int	 cards_card_parse(const char *, size_t, struct cards_card *,
	     char **cause);
/* True for a target: 1..64 of [A-Za-z0-9._-] (a project slug or a record id). */
int	 cards_target_ok(const char *);
/* Fills e's content from e->c, raw and hash, with salt (NULL: a fresh random one). */
void	 cards_entry_seal(struct cards_entry *, const uint8_t *salt);
/* Encodes s's body from pk, seq, time and entries and signs it. */
void	 cards_sign(struct cards_set *, const struct keys_pair *);
/*
 * 0 when the body is signed by s->pk and each content held matches its
 * hash; -1 for a bad signature, -2 for a content that does not match.
 */
int	 cards_verify(const struct cards_set *);
/* True when e is expired at now for a maximum age (seconds). */
int	 cards_expired(const struct cards_entry *, uint64_t now, uint64_t maxage);
/* Drops the content of entries expired at now; the number dropped. */
size_t	 cards_prune(struct cards_set *, uint64_t now, uint64_t maxage);

/* CARDS: [12, body, sig, [content…]] (empty bin: content not held). */
void	 cards_encode(struct buf *, const struct cards_set *);
int	 cards_decode(const uint8_t *, size_t, struct cards_set *, char **cause);
void	 cards_sum_encode(struct buf *, const struct cards_sum *);
int	 cards_sum_decode(const uint8_t *, size_t, struct cards_sum *,
	     char **cause);
/* BLAKE2b-256 over be64(n) ‖ each pk ‖ be64(seq), entries sorted by pk. */
void	 cards_digest(const struct cards_sum_entry *, size_t n, uint8_t out[32]);

#endif
