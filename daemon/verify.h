/* verify.h — checks that an origin branch is what its node signed (DESIGN §3, §6). */
#ifndef KNOWD_VERIFY_H
#define KNOWD_VERIFY_H

#include <stdint.h>
#include <git2.h>

/*
 * Verifies the commits of nid's branch from head back to stop (exclusive;
 * stop NULL means down to the root). Every commit must be signed by nid
 * (sshsig, namespace "git"), carry Knowd-Seq one above its parent's (1 at
 * the root), have a single parent, and change only files DESIGN §3 allows,
 * each a record that parses and sits at its own path. When stop is given,
 * head must descend from it. *count gets the number of commits checked.
 */
int	verify_range(git_repository *, const char *nid, const git_oid *head,
	    const git_oid *stop, uint64_t *count, char **cause);

#endif
