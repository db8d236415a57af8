/* node.c — opening a node's home, and publishing and retracting its own records. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "home.h"
#include "knowd.h"
#include "log.h"
#include "trust.h"
#include "search.h"
#include "util.h"

int
node_lock(const char *home, int *fdp, char **cause)
{
	char	*path, pid[32] = "";
	ssize_t	 n;
	int	 fd;

	path = home_path(home, HOME_LOCK);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = read(fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		set_cause(cause, "%s is in use by another knowd%s%s%s (lock %s)",
		    home, *pid ? " (pid " : "", pid, *pid ? ")" : "", path);
		close(fd);
		free(path);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (write(fd, pid, (size_t)n) != n)
			log_warn("%s", path);
	}
	free(path);
	*fdp = fd;
	return 0;
}

void
node_time(time_t t, char *out)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
node_new_id(char *out)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	struct timespec	 ts;
	uint64_t	 ms;
	uint8_t		 rnd[10];
	int		 i, bit;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (i = 9; i >= 0; i--) {		/* 48-bit time: 10 characters */
		out[i] = alphabet[ms & 31];
		ms >>= 5;
	}
	randombytes_buf(rnd, sizeof rnd);	/* 80 random bits: 16 characters */
	for (i = 0; i < 16; i++) {
		bit = i * 5;
		out[10 + i] = alphabet[((rnd[bit / 8] << 8 |
		    (bit / 8 + 1 < 10 ? rnd[bit / 8 + 1] : 0)) >>
		    (11 - bit % 8)) & 31];
	}
	out[26] = '\0';
}

const char *
node_name(const struct knowd *kd)
{
	const char	*n = catalog_node_name(&kd->cat, kd->nid);

	return n != NULL ? n : kd->nid;
}

int
node_branch_moved(struct knowd *kd, const char *nid, const git_oid *old,
    const git_oid *new, char **cause)
{
	git_oid	 oldtree, newtree, view;

	if ((old != NULL && store_commit_tree(kd->store, old, &oldtree) != 0) ||
	    store_commit_tree(kd->store, new, &newtree) != 0)
		return set_cause(cause, "%s", store_git_error());
	if (catalog_apply(&kd->cat, store_repo(kd->store), nid,
	    old != NULL ? &oldtree : NULL, &newtree, cause) != 0)
		return -1;
	search_apply(kd, nid, old != NULL ? &oldtree : NULL, &newtree);
	return store_view_update(kd->store, &view, cause);
}

/* Loads every origin branch into the catalog and brings the view up to date. */
static int
node_load_branches(struct knowd *kd, char **cause)
{
	char	**nids;
	size_t	  n, i;
	git_oid	  head;
	int	  rv = 0;

	if (store_nids(kd->store, &nids, &n) != 0)
		return set_cause(cause, "%s", store_git_error());
	for (i = 0; i < n && rv == 0; i++) {
		if (store_head(kd->store, nids[i], &head, NULL) != 0)
			rv = set_cause(cause, "%s: %s", nids[i], store_git_error());
		else
			rv = node_branch_moved(kd, nids[i], NULL, &head, cause);
	}
	store_nids_free(nids, n);
	return rv;
}

/* Loads config and key of an already locked home. */
static int
node_load(struct knowd *kd, char **cause)
{
	char	*path;
	int	 rv;

	path = home_path(kd->home, CONFIG_FILE);
	rv = config_load(path, &kd->conf, cause);
	free(path);
	if (rv != 0)
		return -1;
	path = home_path(kd->home, HOME_KEY);
	rv = keys_load(path, &kd->kp, cause);
	free(path);
	if (rv != 0)
		return -1;
	keys_nid_encode(kd->kp.pk, kd->nid);
	keys_did_encode(kd->kp.pk, kd->did);
	return 0;
}

int
node_open(struct knowd *kd, const char *home, char **cause)
{
	char	*path;
	int	 rv;

	memset(kd, 0, sizeof *kd);
	kd->lockfd = -1;
	kd->home = xstrdup(home);
	if (access(home, F_OK) != 0)
		return set_cause(cause, "%s: no node here (create one with "
		    "knowd init --home %s --name NAME)", home, home);
	if (node_lock(home, &kd->lockfd, cause) != 0 || node_load(kd, cause) != 0)
		return -1;
	path = home_path(home, HOME_REPO);
	rv = store_open(path, &kd->store, cause);
	free(path);
	if (rv != 0)
		return -1;
	/* We hold the home's lock: lock files in the repository are left from a crash. */
	if ((rv = store_clear_stale_locks(kd->store)) > 0)
		log_info("removed %d lock file(s) or quarantine(s) left by a crash",
		    rv);
	search_open(kd);
	if (node_load_branches(kd, cause) != 0)
		return -1;
	trust_settle(kd);	/* trust may have changed while we were down */
	return 0;
}

void
node_close(struct knowd *kd)
{
	trust_free(kd);
	catalog_clear(&kd->cat);
	search_close(kd);
	store_close(kd->store);
	config_free(&kd->conf);
	keys_wipe(&kd->kp);
	if (kd->lockfd != -1)
		close(kd->lockfd);
	free(kd->home);
	memset(kd, 0, sizeof *kd);
	kd->lockfd = -1;
}

void
node_result_clear(struct node_result *res)
{
	free(res->path);
	memset(res, 0, sizeof *res);
}
