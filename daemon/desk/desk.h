/*
 * desk.h — the door to the desk room: the staff's local state for writing
 * in the browser (doc/DESIGN.md §2, §8). Accounts with roles and Argon2id
 * password hashes, login throttling, sessions (only their ids' hashes are
 * kept), drafts waiting for approval (Freigabe) and the audit log, all in
 * HOME/desk.sqlite (0600). Local state: never in git, never replicated,
 * never logged (no password, hash or session id reaches the log).
 */
#ifndef KNOWD_DESK_H
#define KNOWD_DESK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DESK_FILE		"desk.sqlite"
#define DESK_NAME_MAX		64	/* bytes of an account name */
#define DESK_UNIT_MAX		128	/* bytes of an organisational unit */
#define DESK_PW_MIN		10	/* characters of a password at least */
#define DESK_PW_MAX		1024	/* bytes of a password at most */
#define DESK_HASH_MAX		128	/* crypto_pwhash_STRBYTES */
#define DESK_SID_LEN		64	/* hex characters of a session id */
#define DESK_CSRF_LEN		64	/* hex characters of a CSRF token */
#define DESK_IDLE_SECS		(2 * 3600)	/* a session unused this long ends */
#define DESK_MAX_SECS		(12 * 3600)	/* and any session after this */
#define DESK_MAX_SESSIONS	1024	/* the oldest gives way */
#define DESK_THROTTLE_SLOTS	256	/* accounts and addresses remembered */
#define DESK_FAILS_FREE		5	/* failures before waiting */
#define DESK_MAX_DRAFTS		1000	/* drafts waiting at most (each up to 256 KiB) */
#define DESK_CHECKS_PER_SEC	4	/* password checks a second, all together */
#define DESK_AUDIT_KEEP		200000	/* audit entries kept (the newest) */

struct desk;

enum desk_role { DESK_AUTHOR, DESK_REVIEWER, DESK_ADMIN };

struct desk_user {
	char		 name[DESK_NAME_MAX + 1];
	enum desk_role	 role;
	char		 unit[DESK_UNIT_MAX + 1];	/* "" when unset */
	time_t		 created;
};

struct desk_session {
	char		 user[DESK_NAME_MAX + 1];
	char		 csrf[DESK_CSRF_LEN + 1];
	time_t		 created, seen;
};

/* A draft: a record's text waiting for approval, or a retraction asked for. */
enum desk_draft_kind { DESK_DRAFT_EDIT, DESK_DRAFT_RETRACT };
struct desk_draft {
	int64_t		 id;
	enum desk_draft_kind kind;
	char		 record[32];	/* the record's id, "" for a new one */
	char		 base[48];	/* the blob the edit started from, "" for new */
	char		 author[DESK_NAME_MAX + 1];
	char		*title;
	char		*text;		/* the record as written (retract: "") */
	time_t		 created, modified;
};

struct desk_audit_entry {
	int64_t		 n;
	time_t		 t;
	char		 who[DESK_NAME_MAX + 1];
	char		 action[16];
	char		 record[32];
	char		*detail;
};

/* desk.c: opens (creates, 0600) HOME/desk.sqlite. */
int	 desk_open(struct desk **, const char *home, char **cause);
void	 desk_close(struct desk *);
/* A consistent copy at path (0600; absent or empty), its sessions dropped: for backups. */
int	 desk_snapshot(struct desk *, const char *path, char **cause);

/* desk_user.c: accounts. Names: 1..64 of [a-z0-9._-], starting with a letter. */
int	 desk_name_valid(const char *);
const char *desk_role_name(enum desk_role);
int	 desk_role_parse(const char *, enum desk_role *);
/* Hashes a password (Argon2id, DESK_OPSLIMIT/MEMLIMIT) into out; -1 when too long or out of memory. */
int	 desk_pw_hash(const char *pw, size_t len, char out[DESK_HASH_MAX]);
/* True for a string crypto_pwhash_str wrote (what user-add accepts from knowctl). */
int	 desk_hash_valid(const char *);
int	 desk_user_add(struct desk *, const char *name, enum desk_role,
	     const char *unit, const char *hash, char **cause);
int	 desk_user_remove(struct desk *, const char *name, char **cause);
int	 desk_user_passwd(struct desk *, const char *name, const char *hash,
	     char **cause);
/* 0 and *u when the account exists, 1 when not, -1 on error. */
int	 desk_user_get(struct desk *, const char *name, struct desk_user *);
/* Every account, by name; *n of them. Caller frees *out. */
int	 desk_user_list(struct desk *, struct desk_user **out, size_t *n);
size_t	 desk_user_count(struct desk *);

/* What a login attempt came to. */
enum desk_login { DESK_LOGIN_OK, DESK_LOGIN_BAD, DESK_LOGIN_WAIT };
/*
 * One password check, in three steps so the slow middle one (Argon2id,
 * about 0.1 s) can run on a worker thread: desk_login_begin on the event
 * loop (throttling, the account's hash), desk_login_verify anywhere (it
 * touches only the check), desk_login_end on the event loop again.
 */
struct desk_check {
	char		 name[DESK_NAME_MAX + 1];
	char		 addr[64];
	char		 hash[DESK_HASH_MAX];	/* the account's, or a dummy */
	int		 known;
	char		*pw;			/* a copy, wiped by desk_check_clear */
	size_t		 pwlen;
	int		 ok;			/* verify: the password is right */
	char		 fresh[DESK_HASH_MAX];	/* verify: a rehash, or "" */
};
/*
 * WAIT (and *wait seconds) while the account or the address has failed too
 * often or too many checks ran this second; else BAD for a password too
 * long, or OK: then verify and end the check.
 */
enum desk_login desk_login_begin(struct desk *, struct desk_check *,
	     const char *name, const char *pw, size_t pwlen, const char *addr,
	     time_t now, int *wait);
/* Checks the password against the hash (and hashes it again when its parameters are old). */
void	 desk_login_verify(struct desk_check *);
/* Counts a failure against account and address, or stores a rehash; *u on OK. */
enum desk_login desk_login_end(struct desk *, struct desk_check *, time_t now,
	     struct desk_user *);
void	 desk_check_clear(struct desk_check *);
/* All three steps at once. */
enum desk_login desk_login(struct desk *, const char *name, const char *pw,
	     size_t pwlen, const char *addr, time_t now, int *wait,
	     struct desk_user *);

/* desk_session.c: a new session for user; its id and CSRF token (hex) into sid and csrf. */
int	 desk_session_new(struct desk *, const char *user, time_t now,
	     char sid[DESK_SID_LEN + 1], char csrf[DESK_CSRF_LEN + 1]);
/* 0 and *s for a live session (its last use set to now), 1 when none, -1 on error. */
int	 desk_session_find(struct desk *, const char *sid, time_t now,
	     struct desk_session *);
void	 desk_session_end(struct desk *, const char *sid);
/* Ends every session of user (removed, password changed). */
void	 desk_session_end_user(struct desk *, const char *user);
/* True when a and b are the same token (constant time; NULL is never). */
int	 desk_token_equal(const char *a, const char *b);

/* desk_draft.c: saves a draft (*id 0: a new one, set on return). */
int	 desk_draft_save(struct desk *, int64_t *id, enum desk_draft_kind,
	     const char *record, const char *base, const char *author,
	     const char *title, const char *text, time_t now, char **cause);
/* 0 and *d, 1 when there is none, -1 on error. Clear with desk_draft_clear. */
int	 desk_draft_get(struct desk *, int64_t id, struct desk_draft *);
/* The drafts, newest first (at most max). Caller frees with desk_drafts_free. */
int	 desk_draft_list(struct desk *, size_t max, struct desk_draft **out,
	     size_t *n);
int	 desk_draft_delete(struct desk *, int64_t id);
void	 desk_draft_clear(struct desk_draft *);
void	 desk_drafts_free(struct desk_draft *, size_t n);

/* desk_draft.c: the audit log. action: drafted, approved, published, retracted, … */
void	 desk_audit(struct desk *, const char *who, const char *action,
	     const char *record, const char *detail);
/* The newest max entries, newest first. Caller frees with desk_audit_free. */
int	 desk_audit_list(struct desk *, size_t max,
	     struct desk_audit_entry **out, size_t *n);
void	 desk_audit_free(struct desk_audit_entry *, size_t n);

#endif
