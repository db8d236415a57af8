/*
 * desk_user.c — staff accounts: names, roles, organisational units and
 * Argon2id password hashes (libsodium's crypto_pwhash_str), and the login
 * check with its throttling per account and per address in two bounded
 * tables (the slot used longest ago gives way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "desk_int.h"
#include "log.h"
#include "util.h"

static const char *const roles[] = { "author", "reviewer", "admin" };

/*
 * Checked for an unknown name, so that it costs as much as a known one (no
 * name oracle): a hash of "-" made once with DESK_OPSLIMIT and
 * DESK_MEMLIMIT, written here rather than computed at every start (which
 * took 64 MiB and a tenth of a second of every knowd, desk or not).
 */
_Static_assert(DESK_OPSLIMIT == 3 && DESK_MEMLIMIT == 64u * 1024 * 1024,
    "desk_dummy was made with other limits");
static const char desk_dummy[] = "$argon2id$v=19$m=65536,t=3,p=1$"
    "6hKubHESdeAiVtk+s8ewXw$M6+52MuYs0cCzkmjoZ85hyrm1qGLOtRPBQMv1FHvcio";

int
desk_name_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= DESK_NAME_MAX && s[0] >= 'a' && s[0] <= 'z' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

const char *
desk_role_name(enum desk_role r)
{
	return (size_t)r < nitems(roles) ? roles[r] : "author";
}

int
desk_role_parse(const char *s, enum desk_role *r)
{
	size_t	 i;

	for (i = 0; i < nitems(roles); i++)
		if (strcmp(s, roles[i]) == 0) {
			*r = (enum desk_role)i;
			return 0;
		}
	return -1;
}

int
desk_pw_hash(const char *pw, size_t len, char out[DESK_HASH_MAX])
{
	if (len > DESK_PW_MAX)
		return -1;
	return crypto_pwhash_str(out, pw, len, DESK_OPSLIMIT, DESK_MEMLIMIT);
}

int
desk_hash_valid(const char *h)
{
	size_t	 n = strlen(h);

	return n > 30 && n < DESK_HASH_MAX && strncmp(h, "$argon2id$v=19$",
	    15) == 0 && strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZ0123456789$=,+/") == n;
}

/* Checks what user-add and user-passwd are given; German messages for knowctl. */
static int
user_args_ok(const char *name, const char *unit, const char *hash,
    char **cause)
{
	if (!desk_name_valid(name))
		return set_cause(cause, "Kontoname \"%s\": 1 bis 64 Zeichen aus "
		    "a-z, 0-9, Punkt, Bindestrich und Unterstrich, beginnend "
		    "mit einem Buchstaben", name);
	if (unit != NULL && (strlen(unit) > DESK_UNIT_MAX ||
	    !utf8_valid(unit, strlen(unit)) || strchr(unit, '\n') != NULL))
		return set_cause(cause, "Organisationseinheit: höchstens %d "
		    "Bytes, eine Zeile", DESK_UNIT_MAX);
	if (hash != NULL && !desk_hash_valid(hash))
		return set_cause(cause, "das Passwort kam nicht als "
		    "Argon2id-Hash an");
	return 0;
}

int
desk_user_add(struct desk *d, const char *name, enum desk_role role,
    const char *unit, const char *hash, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (user_args_ok(name, unit, hash, cause) != 0)
		return -1;
	st = desk_prepare(d, "INSERT INTO users(name, role, unit, hash, created)"
	    " VALUES (?, ?, ?, ?, strftime('%s','now'))");
	if (st == NULL)
		return set_cause(cause, "Kontendatenbank nicht lesbar");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, desk_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, unit != NULL ? unit : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return set_cause(cause, "das Konto \"%s\" gibt es schon", name);
	if (rc != SQLITE_DONE)
		return set_cause(cause, "Konto nicht gespeichert: %s",
		    sqlite3_errmsg(d->db));
	return 0;
}

int
desk_user_remove(struct desk *d, const char *name, char **cause)
{
	sqlite3_stmt	*st;

	st = desk_prepare(d, "DELETE FROM users WHERE name = ?");
	if (st == NULL)
		return set_cause(cause, "Kontendatenbank nicht lesbar");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (desk_step_done(d, st) != 0)
		return set_cause(cause, "Konto nicht entfernt");
	if (sqlite3_changes(d->db) == 0)
		return set_cause(cause, "kein Konto \"%s\"", name);
	desk_session_end_user(d, name);
	return 0;
}

int
desk_user_passwd(struct desk *d, const char *name, const char *hash,
    char **cause)
{
	sqlite3_stmt	*st;

	if (user_args_ok(name, NULL, hash, cause) != 0)
		return -1;
	st = desk_prepare(d, "UPDATE users SET hash = ? WHERE name = ?");
	if (st == NULL)
		return set_cause(cause, "Kontendatenbank nicht lesbar");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (desk_step_done(d, st) != 0)
		return set_cause(cause, "Passwort nicht gespeichert");
	if (sqlite3_changes(d->db) == 0)
		return set_cause(cause, "kein Konto \"%s\"", name);
	desk_session_end_user(d, name);
	return 0;
}

/* Fills *u from a row of (name, role, unit, created). */
static void
user_row(sqlite3_stmt *st, struct desk_user *u)
{
	char	 role[16];

	memset(u, 0, sizeof *u);
	desk_col(st, 0, u->name, sizeof u->name);
	desk_col(st, 1, role, sizeof role);
	if (desk_role_parse(role, &u->role) != 0)
		u->role = DESK_AUTHOR;
	desk_col(st, 2, u->unit, sizeof u->unit);
	u->created = (time_t)sqlite3_column_int64(st, 3);
}

/* Reads name's account and (when hash is not NULL) its hash. */
static int
user_read(struct desk *d, const char *name, struct desk_user *u, char *hash)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = desk_prepare(d, "SELECT name, role, unit, created, hash FROM users"
	    " WHERE name = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		user_row(st, u);
		if (hash != NULL)
			desk_col(st, 4, hash, DESK_HASH_MAX);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
desk_user_get(struct desk *d, const char *name, struct desk_user *u)
{
	return user_read(d, name, u, NULL);
}

int
desk_user_list(struct desk *d, struct desk_user **out, size_t *n)
{
	sqlite3_stmt	*st;

	*out = NULL;
	*n = 0;
	st = desk_prepare(d, "SELECT name, role, unit, created FROM users "
	    "ORDER BY name LIMIT 100000");
	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		user_row(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	return 0;
}

size_t
desk_user_count(struct desk *d)
{
	sqlite3_stmt	*st = desk_prepare(d, "SELECT count(*) FROM users");
	size_t		 n = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The slot of key in t: found, else a free one or the one used longest ago (reset). */
static struct desk_throttle *
throttle_slot(struct desk_throttle *t, const char *key)
{
	struct desk_throttle *old = &t[0];
	size_t	 i;

	for (i = 0; i < DESK_THROTTLE_SLOTS; i++) {
		if (strcmp(t[i].key, key) == 0)
			return &t[i];
		if (t[i].key[0] == '\0' || (old->key[0] != '\0' &&
		    t[i].last < old->last))
			old = &t[i];
	}
	memset(old, 0, sizeof *old);
	snprintf(old->key, sizeof old->key, "%s", key);
	return old;
}

/*
 * Seconds to wait after s's failures: none for the first free ones, then
 * 30 s doubling up to 15 min after the last failure.
 */
static int
throttle_wait(const struct desk_throttle *s, int free, time_t now)
{
	time_t	 until;
	int	 over = s->fails - free;

	if (over < 0)
		return 0;
	until = s->last + (over > 5 ? 900 : 30 << over);
	return until > now ? (int)(until - now) : 0;
}

enum desk_login
desk_login_begin(struct desk *d, struct desk_check *c, const char *name,
    const char *pw, size_t pwlen, const char *addr, time_t now, int *wait)
{
	struct desk_throttle *sn, *sa;
	struct desk_user u;
	int		 w;

	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->addr, sizeof c->addr, "%s", addr);
	sn = throttle_slot(d->byname, c->name);
	sa = throttle_slot(d->byaddr, c->addr);
	/* An address (a town hall's NAT) may fail for a few accounts. */
	w = throttle_wait(sn, DESK_FAILS_FREE, now);
	if (throttle_wait(sa, 4 * DESK_FAILS_FREE, now) > w)
		w = throttle_wait(sa, 4 * DESK_FAILS_FREE, now);
	if (d->second != now) {
		d->second = now;
		d->checks = 0;
	}
	if (w == 0 && ++d->checks > DESK_CHECKS_PER_SEC)
		w = 1;
	if ((*wait = w) > 0)
		return DESK_LOGIN_WAIT;
	c->known = strlen(name) <= DESK_NAME_MAX &&
	    user_read(d, name, &u, c->hash) == 0;
	if (!c->known)
		snprintf(c->hash, sizeof c->hash, "%s", desk_dummy);
	c->pw = xmalloc(pwlen + 1);
	memcpy(c->pw, pw, pwlen);
	c->pw[pwlen] = '\0';
	c->pwlen = pwlen;
	return pwlen <= DESK_PW_MAX ? DESK_LOGIN_OK : DESK_LOGIN_BAD;
}

void
desk_login_verify(struct desk_check *c)
{
	c->ok = c->pw != NULL && c->hash[0] != '\0' &&
	    crypto_pwhash_str_verify(c->hash, c->pw, c->pwlen) == 0 && c->known;
	c->fresh[0] = '\0';
	if (c->ok && crypto_pwhash_str_needs_rehash(c->hash, DESK_OPSLIMIT,
	    DESK_MEMLIMIT) != 0 && desk_pw_hash(c->pw, c->pwlen, c->fresh) != 0)
		c->fresh[0] = '\0';
}

enum desk_login
desk_login_end(struct desk *d, struct desk_check *c, time_t now,
    struct desk_user *u)
{
	struct desk_throttle *sn = throttle_slot(d->byname, c->name);
	struct desk_throttle *sa = throttle_slot(d->byaddr, c->addr);

	if (c->ok && user_read(d, c->name, u, NULL) == 0) {
		sn->fails = 0;
		if (c->fresh[0] != '\0')
			desk_user_passwd(d, c->name, c->fresh, NULL);
		return DESK_LOGIN_OK;
	}
	sn->fails++;
	sa->fails++;
	sn->last = sa->last = now;
	return DESK_LOGIN_BAD;
}

void
desk_check_clear(struct desk_check *c)
{
	if (c->pw != NULL)
		sodium_memzero(c->pw, c->pwlen);
	free(c->pw);
	sodium_memzero(c, sizeof *c);
}

enum desk_login
desk_login(struct desk *d, const char *name, const char *pw, size_t pwlen,
    const char *addr, time_t now, int *wait, struct desk_user *u)
{
	struct desk_check c;
	enum desk_login	 rv;

	rv = desk_login_begin(d, &c, name, pw, pwlen, addr, now, wait);
	if (rv == DESK_LOGIN_OK)
		desk_login_verify(&c);
	if (rv != DESK_LOGIN_WAIT)
		rv = desk_login_end(d, &c, now, u);
	desk_check_clear(&c);
	return rv;
}
