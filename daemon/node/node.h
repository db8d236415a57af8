/*
 * node.h — the door to the node room: this node's own state and what it
 * does with it. Its identity (key, did:key, name) and home, its
 * configuration, the origin branches it holds with their catalog and
 * search index, publishing to its own branch (signed commits), the
 * replicated set (trust and vouches), forks and their healing, and "a
 * branch moved": the one pipeline every change of a branch goes through
 * (node_branch_moved), to which the rooms below (catalog, search, view,
 * forks) and above (net's relay) subscribe. It knows nothing of peers,
 * the control socket or the web: rooms above learn of changes through
 * node_listen(). See doc/DESIGN.md §2.
 */
#ifndef KNOWD_NODE_H
#define KNOWD_NODE_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>
#include <git2.h>

#include "cards.h"
#include "conf.h"
#include "keys.h"
#include "store.h"

struct event_base;
struct node_index;
struct node_upkeep;
struct node_erase;
struct worker;
struct search;
struct trust;
struct node_pendings;
struct node_contacts;

#define NODE_RECOVER_WAIT	15	/* seconds to wait for peers' heads at start */
#define NODE_MAX_LISTENERS	16

/*
 * One change of a branch: nid moved from old (has_old 0: a new branch) to
 * new. node_branches_moved fills in the trees before telling its listeners.
 */
struct node_move {
	char		 nid[KEYS_NID_MAX];
	git_oid		 old, new;
	int		 has_old;
	git_oid		 oldtree, newtree;
	struct catalog_change *chg;	/* prepared off the loop, or NULL (the caller's) */
};

enum node_event {
	NODE_MOVED,		/* a branch moved (struct node_move) */
	NODE_REPLICATION,	/* the replicated set changed (no move) */
	NODE_RELOADED,		/* knowd.conf was reloaded (no move) */
};

struct node;
/*
 * A listener. NODE_MOVED gets the moves of one batch (n of them) and the
 * mover's cookie (source: NULL for this node's own commits); the others get
 * no moves. -1 from a NODE_MOVED listener stops the pipeline (*cause set).
 */
typedef int node_listen_fn(struct node *, enum node_event,
    const struct node_move *, size_t n, void *source, void *arg,
    char **cause);

struct node {
	char			*home;
	struct config		 conf;
	struct keys_pair	 kp;
	char			 nid[KEYS_NID_MAX];
	char			 did[KEYS_DID_MAX];
	struct store		*store;
	struct catalog		 cat;
	struct search		*search;	/* NULL when the index is off */
	struct trust		*trust;		/* the replicated set, cached */
	struct node_pendings	*pending;	/* pending.c: not admitted yet */
	struct node_index	*index;		/* index.c: what the index lags */
	struct node_upkeep	*upkeep;	/* upkeep.c: repacking */
	struct node_contacts	*contacts;	/* contact.c: card sets by nid */
	struct node_erase	*erase;		/* erase.c: erasures to carry out */
	struct node_texts	*texts;		/* texts.c: our records by text */
	int			 lockfd;
	time_t			 recover_until;	/* no publishing before: catching up */
	size_t			 quarantined;	/* damaged branches set aside */
	int			 own_damaged;	/* ours among them: no publishing */
	int			 view_stale;	/* a view write failed: redo it */
	int			 index_closed;	/* the index could not be opened */
	struct {
		enum node_event	 ev;
		node_listen_fn	*fn;
		void		*arg;
	}			 listeners[NODE_MAX_LISTENERS];
	size_t			 nlisteners;
};

/* node.c: locks the home, loads config and key, opens repository and index, loads every branch. */
int	 node_open(struct node *, const char *home, char **cause);
void	 node_close(struct node *);
/* Takes the home's lock file; refuses when another knowd holds it. */
int	 node_lock(const char *home, int *fd, char **cause);
/* This node's name, from its node.md (the nid when it has none). */
const char *node_name(const struct node *);
/* The name of another node from its node.md, or NULL. */
const char *node_name_of(const struct node *, const char *nid);
/* The role (kind) nid's node.md gives, e.g. "company"; NULL when none. Caller frees. */
char	*node_role_of(struct node *, const char *nid);
/* Peers were configured: publishing waits until we caught up with them. */
void	 node_expect_peers(struct node *);
/* Reloads knowd.conf (trust, mirror, peers, limits; listen and network stay); tells NODE_RELOADED. */
int	 node_reload(struct node *, char **cause);
/*
 * index.c: works off the index's backlog on the event loop (before this,
 * everything is indexed at once).
 */
void	 node_index_start(struct node *, struct event_base *);
/* Before the event base goes: the backlog waits for the next start. */
void	 node_index_stop(struct node *);
/*
 * upkeep.c: every minute, merges packs and loose objects that piled up,
 * on worker (stop the worker before node_upkeep_stop).
 */
void	 node_upkeep_start(struct node *, struct event_base *, struct worker *);
void	 node_upkeep_stop(struct node *);
/* Looks now whether a repack is due (and starts it). */
void	 node_upkeep_now(struct node *);
/* Hands freed heap memory back soon (after a burst), on the upkeep worker. */
void	 node_upkeep_trim(struct node *);
/*
 * A burst of fetches ended: the packs it brought (written whole by the
 * sender) and the loose objects are merged now, not at 16 packs.
 */
void	 node_upkeep_burst(struct node *);
/*
 * A fetched pack of several branches was applied: a burst is on, and the
 * timer's repacks wait for its end (node_upkeep_burst) unless
 * STORE_REPACK_BUSY packs piled up. Single-branch packs (gossip's daily
 * trickle) do not hold them back.
 */
void	 node_upkeep_busy(struct node *);
/* node.c: an index that could not be opened at start (a full disk): again. */
int	 node_index_reopen(struct node *);
/* Branches whose indexing failed (a full disk) go into the backlog again. */
void	 node_index_retry(struct node *);
/* Branches the search index has yet to catch up with. */
size_t	 node_index_lag(const struct node *);
/*
 * Empties the search index and indexes every branch again: at once when
 * they are few, else in the background (*queued: how many wait).
 */
int	 node_reindex(struct node *, size_t *queued, char **cause);

/* moved.c: subscribes fn to ev; listeners run in the order they subscribed. */
void	 node_listen(struct node *, enum node_event, node_listen_fn *, void *arg);
void	 node_unlisten(struct node *, node_listen_fn *, void *arg);
/*
 * Branches moved (their refs already did): every NODE_MOVED listener
 * follows them as one batch — catalog, search index, view, fork proofs,
 * then the rooms above. source is passed on (NULL for our own commits).
 */
int	 node_branches_moved(struct node *, struct node_move *, size_t n,
	     void *source, char **cause);
/* One branch moved from old (NULL: new branch) to new. */
int	 node_branch_moved(struct node *, const char *nid, const git_oid *old,
	     const git_oid *new, void *source, char **cause);
/* Drops the branches of nodes no longer replicated (refs, catalog, index, view). */
void	 node_drop_unreplicated(struct node *);

/* What a change to our own branch did. */
struct node_result {
	int		 again;		/* failed only because it is too early */
	char		 id[64];
	char		*path;
	int		 created;	/* 1 new record, 0 an edit */
	int		 stale;		/* refused: the edit (of id) started from an older version */
	uint64_t	 seq;
	git_oid		 commit;
};
/* publish.c: publishes a record (new, or an edit of one of ours); fills *res. */
int	 node_publish(struct node *, const char *buf, size_t len,
	     struct node_result *, char **cause);
/* Removes one of our records. */
int	 node_retract(struct node *, const char *id, struct node_result *,
	     char **cause);
/* How a publish came about (NULL: knowctl's defaults). */
struct node_pubopt {
	const char	*base;	/* the blob (hex) an edit started from, or NULL */
	int		 force;	/* publish an edit even when it is stale */
	const char	*unit;	/* organisational unit the commit names, or NULL */
};
/*
 * node_publish with options: an edit that started from an older version
 * than the one held (its base blob differs, or without a base its
 * modified is older) is refused with res->stale set, unless forced.
 */
int	 node_publish_as(struct node *, const char *buf, size_t len,
	     const struct node_pubopt *, struct node_result *, char **cause);
/* node_retract naming an organisational unit (NULL: none) in the commit. */
int	 node_retract_as(struct node *, const char *id, const char *unit,
	     struct node_result *, char **cause);
void	 node_result_clear(struct node_result *);
/* Writes (or replaces) our signed vouches/<nid>.md for another node. */
int	 node_vouch(struct node *, const char *id, const char *name,
	     const char *ags, struct node_result *, char **cause);
/* Removes our vouch for a node. */
int	 node_unvouch(struct node *, const char *id, struct node_result *,
	     char **cause);
/* profile.c: this node's node.md as it stands. Caller frees *out with record_free. */
int	 node_profile(struct node *, struct record **out, char **cause);
/* A change of the profile: NULL leaves a value, "" removes it (not the name). */
struct node_profile {
	const char	*name;
	const char	*website;
	const char	*region;
	const char	*ags;
	const char	*description;	/* node.md's body (Markdown) */
};
/* Writes node.md anew with the change (signed, replicated like a publish). */
int	 node_profile_set(struct node *, const struct node_profile *,
	     struct node_result *, char **cause);
/*
 * 0 when publishing may go ahead; -1 and why when not: 1 in *again when
 * it is only too early (catching up after a start).
 */
int	 node_may_publish(struct node *, int *again, char **cause);
/* Recovery is over: our own branch is as new as our peers know it. */
void	 node_recovered(struct node *);

/*
 * damage.c: nid's branch is damaged on disk (d names how): it is set aside,
 * dropped from catalog and index, and fetched again from peers (the caller
 * updates the view and asks peers).
 */
void	 node_quarantine(struct node *, const char *nid,
	     const struct store_damage *);
/* After quarantines at run time: the view follows, peers are asked again. */
void	 node_damage_settle(struct node *);
/* Reads every object of nid's branch; quarantines it when damaged (1). */
int	 node_check_branch(struct node *, const char *nid);
/* At start: counts branches still set aside; listens for their return. */
void	 node_damage_init(struct node *);

/*
 * erase.c: erasure from history (PROTOCOL.md §3.6), in three steps so that
 * the branch's history is walked on a worker, not the event loop. begin
 * (loop) checks our record id and commit (hex, NULL: every version before
 * the current one); pick (a worker, its repository) finds the versions'
 * blobs; finish (loop) writes the signed erasure notice, retracting the
 * record in the same commit when its current version is among them;
 * *nblobs gets how many blobs the notice names.
 */
struct node_erase_req;
int	 node_erase_begin(struct node *, const char *id, const char *commit,
	     struct node_erase_req **, char **cause);
void	 node_erase_pick(struct node_erase_req *, git_repository *);
int	 node_erase_finish(struct node *, struct node_erase_req *,
	     struct node_result *, size_t *nblobs, char **cause);
void	 node_erase_req_free(struct node_erase_req *);
/* At start: the erased set from every held branch's notices; follows moves. */
void	 node_erase_init(struct node *);
/* The worker that deletes erased blobs (upkeep's); queued work goes to it. */
void	 node_erase_start(struct node *, struct worker *);
/* Cancels what waits for the worker; the erased set is cleared (node_close). */
void	 node_erase_stop(struct node *);

/* heal.c: a validly signed head of nid that forks from ours: keep it as proof; heal our own. */
int	 node_fork_seen(struct node *, const char *nid, const git_oid *fork,
	     char **cause);

/*
 * trust.c: which nodes this node replicates: itself, the nodes trusted in
 * knowd.conf, the nodes those (and this node) vouch for, to trust_depth
 * levels, and with mirror = all every node admitted by hand as well.
 */
struct trust_entry {
	char	 nid[KEYS_NID_MAX];
	char	 voucher[KEYS_NID_MAX];	/* "" unless replicated through a vouch */
	int	 depth;			/* 0 self or trusted, 1.. through vouches */
};

/* True when nid is replicated here (mirror = all: every admitted node). */
int	 trust_replicates(struct node *, const char *nid);
/*
 * Admission (PROTOCOL.md §4.8): a node in the replicated set or admitted by
 * hand (knowd.conf admit) is admitted, one denied by hand (deny) is denied
 * whatever else holds, any other is pending. A hash lookup.
 */
enum trust_admission { TRUST_ADMITTED, TRUST_PENDING, TRUST_DENIED };
enum trust_admission trust_admits(struct node *, const char *nid);
/* The replicated set (without mirror = all's everyone), in the order it was built. */
struct trust_entry *const *trust_set(struct node *, size_t *n);
/* nid's entry in the replicated set, or NULL (also when only mirror = all keeps it). */
const struct trust_entry *trust_find(struct node *, const char *nid);
/* Forgets the cached set (config reloaded). */
void	 trust_invalidate(struct node *);
/*
 * When the replicated set changed since the last call: drops what is no
 * longer replicated and tells NODE_REPLICATION (net asks peers for the rest).
 */
void	 trust_settle(struct node *);
/*
 * Withdrawing our vouch for nid: how many nodes would leave the replicated
 * set (*nodes: nid and those reachable only through it) and how many
 * lessons of theirs (returned), as far as this node's set tells.
 */
size_t	 trust_unvouch_impact(struct node *, const char *nid, size_t *nodes);
void	 trust_free(struct node *);

/*
 * pending.c: nodes that connected and are not admitted, in memory, at most
 * NODE_PENDING_MAX (the one seen longest ago gives way).
 */
#define NODE_PENDING_MAX	1024
#define NODE_PENDING_NAME	64
struct node_pending {
	char		 nid[KEYS_NID_MAX];
	char		 name[NODE_PENDING_NAME];	/* claimed in its NODE, or "" */
	char		 addr[64];		/* the address it connected from */
	char		 via[KEYS_NID_MAX];	/* who introduced it, or "" */
	time_t		 first, last;		/* seen */
	TAILQ_ENTRY(node_pending) entry;
};
/* nid connected (or claimed a name, or was introduced); NULL fields keep theirs. */
void	 node_pending_note(struct node *, const char *nid, const char *addr,
	     const char *name, const char *via);
/* True when nid is pending (in the table). */
int	 node_pending_has(struct node *, const char *nid);
/* Drops nid from the table (admitted or denied). */
void	 node_pending_forget(struct node *, const char *nid);
/* The entry after prev (NULL: the first), least recently seen first. */
const struct node_pending *node_pending_next(struct node *,
	     const struct node_pending *prev);
size_t	 node_pending_count(const struct node *);
void	 node_pending_free(struct node *);

/*
 * invite.c: invitations this node issued (PROTOCOL.md §4.9), kept in
 * HOME/invites (local, 0600; only a key derived from each secret).
 */
#define NODE_INVITES_MAX	1024
#define NODE_INVITES_FILE	"invites"	/* in the home */
#define NODE_INVITE_TTL_MAX	(365 * 86400)
struct node_invite {
	char	 id[17];		/* 16 hex digits */
	char	 state[8];		/* open, used, revoked */
	char	 name[201];
	char	 ags[17];
	char	 nid[KEYS_NID_MAX];	/* who used it, or "" */
	time_t	 created, expires, used;
};
enum node_invite_result {
	NODE_INVITE_OK,
	NODE_INVITE_WRONG,	/* unknown id or wrong proof */
	NODE_INVITE_USED,
	NODE_INVITE_REVOKED,
	NODE_INVITE_EXPIRED,
	NODE_INVITE_BUSY,	/* catching up: ask again */
	NODE_INVITE_FAILED,	/* our own disk or branch failed */
};
/* A new invitation valid for ttl seconds reaching us at addr; *line is its line (caller wipes, frees). */
int	 node_invite_create(struct node *, const char *name, const char *ags,
	     long ttl, const char *addr, char **line, char **cause);
/* Every invitation kept, oldest first. Caller frees *out. */
int	 node_invite_list(struct node *, struct node_invite **out, size_t *n,
	     char **cause);
int	 node_invite_revoke(struct node *, const char *id, char **cause);
/*
 * A JOIN from nid on the channel with handshake hash hh: id and proof
 * (PROTOCOL.md §4.9). When good, the invitation is marked used (fsynced)
 * before this node vouches for nid, and answer gets this node's proof.
 */
enum node_invite_result node_invite_redeem(struct node *, const char *nid,
	     const uint8_t id[8], const uint8_t proof[32], const uint8_t *hh,
	     size_t hhlen, uint8_t answer[32], char **cause);
/* Why, for the log (English) and for the joiner's operator (German). */
const char *node_invite_why(enum node_invite_result);
const char *node_invite_why_de(enum node_invite_result);

/*
 * contact.c: contact cards outside the history (doc/DESIGN.md §11). One
 * signed card set per node, newest seq wins, HOME/contacts/<nid>; expired
 * cards' contents are deleted by a timer. A hash lookup per nid.
 */
void	 node_contacts_open(struct node *);
void	 node_contacts_close(struct node *);
/* The expiry timer (after node_contacts_open). */
void	 node_contacts_start(struct node *, struct event_base *);
void	 node_contacts_stop(struct node *);
/* knowd.conf was reloaded: expiry follows contact_max_age as it is now. */
void	 node_contacts_reloaded(struct node *);
/*
 * A CARDS message from a peer: 1 when it was newer (or filled in contents)
 * and is now held (relay it); 0 when ignored (older, not replicated, from
 * the future); -1 with *cause when malformed, forged or tampered.
 */
int	 node_contacts_take(struct node *, const uint8_t *, size_t,
	     char nid[KEYS_NID_MAX], char **cause);
/* A number that changes with every card set taken, changed or expired. */
uint64_t node_contacts_gen(struct node *);
/* nid's set as held (the CARDS message), or NULL. */
const uint8_t *node_contacts_msg(struct node *, const char *nid, size_t *len);
/* The seq of nid's set held, 0 when none. */
uint64_t node_contacts_seq(struct node *, const char *nid);
/* Every set held as (pk, seq), sorted by pk. Caller frees *out. */
size_t	 node_contacts_list(struct node *, struct cards_sum_entry **out);
/* The CARDSUM digest of the sets held (cached until one changes). */
void	 node_contacts_digest(struct node *, uint64_t *count, uint8_t d[32]);
/* Drops the sets of nodes no longer replicated. */
void	 node_contacts_drop_unreplicated(struct node *);
/*
 * Our own cards: set (a YAML card for one of our lessons or projects, by
 * id or project slug) or clear; target gets the card's target. German
 * *cause for the operator.
 */
int	 node_contact_set(struct node *, const char *arg, const char *text,
	     size_t len, char target[CARDS_TARGET_MAX + 1], char **cause);
int	 node_contact_clear(struct node *, const char *arg, char target[CARDS_TARGET_MAX + 1],
	     char **cause);
/* The live card of nid for target (a lesson id or project slug); -1 when none. */
int	 node_contact_find(struct node *, const char *nid, const char *target,
	     struct cards_card *, uint64_t *date);
/* A record's card: a lesson's own, else its project's (*target: which); -1 when none. */
int	 node_contact_of(struct node *, const struct catalog_entry *,
	     struct cards_card *, uint64_t *date, const char **target);

/* init.c: knowd init. */
int	 node_init_main(int argc, char **argv);

#endif
