/* node.c — opening a node's home: lock, configuration, key, repository, index, branches. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "home.h"
#include "log.h"
#include "node.h"
#include "node_int.h"
#include "record.h"
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

const char *
node_name(const struct node *nd)
{
	const char	*name = catalog_node_name(&nd->cat, nd->nid);

	return name != NULL ? name : nd->nid;
}

const char *
node_name_of(const struct node *nd, const char *nid)
{
	return catalog_node_name(&nd->cat, nid);
}

char *
node_role_of(struct node *nd, const char *nid)
{
	const struct catalog_entry *e = catalog_at(&nd->cat, nid, "node.md");
	git_blob	*b = NULL;
	struct record	*rec = NULL;
	char		*role = NULL;

	if (e != NULL && git_blob_lookup(&b, store_repo(nd->store),
	    &e->blob) == 0 && record_parse(git_blob_rawcontent(b),
	    (size_t)git_blob_rawsize(b), RECORD_STRICT, &rec, NULL) == 0 &&
	    rec->role != NULL)
		role = xstrdup(rec->role);
	record_free(rec);
	git_blob_free(b);
	return role;
}

void
node_expect_peers(struct node *nd)
{
	nd->recover_until = time(NULL) + NODE_RECOVER_WAIT;
}

/* What node_catalog_row needs: the catalog, and the nids the index holds at their heads. */
struct load_ctx {
	struct catalog	*cat;
	struct store	*store;
	struct hmap	*fresh;
};

/* search_branches callback: a node the index holds at its head is fresh. */
static void
node_fresh_branch(const char *nid, const git_oid *tree, void *arg)
{
	struct load_ctx	*lc = arg;
	const struct store_branch *b = store_branch(lc->store, nid);

	if (b != NULL && git_oid_equal(&b->tree, tree))
		hmap_put(lc->fresh, b->nid, strlen(b->nid), (void *)b);
}

/* search_records callback: one record of a node the index holds at its head. */
static int
node_catalog_row(const struct search_row *r, void *arg)
{
	struct load_ctx	*lc = arg;
	enum record_kind k;
	git_oid		 blob;

	if (hmap_gets(lc->fresh, r->nid) == NULL ||
	    git_oid_fromstr(&blob, r->blob) != 0)
		return 0;
	for (k = RECORD_LESSON; k < RECORD_KINDS; k++)
		if (strcmp(record_kind_name(k), r->kind) == 0)
			break;
	if (k >= RECORD_KINDS)
		return 0;
	catalog_add(lc->cat, r->nid, r->path, k, r->id, r->title, r->project,
	    r->created, r->modified, &blob);
	return 0;
}

/* Branches the catalog could not read at start: damage is set aside, the rest logged. */
static void
node_load_damaged(struct node *nd, char **bad, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!node_check_branch(nd, bad[i]))
			log_warnx("branch %s: not in the catalog, though every "
			    "object of it reads", bad[i]);
	strv_free(bad, n);
}

/*
 * Loads every origin branch into the catalog — from the search index for
 * the branches it holds at their heads (reading rows is far cheaper than
 * parsing every record: a mirror starts in seconds), from git for the
 * rest — brings the view up to date once, and has the index catch up.
 */
static int
node_load_branches(struct node *nd, char **cause)
{
	const struct store_branch *b;
	struct load_ctx	 lc = { &nd->cat, nd->store, hmap_new() };
	char		*why = NULL, **bad = NULL;
	git_oid		 tree;
	size_t		 it, nbad = 0;

	if (nd->search != NULL && search_branches(nd->search, node_fresh_branch,
	    &lc, &why) != 0) {
		log_warnx("search index: %s", why);
		free(why);
		why = NULL;
	}
	if (hmap_count(lc.fresh) > 0 && search_records(nd->search,
	    node_catalog_row, &lc, &why) != 0) {
		log_warnx("catalog from the search index: %s; reading git", why);
		free(why);
		catalog_clear(&nd->cat);
		catalog_init(&nd->cat);
		hmap_free(lc.fresh);
		lc.fresh = hmap_new();
	}
	if (nd->search != NULL)
		search_shrink(nd->search);
	for (it = 0; (b = store_branch_next(nd->store, &it)) != NULL;)
		if (hmap_gets(lc.fresh, b->nid) == NULL &&
		    catalog_apply(&nd->cat, store_repo(nd->store), b->nid, NULL,
		    &b->tree, &why) != 0) {
			log_warnx("branch %s: %s", b->nid, why);
			free(why);
			why = NULL;
			strv_push(&bad, &nbad, b->nid);
		}
	node_load_damaged(nd, bad, nbad);
	/* Derived: written again at the next move (a full disk, say). */
	if (view_update(nd->store, &tree, &why) != 0) {
		log_warnx("%s; knowd runs, and writes the view again when it "
		    "can", why);
		free(why);
		nd->view_stale = 1;
	}
	node_index_check(nd, lc.fresh);
	hmap_free(lc.fresh);
	return 0;
}

/* Forgets in the index the nodes whose branch is gone from the repository. */
static void
node_prune_index(struct node *nd)
{
	char	**nids, *why = NULL;
	size_t	  nn, i;
	git_oid	  head;

	if (search_nids(nd->search, &nids, &nn) != 0)
		return;
	for (i = 0; i < nn; i++)
		if (store_head(nd->store, nids[i], &head, NULL) == 1 &&
		    search_drop_nid(nd->search, nids[i], &why) != 0) {
			log_warnx("%s", why);
			free(why);
			why = NULL;
		}
	strv_free(nids, nn);
}

/* Opens HOME/index.sqlite (logs and carries on without it on failure). */
static void
node_open_index(struct node *nd)
{
	char	*path = home_path(nd->home, SEARCH_FILE), *why = NULL;

	if (search_db_open(path, &nd->search, &why) != 0) {
		log_warnx("search index %s: %s; search is off until it can be "
		    "opened", path, why);
		free(why);
		nd->search = NULL;
		nd->index_closed = 1;
	} else
		node_prune_index(nd);
	free(path);
}

int
node_index_reopen(struct node *nd)
{
	struct hmap	*none;
	char		*path, *why = NULL;

	if (!nd->index_closed)
		return 0;
	path = home_path(nd->home, SEARCH_FILE);
	if (search_db_open(path, &nd->search, &why) != 0) {
		free(why);		/* said at start */
		nd->search = NULL;
		free(path);
		return -1;
	}
	free(path);
	nd->index_closed = 0;
	log_info("search index opened: every branch is indexed again");
	node_prune_index(nd);
	none = hmap_new();
	node_index_check(nd, none);
	hmap_free(none);
	return 0;
}

/*
 * Reloads knowd.conf after an edit and applies what can change while
 * running: trust, mirror, peers and limits. listen and network keep their
 * running values until a restart.
 */
int
node_reload(struct node *nd, char **cause)
{
	struct config	 c;
	char		*path, *listen, *network;
	int		 rv;

	path = home_path(nd->home, CONFIG_FILE);
	rv = config_load(path, &c, cause);
	free(path);
	if (rv != 0)
		return -1;
	listen = nd->conf.listen;
	network = nd->conf.network;
	nd->conf.listen = nd->conf.network = NULL;
	config_free(&nd->conf);
	free(c.listen);
	free(c.network);
	c.listen = listen;
	c.network = network;
	nd->conf = c;
	trust_invalidate(nd);
	node_contacts_reloaded(nd);
	node_reloaded(nd);
	return 0;
}

/* Loads config and key of an already locked home. */
static int
node_load(struct node *nd, char **cause)
{
	char	*path;
	int	 rv;

	path = home_path(nd->home, CONFIG_FILE);
	rv = config_load(path, &nd->conf, cause);
	free(path);
	if (rv != 0)
		return -1;
	path = home_path(nd->home, HOME_KEY);
	rv = keys_load(path, &nd->kp, cause);
	free(path);
	if (rv != 0)
		return -1;
	keys_nid_encode(nd->kp.pk, nd->nid);
	keys_did_encode(nd->kp.pk, nd->did);
	return 0;
}

int
node_open(struct node *nd, const char *home, char **cause)
{
	char	*path;
	int	 rv;

	memset(nd, 0, sizeof *nd);
	nd->lockfd = -1;
	nd->home = xstrdup(home);
	catalog_init(&nd->cat);
	store_set_id_catalog(&nd->cat);
	node_index_init(nd);
	if (access(home, F_OK) != 0)
		return set_cause(cause, "%s: no node here (create one with "
		    "knowd init --home %s --name NAME)", home, home);
	if (node_lock(home, &nd->lockfd, cause) != 0 || node_load(nd, cause) != 0)
		return -1;
	path = home_path(home, HOME_REPO);
	rv = store_open(path, &nd->store, cause);
	free(path);
	if (rv != 0)
		return -1;
	/* We hold the home's lock: lock files in the repository are left from a crash. */
	if ((rv = store_clear_stale_locks(nd->store)) > 0)
		log_info("removed %d lock file(s) or quarantine(s) left by a crash",
		    rv);
	node_open_index(nd);
	node_listen_own(nd);
	node_damage_init(nd);
	if (node_load_branches(nd, cause) != 0)
		return -1;
	node_erase_init(nd);
	trust_settle(nd);	/* trust may have changed while we were down */
	node_contacts_open(nd);
	node_contacts_drop_unreplicated(nd);
	return 0;
}

void
node_close(struct node *nd)
{
	node_contacts_close(nd);
	node_erase_stop(nd);
	trust_free(nd);
	node_pending_free(nd);
	node_index_free(nd);
	node_texts_free(nd);
	store_set_id_catalog(NULL);
	catalog_clear(&nd->cat);
	search_db_close(nd->search);
	store_close(nd->store);
	config_free(&nd->conf);
	keys_wipe(&nd->kp);
	if (nd->lockfd != -1)
		close(nd->lockfd);
	free(nd->home);
	memset(nd, 0, sizeof *nd);
	nd->lockfd = -1;
}

void
node_result_clear(struct node_result *res)
{
	free(res->path);
	memset(res, 0, sizeof *res);
}
