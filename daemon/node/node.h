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

#include "conf.h"
#include "keys.h"
#include "store.h"

struct event_base;
struct node_index;
struct node_upkeep;
struct worker;
struct search;
struct trust;
struct node_pendings;

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
	uint64_t	 seq;
	git_oid		 commit;
};
/* publish.c: publishes a record (new, or an edit of one of ours); fills *res. */
int	 node_publish(struct node *, const char *buf, size_t len,
	     struct node_result *, char **cause);
/* Removes one of our records. */
int	 node_retract(struct node *, const char *id, struct node_result *,
	     char **cause);
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

/* init.c: knowd init. */
int	 node_init_main(int argc, char **argv);

#endif
