/*
 * pack.h — packfiles between peers: building what a peer wants, and taking
 * in what a peer sent only after every new commit is verified. Both run on
 * the worker thread (worker.h) with the worker's own repository.
 */
#ifndef KNOWD_PACK_H
#define KNOWD_PACK_H

#include <git2.h>

#include "keys.h"
#include "util.h"
#include "wire.h"

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
};

/* Process-wide limits on hostile packs; call once. */
void	 pack_global_init(void);

/*
 * Builds one pack holding everything reachable from each branch's want,
 * minus what is reachable from its haves that exist here. Every want must be
 * the head of, or an ancestor of the head of, that nid's origin branch.
 */
int	 pack_build(git_repository *, const struct wire_want *, struct buf *out,
	     char **cause);

/*
 * Indexes data into a quarantine directory, verifies every update's commits
 * (signature, Knowd-Seq, ancestry from old, allowed paths, parsing records)
 * against the repository plus the quarantined objects, and only then moves
 * the pack into objects/pack. On failure nothing is left behind. data may
 * be empty when every wanted object is already here.
 */
int	 pack_receive(git_repository *, const uint8_t *data, size_t len,
	     struct pack_update *, size_t n, char **cause);

#endif
