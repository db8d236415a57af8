/* store_int.h — what the store room's files share (inside store/ only). */
#ifndef KNOWD_STORE_INT_H
#define KNOWD_STORE_INT_H

#include "store.h"

struct store {
	git_repository	*repo;
	git_repository	*bulk;		/* the same, writes not fsynced (store_open_bulk) */
	char		*path;
	struct hmap	*branches;	/* nid → struct store_branch (branches.c) */
	size_t		 nforks;	/* fork proofs held, of all nodes */
	unsigned int	 moves;		/* branch moves since the refs were packed */
	unsigned int	 objects_gen;	/* store_objects_generation when opened */
};

/* branches.c: reads every origin branch and fork proof into the table (store_open). */
int	 branches_load(struct store *, char **cause);
void	 branches_free(struct store *);
/* nid's branch is now at head (a commit of this repository): the table follows. */
int	 branches_set(struct store *, const char *nid, const git_oid *head);
/* nid's branch is gone. */
void	 branches_forget(struct store *, const char *nid);
/* A fork proof of nid was added (+1) or removed (-1). */
void	 branches_fork_count(struct store *, const char *nid, int delta);

/*
 * repair.c: rewrites the pack at base without the objects drop names (and
 * the unreadable ones); the old one is moved to knowd-damaged/, or unlinked
 * with destroy. A .promisor mark goes along. 0 when rewritten.
 */
int	 store_pack_rewrite(git_repository *, const char *base,
	     int (*drop)(const git_oid *, void *), void *arg, int destroy);
/* verify.c: erased blobs this thread's verify_range let be missing since the last call. */
size_t	 verify_erased_missing(void);

/* upkeep.c: the objects on disk changed (a repack, a repair): handles reopen theirs. */
void	 store_objects_changed(void);
/* upkeep.c: the complete packs of objects/pack, paths without .idx/.pack, smallest first. */
size_t	 store_list_packs(git_repository *, char ***bases);
/* upkeep.c: every object id an object database holds. */
int	 store_odb_ids(git_odb *, git_oid **ids, size_t *n);

/*
 * verify.c: between begin and end, verify_range on this thread also refuses
 * a record id that another branch verified in between brings (the
 * branches of one pack are not in the catalog yet).
 */
void	 verify_ids_begin(void);
void	 verify_ids_end(void);
/* verify.c: the record verify_range parsed from blob (verify_memo_begin), or NULL; the memo keeps it. */
const struct record *verify_memo_get(const git_oid *blob);

/*
 * fsck.c: a commit's or tree's raw bytes checked as `git fsck --strict`
 * does (a tree: only modes 100644 and 40000); -1 with git's message.
 */
/*
 * packw.c: writes into out the pack of the walk's commits with their trees
 * and blobs, minus what the trees of haves hold and erased blobs; every
 * object whole (no deltas). PACKW_FULL when it grew over max bytes.
 */
#define PACKW_FULL	1
int	 packw_build(git_repository *, git_revwalk *, const git_oid *haves,
	     size_t nhaves, size_t max, struct buf *out, char **cause);
/* Inserts the same objects (no haves) into pb, for a pack with deltas. */
int	 packw_insert(git_packbuilder *, git_repository *, git_revwalk *,
	     char **cause);

int	 fsck_commit(const char *buf, size_t len, char **cause);
int	 fsck_tree(const char *buf, size_t len, char **cause);

/*
 * packcheck.c: what a received pack may hold. pack_objects_load lists the
 * quarantine's objects and checks each as git fsck --strict would (commits
 * and trees by fsck_commit / fsck_tree; blobs pass; tags and anything else
 * fail). pack_objects_reach then requires every one of them reachable from
 * the new head of an update the pack brought (absent ones aside).
 */
struct pack_objects;
int	 pack_objects_load(git_odb *, const char *quarantine, struct pack_objects **,
	     char **cause);
int	 pack_objects_reach(struct pack_objects *, git_odb *, const struct pack_update *,
	     size_t n, char **cause);
void	 pack_objects_free(struct pack_objects *);

#endif
