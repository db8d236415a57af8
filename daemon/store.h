/*
 * store.h — the node's bare git repository: origin branches, signed commits,
 * and the network view (DESIGN §3, §6).
 *
 * Refs move only by compare-and-swap after the objects they point at are
 * written, so a kill at any moment leaves every ref on a complete commit.
 */
#ifndef KNOWD_STORE_H
#define KNOWD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <git2.h>

#include "keys.h"

#define STORE_VIEW_REF	"refs/heads/main"
#define STORE_SEQ_KEY	"Knowd-Seq"
#define STORE_REF_MAX	(KEYS_NID_MAX + 64)

struct store;

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
/* Head and Knowd-Seq of nid's origin branch: 0 found, 1 absent, -1 error. */
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
/* "refs/namespaces/<nid>/refs/forks/<hex>" into out (STORE_REF_MAX bytes). */
void	 store_fork_ref(const char *nid, const git_oid *, char *out);
/* Keeps a fork head as proof; 0 also when it was kept already. */
int	 store_fork_add(struct store *, const char *nid, const git_oid *);
/* Every fork head kept for nid (NULL nid: for all nodes, nids[] filled). Caller frees. */
int	 store_forks(struct store *, const char *nid, git_oid **out,
	     char (**nids)[KEYS_NID_MAX], size_t *n);
/* Drops the fork proofs of nid that head descends from (a heal was accepted). */
void	 store_forks_settle(struct store *, const char *nid, const git_oid *head);
/* Reads the blob at path in a commit's tree: 0 ok, 1 absent, -1 error. Caller frees *data. */
int	 store_read(struct store *, const git_oid *commit, const char *path,
	     size_t max, char **data, size_t *len);
/* The tree id of a commit. */
int	 store_commit_tree(struct store *, const git_oid *commit, git_oid *tree);

/*
 * Rebuilds the view refs/heads/main: a commit whose tree holds every origin
 * branch's tree under nodes/<nid>/, with the previous view and every origin
 * head that changed since as parents. No-op when nothing changed.
 */
int	 store_view_update(struct store *, git_oid *tree, char **cause);
/* The view's tree id: 0 ok, 1 no view yet, -1 error. */
int	 store_view_tree(struct store *, git_oid *tree);

#endif
