/*
 * heal.c — forks of an origin branch: two validly signed heads that do not
 * descend from each other. Others keep the second head as proof (store's
 * forks.c); the owner heals its own fork with a signed merge descending
 * from both (doc/DESIGN.md §6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node.h"
#include "util.h"

#define FORK_MAX_PROOFS	16	/* fork heads kept per node */

/* Takes into ours every file the fork changed since the merge base and we did not. */
static int
heal_tree(git_repository *repo, const git_oid *base, const git_oid *ours,
    const git_oid *theirs, git_oid *out)
{
	git_tree	*tb = NULL, *to = NULL, *tt = NULL;
	git_diff	*diff = NULL;
	git_tree_update	*up = NULL;
	git_tree_entry	*eb, *eo;
	const git_diff_delta *d;
	size_t		 i, n = 0;
	int		 rv = -1, same;

	if (git_tree_lookup(&tb, repo, base) != 0 ||
	    git_tree_lookup(&to, repo, ours) != 0 ||
	    git_tree_lookup(&tt, repo, theirs) != 0 ||
	    git_diff_tree_to_tree(&diff, repo, tb, tt, NULL) != 0)
		goto out;
	up = xcalloc(git_diff_num_deltas(diff) + 1, sizeof *up);
	for (i = 0; i < git_diff_num_deltas(diff); i++) {
		d = git_diff_get_delta(diff, i);
		eb = eo = NULL;
		git_tree_entry_bypath(&eb, tb, d->old_file.path);
		git_tree_entry_bypath(&eo, to, d->old_file.path);
		same = (eb == NULL && eo == NULL) || (eb != NULL && eo != NULL &&
		    git_oid_equal(git_tree_entry_id(eb), git_tree_entry_id(eo)));
		git_tree_entry_free(eb);
		git_tree_entry_free(eo);
		if (!same)
			continue;	/* we changed it too: ours stands */
		up[n].path = d->new_file.path;
		up[n].action = d->status == GIT_DELTA_DELETED ?
		    GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT;
		up[n].filemode = GIT_FILEMODE_BLOB;
		git_oid_cpy(&up[n].id, &d->new_file.id);
		n++;
	}
	rv = git_tree_create_updated(out, repo, to, n, up);
out:
	free(up);
	git_diff_free(diff);
	git_tree_free(tb);
	git_tree_free(to);
	git_tree_free(tt);
	return rv;
}

/* Loads the commits at main and fork: their seqs and trees, and their merge base's tree. */
static int
heal_inputs(git_repository *repo, const git_oid *main, const git_oid *fork,
    uint64_t *sm, uint64_t *sf, git_oid trees[3])
{
	git_commit	*cm = NULL, *cf = NULL, *cb = NULL;
	git_oid		 base;
	int		 rv = -1;

	if (git_merge_base(&base, repo, main, fork) != 0 ||
	    git_commit_lookup(&cm, repo, main) != 0 ||
	    git_commit_lookup(&cf, repo, fork) != 0 ||
	    git_commit_lookup(&cb, repo, &base) != 0)
		goto out;
	*sm = store_message_seq(git_commit_message(cm));
	*sf = store_message_seq(git_commit_message(cf));
	git_oid_cpy(&trees[0], git_commit_tree_id(cb));
	git_oid_cpy(&trees[1], git_commit_tree_id(cm));
	git_oid_cpy(&trees[2], git_commit_tree_id(cf));
	rv = 0;
out:
	git_commit_free(cm);
	git_commit_free(cf);
	git_commit_free(cb);
	return rv;
}

/*
 * Heals a fork of our own branch: a signed merge of our head and the fork
 * head, first parent the one with the higher seq, seq one above it, and a
 * tree taking the fork's changes wherever we did not change the same file.
 */
static int
node_heal(struct node *nd, const git_oid *fork, char **cause)
{
	git_repository	*repo = store_repo(nd->store);
	const git_commit *parents[2] = { NULL, NULL };
	git_oid		 main, heal, tree, trees[3];
	uint64_t	 sm, sf, seq;
	char		*msg, hex[13];
	int		 rv = -1;

	if (store_head(nd->store, nd->nid, &main, NULL) != 0 ||
	    heal_inputs(repo, &main, fork, &sm, &sf, trees) != 0 ||
	    heal_tree(repo, &trees[0], &trees[1], &trees[2], &tree) != 0)
		return set_cause(cause, "heal: %s", store_git_error());
	seq = (sf > sm ? sf : sm) + 1;
	if (git_commit_lookup((git_commit **)&parents[0], repo,
	    sf > sm ? fork : &main) != 0 ||
	    git_commit_lookup((git_commit **)&parents[1], repo,
	    sf > sm ? &main : fork) != 0) {
		set_cause(cause, "heal: %s", store_git_error());
		goto out;
	}
	git_oid_tostr(hex, sizeof hex, fork);
	msg = store_commit_message("heal a fork of this node's branch", seq);
	rv = store_write_signed(nd->store, &nd->kp, nd->nid, node_name(nd), msg,
	    &tree, parents, 2, &heal, cause);
	free(msg);
	if (rv != 0 || store_branch_move(nd->store, nd->nid, &main, &heal,
	    cause) != 0) {
		rv = -1;
		goto out;
	}
	log_info("healed the fork of our branch at %s with seq %llu", hex,
	    (unsigned long long)seq);
	/* The pipeline settles the fork proofs and announces the heal. */
	rv = node_branch_moved(nd, nd->nid, &main, &heal, NULL, cause);
out:
	git_commit_free((git_commit *)parents[0]);
	git_commit_free((git_commit *)parents[1]);
	return rv;
}

int
node_fork_seen(struct node *nd, const char *nid, const git_oid *fork,
    char **cause)
{
	char	 hex[GIT_OID_HEXSZ + 1];
	git_oid	*ids;
	size_t	 n;

	git_oid_tostr(hex, sizeof hex, fork);
	/* Proof enough: a node that forks over and over gets no more refs. */
	if (store_forks(nd->store, nid, &ids, NULL, &n) == 0) {
		free(ids);
		if (n >= FORK_MAX_PROOFS)
			return set_cause(cause, "fork %s of %s not kept: %zu "
			    "proofs held already", hex, nid, n);
	}
	if (store_fork_add(nd->store, nid, fork) != 0)
		return set_cause(cause, "fork %s: %s", hex, store_git_error());
	log_warnx("branch %s: fork detected at %s (kept as proof, not relayed)",
	    nid, hex);
	if (strcmp(nid, nd->nid) == 0)
		return node_heal(nd, fork, cause);
	return 0;
}
