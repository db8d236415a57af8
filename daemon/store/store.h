/*
 * store.h — the door to the git store: the bare repository with its origin
 * branches (one per node, a linear history of signed commits) and the
 * network view; the checks a branch must pass (verify.c); packs built for
 * and taken from peers (pack.c); the in-memory record catalog (catalog.c);
 * fork proofs (forks.c); backups (backup.c); and the worker threads that do
 * slow git work off the event loop (worker.c). See doc/DESIGN.md §3.
 *
 * Refs move only by compare-and-swap after the objects they point at are
 * written, so a kill at any moment leaves every ref on a complete commit.
 */
#ifndef KNOWD_STORE_H
#define KNOWD_STORE_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>
#include <git2.h>

#include "keys.h"
#include "record.h"
#include "util.h"
#include "wire.h"

#define STORE_VIEW_REF	"refs/heads/main"
#define STORE_SEQ_KEY	"Knowd-Seq"
#define STORE_REF_MAX	(KEYS_NID_MAX + 64)
/*
 * Windows of STORE_WINDOW are aligned to half of it, so a pack up to the
 * protocol's 64 MiB always lies in one window: libgit2 1.5's indexer
 * rejects good packs now and then ("unexpected data at the end of the
 * pack") when a pack it indexes spans windows (seen with 1 and 4 MiB
 * windows on 9 MB packs, never with 32 MiB or more). Windows are address
 * space; windows beyond STORE_MAPPED are unmapped, least recently used
 * first (their touched pages are resident: on a mirror of 11,000 nodes,
 * 256 MiB kept mapped was 216 MiB of its resident size after a restart).
 */
#define STORE_MAPPED	(32u * 1024 * 1024)	/* pack data kept mapped (one window may exceed it) */
#define STORE_WINDOW	(128u * 1024 * 1024)	/* one mapping of a pack */
#define STORE_OPEN_PACKS 64			/* pack files open at once */
#define STORE_CACHE	(2 * 1024 * 1024)	/* parsed objects cached, per handle */
#define STORE_REPACK_PACKS 16			/* packs that make a repack due */
#define STORE_REPACK_LOOSE 1024			/* loose objects that do */
#define STORE_REPACK_BUSY 256			/* packs that do while a burst of fetches is on */
#define STORE_REPACK_BYTES (48 * 1024 * 1024)	/* packs merged at once (one window) */

struct store;
struct catalog;
struct event_base;

/* One change to an origin branch tree: data NULL removes path. */
struct store_change {
	const char	*path;
	const char	*data;
	size_t		 len;
};

/* Calls git_libgit2_init and sets the process-wide options (fsync, limits). */
void	 store_global_init(void);
/* The text of libgit2's last error, for messages. */
const char *store_git_error(void);
/* Pack files libgit2 keeps open at once (STORE_OPEN_PACKS unless lowered). */
void	 store_set_open_packs(size_t);

/* Creates a new bare repository at path (refuses an existing one). */
int	 store_create(const char *path, char **cause);
int	 store_open(const char *path, struct store **, char **cause);
void	 store_close(struct store *);
/*
 * Removes lock files a killed process left in the repository (*.lock under
 * refs/, packed-refs.lock, HEAD.lock, config.lock). Only for the sole writer:
 * call with the home's lock held. Also removes pack quarantines
 * (objects/incoming-*) a killed receive left. Returns how many were removed.
 */
int	 store_clear_stale_locks(struct store *);
git_repository *store_repo(struct store *);

/* "refs/namespaces/<nid>/refs/heads/main" into out (STORE_REF_MAX bytes). */
void	 store_branch_ref(const char *nid, char *out);
/*
 * branches.c: the origin branches held, in a table read from the refs when
 * the store opens and kept up to date as the store moves them.
 */
struct store_branch {
	char		 nid[KEYS_NID_MAX];
	uint8_t		 pk[KEYS_PK_LEN];
	git_oid		 head;
	git_oid		 tree;		/* the head's tree */
	uint64_t	 seq;		/* the head's Knowd-Seq */
	unsigned int	 forks;		/* fork proofs kept */
	int		 held;		/* 0: only fork proofs of nid are here */
};
/* Reads the table from the refs again (refs were changed outside the store). */
int	 store_refresh(struct store *, char **cause);
/* nid's branch, or NULL when none is held. */
const struct store_branch *store_branch(struct store *, const char *nid);
/* Every branch held, in no order: start with *it = 0; NULL at the end. */
const struct store_branch *store_branch_next(struct store *, size_t *it);
size_t	 store_nbranches(struct store *);
/* Fork proofs held of nid (NULL: of all nodes). */
size_t	 store_nforks(struct store *, const char *nid);
/* Head and Knowd-Seq of nid's origin branch: 0 found, 1 absent. */
int	 store_head(struct store *, const char *nid, git_oid *head, uint64_t *seq);
/* The Knowd-Seq trailer of a commit message, or 0 when it has none or a bad one. */
uint64_t store_message_seq(const char *message);
/* Every nid that has an origin branch, sorted. Caller frees with store_nids_free. */
int	 store_nids(struct store *, char ***nids, size_t *n);
void	 store_nids_free(char **, size_t);

/*
 * Commits changes to our own origin branch as one commit signed with kp,
 * with seq = previous + 1 and the Knowd-Seq trailer, then moves the ref by
 * compare-and-swap. The first commit of a branch has seq 1.
 */
int	 store_commit(struct store *, const struct keys_pair *, const char *nid,
	     const char *author, const struct store_change *, size_t nchanges,
	     const char *subject, git_oid *out, uint64_t *seq, char **cause);
/* Moves nid's origin branch from old (NULL: must not exist) to new by compare-and-swap. */
int	 store_branch_move(struct store *, const char *nid, const git_oid *old,
	     const git_oid *new, char **cause);
/* Deletes nid's origin branch (a node no longer replicated). */
int	 store_branch_delete(struct store *, const char *nid, char **cause);
/* The commit message: one sanitised subject line and the Knowd-Seq trailer. Caller frees. */
char	*store_commit_message(const char *subject, uint64_t seq);
/* Builds, signs (sshsig in gpgsig) and writes a commit object; no ref moves. */
int	 store_write_signed(struct store *, const struct keys_pair *,
	     const char *nid, const char *author, const char *msg,
	     const git_oid *tree, const git_commit **parents, size_t nparents,
	     git_oid *out, char **cause);
/* Reads the blob at path in a commit's tree: 0 ok, 1 absent, -1 error. Caller frees *data. */
int	 store_read(struct store *, const git_oid *commit, const char *path,
	     size_t max, char **data, size_t *len);
/* The tree id of a commit. */
int	 store_commit_tree(struct store *, const git_oid *commit, git_oid *tree);
/* The same in any repository handle (a worker's). */
int	 store_tree_of(git_repository *, const git_oid *commit, git_oid *tree);

/* forks.c: "refs/namespaces/<nid>/refs/forks/<hex>" into out (STORE_REF_MAX bytes). */
void	 store_fork_ref(const char *nid, const git_oid *, char *out);
/* Keeps a fork head as proof; 0 also when it was kept already. */
int	 store_fork_add(struct store *, const char *nid, const git_oid *);
/* Every fork head kept for nid (NULL nid: for all nodes, nids[] filled). Caller frees. */
int	 store_forks(struct store *, const char *nid, git_oid **out,
	     char (**nids)[KEYS_NID_MAX], size_t *n);
/* Drops the fork proofs of nid that head descends from (a heal was accepted). */
void	 store_forks_settle(struct store *, const char *nid, const git_oid *head);

/*
 * upkeep.c, on a worker: packs the loose refs into packed-refs and removes
 * the directories they leave (a branch's ref makes three).
 */
int	 store_pack_refs(git_repository *, char **cause);
/*
 * Consolidates received packs and loose objects, like git gc --auto: the
 * smallest packs (up to STORE_REPACK_BYTES) and every loose object into
 * one new pack, written and fsynced before the merged ones are removed.
 * Safe against a kill at any moment (an object is always in some pack or
 * loose) and against packs and objects added meanwhile (they are not
 * touched). Handles opened before must then reopen their objects
 * (store_objects_generation changed).
 */
struct store_repacked {
	size_t		 packs;		/* merged */
	size_t		 loose;		/* taken along */
	size_t		 objects;	/* in the new pack */
	int		 done;		/* 0: there was nothing to merge */
};
int	 store_repack(git_repository *, struct store_repacked *, char **cause);
/* Packs and (estimated, like git gc --auto) loose objects of a repository. */
void	 store_objects_count(const char *repo_path, size_t *packs, size_t *loose);

/*
 * repair.c: damage in the object store. store_branch_check reads every
 * object reachable from head once; the first that cannot be read is named
 * in d->what (object, path, commit, libgit2's reason), corrupt loose files
 * are moved to repo.git/knowd-damaged/ and a pack holding a corrupt object
 * is rewritten without it (the old one moved there too), so that the good
 * copy a peer sends is the one read. 1 when damage was found, 0 when whole.
 */
struct store_damage {
	char	*what;
	size_t	 objects;		/* unreadable objects met */
	size_t	 loose_moved, packs_rewritten;
};
int	 store_branch_check(git_repository *, const git_oid *head,
	    struct store_damage *);
void	 store_damage_free(struct store_damage *);
/* Sets nid's branch aside as refs/knowd/quarantine/<nid>; the table forgets it. */
int	 store_branch_quarantine(struct store *, const char *nid, char **cause);
/* 1 when a damaged copy of nid's branch is set aside. */
int	 store_quarantined(struct store *, const char *nid);
/* How many branches are set aside (at start). */
size_t	 store_quarantine_count(struct store *);
/* Deletes the set-aside copy (the branch came back whole). */
void	 store_quarantine_clear(struct store *, const char *nid);
/*
 * True when there are more than STORE_REPACK_PACKS packs or
 * STORE_REPACK_LOOSE loose objects; busy (a burst of fetches is on): more
 * than STORE_REPACK_BUSY packs.
 */
int	 store_wants_repack(struct store *, int busy);
/* True when there is more than one pack (after a burst; a merge takes the loose objects along). */
int	 store_wants_merge(struct store *);
/* Bumped by every repack. */
unsigned int store_objects_generation(void);
/* The loop's handles drop the packs a repack removed. */
int	 store_reopen_objects(struct store *, char **cause);
/* Branch moves since store_moves_reset (loose refs written). */
unsigned int store_moves(struct store *);
void	 store_moves_reset(struct store *);

/*
 * view.c: the network view refs/heads/main. Its tree is a pure function of
 * the origin heads: nodes/<xx>/<nid>/ holds each origin branch's tree, xx
 * the first byte of the node's key in hex. A view commit's parents are the
 * previous view and the heads that changed (doc/DESIGN.md §3).
 *
 * Brings the view up to date after nid's branch moved or went: rewrites
 * only its bucket. No-op when nothing changed.
 */
int	 view_update_one(struct store *, const char *nid, git_oid *tree,
	     char **cause);
/* The same for n branches: their buckets rewritten, one view commit. */
int	 view_update_some(struct store *, const char *const *nids, size_t n,
	     git_oid *tree, char **cause);
/* Rebuilds the whole view from every branch held (at start, after drops). */
int	 view_update(struct store *, git_oid *tree, char **cause);
/* The view's tree id: 0 ok, 1 no view yet, -1 error. */
int	 view_tree(struct store *, git_oid *tree);

/*
 * verify.c: verifies the commits of nid's branch from head back to stop (exclusive;
 * stop NULL means down to the root). Every commit must be signed by nid
 * (sshsig, namespace "git"), carry Knowd-Seq one above its parent's (1 at
 * the root), have a single parent, and change only the files an origin
 * branch may hold (doc/DESIGN.md §3), each a record that parses and sits at its own path. When stop is given,
 * head must descend from it. *count gets the number of commits checked.
 */
int	verify_range(git_repository *, const char *nid, const git_oid *head,
	    const git_oid *stop, uint64_t *count, char **cause);
/*
 * verify.c: between begin and end, on the calling thread, the records
 * verify_range parses are kept by blob id, and catalog_prepare takes them
 * from there instead of reading and parsing each again: one received
 * pack's records, up to 16 MiB of their text (the rest is parsed again),
 * freed at end.
 */
void	verify_memo_begin(void);
void	verify_memo_end(void);
struct personal_allow;
/*
 * verify.c: reads the records at head for personal data (protocol's
 * personal.h); how many hold some, and *first (caller frees) names the
 * first with its line. Findings are reported, not refused: a peer's
 * records are its owner's, signed.
 */
size_t	store_personal_scan(git_repository *, const git_oid *head,
	    const struct personal_allow *, char **first);
/*
 * The catalog whose lesson ids verify_range checks new lessons against (a
 * lesson id is unique in the network: one another node holds is refused);
 * NULL: no such check. Set by the node once at start, cleared at close.
 */
void	store_set_id_catalog(const struct catalog *);

/*
 * erase.c: erasure from history (PROTOCOL.md §3.6). The blobs named by the
 * erasure notices (erasures/<id>.md) of the branches held form one set,
 * shared by every thread: erased blobs are never served, their absence is
 * no damage, and stock git takes them as a partial clone's promised ones.
 */
/* 1 when a held notice names blob id. */
int	 store_erased(const git_oid *);
size_t	 store_erased_count(void);
/* Adds ids to the set; how many were new. */
size_t	 store_erased_add(const git_oid *ids, size_t n);
void	 store_erased_clear(void);
/* Writes the set to repo.git/knowd-erased (one hex id a line). */
int	 store_erased_save(git_repository *, char **cause);
/* What the notices of a branch tree name: blobs and the records they erase. */
struct store_notices {
	git_oid	 *ids;		/* the blobs, n of them (0: no notice) */
	size_t	  n;
	char	**records;	/* each notice's erases */
	size_t	  nrecords;
};
int	 store_notices_read(git_repository *, const git_oid *tree,
	     struct store_notices *, char **cause);
void	 store_notices_free(struct store_notices *);
/*
 * Checks a notice added on top of parent: every blob it names lies at a
 * lesson or project path (projects/…) of a commit parent descends from.
 */
int	 store_notice_check(git_repository *, const struct record *,
	     const git_commit *parent, char **cause);
/* What store_erase did. */
struct store_erasure {
	size_t	 present;	/* of the blobs named, held here before */
	size_t	 loose;		/* loose copies unlinked */
	size_t	 packs;		/* packs rewritten without them */
	size_t	 refused;	/* held, but named by no tree of the branch: kept */
};
/*
 * On a worker: deletes the blobs ids from the object store (loose files
 * unlinked, packs rewritten without them and the old ones unlinked), after
 * writing the trees of the branch at head that name them into a pack marked
 * .promisor. Blobs not held are skipped; idempotent.
 */
int	 store_erase(git_repository *, const git_oid *head, const git_oid *ids,
	     size_t n, struct store_erasure *, char **cause);
/* The last path lesson id had in the branch at head (retracted too): 0, 1 never there. */
int	 store_find_lesson(git_repository *, const git_oid *head, const char *id,
	     char **path);
/* Marks objects/pack/pack-<name>.pack promised (and remote.knowd.promisor). */
int	 store_promisor_mark(git_repository *, const char *name);

/*
 * pack.c: packfiles between peers: building what a peer wants, and taking
 * in what a peer sent only after every new commit is verified. Both run on
 * a worker thread with the worker's own repository.
 */
#define PACK_MAX_BYTES		(64u * 1024 * 1024)	/* one pack, either way */
#define PACK_MAX_OBJECTS	200000

/* One branch a received pack should move: nid from old (has_old 0: new branch) to new. */
struct pack_update {
	char	 nid[KEYS_NID_MAX];
	git_oid	 old;
	int	 has_old;
	git_oid	 new;
	uint64_t commits;	/* verified, filled by pack_receive */
	int	 fork;		/* new is a validly signed head not descending from old */
	int	 stale;		/* new is an ancestor of old: nothing to do */
	int	 step;		/* the pack went part of the way: new is the step's end */
	int	 absent;	/* the pack brought nothing of this branch */
};

/* Process-wide limits on hostile packs; call once. */
void	 pack_global_init(void);

/*
 * Builds one pack holding everything reachable from each branch's want,
 * minus what is reachable from its haves that exist here. Every want must be
 * the head of, or an ancestor of the head of, that nid's origin branch.
 * step > 0 (the asker takes steps, WIRE_FEATURE_STEPS): a long backlog is
 * cut to about step bytes, the oldest commits first, branch after branch.
 * out is overwritten.
 */
int	 pack_build(git_repository *, const struct wire_want *, size_t step,
	     struct buf *out, char **cause);
#define PACK_STEP_BYTES		(2u * 1024 * 1024)	/* one step of a backlog */
#define PACK_STEP_TRY		(4 * PACK_STEP_BYTES)	/* a try that grows past this is cut */

/*
 * Indexes data into a quarantine directory, verifies every update's commits
 * (signature, Knowd-Seq, ancestry from old, allowed paths, parsing records)
 * against the repository plus the quarantined objects, and only then moves
 * the pack into objects/pack. On failure nothing is left behind. data may
 * be empty when every wanted object is already here. A head the pack does
 * not bring is a step (the update's new becomes the step's end, step set)
 * or absent; a pack that brings none of them fails.
 */
int	 pack_receive(git_repository *, const uint8_t *data, size_t len,
	     struct pack_update *, size_t n, char **cause);
#define PACK_LOCAL	(-2)	/* pack_receive failed here (disk full): not the peer's fault */

/*
 * catalog.c: an in-memory index of the records in every origin branch:
 * which node holds which id at which path, with the fields listings show.
 * Derived state, kept up to date from tree diffs as branches move.
 */
struct catalog_node;

/* One record: its strings live in one allocation with it. */
struct catalog_entry {
	const char	*id;
	const char	*nid;		/* the node's (lives as long as the entry) */
	const char	*path;
	enum record_kind kind;
	const char	*title;		/* a node's or vouch's name */
	const char	*project;	/* NULL for node and vouch records */
	const char	*created;
	const char	*modified;
	git_oid		 blob;
	/* catalog.c's own: */
	struct catalog_entry *same_id;	/* the next entry with this id */
	struct catalog_node *node;
	TAILQ_ENTRY(catalog_entry) of_node;
	TAILQ_ENTRY(catalog_entry) of_vouches;
	char		 text[];
};

TAILQ_HEAD(catalog_vouches, catalog_entry);

/* The records a catalog holds, found by hash: by node (then path), by id. */
struct catalog {
	struct hmap		*by_id;		/* id → entry (more through same_id) */
	struct hmap		*nodes;		/* nid → struct catalog_node */
	struct catalog_vouches	 vouches;	/* the vouch records */
	int			 ready;
	size_t			 n;
	size_t			 total[RECORD_KINDS];	/* records by kind */
	unsigned int		 vouch_gen;	/* bumped when a vouch record comes or goes */
};

/* A position in a walk over every entry (catalog_next); zero it to start. */
struct catalog_it {
	size_t			 node;
	const struct catalog_entry *e;
};

void	 catalog_init(struct catalog *);
/*
 * 1 when a node other than nid holds a lesson or project with this id (its node id
 * into holder); 0 when none does. Safe on a worker thread while the event
 * loop changes the catalog.
 */
int	 catalog_id_holder(const struct catalog *, const char *id,
	     const char *nid, char holder[KEYS_NID_MAX]);
/* Applies the difference between two trees of nid's branch (old NULL: empty). */
int	 catalog_apply(struct catalog *, git_repository *, const char *nid,
	     const git_oid *oldtree, const git_oid *newtree, char **cause);
/*
 * The same in two halves: catalog_prepare reads and parses the changed
 * records into a change (any thread: it touches no catalog), which
 * catalog_commit then applies on the loop, in time linear in the change —
 * valid when the catalog still holds nid's branch at oldtree.
 */
struct catalog_change;
int	 catalog_prepare(git_repository *, const char *nid,
	     const git_oid *oldtree, const git_oid *newtree,
	     struct catalog_change **, char **cause);
void	 catalog_commit(struct catalog *, const char *nid,
	     struct catalog_change *);
void	 catalog_change_free(struct catalog_change *);
/* Adds one record as another index knew it (title: a node's or vouch's name). */
void	 catalog_add(struct catalog *, const char *nid, const char *path,
	     enum record_kind, const char *id, const char *title,
	     const char *project, const char *created, const char *modified,
	     const git_oid *blob);
/* The record with id, in nid's branch if nid is non-NULL (preferring prefer_nid otherwise). */
const struct catalog_entry *catalog_find(const struct catalog *, const char *id,
	     const char *nid, const char *prefer_nid);
/* The record at path in nid's branch, or NULL. */
const struct catalog_entry *catalog_at(const struct catalog *, const char *nid,
	     const char *path);
/* A node's name from its node.md, or NULL. */
const char *catalog_node_name(const struct catalog *, const char *nid);
/* Number of records of kind held for nid. */
size_t	 catalog_count(const struct catalog *, const char *nid, enum record_kind);
/* Number of records of kind held for all nodes. */
size_t	 catalog_total(const struct catalog *, enum record_kind);
/* Every entry, in no order: NULL at the end. */
const struct catalog_entry *catalog_next(const struct catalog *,
	     struct catalog_it *);
/* The records of nid: after prev (NULL: the first); NULL at the end. */
const struct catalog_entry *catalog_next_of(const struct catalog *,
	     const char *nid, const struct catalog_entry *prev);
/* Every vouch record: after prev (NULL: the first); NULL at the end. */
const struct catalog_entry *catalog_next_vouch(const struct catalog *,
	     const struct catalog_entry *prev);
/* Every node with a node.md (its entry), in no order: start with *it = 0. */
const struct catalog_entry *catalog_next_node(const struct catalog *, size_t *it);
/* Forgets every record of nid. */
void	 catalog_drop(struct catalog *, const char *nid);
void	 catalog_clear(struct catalog *);

/* backup.c: a consistent snapshot of the node home as a tar archive (knowctl backup). */
struct backup;

/* On the event loop: a snapshot of every ref (the secret key goes in only when with_key). */
struct backup *backup_begin(struct store *, const char *home, int with_key,
	     char **cause);
/* The archive: an open file (already unlinked), its size and SHA-256. */
struct backup_out {
	int		 fd;
	uint64_t	 size;
	uint8_t		 sha256[32];
};

/* On any thread with its own repository: writes the archive of the snapshot. */
int	backup_build(struct backup *, git_repository *, struct backup_out *,
	    char **cause);
void	backup_free(struct backup *);
/* One more file of the home for the archive, read when it is built (at most BACKUP_EXTRA). */
#define BACKUP_EXTRA	4
int	backup_add(struct backup *, const char *path, const char *name, int mode);

/*
 * worker.c: a background thread for slow git work (building and indexing
 * packs), so the event loop keeps serving other peers.
 *
 * A job's run() executes on the worker thread with the worker's own
 * git_repository; its done() then executes on the event-loop thread. Jobs
 * run one at a time, in order. done() is called even after a failed run();
 * it owns the job and frees it. A job cancelled at shutdown gets done()
 * without run(), with cancelled set.
 */
struct worker;

struct worker_job {
	void	(*run)(struct worker_job *, git_repository *);
	void	(*done)(struct worker_job *);
	int	  cancelled;	/* set when the worker stopped before run() */
	struct worker_job *next;
};

/* Starts the thread; it opens repo_path for itself. */
int	 worker_start(struct worker **, struct event_base *, const char *repo_path,
	     char **cause);
/* Queues a job; never blocks for long. */
void	 worker_submit(struct worker *, struct worker_job *);
/* Number of jobs queued or running. */
int	 worker_pending(struct worker *);
/* Finishes the running job, cancels the queued ones (their done() still runs), joins. */
void	 worker_stop(struct worker *);

/*
 * history.c: the versions of one record (issue 17). The commits of nid's
 * origin branch that changed the file at path, newest first: each with
 * the blob it left there (removed set when it deleted the file), its time
 * and Knowd-Seq; the walk ends where the file did not exist yet, at stop
 * (when given; stop itself is compared, not listed), after max versions
 * or after walk commits. 0 (also for an unknown branch: no versions), -1
 * with *cause. Caller frees *out.
 */
struct store_version {
	git_oid		 commit;
	git_oid		 blob;
	int		 removed;
	int64_t		 time;
	uint64_t	 seq;
};
int	 store_history(git_repository *, const char *nid, const char *path,
	     const git_oid *stop, size_t max, size_t walk,
	     struct store_version **out, size_t *n, char **cause);

#endif
