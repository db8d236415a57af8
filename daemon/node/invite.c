/*
 * invite.c — invitations this node issued (PROTOCOL.md §4.9): HOME/invites,
 * local state (not in git, not replicated), 0600, one line each:
 *
 *   id  key  state  created  expires  nid  used  ags  name
 *
 * (tab-separated; id 16 hex digits, key the 64 hex digits of invite_key of
 * the secret — never the secret itself —, state open, used or revoked,
 * times in Unix seconds, "-" for an empty field). At most NODE_INVITES_MAX
 * are kept: finished ones give way first. The file is small and read for
 * each use; a JOIN is rare and rate-limited, so nothing is cached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "home.h"
#include "invite.h"
#include "log.h"
#include "node.h"
#include "node_int.h"
#include "record.h"
#include "util.h"

#define INVITES_FILE	NODE_INVITES_FILE
#define INVITES_BYTES	(NODE_INVITES_MAX * 512)

/* One line of the file, as read. */
struct inv_row {
	struct node_invite	 pub;
	uint8_t			 key[INVITE_KEY_LEN];
};

struct inv_file {
	struct inv_row	*v;
	size_t		 n;
};

/* Copies field f into out (size n), "-" read as "". */
static int
inv_copy(const char *f, char *out, size_t n)
{
	if (strcmp(f, "-") == 0)
		f = "";
	if (strlen(f) >= n)
		return -1;
	snprintf(out, n, "%s", f);
	return 0;
}

/* Parses one line into r; -1 when it is not one of ours. */
static int
inv_parse_line(char *line, struct inv_row *r)
{
	char		*f[9], *save = NULL, *s;
	size_t		 i;
	long long	 c, e, u;

	for (i = 0, s = line; i < 9; i++, s = NULL)
		if ((f[i] = strtok_r(s, "\t", &save)) == NULL)
			return -1;
	memset(r, 0, sizeof *r);
	if (inv_copy(f[0], r->pub.id, sizeof r->pub.id) != 0 ||
	    strlen(r->pub.id) != 2 * INVITE_ID_LEN ||
	    hex_decode(f[1], r->key, sizeof r->key) != 0 ||
	    inv_copy(f[2], r->pub.state, sizeof r->pub.state) != 0 ||
	    sscanf(f[3], "%lld", &c) != 1 || sscanf(f[4], "%lld", &e) != 1 ||
	    inv_copy(f[5], r->pub.nid, sizeof r->pub.nid) != 0 ||
	    sscanf(f[6], "%lld", &u) != 1 ||
	    inv_copy(f[7], r->pub.ags, sizeof r->pub.ags) != 0 ||
	    strlen(f[8]) >= sizeof r->pub.name)
		return -1;
	snprintf(r->pub.name, sizeof r->pub.name, "%s", f[8]);
	r->pub.created = (time_t)c;
	r->pub.expires = (time_t)e;
	r->pub.used = (time_t)u;
	return 0;
}

/* Reads HOME/invites (none yet: empty). */
static int
inv_read(struct node *nd, struct inv_file *f, char **cause)
{
	char	*path, *text = NULL, *line, *save = NULL, *s;
	size_t	 len;
	int	 rv;

	memset(f, 0, sizeof *f);
	path = home_path(nd->home, INVITES_FILE);
	if (access(path, F_OK) == -1 && errno == ENOENT) {
		free(path);
		return 0;		/* no invitation yet */
	}
	rv = read_file(path, INVITES_BYTES, &text, &len, cause);
	free(path);
	if (rv != 0)
		return -1;
	for (s = text; (line = strtok_r(s, "\n", &save)) != NULL; s = NULL) {
		if (f->n == NODE_INVITES_MAX)
			break;
		f->v = xreallocarray(f->v, f->n + 1, sizeof *f->v);
		if (inv_parse_line(line, &f->v[f->n]) == 0)
			f->n++;
		else
			log_warnx("%s: a line that is no invitation skipped",
			    INVITES_FILE);
	}
	sodium_memzero(text, len);
	free(text);
	return 0;
}

/* Writes the table back atomically (fsynced) with mode 0600. */
static int
inv_write(struct node *nd, const struct inv_file *f, char **cause)
{
	struct buf	 b;
	char		 key[2 * INVITE_KEY_LEN + 1], *path;
	size_t		 i;
	int		 rv;

	buf_init(&b);
	for (i = 0; i < f->n; i++) {
		const struct node_invite *p = &f->v[i].pub;

		hex_encode(f->v[i].key, sizeof f->v[i].key, key);
		buf_printf(&b, "%s\t%s\t%s\t%lld\t%lld\t%s\t%lld\t%s\t%s\n",
		    p->id, key, p->state, (long long)p->created,
		    (long long)p->expires, p->nid[0] ? p->nid : "-",
		    (long long)p->used, p->ags[0] ? p->ags : "-", p->name);
	}
	sodium_memzero(key, sizeof key);
	path = home_path(nd->home, INVITES_FILE);
	rv = write_file_atomic(path, b.data != NULL ? (const void *)b.data :
	    "", b.len, 0600, cause);
	free(path);
	if (b.data != NULL)
		sodium_memzero(b.data, b.len);
	buf_free(&b);
	return rv;
}

static void
inv_free(struct inv_file *f)
{
	if (f->v != NULL)
		sodium_memzero(f->v, f->n * sizeof *f->v);
	free(f->v);
	memset(f, 0, sizeof *f);
}

/* True while r may still be redeemed. */
static int
inv_open(const struct node_invite *r, time_t now)
{
	return strcmp(r->state, "open") == 0 && r->expires > now;
}

/* Makes room for one more: drops the oldest finished one; -1 when all are open. */
static int
inv_room(struct inv_file *f, time_t now)
{
	size_t	 i;

	if (f->n < NODE_INVITES_MAX)
		return 0;
	for (i = 0; i < f->n; i++)
		if (!inv_open(&f->v[i].pub, now)) {
			memmove(&f->v[i], &f->v[i + 1],
			    (f->n - i - 1) * sizeof *f->v);
			f->n--;
			return 0;
		}
	return -1;
}

/* Checks name and ags as a vouch record would take them. */
static int
inv_check_names(struct node *nd, const char *name, const char *ags,
    char **cause)
{
	struct record	 r;
	char		 now[32], *why = NULL;

	if (strpbrk(name, "\t\n\r") != NULL ||
	    (ags != NULL && strpbrk(ags, "\t\n\r ") != NULL))
		return set_cause(cause, "name and AGS hold no tabs or line "
		    "breaks");
	memset(&r, 0, sizeof r);
	time_iso(time(NULL), now);
	r.kind = RECORD_VOUCH;
	r.id = nd->nid;
	r.name = (char *)name;
	r.ags = (char *)ags;
	r.created = r.modified = now;
	r.body = (char *)"";
	if (record_validate(&r, RECORD_STRICT, &why) != 0) {
		set_cause(cause, "the invitation's vouch would not be valid:\n%s",
		    why);
		free(why);
		return -1;
	}
	return 0;
}

int
node_invite_create(struct node *nd, const char *name, const char *ags,
    long ttl, const char *addr, char **line, char **cause)
{
	struct invite_line	 inv;
	struct inv_file		 f;
	struct inv_row		*r;
	time_t			 now = time(NULL);
	int			 rv = -1;

	*line = NULL;
	if (ttl <= 0 || ttl > NODE_INVITE_TTL_MAX)
		return set_cause(cause, "an invitation lasts 1 s to %d days",
		    NODE_INVITE_TTL_MAX / 86400);
	if (strlen(addr) > INVITE_ADDR_MAX || strlen(nd->conf.network) >
	    INVITE_NET_MAX || strchr(addr, ':') == NULL)
		return set_cause(cause, "%s: not an address HOST:PORT", addr);
	if (inv_check_names(nd, name, ags, cause) != 0 ||
	    inv_read(nd, &f, cause) != 0)
		return -1;
	if (inv_room(&f, now) != 0) {
		set_cause(cause, "%d invitations are open: revoke some first",
		    NODE_INVITES_MAX);
		goto out;
	}
	memset(&inv, 0, sizeof inv);
	randombytes_buf(inv.id, sizeof inv.id);
	randombytes_buf(inv.secret, sizeof inv.secret);
	memcpy(inv.pk, nd->kp.pk, KEYS_PK_LEN);
	snprintf(inv.network, sizeof inv.network, "%s", nd->conf.network);
	snprintf(inv.addr, sizeof inv.addr, "%s", addr);
	f.v = xreallocarray(f.v, f.n + 1, sizeof *f.v);
	r = &f.v[f.n++];
	memset(r, 0, sizeof *r);
	hex_encode(inv.id, sizeof inv.id, r->pub.id);
	invite_key(inv.secret, r->key);
	snprintf(r->pub.state, sizeof r->pub.state, "open");
	snprintf(r->pub.name, sizeof r->pub.name, "%s", name);
	snprintf(r->pub.ags, sizeof r->pub.ags, "%s", ags != NULL ? ags : "");
	r->pub.created = now;
	r->pub.expires = now + ttl;
	if ((rv = inv_write(nd, &f, cause)) == 0) {
		*line = invite_format(&inv);
		log_info("invitation %s for \"%s\" created, valid for %ld s",
		    r->pub.id, name, ttl);
	}
	sodium_memzero(&inv, sizeof inv);
out:
	inv_free(&f);
	return rv;
}

int
node_invite_list(struct node *nd, struct node_invite **out, size_t *n,
    char **cause)
{
	struct inv_file	 f;
	size_t		 i;

	*out = NULL;
	*n = 0;
	if (inv_read(nd, &f, cause) != 0)
		return -1;
	if (f.n > 0)
		*out = xcalloc(f.n, sizeof **out);
	for (i = 0; i < f.n; i++)
		(*out)[i] = f.v[i].pub;
	*n = f.n;
	inv_free(&f);
	return 0;
}

/* The row of id (hex), or NULL. */
static struct inv_row *
inv_find(struct inv_file *f, const char *id)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].pub.id, id) == 0)
			return &f->v[i];
	return NULL;
}

int
node_invite_revoke(struct node *nd, const char *id, char **cause)
{
	struct inv_file	 f;
	struct inv_row	*r;
	int		 rv = -1;

	if (inv_read(nd, &f, cause) != 0)
		return -1;
	if ((r = inv_find(&f, id)) == NULL)
		set_cause(cause, "%s: no such invitation (knowctl invite list)",
		    id);
	else if (strcmp(r->pub.state, "open") != 0)
		set_cause(cause, "invitation %s is %s already", id,
		    r->pub.state);
	else {
		snprintf(r->pub.state, sizeof r->pub.state, "revoked");
		if ((rv = inv_write(nd, &f, cause)) == 0)
			log_info("invitation %s revoked", id);
	}
	inv_free(&f);
	return rv;
}

/*
 * The refusal, if any, for row r (NULL: unknown id) and a JOIN's proof:
 * the proof is checked first (in constant time, against a random key when
 * the id is unknown), so only a holder of the secret learns that an
 * invitation was used, revoked or has expired.
 */
static enum node_invite_result
inv_judge(const struct inv_row *r, const uint8_t *proof, const uint8_t *hh,
    size_t hhlen, time_t now)
{
	uint8_t	 key[INVITE_KEY_LEN], want[INVITE_PROOF_LEN];
	int	 good;

	if (r != NULL)
		memcpy(key, r->key, sizeof key);
	else
		randombytes_buf(key, sizeof key);
	invite_proof(key, hh, hhlen, 0, want);
	good = sodium_memcmp(want, proof, sizeof want) == 0;
	sodium_memzero(key, sizeof key);
	sodium_memzero(want, sizeof want);
	if (r == NULL || !good)
		return NODE_INVITE_WRONG;
	if (strcmp(r->pub.state, "used") == 0)
		return NODE_INVITE_USED;
	if (strcmp(r->pub.state, "open") != 0)
		return NODE_INVITE_REVOKED;
	if (r->pub.expires <= now)
		return NODE_INVITE_EXPIRED;
	return NODE_INVITE_OK;
}

enum node_invite_result
node_invite_redeem(struct node *nd, const char *nid,
    const uint8_t id[INVITE_ID_LEN], const uint8_t proof[INVITE_PROOF_LEN],
    const uint8_t *hh, size_t hhlen, uint8_t answer[INVITE_PROOF_LEN],
    char **cause)
{
	struct node_result	 res;
	struct inv_file		 f;
	struct inv_row		*r;
	enum node_invite_result	 v;
	char			 hex[2 * INVITE_ID_LEN + 1];
	char			 did[KEYS_DID_MAX];
	int			 again = 0;

	if (inv_read(nd, &f, cause) != 0)
		return NODE_INVITE_FAILED;
	hex_encode(id, INVITE_ID_LEN, hex);
	r = inv_find(&f, hex);
	if ((v = inv_judge(r, proof, hh, hhlen, time(NULL))) != NODE_INVITE_OK)
		goto out;
	if (node_may_publish(nd, &again, cause) != 0) {
		v = again ? NODE_INVITE_BUSY : NODE_INVITE_FAILED;
		goto out;
	}
	/* Used, durably, before the vouch: a crash between never lets it in twice. */
	snprintf(r->pub.state, sizeof r->pub.state, "used");
	snprintf(r->pub.nid, sizeof r->pub.nid, "%s", nid);
	r->pub.used = time(NULL);
	if (inv_write(nd, &f, cause) != 0) {
		v = NODE_INVITE_FAILED;
		goto out;
	}
	snprintf(did, sizeof did, "%s%s", KEYS_DID_PREFIX, nid);
	if (node_vouch(nd, did, r->pub.name, r->pub.ags[0] ? r->pub.ags : NULL,
	    &res, cause) != 0) {
		v = res.again ? NODE_INVITE_BUSY : NODE_INVITE_FAILED;
		snprintf(r->pub.state, sizeof r->pub.state, "open");
		r->pub.nid[0] = '\0';
		r->pub.used = 0;
		if (inv_write(nd, &f, NULL) != 0)
			log_warnx("invitation %s: used, but the vouch failed; "
			    "vouch by hand (knowctl vouch)", hex);
		goto out;
	}
	node_result_clear(&res);
	invite_proof(r->key, hh, hhlen, 1, answer);
	log_info("invitation %s (\"%s\") redeemed by %s: vouched", hex,
	    r->pub.name, did);
out:
	inv_free(&f);
	return v;
}

const char *
node_invite_why(enum node_invite_result v)
{
	switch (v) {
	case NODE_INVITE_OK:
		return "accepted";
	case NODE_INVITE_WRONG:
		return "unknown invitation or wrong secret";
	case NODE_INVITE_USED:
		return "invitation already used";
	case NODE_INVITE_REVOKED:
		return "invitation revoked";
	case NODE_INVITE_EXPIRED:
		return "invitation expired";
	case NODE_INVITE_BUSY:
		return "not now: the node is catching up";
	default:
		return "the invitation could not be redeemed";
	}
}

const char *
node_invite_why_de(enum node_invite_result v)
{
	switch (v) {
	case NODE_INVITE_OK:
		return "Einladung angenommen";
	case NODE_INVITE_WRONG:
		return "Die Agentur kennt diese Einladung nicht, oder das "
		    "Geheimnis stimmt nicht";
	case NODE_INVITE_USED:
		return "Diese Einladung wurde bereits verwendet";
	case NODE_INVITE_REVOKED:
		return "Diese Einladung wurde zurückgezogen";
	case NODE_INVITE_EXPIRED:
		return "Diese Einladung ist abgelaufen";
	case NODE_INVITE_BUSY:
		return "Die Agentur ist noch beim Abgleich; bitte in einer "
		    "Minute erneut versuchen";
	default:
		return "Die Agentur konnte die Einladung nicht einlösen (siehe "
		    "ihr Protokoll)";
	}
}
