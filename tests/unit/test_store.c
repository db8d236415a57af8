/* test_store.c — the bare repository: signed commits, seq, view, verification, catalog. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "store.h"
#include "store_int.h"
#include "keys.h"
#include "record.h"
#include "util.h"

#define ULID		"01JDZ3M7K2V6ABCDEFGHJKMNPQ"
#define PROJECT		"energie-projekt"
#define LESSON_PATH	"projects/" PROJECT "/lessons/" ULID ".md"
#define CREATED		"2026-11-26T10:00:00Z"
#define MODIFIED	"2026-11-27T08:30:00Z"

/* Per-test state: a temp dir with one store in dir/repo and two node keys. */
struct fixture {
	char		 dir[64];
	char		*repo;
	struct store	*st;
	struct keys_pair a, b;
	char		 nida[KEYS_NID_MAX], nidb[KEYS_NID_MAX];
};

/* Makes the fixture of one test. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char	*cause = NULL;

	snprintf(f->dir, sizeof f->dir, "%s/knowd-store.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->repo = xasprintf("%s/repo", f->dir);
	if (store_create(f->repo, &cause) != 0 ||
	    store_open(f->repo, &f->st, &cause) != 0) {
		fprintf(stderr, "setup: %s\n", cause);
		free(cause);
		return -1;
	}
	if (keys_generate(&f->a) != 0 || keys_generate(&f->b) != 0)
		return -1;
	keys_nid_encode(f->a.pk, f->nida);
	keys_nid_encode(f->b.pk, f->nidb);
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

	store_close(f->st);
	keys_wipe(&f->a);
	keys_wipe(&f->b);
	rv = nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f->repo);
	free(f);
	return rv;
}

/* Writes r in canonical form and frees it. Caller frees the text. */
static char *
write_record(struct record *r)
{
	char	*text, *cause = NULL;
	size_t	 len;

	if (record_validate(r, RECORD_STRICT, &cause) != 0)
		fail_msg("invalid test record: %s", cause);
	assert_int_equal(record_write(r, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	record_free(r);
	return text;
}

/* The node.md of nid. Caller frees. */
static char *
node_md(const char *nid, const char *name)
{
	struct record *r = xcalloc(1, sizeof *r);

	r->kind = RECORD_NODE;
	record_set(&r->id, nid);
	record_set(&r->name, name);
	record_set(&r->role, "municipality");
	record_set(&r->created, CREATED);
	record_set(&r->modified, MODIFIED);
	return write_record(r);
}

/* A lesson with the given title in project. Caller frees. */
static char *
lesson_md(const char *title, const char *project)
{
	struct record *r = xcalloc(1, sizeof *r);

	r->kind = RECORD_LESSON;
	record_set(&r->id, ULID);
	record_set(&r->title, title);
	record_set(&r->project, project);
	r->fields.v = xcalloc(1, sizeof *r->fields.v);
	r->fields.v[r->fields.n++] = xstrdup("energie-umwelt");
	record_set(&r->status, "umsetzung");
	record_set(&r->created, CREATED);
	record_set(&r->modified, MODIFIED);
	return write_record(r);
}

/* Commits one change (data NULL removes path) to nid's branch; -1 and *cause on failure. */
static int
try_commit(struct fixture *f, const struct keys_pair *kp, const char *nid,
    const char *path, const char *data, git_oid *out, uint64_t *seq,
    char **cause)
{
	struct store_change ch = { path, data, data != NULL ? strlen(data) : 0 };

	return store_commit(f->st, kp, nid, "Test Node", &ch, 1, "test change",
	    out, seq, cause);
}

/* Commits one change that must succeed; returns the new seq. */
static uint64_t
commit1(struct fixture *f, const struct keys_pair *kp, const char *nid,
    const char *path, const char *data, git_oid *out)
{
	git_oid	 id;
	uint64_t seq = 0;
	char	*cause = NULL;

	if (try_commit(f, kp, nid, path, data, out != NULL ? out : &id, &seq,
	    &cause) != 0)
		fail_msg("commit %s: %s", path, cause);
	return seq;
}

/* Commits text (freed) at path and checks the seq. */
static void
commit_text(struct fixture *f, const struct keys_pair *kp, const char *nid,
    const char *path, char *text, uint64_t want, git_oid *out)
{
	assert_int_equal(commit1(f, kp, nid, path, text, out), want);
	free(text);
}

/* nid's good branch: node.md (seq 1), a lesson (2), the lesson retitled (3). */
static void
good_branch(struct fixture *f, const struct keys_pair *kp, const char *nid,
    git_oid heads[3])
{
	commit_text(f, kp, nid, "node.md", node_md(nid, "Stadt M\xc3\xbcnster"),
	    1, &heads[0]);
	commit_text(f, kp, nid, LESSON_PATH, lesson_md("Erste Fassung",
	    PROJECT), 2, &heads[1]);
	commit_text(f, kp, nid, LESSON_PATH, lesson_md("Start mit einer "
	    "Pilotstra\xc3\x9f" "e", PROJECT), 3, &heads[2]);
}

/* Points nid's branch at id, whatever it held before. */
static void
set_branch(struct fixture *f, const char *nid, const git_oid *id)
{
	char		 ref[STORE_REF_MAX];
	git_reference	*r;

	store_branch_ref(nid, ref);
	assert_int_equal(git_reference_create(&r, store_repo(f->st), ref, id, 1,
	    "test"), 0);
	git_reference_free(r);
	assert_int_equal(store_refresh(f->st, NULL), 0);	/* moved behind its back */
}

/* The tree of a new commit: treeid, else parent's tree, else an empty one. */
static git_tree *
base_tree(git_repository *repo, git_commit *parent, const git_oid *treeid)
{
	git_treebuilder	*tb;
	git_tree	*tree;
	git_oid		 tid;

	if (treeid != NULL)
		git_oid_cpy(&tid, treeid);
	else if (parent != NULL)
		git_oid_cpy(&tid, git_commit_tree_id(parent));
	else {
		assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
		assert_int_equal(git_treebuilder_write(&tid, tb), 0);
		git_treebuilder_free(tb);
	}
	assert_int_equal(git_tree_lookup(&tree, repo, &tid), 0);
	return tree;
}

/*
 * Writes a commit with message msg on parent (or none) with base_tree's
 * tree, signed by kp the way git does when kp is non-NULL.
 */
static void
raw_commit(struct fixture *f, const struct keys_pair *kp, const char *msg,
    const git_oid *parent, const git_oid *treeid, git_oid *out)
{
	git_repository	*repo = store_repo(f->st);
	git_commit	*p = NULL;
	git_tree	*tree;
	git_signature	*sig;
	git_buf		 raw = { 0 };
	char		*armored;
	size_t		 np = parent != NULL ? 1 : 0;

	assert_int_equal(git_signature_now(&sig, "Mallory", "m@example.org"), 0);
	if (parent != NULL)
		assert_int_equal(git_commit_lookup(&p, repo, parent), 0);
	tree = base_tree(repo, p, treeid);
	if (kp == NULL)
		assert_int_equal(git_commit_create(out, repo, NULL, sig, sig,
		    NULL, msg, tree, np, (const git_commit **)&p), 0);
	else {
		assert_int_equal(git_commit_create_buffer(&raw, repo, sig, sig,
		    NULL, msg, tree, np, (const git_commit **)&p), 0);
		assert_int_equal(keys_sshsig_sign(kp, "git", raw.ptr, raw.size,
		    &armored), 0);
		assert_int_equal(git_commit_create_with_signature(out, repo,
		    raw.ptr, armored, "gpgsig"), 0);
		free(armored);
		git_buf_dispose(&raw);
	}
	git_tree_free(tree);
	git_commit_free(p);
	git_signature_free(sig);
}

/* Verifies nid's whole branch, which must pass; returns the count. */
static uint64_t
verify_ok(struct fixture *f, const char *nid, const git_oid *stop)
{
	git_oid	 head;
	uint64_t count;
	char	*cause = NULL;

	assert_int_equal(store_head(f->st, nid, &head, NULL), 0);
	if (verify_range(store_repo(f->st), nid, &head, stop, &count,
	    &cause) != 0)
		fail_msg("verify: %s", cause);
	return count;
}

/* Verifies nid's whole branch, which must fail with a cause containing want. */
static void
verify_bad(struct fixture *f, const char *nid, const git_oid *stop,
    const char *want)
{
	git_oid	 head;
	uint64_t count;
	char	*cause = NULL;

	assert_int_equal(store_head(f->st, nid, &head, NULL), 0);
	if (verify_range(store_repo(f->st), nid, &head, stop, &count,
	    &cause) == 0)
		fail_msg("verify passed; expected \"%s\"", want);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

/* Runs a shell command line; returns its exit status. */
static int
run(const char *fmt, ...)
{
	va_list	 ap;
	char	*cmd;
	int	 st;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A new repository refuses an existing path; HEAD names the view. */
static void
test_create_open(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	git_reference *head;
	char	*cause = NULL, *path;

	assert_int_equal(store_create(f->repo, &cause), -1);
	assert_non_null(strstr(cause, "already exists"));
	free(cause);
	path = xasprintf("%s/absent", f->dir);
	assert_int_equal(store_open(path, &st, &cause), -1);
	assert_non_null(strstr(cause, path));
	free(cause);
	free(path);
	assert_int_equal(git_repository_is_bare(store_repo(f->st)), 1);
	assert_int_equal(git_reference_lookup(&head, store_repo(f->st), "HEAD"),
	    0);
	assert_string_equal(git_reference_symbolic_target(head), STORE_VIEW_REF);
	git_reference_free(head);
	store_close(NULL);
}

/* Commits count up from 1; heads, reads, nids and removal. */
static void
test_commit_seq(void **state)
{
	struct fixture *f = *state;
	git_oid	 heads[3], head, tree, id;
	uint64_t seq;
	char	*data, *node, **nids, ref[STORE_REF_MAX];
	size_t	 len, n;

	assert_int_equal(store_head(f->st, f->nida, &head, &seq), 1);
	good_branch(f, &f->a, f->nida, heads);
	assert_int_equal(store_head(f->st, f->nida, &head, &seq), 0);
	assert_int_equal(seq, 3);
	assert_true(git_oid_equal(&head, &heads[2]));

	node = node_md(f->nida, "Stadt M\xc3\xbcnster");
	assert_int_equal(store_read(f->st, &heads[0], "node.md", 65536, &data,
	    &len), 0);
	assert_int_equal(len, strlen(node));
	assert_string_equal(data, node);
	free(data);
	assert_int_equal(store_read(f->st, &heads[0], LESSON_PATH, 65536, &data,
	    &len), 1);
	assert_int_equal(store_read(f->st, &heads[2], "node.md", 10, &data,
	    &len), -1);
	assert_int_equal(store_read(f->st, &heads[2], "projects", 65536, &data,
	    &len), -1);
	free(node);
	assert_int_equal(store_read(f->st, &heads[2], LESSON_PATH, 65536,
	    &data, &len), 0);
	assert_non_null(strstr(data, "title: Start mit einer"));
	free(data);

	/* Removal: the path is gone, the seq still counts up. */
	assert_int_equal(commit1(f, &f->a, f->nida, LESSON_PATH, NULL, &id), 4);
	assert_int_equal(store_read(f->st, &id, LESSON_PATH, 65536, &data,
	    &len), 1);
	assert_int_equal(store_commit_tree(f->st, &heads[0], &head), 0);
	assert_int_equal(store_commit_tree(f->st, &id, &tree), 0);
	assert_true(git_oid_equal(&head, &tree));	/* back to node.md only */

	commit_text(f, &f->b, f->nidb, "node.md", node_md(f->nidb, "B"), 1,
	    NULL);
	assert_int_equal(store_nids(f->st, &nids, &n), 0);
	assert_int_equal(n, 2);
	assert_true(strcmp(nids[0], nids[1]) < 0);
	assert_true(strcmp(nids[0], f->nida) == 0 || strcmp(nids[1], f->nida) == 0);
	assert_true(strcmp(nids[0], f->nidb) == 0 || strcmp(nids[1], f->nidb) == 0);
	store_nids_free(nids, n);
	store_branch_ref(f->nida, ref);
	assert_int_equal(strncmp(ref, "refs/namespaces/", 16), 0);
}

/* The Knowd-Seq trailer: one positive decimal number or nothing. */
static void
test_message_seq(void **state)
{
	static const struct {
		const char	*msg;
		uint64_t	 seq;
	} t[] = {
		{ "s\n\nKnowd-Seq: 7\n", 7 },
		{ "s\n\nbody text\n\nOther: x\nKnowd-Seq: 12\n", 12 },
		{ "s\n\nKnowd-Seq: 18446744073709551615\n", UINT64_MAX },
		{ "s\n", 0 },
		{ "", 0 },
		{ "s\n\nKnowd-Seq: 1\nKnowd-Seq: 2\n", 0 },
		{ "s\n\nKnowd-Seq: 3\nKnowd-Seq: 3\n", 0 },
		{ "s\n\nKnowd-Seq: 0\n", 0 },
		{ "s\n\nKnowd-Seq: 007\n", 0 },
		{ "s\n\nKnowd-Seq: abc\n", 0 },
		{ "s\n\nKnowd-Seq: 12x\n", 0 },
		{ "s\n\nKnowd-Seq: -3\n", 0 },
		{ "s\n\nKnowd-Seq: +3\n", 0 },
		{ "s\n\nKnowd-Seq: 99999999999999999999999\n", 0 },
		{ "s\n\nKnowd-Seq:\n", 0 },
		{ "s\n\nKnowd-Seq: 3\n\nlater paragraph\n", 0 },
		{ "s\n\nknowd-seq: 5\n", 0 },
	};
	size_t	 i;

	for (i = 0; i < nitems(t); i++)
		if (store_message_seq(t[i].msg) != t[i].seq)
			fail_msg("\"%s\": %llu, expected %llu", t[i].msg,
			    (unsigned long long)store_message_seq(t[i].msg),
			    (unsigned long long)t[i].seq);
}

/* store_commit refuses a branch whose head carries no valid Knowd-Seq. */
static void
test_commit_bad_head(void **state)
{
	struct fixture *f = *state;
	git_oid	 heads[3], bad, out, head;
	char	*cause = NULL;

	good_branch(f, &f->a, f->nida, heads);
	raw_commit(f, NULL, "no trailer here\n", &heads[2], NULL, &bad);
	set_branch(f, f->nida, &bad);
	assert_int_equal(try_commit(f, &f->a, f->nida, "node.md", "x", &out,
	    NULL, &cause), -1);
	assert_non_null(strstr(cause, "head has no valid Knowd-Seq"));
	free(cause);
	assert_int_equal(store_head(f->st, f->nida, &head, NULL), 0);
	assert_true(git_oid_equal(&head, &bad));	/* nothing moved */
}

/* Tree entry id at path in tree id. */
static void
entry_id(git_repository *repo, const git_oid *tree, const char *path,
    git_oid *out)
{
	git_tree	*t;
	git_tree_entry	*e;

	assert_int_equal(git_tree_lookup(&t, repo, tree), 0);
	if (git_tree_entry_bypath(&e, t, path) != 0)
		fail_msg("%s: not in the tree", path);
	git_oid_cpy(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(t);
}

/* The view commit id. */
static void
view_head(struct fixture *f, git_oid *out)
{
	assert_int_equal(git_reference_name_to_id(out, store_repo(f->st),
	    STORE_VIEW_REF), 0);
}

/* Number of parents of commit id. */
static unsigned int
parents_of(struct fixture *f, const git_oid *id)
{
	git_commit	*c;
	unsigned int	 n;

	assert_int_equal(git_commit_lookup(&c, store_repo(f->st), id), 0);
	n = git_commit_parentcount(c);
	git_commit_free(c);
	return n;
}

/* "nodes/<xx>/<nid>/rest" in the view: xx is the first byte of the node's key. */
static char *
view_path(const struct keys_pair *kp, const char *nid, const char *rest)
{
	return xasprintf("nodes/%02x/%s%s", kp->pk[0], nid, rest);
}

/* The view holds every origin tree under nodes/<xx>/<nid>/ and moves only on change. */
static void
test_view(void **state)
{
	struct fixture *f = *state;
	git_repository *repo = store_repo(f->st);
	git_oid	 heads[3], tree, again, v1, v2, a, b;
	char	*cause = NULL, *path;

	assert_int_equal(view_tree(f->st, &tree), 1);
	good_branch(f, &f->a, f->nida, heads);
	commit_text(f, &f->b, f->nidb, "node.md", node_md(f->nidb, "B"), 1,
	    NULL);
	if (view_update(f->st, &tree, &cause) != 0)
		fail_msg("view: %s", cause);
	assert_int_equal(view_tree(f->st, &again), 0);
	assert_true(git_oid_equal(&tree, &again));
	path = view_path(&f->a, f->nida, "/node.md");
	entry_id(repo, &tree, path, &a);
	free(path);
	assert_int_equal(store_commit_tree(f->st, &heads[2], &again), 0);
	entry_id(repo, &again, "node.md", &b);
	assert_true(git_oid_equal(&a, &b));
	path = view_path(&f->a, f->nida, "");
	entry_id(repo, &tree, path, &a);		/* the whole origin tree */
	assert_true(git_oid_equal(&a, &again));
	free(path);
	path = view_path(&f->a, f->nida, "/" LESSON_PATH);
	entry_id(repo, &tree, path, &a);
	free(path);
	path = view_path(&f->b, f->nidb, "/node.md");
	entry_id(repo, &tree, path, &a);
	free(path);
	view_head(f, &v1);
	assert_int_equal(parents_of(f, &v1), 2);	/* both heads, no previous */

	/* Nothing changed: no new commit. */
	assert_int_equal(view_update(f->st, &again, &cause), 0);
	assert_true(git_oid_equal(&tree, &again));
	view_head(f, &v2);
	assert_true(git_oid_equal(&v1, &v2));

	/* A moves: previous view and A's new head are the parents. */
	assert_int_equal(commit1(f, &f->a, f->nida, LESSON_PATH, NULL, NULL), 4);
	assert_int_equal(view_update(f->st, &again, &cause), 0);
	assert_false(git_oid_equal(&tree, &again));
	view_head(f, &v2);
	assert_false(git_oid_equal(&v1, &v2));
	assert_int_equal(parents_of(f, &v2), 2);
}

/* Builds the view afresh, one branch at a time in the order given; its tree into *out. */
static void
view_in_order(struct fixture *f, const char *const *nids, size_t n,
    git_oid *out)
{
	char	*cause = NULL;
	size_t	 i;

	git_reference_remove(store_repo(f->st), STORE_VIEW_REF);
	for (i = 0; i < n; i++)
		if (view_update_one(f->st, nids[i], out, &cause) != 0)
			fail_msg("view: %s", cause);
}

/* The view id of a set of heads does not depend on the order they arrived in. */
static void
test_view_order(void **state)
{
	struct fixture *f = *state;
	struct keys_pair c;
	const char *abc[3], *cba[3], *bac[3];
	char	 nidc[KEYS_NID_MAX], *cause = NULL;
	git_oid	 heads[3], t1, t2, t3, t4;

	assert_int_equal(keys_generate(&c), 0);
	keys_nid_encode(c.pk, nidc);
	good_branch(f, &f->a, f->nida, heads);
	commit_text(f, &f->b, f->nidb, "node.md", node_md(f->nidb, "B"), 1,
	    NULL);
	commit_text(f, &c, nidc, "node.md", node_md(nidc, "C"), 1, NULL);
	abc[0] = f->nida; abc[1] = f->nidb; abc[2] = nidc;
	cba[0] = nidc; cba[1] = f->nidb; cba[2] = f->nida;
	bac[0] = f->nidb; bac[1] = f->nida; bac[2] = nidc;
	view_in_order(f, abc, 3, &t1);
	view_in_order(f, cba, 3, &t2);
	view_in_order(f, bac, 3, &t3);
	assert_true(git_oid_equal(&t1, &t2));
	assert_true(git_oid_equal(&t1, &t3));
	git_reference_remove(store_repo(f->st), STORE_VIEW_REF);
	assert_int_equal(view_update(f->st, &t4, &cause), 0);	/* all at once */
	assert_true(git_oid_equal(&t1, &t4));

	/* A moves on, B goes: one bucket at a time equals a rebuild. */
	commit1(f, &f->a, f->nida, LESSON_PATH, NULL, NULL);
	assert_int_equal(view_update_one(f->st, f->nida, &t1, &cause), 0);
	assert_int_equal(store_branch_delete(f->st, f->nidb, &cause), 0);
	assert_int_equal(view_update_one(f->st, f->nidb, &t1, &cause), 0);
	git_reference_remove(store_repo(f->st), STORE_VIEW_REF);
	assert_int_equal(view_update(f->st, &t2, &cause), 0);
	assert_true(git_oid_equal(&t1, &t2));
	abc[1] = nidc;
	view_in_order(f, abc, 2, &t3);
	assert_true(git_oid_equal(&t1, &t3));
	keys_wipe(&c);
}

/* Two repositories holding the same branches have the same view tree. */
static void
test_view_converges(void **state)
{
	struct fixture *f = *state;
	struct store *st2;
	git_oid	 heads[3], t1, t2;
	char	*repo2, *cause = NULL;

	good_branch(f, &f->a, f->nida, heads);
	commit_text(f, &f->b, f->nidb, "node.md", node_md(f->nidb, "B"), 1,
	    NULL);
	assert_int_equal(view_update(f->st, &t1, &cause), 0);

	repo2 = xasprintf("%s/repo2", f->dir);
	assert_int_equal(store_create(repo2, &cause), 0);
	assert_int_equal(run("git -C '%s' fetch -q '%s' "
	    "'refs/namespaces/*:refs/namespaces/*' >/dev/null 2>&1", repo2,
	    f->repo), 0);
	assert_int_equal(store_open(repo2, &st2, &cause), 0);
	if (view_update(st2, &t2, &cause) != 0)
		fail_msg("view: %s", cause);
	assert_true(git_oid_equal(&t1, &t2));

	/* One more commit in the first repository only: the views differ. */
	commit1(f, &f->b, f->nidb, "node.md", NULL, NULL);
	assert_int_equal(view_update(f->st, &t1, &cause), 0);
	assert_false(git_oid_equal(&t1, &t2));
	store_close(st2);
	free(repo2);
}

/* Writes an allowed-signers file for pk; returns its path. Caller frees. */
static char *
allowed_signers(struct fixture *f, const uint8_t *pk, const char *name)
{
	char	 line[256], *path;
	FILE	*fp;

	assert_int_equal(keys_pub_encode(pk, NULL, line, sizeof line), 0);
	path = xasprintf("%s/%s", f->dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "node namespaces=\"git\" %s", line);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Runs stock git verify-commit on id with the allowed-signers file. */
static int
git_verify(struct fixture *f, const char *signers, const git_oid *id)
{
	char	 hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof hex, id);
	return run("git -C '%s' -c gpg.format=ssh -c "
	    "gpg.ssh.allowedSignersFile='%s' verify-commit %s >/dev/null 2>&1",
	    f->repo, signers, hex);
}

/* A good branch verifies, alone and from a known head; stock git agrees. */
static void
test_verify_good(void **state)
{
	struct fixture *f = *state;
	git_oid	 heads[3], bheads[3], tree;
	uint64_t count;
	char	*good, *other, *cause = NULL;
	int	 i;

	good_branch(f, &f->a, f->nida, heads);
	good_branch(f, &f->b, f->nidb, bheads);
	assert_int_equal(verify_ok(f, f->nida, NULL), 3);
	assert_int_equal(verify_ok(f, f->nida, &heads[0]), 2);
	assert_int_equal(verify_ok(f, f->nida, &heads[2]), 0);
	assert_int_equal(verify_ok(f, f->nidb, NULL), 3);
	verify_bad(f, f->nida, &bheads[1], "does not descend from the known");
	assert_int_equal(verify_range(store_repo(f->st), "z6MkNOPE", &heads[2],
	    NULL, &count, &cause), -1);
	free(cause);

	good = allowed_signers(f, f->a.pk, "allowed");
	other = allowed_signers(f, f->b.pk, "other");
	for (i = 0; i < 3; i++) {
		assert_int_equal(git_verify(f, good, &heads[i]), 0);
		assert_int_not_equal(git_verify(f, other, &heads[i]), 0);
	}
	assert_int_equal(view_update(f->st, &tree, &cause), 0);
	assert_int_equal(run("git -C '%s' fsck --strict >/dev/null 2>&1",
	    f->repo), 0);
	free(good);
	free(other);
}

/* A lesson id another node holds, or one id under two projects, is refused. */
static void
test_verify_record_id(void **state)
{
	struct fixture *f = *state;
	struct catalog	 cat;
	git_oid		 heads[3], bheads[3], blob;

	good_branch(f, &f->a, f->nida, heads);
	good_branch(f, &f->b, f->nidb, bheads);	/* the same ULID as a's */
	memset(&cat, 0, sizeof cat);
	catalog_init(&cat);
	git_oid_fromstr(&blob, "0123456789abcdef0123456789abcdef01234567");
	catalog_add(&cat, f->nida, LESSON_PATH, RECORD_LESSON, ULID, "t",
	    PROJECT, CREATED, MODIFIED, &blob);
	store_set_id_catalog(&cat);
	assert_int_equal(verify_ok(f, f->nida, NULL), 3);
	verify_bad(f, f->nidb, NULL, LESSON_PATH ": record id " ULID
	    " is already held by node ");
	verify_bad(f, f->nidb, NULL, f->nida);
	store_set_id_catalog(NULL);
	assert_int_equal(verify_ok(f, f->nidb, NULL), 3);

	/* Two branches of one pack bringing one id: the second is refused. */
	verify_ids_begin();
	assert_int_equal(verify_ok(f, f->nida, NULL), 3);
	assert_int_equal(verify_ok(f, f->nida, NULL), 3);	/* again: its own */
	verify_bad(f, f->nidb, NULL, "record id " ULID " is also brought by "
	    "node ");
	verify_ids_end();
	assert_int_equal(verify_ok(f, f->nidb, NULL), 3);

	/* One branch, one id, two projects. */
	commit_text(f, &f->a, f->nida, "projects/anderes-projekt/lessons/" ULID
	    ".md", lesson_md("Zweimal", "anderes-projekt"), 4, NULL);
	verify_bad(f, f->nida, &heads[2], "record id " ULID " is also at "
	    "projects/" PROJECT "/lessons/" ULID ".md");
	catalog_clear(&cat);
}

/* Commits that were not signed by the node, or skip a seq. */
static void
test_verify_forged(void **state)
{
	struct fixture *f = *state;
	git_oid	 heads[3], id;
	char	*text;

	good_branch(f, &f->a, f->nida, heads);

	/* (a) A commit on A's branch signed with B's key. */
	text = lesson_md("Gef\xc3\xa4lscht", PROJECT);
	commit1(f, &f->b, f->nida, LESSON_PATH, text, NULL);
	free(text);
	verify_bad(f, f->nida, NULL, "bad signature");
	set_branch(f, f->nida, &heads[2]);

	/* (b) No signature at all. */
	raw_commit(f, NULL, "unsigned\n\nKnowd-Seq: 4\n", &heads[2], NULL, &id);
	set_branch(f, f->nida, &id);
	verify_bad(f, f->nida, NULL, "not signed");

	/* (c) Seq gaps, signed and unsigned, and a root that is not seq 1. */
	raw_commit(f, NULL, "gap\n\nKnowd-Seq: 5\n", &heads[2], NULL, &id);
	set_branch(f, f->nida, &id);
	verify_bad(f, f->nida, NULL, "commit ");
	raw_commit(f, &f->a, "gap\n\nKnowd-Seq: 5\n", &heads[2], NULL, &id);
	set_branch(f, f->nida, &id);
	verify_bad(f, f->nida, NULL, "Knowd-Seq 3 where 4 was expected");
	verify_bad(f, f->nida, &heads[2], "Knowd-Seq jumps from 3 to 5");
	raw_commit(f, &f->a, "root\n\nKnowd-Seq: 2\n", NULL, NULL, &id);
	set_branch(f, f->nida, &id);
	verify_bad(f, f->nida, NULL, "0 parents at Knowd-Seq 2");
	raw_commit(f, &f->a, "again\n\nKnowd-Seq: 1\n", &heads[2], NULL, &id);
	set_branch(f, f->nida, &id);
	verify_bad(f, f->nida, NULL, "1 parents at Knowd-Seq 1");
	raw_commit(f, &f->a, "none\n", &heads[2], NULL, &id);
	set_branch(f, f->nida, &id);
	verify_bad(f, f->nida, NULL, "head has no Knowd-Seq");
	set_branch(f, f->nida, &heads[2]);
	assert_int_equal(verify_ok(f, f->nida, NULL), 3);
}

/* Commits one change on A's good head and expects verification to fail. */
static void
bad_change(struct fixture *f, const git_oid *good, const char *path,
    char *text, const char *want)
{
	git_oid	 id;
	char	 hex[GIT_OID_HEXSZ + 1], *full;

	commit1(f, &f->a, f->nida, path, text, &id);
	free(text);
	git_oid_tostr(hex, sizeof hex, &id);
	full = xasprintf("commit %s: %s", hex, want);
	verify_bad(f, f->nida, NULL, full);
	free(full);
	set_branch(f, f->nida, good);
}

/* The tree of commit id with its top-level file name made executable. */
static void
exec_tree(struct fixture *f, const git_oid *id, const char *name, git_oid *out)
{
	git_repository	*repo = store_repo(f->st);
	git_commit	*c;
	git_tree	*t;
	git_treebuilder	*tb;
	git_oid		 blob;

	assert_int_equal(git_commit_lookup(&c, repo, id), 0);
	assert_int_equal(git_commit_tree(&t, c), 0);
	git_oid_cpy(&blob, git_tree_entry_id(git_tree_entry_byname(t, name)));
	assert_int_equal(git_treebuilder_new(&tb, repo, t), 0);
	assert_int_equal(git_treebuilder_insert(NULL, tb, name, &blob,
	    GIT_FILEMODE_BLOB_EXECUTABLE), 0);
	assert_int_equal(git_treebuilder_write(out, tb), 0);
	git_treebuilder_free(tb);
	git_tree_free(t);
	git_commit_free(c);
}

/* Signed commits whose content doc/DESIGN.md §3 does not allow. */
static void
test_verify_content(void **state)
{
	struct fixture *f = *state;
	git_oid	 heads[3], tree, id;
	char	*path;

	good_branch(f, &f->a, f->nida, heads);

	/* (d) Files outside the allowed paths. */
	bad_change(f, &heads[2], "evil.txt", xstrdup("evil\n"),
	    "evil.txt: path not allowed");
	bad_change(f, &heads[2], "projects/" PROJECT "/lessons/evil.md",
	    lesson_md("x", PROJECT), "projects/" PROJECT "/lessons/evil.md: path "
	    "not allowed");
	bad_change(f, &heads[2], "projects/" PROJECT "/notes/" ULID ".md",
	    lesson_md("x", PROJECT), "projects/" PROJECT "/notes/" ULID ".md: "
	    "path not allowed");

	/* (e) Records at the wrong path, or naming another node. */
	bad_change(f, &heads[2], "projects/anderes-projekt/lessons/" ULID ".md",
	    lesson_md("x", PROJECT), "projects/anderes-projekt/lessons/" ULID
	    ".md: record belongs at " LESSON_PATH);
	bad_change(f, &heads[2], "node.md", lesson_md("x", PROJECT),
	    "node.md: record belongs at " LESSON_PATH);
	bad_change(f, &heads[2], LESSON_PATH, node_md(f->nida, "N"),
	    LESSON_PATH ": record belongs at node.md");
	bad_change(f, &heads[2], "node.md", node_md(f->nidb, "Imposter"),
	    "node.md: names another node");
	bad_change(f, &heads[2], LESSON_PATH, xstrdup("not a record\n"),
	    LESSON_PATH ": ");
	bad_change(f, &heads[2], "node.md", NULL, "node.md: removed");

	/* A record that is not a plain file. */
	exec_tree(f, &heads[2], "node.md", &tree);
	raw_commit(f, &f->a, "exec\n\nKnowd-Seq: 4\n", &heads[2], &tree, &id);
	set_branch(f, f->nida, &id);
	verify_bad(f, f->nida, NULL, "node.md: not a plain file");
	set_branch(f, f->nida, &heads[2]);

	/* A first commit without node.md. */
	path = lesson_md("x", PROJECT);
	commit1(f, &f->b, f->nidb, LESSON_PATH, path, NULL);
	free(path);
	verify_bad(f, f->nidb, NULL, "first commit has no node.md");
	assert_int_equal(verify_ok(f, f->nida, NULL), 3);
}

/* Adds lesson i of nid to cat at its own path (title: tag). */
static void
many_add(struct catalog *cat, const char *nid, int i, const char *tag)
{
	char	 path[64], id[32];
	git_oid	 blob;

	snprintf(path, sizeof path, "projects/p/lessons/%02d.md", i);
	snprintf(id, sizeof id, "L%s%02d", nid + strlen(nid) - 4, i);
	memset(&blob, i, sizeof blob);
	catalog_add(cat, nid, path, RECORD_LESSON, id, tag, "p", "2026-01-01",
	    "2026-01-01", &blob);
}

/* A node's records are found by path below and above the size where it gets a map. */
static void
test_catalog_many(void **state)
{
	struct fixture *f = *state;
	struct catalog	 cat;
	const struct catalog_entry *e;
	char		 path[64];
	int		 i, n = 40;

	memset(&cat, 0, sizeof cat);
	for (i = 0; i < n; i++) {
		many_add(&cat, f->nida, i, "eins");
		many_add(&cat, f->nidb, i, "eins");
		snprintf(path, sizeof path, "projects/p/lessons/%02d.md", i / 2);
		assert_non_null(e = catalog_at(&cat, f->nida, path));
		assert_string_equal(e->path, path);
	}
	assert_int_equal(cat.n, 2 * n);
	/* The same path again replaces, small node or large. */
	many_add(&cat, f->nida, 3, "zwei");
	many_add(&cat, f->nida, 39, "zwei");
	assert_int_equal(cat.n, 2 * n);
	assert_string_equal(catalog_at(&cat, f->nida,
	    "projects/p/lessons/03.md")->title, "zwei");
	assert_string_equal(catalog_at(&cat, f->nida,
	    "projects/p/lessons/39.md")->title, "zwei");
	assert_string_equal(catalog_at(&cat, f->nidb,
	    "projects/p/lessons/39.md")->title, "eins");
	assert_null(catalog_at(&cat, f->nida, "projects/p/lessons/40.md"));
	assert_int_equal(catalog_count(&cat, f->nida, RECORD_LESSON), n);
	catalog_drop(&cat, f->nida);
	assert_null(catalog_at(&cat, f->nida, "projects/p/lessons/03.md"));
	assert_int_equal(cat.n, n);
	catalog_clear(&cat);
}

/* The catalog follows tree diffs: added, changed, removed records. */
static void
test_catalog(void **state)
{
	struct fixture *f = *state;
	struct catalog	 cat;
	const struct catalog_entry *e;
	git_repository	*repo = store_repo(f->st);
	git_oid		 heads[3], t[4], id;
	char		*cause = NULL;
	int		 i;

	memset(&cat, 0, sizeof cat);
	good_branch(f, &f->a, f->nida, heads);
	for (i = 0; i < 3; i++)
		assert_int_equal(store_commit_tree(f->st, &heads[i], &t[i]), 0);

	/* All at once. */
	assert_int_equal(catalog_apply(&cat, repo, f->nida, NULL, &t[2],
	    &cause), 0);
	assert_int_equal(cat.n, 2);
	assert_string_equal(catalog_node_name(&cat, f->nida),
	    "Stadt M\xc3\xbcnster");
	assert_null(catalog_node_name(&cat, f->nidb));
	assert_non_null(e = catalog_find(&cat, ULID, NULL, NULL));
	assert_string_equal(e->title, "Start mit einer Pilotstra\xc3\x9f" "e");
	assert_string_equal(e->project, PROJECT);
	assert_string_equal(e->nid, f->nida);
	assert_string_equal(e->path, LESSON_PATH);
	assert_int_equal(e->kind, RECORD_LESSON);
	assert_int_equal(catalog_count(&cat, f->nida, RECORD_LESSON), 1);
	assert_null(catalog_find(&cat, ULID, f->nidb, NULL));
	assert_null(catalog_find(&cat, f->nida, NULL, NULL));	/* not nodes */
	catalog_clear(&cat);

	/* Made from the records verification parsed (the memo): the same. */
	{
		struct catalog_change *chg = NULL;
		git_oid	 blob;

		verify_memo_begin();
		assert_int_equal(verify_ok(f, f->nida, NULL), 3);
		assert_int_equal(catalog_prepare(repo, f->nida, NULL, &t[2],
		    &chg, &cause), 0);
		catalog_commit(&cat, f->nida, chg);
		catalog_change_free(chg);
		assert_non_null(e = catalog_find(&cat, ULID, NULL, NULL));
		blob = e->blob;
		assert_non_null(verify_memo_get(&blob));
		verify_memo_end();
		assert_null(verify_memo_get(&blob));
		assert_int_equal(cat.n, 2);
		assert_string_equal(e->title, "Start mit einer Pilotstra\xc3\x9f" "e");
		assert_string_equal(e->project, PROJECT);
		assert_string_equal(e->path, LESSON_PATH);
		catalog_clear(&cat);
	}

	/* Step by step gives the same, with the title of the last step. */
	assert_int_equal(catalog_apply(&cat, repo, f->nida, NULL, &t[0],
	    &cause), 0);
	assert_int_equal(catalog_apply(&cat, repo, f->nida, &t[0], &t[1],
	    &cause), 0);
	assert_string_equal(catalog_find(&cat, ULID, f->nida, NULL)->title,
	    "Erste Fassung");
	assert_int_equal(catalog_apply(&cat, repo, f->nida, &t[1], &t[2],
	    &cause), 0);
	assert_int_equal(cat.n, 2);
	assert_string_equal(catalog_find(&cat, ULID, f->nida, NULL)->title,
	    "Start mit einer Pilotstra\xc3\x9f" "e");

	/* Removed. */
	assert_int_equal(commit1(f, &f->a, f->nida, LESSON_PATH, NULL, &id), 4);
	assert_int_equal(store_commit_tree(f->st, &id, &t[3]), 0);
	assert_int_equal(catalog_apply(&cat, repo, f->nida, &t[2], &t[3],
	    &cause), 0);
	assert_null(catalog_find(&cat, ULID, NULL, NULL));
	assert_int_equal(catalog_count(&cat, f->nida, RECORD_LESSON), 0);
	assert_int_equal(cat.n, 1);
	assert_non_null(catalog_node_name(&cat, f->nida));
	catalog_clear(&cat);
	catalog_clear(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_seq, setup,
		    teardown),
		cmocka_unit_test(test_message_seq),
		cmocka_unit_test_setup_teardown(test_commit_bad_head, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_view_converges, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_good, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_forged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_record_id, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_content, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalog_many, setup,
		    teardown),
	};
	int	 rv;

	store_global_init();
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return rv;
}
