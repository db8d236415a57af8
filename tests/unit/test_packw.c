/* test_packw.c — packs written by packw.c, checked by stock git (index-pack --strict, rev-list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>

#include "store.h"
#include "store_int.h"
#include "util.h"

struct fx {
	char	 dir[64];
};

/* Runs a shell command in the fixture's directory; its exit status. */
static int
sh(struct fx *f, const char *fmt, ...)
{
	va_list	 ap;
	char	*cmd, *full;
	int	 rv;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = xasprintf("cd %s && (%s) >/dev/null 2>&1", f->dir, cmd);
	rv = system(full);
	free(full);
	free(cmd);
	return rv;
}

/* The first line of a shell command's output, as a number. */
static long
sh_num(struct fx *f, const char *cmd)
{
	char	*full, line[64] = "";
	FILE	*p;

	full = xasprintf("cd %s && %s", f->dir, cmd);
	p = popen(full, "r");
	assert_non_null(p);
	if (fgets(line, sizeof line, p) == NULL)
		line[0] = '\0';
	pclose(p);
	free(full);
	return strtol(line, NULL, 10);
}

/* A repository of three commits: nested trees, a 100 KB blob (a long size). */
static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/test_packw.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (sh(f, "git init -q src && cd src && "
	    "git config user.name T && git config user.email t@example.org && "
	    "mkdir -p projects/a/lessons && echo eins >node.md && "
	    "git add -A && git commit -qm 1 && "
	    "head -c 100000 /dev/zero | tr '\\0' x >projects/a/lessons/big.md && "
	    "echo zwei >projects/a/project.md && git add -A && git commit -qm 2 && "
	    "echo drei >projects/a/lessons/c.md && git add -A && "
	    "git commit -qm 3") != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	sh(f, "rm -rf %s", f->dir);
	free(f);
	return 0;
}

/* Builds the pack of HEAD minus have (NULL: none) into dir/x.pack. */
static void
build(struct fx *f, const char *have)
{
	git_repository	*repo;
	git_revwalk	*rw;
	git_object	*o;
	git_oid		 head, h;
	struct buf	 b;
	char		*path, *why = NULL;
	FILE		*fp;

	path = xasprintf("%s/src/.git", f->dir);
	assert_int_equal(git_repository_open(&repo, path), 0);
	free(path);
	assert_int_equal(git_reference_name_to_id(&head, repo, "HEAD"), 0);
	assert_int_equal(git_revwalk_new(&rw, repo), 0);
	assert_int_equal(git_revwalk_push(rw, &head), 0);
	if (have != NULL) {
		assert_int_equal(git_revparse_single(&o, repo, have), 0);
		git_oid_cpy(&h, git_object_id(o));
		git_object_free(o);
		assert_int_equal(git_revwalk_hide(rw, &h), 0);
	}
	buf_init(&b);
	assert_int_equal(packw_build(repo, rw, have != NULL ? &h : NULL,
	    have != NULL, PACK_MAX_BYTES, &b, &why), 0);
	path = xasprintf("%s/x.pack", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(b.data, 1, b.len, fp), b.len);
	fclose(fp);
	free(path);
	buf_free(&b);
	git_revwalk_free(rw);
	git_repository_free(repo);
}

/* The whole history: git takes the pack as strictly valid, with exactly rev-list's objects. */
static void
test_packw_whole(void **state)
{
	struct fx *f = *state;

	build(f, NULL);
	assert_int_equal(sh(f, "git init -q --bare dst && "
	    "git -C dst index-pack --strict --stdin <x.pack"), 0);
	assert_int_equal(sh_num(f, "git -C dst count-objects -v | "
	    "sed -n 's/^in-pack: //p'"),
	    sh_num(f, "git -C src rev-list --objects HEAD | wc -l"));
	assert_int_equal(sh(f, "git -C dst fsck --strict $(git -C src "
	    "rev-parse HEAD)"), 0);
}

/* With a have: only what rev-list names beyond it, and the pack still valid. */
static void
test_packw_haves(void **state)
{
	struct fx *f = *state;

	build(f, "HEAD~2");
	assert_int_equal(sh(f, "git init -q --bare dst2 && "
	    "git -C dst2 index-pack --stdin <x.pack && "
	    "git verify-pack dst2/objects/pack/*.idx"), 0);
	assert_int_equal(sh_num(f, "git -C dst2 count-objects -v | "
	    "sed -n 's/^in-pack: //p'"),
	    sh_num(f, "git -C src rev-list --objects HEAD ^HEAD~2 | wc -l"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_packw_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packw_haves, setup, teardown),
	};

	git_libgit2_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
