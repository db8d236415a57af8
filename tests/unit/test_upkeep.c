/* test_upkeep.c — the repository kept small: packs and loose objects merged, checked by stock git. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "store.h"
#include "util.h"

#define PACKS	20	/* received packs, more than STORE_REPACK_PACKS */
#define PER	5	/* blobs in each */
#define LOOSE	50	/* loose blobs beside */

/* Per-test state: a temp dir with one store in dir/repo. */
struct fixture {
	char		 dir[64];
	char		*repo;
	git_oid		 ids[PACKS * PER + LOOSE];
	size_t		 n;
};

/* Makes the fixture of one test. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char	*cause = NULL;

	snprintf(f->dir, sizeof f->dir, "%s/knowd-upkeep.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->repo = xasprintf("%s/repo", f->dir);
	if (store_create(f->repo, &cause) != 0) {
		fprintf(stderr, "setup: %s\n", cause);
		free(cause);
		return -1;
	}
	*state = f;
	return 0;
}

/* nftw callback: removes one file or (emptied) directory. */
static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Removes the temp dir and frees the fixture. */
static int
teardown(void **state)
{
	struct fixture *f = *state;
	int	 rv;

	rv = nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f->repo);
	free(f);
	return rv;
}

/* Writes one loose blob with distinct content. */
static void
add_blob(struct fixture *f, git_repository *repo)
{
	char	 text[64];

	snprintf(text, sizeof text, "Lektion %zu: was wir wieder täten\n",
	    f->n);
	assert_int_equal(git_blob_create_from_buffer(&f->ids[f->n], repo,
	    text, strlen(text)), 0);
	f->n++;
}

/* Removes the loose file of one object. */
static void
unlink_loose(struct fixture *f, const git_oid *id)
{
	char	 hex[GIT_OID_HEXSZ + 1], *p;

	git_oid_tostr(hex, sizeof hex, id);
	p = xasprintf("%s/objects/%.2s/%s", f->repo, hex, hex + 2);
	assert_int_equal(unlink(p), 0);
	free(p);
}

/* Makes PACKS packs of PER blobs each (as received from peers), then LOOSE loose blobs. */
static void
fill(struct fixture *f)
{
	git_repository	*repo;
	git_packbuilder	*pb;
	char		*dir = xasprintf("%s/objects/pack", f->repo);
	size_t		 i, k;

	assert_int_equal(git_repository_open_bare(&repo, f->repo), 0);
	for (i = 0; i < PACKS; i++) {
		assert_int_equal(git_packbuilder_new(&pb, repo), 0);
		for (k = 0; k < PER; k++) {
			add_blob(f, repo);
			assert_int_equal(git_packbuilder_insert(pb,
			    &f->ids[f->n - 1], NULL), 0);
		}
		assert_int_equal(git_packbuilder_write(pb, dir, 0444, NULL,
		    NULL), 0);
		git_packbuilder_free(pb);
		for (k = f->n - PER; k < f->n; k++)
			unlink_loose(f, &f->ids[k]);
	}
	for (i = 0; i < LOOSE; i++)
		add_blob(f, repo);
	git_repository_free(repo);
	free(dir);
}

/* Every object written is still there, read through a fresh handle. */
static void
assert_all_readable(struct fixture *f)
{
	git_repository	*repo;
	git_blob	*b;
	size_t		 i;

	assert_int_equal(git_repository_open_bare(&repo, f->repo), 0);
	for (i = 0; i < f->n; i++) {
		assert_int_equal(git_blob_lookup(&b, repo, &f->ids[i]), 0);
		git_blob_free(b);
	}
	git_repository_free(repo);
}

/* Stock git finds the repository whole. */
static void
assert_git_fsck(struct fixture *f)
{
	char	*cmd;

	cmd = xasprintf("git --git-dir='%s' fsck --full --strict "
	    "--no-dangling >/dev/null", f->repo);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Twenty packs and fifty loose objects become one pack; nothing is lost. */
static void
test_repack_merges(void **state)
{
	struct fixture	*f = *state;
	struct store_repacked res;
	struct store	*st;
	git_repository	*repo;
	char		*cause = NULL;
	size_t		 packs, loose;

	fill(f);
	assert_int_equal(store_open(f->repo, &st, &cause), 0);
	assert_true(store_wants_repack(st, 0));
	/* While a burst of fetches is on, twenty packs wait for its end. */
	assert_false(store_wants_repack(st, 1));
	assert_int_equal(git_repository_open_bare(&repo, f->repo), 0);
	assert_int_equal(store_repack(repo, &res, &cause), 0);
	git_repository_free(repo);
	assert_true(res.done);
	assert_int_equal(res.packs, PACKS);
	assert_int_equal(res.loose, LOOSE);
	assert_int_equal(res.objects, PACKS * PER + LOOSE);
	store_objects_count(f->repo, &packs, &loose);
	assert_int_equal(packs, 1);
	assert_false(store_wants_repack(st, 0));
	assert_all_readable(f);
	assert_git_fsck(f);
	/* A handle opened before drops the merged packs and still reads all. */
	assert_int_equal(store_reopen_objects(st, &cause), 0);
	for (size_t i = 0; i < f->n; i++) {
		git_blob *b;

		assert_int_equal(git_blob_lookup(&b, store_repo(st),
		    &f->ids[i]), 0);
		git_blob_free(b);
	}
	store_close(st);
}

/* A worker job reading every blob of the fixture (so its handle maps every pack). */
struct read_job {
	struct worker_job	 j;
	struct fixture		*f;
	int			 done;		/* atomic */
};

static void
read_run(struct worker_job *j, git_repository *repo)
{
	struct read_job *rj = (struct read_job *)j;
	git_blob	*b;

	for (size_t i = 0; i < rj->f->n; i++)
		if (git_blob_lookup(&b, repo, &rj->f->ids[i]) == 0)
			git_blob_free(b);
	__atomic_store_n(&rj->done, 1, __ATOMIC_RELEASE);
}

static void
read_done(struct worker_job *j)
{
	(void)j;
}

/* Mappings of this process of deleted files under dir (packs merged away). */
static int
deleted_maps(const char *dir)
{
	FILE	*fp = fopen("/proc/self/maps", "r");
	char	 line[4096];
	int	 n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL)
		if (strstr(line, dir) != NULL && strstr(line, "(deleted)"))
			n++;
	fclose(fp);
	return n;
}

/* An idle worker drops the packs a repack merged away, without a job. */
static void
test_idle_worker_reopens(void **state)
{
	struct fixture	*f = *state;
	struct event_base *base = event_base_new();
	struct read_job	 rj = { .f = f };
	struct store_repacked res;
	struct worker	*w;
	git_repository	*repo;
	char		*cause = NULL;
	int		 i;

	fill(f);
	assert_int_equal(worker_start(&w, base, f->repo, &cause), 0);
	rj.j.run = read_run;
	rj.j.done = read_done;
	worker_submit(w, &rj.j);
	for (i = 0; i < 500 && !__atomic_load_n(&rj.done, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	assert_true(rj.done);
	assert_int_equal(git_repository_open_bare(&repo, f->repo), 0);
	assert_int_equal(store_repack(repo, &res, &cause), 0);
	git_repository_free(repo);
	assert_true(res.done);
	assert_true(deleted_maps(f->repo) > 0);	/* the worker still maps them */
	for (i = 0; i < 1000 && deleted_maps(f->repo) > 0; i++)
		usleep(10000);
	assert_int_equal(deleted_maps(f->repo), 0);
	worker_stop(w);
	event_base_free(base);
}

/* One pack and nothing loose: nothing to merge, nothing touched. */
static void
test_repack_nothing(void **state)
{
	struct fixture	*f = *state;
	struct store_repacked res;
	git_repository	*repo;
	char		*cause = NULL;

	fill(f);
	assert_int_equal(git_repository_open_bare(&repo, f->repo), 0);
	assert_int_equal(store_repack(repo, &res, &cause), 0);
	assert_true(res.done);
	assert_int_equal(store_repack(repo, &res, &cause), 0);
	assert_false(res.done);
	git_repository_free(repo);
	assert_all_readable(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_repack_merges, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_repack_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idle_worker_reopens, setup,
		    teardown),
	};
	int	 rv;

	store_global_init();
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return rv;
}
