/*
 * mirror_gen.c — writes N origin branches into a node's repository, as N
 * real nodes would have published them: each node its own Ed25519 key, a
 * signed first commit with node.md, one with a project, then one signed
 * commit per lesson (Knowd-Seq 1, 2, 3, …). Objects are collected in memory
 * and written as packs (one per GEN_CHUNK nodes), the refs as one
 * packed-refs file, so that 11,000 nodes take minutes, not hours. The
 * result passes `knowctl verify` and stock `git verify-commit`.
 *
 * usage: mirror_gen REPO N LESSONS [SEED]
 *        (REPO: an existing bare repository whose knowd is not running)
 * Prints one line per GEN_CHUNK nodes and, at the end, the nids to stdout
 * in a file REPO/../mirror_gen.nids.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <sodium.h>

#include "keys.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define GEN_CHUNK	500	/* nodes per pack */

static const char *const fields[] = { "strategie-organisation", "verwaltung",
	"mobilitaet", "energie-umwelt", "bildung", "gesundheit-pflege",
	"wirtschaft-handel", "teilhabe-gesellschaft", "wohnen-quartier",
	"sicherheit-resilienz", "daten-infrastruktur", "kultur-tourismus" };
static const char *const statuses[] = { "idee", "planung", "umsetzung",
	"regelbetrieb", "beendet" };
static const char *const words[] = { "Bürgerbeteiligung", "Straßenbeleuchtung",
	"Datenplattform", "Ladeinfrastruktur", "Fördermittel", "Breitbandausbau",
	"Parkraum", "Sensoren", "Verwaltung", "Quartier", "Klimaschutz",
	"Mobilität", "Arbeitskreise", "Kommunikation", "Pilotprojekt",
	"Akzeptanz", "Schulen", "Digitalisierung", "Bürgerportal", "Stadtwerke" };
static const char *const sections[] = { "Ausgangslage", "Rahmenbedingungen",
	"Hürden", "Ziele", "Verankerung", "Kommunikation", "Akteure",
	"Nächste Schritte", "Erkenntnisse" };

static uint64_t rng = 88172645463325252ULL;

/* xorshift64: deterministic text for a given seed. */
static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* The Markdown body of a lesson: the guiding questions, about 1.5 KB. */
static char *
lesson_body(int node, int k)
{
	struct buf	 b;
	size_t		 s, w;

	buf_init(&b);
	for (s = 0; s < nitems(sections); s++) {
		buf_printf(&b, "## %s\n\n", sections[s]);
		for (w = 0; w < 18; w++)
			buf_printf(&b, "%s%s", w == 0 ? "" : " ",
			    words[rnd(nitems(words))]);
		buf_printf(&b, " in Gemeinde %d, Erfahrung %d.\n\n", node, k);
	}
	return buf_detach(&b, NULL);
}

/* Writes a record's canonical text as a blob and adds it to the tree at path. */
static int
put_record(git_repository *repo, struct record *r, const char *path,
    git_tree **tree)
{
	git_tree_update	 up;
	git_oid		 id;
	git_tree	*nt;
	char		*text, *why = NULL;
	size_t		 len;

	if (record_validate(r, RECORD_STRICT, &why) != 0) {
		fprintf(stderr, "mirror_gen: %s: %s\n", path, why);
		exit(1);
	}
	record_write(r, &text, &len);
	if (git_blob_create_from_buffer(&up.id, repo, text, len) != 0)
		return -1;
	free(text);
	up.action = GIT_TREE_UPDATE_UPSERT;
	up.filemode = GIT_FILEMODE_BLOB;
	up.path = path;
	if (git_tree_create_updated(&id, repo, *tree, 1, &up) != 0 ||
	    git_tree_lookup(&nt, repo, &id) != 0)
		return -1;
	git_tree_free(*tree);
	*tree = nt;
	return 0;
}

/* Signs and writes one commit of the branch on top of *head. */
static int
commit(struct store *st, const struct keys_pair *kp, const char *nid,
    const char *name, git_tree *tree, uint64_t seq, const char *subject,
    git_oid *head)
{
	git_commit	*parent = NULL;
	char		*msg, *why = NULL;
	int		 rv;

	if (seq > 1 && git_commit_lookup(&parent, store_repo(st), head) != 0)
		return -1;
	msg = store_commit_message(subject, seq);
	rv = store_write_signed(st, kp, nid, name, msg, git_tree_id(tree),
	    (const git_commit **)&parent, parent != NULL ? 1 : 0, head, &why);
	if (rv != 0)
		fprintf(stderr, "mirror_gen: %s\n", why);
	free(why);
	free(msg);
	git_commit_free(parent);
	return rv;
}

/* One node's whole branch: node.md, a project, lessons; its head in *head. */
static int
gen_node(struct store *st, int i, int lessons, char *nid, git_oid *head)
{
	git_repository	*repo = store_repo(st);
	struct keys_pair kp;
	struct record	 r;
	git_treebuilder	*tb;
	git_tree	*tree;
	git_oid		 empty;
	char		 name[64], now[32], id[32], path[128], title[128];
	char		*fv[2], *sv[1];
	uint64_t	 seq = 0;
	int		 k;

	keys_generate(&kp);
	keys_nid_encode(kp.pk, nid);
	snprintf(name, sizeof name, "Gemeinde %d", i);
	time_iso(time(NULL), now);
	git_treebuilder_new(&tb, repo, NULL);
	git_treebuilder_write(&empty, tb);
	git_treebuilder_free(tb);
	git_tree_lookup(&tree, repo, &empty);
	memset(&r, 0, sizeof r);
	r.kind = RECORD_NODE;
	r.id = nid;
	r.name = name;
	r.role = (char *)"municipality";
	r.created = r.modified = now;
	r.body = (char *)"";
	r.bodylen = 0;
	if (put_record(repo, &r, "node.md", &tree) != 0 ||
	    commit(st, &kp, nid, name, tree, ++seq, "init node", head) != 0)
		return -1;
	memset(&r, 0, sizeof r);
	r.kind = RECORD_PROJECT;
	ulid_new(id);
	r.id = id;
	r.title = (char *)"Digitale Kommune";
	r.project = (char *)"digitale-kommune";
	r.summary = (char *)"Wie die Gemeinde Schritt für Schritt digital wird.";
	fv[0] = (char *)fields[rnd(nitems(fields))];
	r.fields.v = fv;
	r.fields.n = 1;
	r.status = (char *)statuses[rnd(nitems(statuses))];
	r.created = r.modified = now;
	r.body = (char *)"## Ausgangslage\n\nEin Projekt der Gemeinde.\n";
	r.bodylen = strlen(r.body);
	if (put_record(repo, &r, "projects/digitale-kommune/project.md",
	    &tree) != 0 || commit(st, &kp, nid, name, tree, ++seq,
	    "publish project", head) != 0)
		return -1;
	for (k = 0; k < lessons; k++) {
		memset(&r, 0, sizeof r);
		r.kind = RECORD_LESSON;
		ulid_new(id);
		r.id = id;
		snprintf(title, sizeof title, "%s: Erfahrung %d",
		    words[rnd(nitems(words))], k + 1);
		r.title = title;
		r.project = (char *)"digitale-kommune";
		r.summary = (char *)"Was wir gelernt haben und wieder tun würden.";
		fv[0] = (char *)fields[rnd(nitems(fields))];
		fv[1] = (char *)fields[rnd(nitems(fields))];
		r.fields.v = fv;
		r.fields.n = strcmp(fv[0], fv[1]) != 0 ? 2 : 1;
		sv[0] = (char *)"technisch";
		r.hurdles.v = sv;
		r.hurdles.n = 1;
		r.status = (char *)statuses[rnd(nitems(statuses))];
		r.created = r.modified = now;
		r.body = lesson_body(i, k);
		r.bodylen = strlen(r.body);
		snprintf(path, sizeof path,
		    "projects/digitale-kommune/lessons/%s.md", id);
		if (put_record(repo, &r, path, &tree) != 0 ||
		    commit(st, &kp, nid, name, tree, ++seq, title, head) != 0)
			return -1;
		free(r.body);
	}
	git_tree_free(tree);
	keys_wipe(&kp);
	return 0;
}

/* Writes the objects collected in the mempack as one pack of the repository. */
static int
flush_pack(git_repository *repo, git_odb_backend *mp)
{
	git_buf		 pack = { 0 };
	git_odb		*odb;
	git_odb_writepack *wp = NULL;
	git_indexer_progress stats;
	int		 rv = -1;

	memset(&stats, 0, sizeof stats);
	if (git_mempack_dump(&pack, repo, mp) != 0 ||
	    git_repository_odb(&odb, repo) != 0)
		return -1;
	if (git_odb_write_pack(&wp, odb, NULL, NULL) == 0 &&
	    wp->append(wp, pack.ptr, pack.size, &stats) == 0 &&
	    wp->commit(wp, &stats) == 0)
		rv = 0;
	if (wp != NULL)
		wp->free(wp);
	git_odb_free(odb);
	git_buf_dispose(&pack);
	git_mempack_reset(mp);
	return rv;
}

struct gen_ref {
	char	 name[STORE_REF_MAX];
	git_oid	 head;
};

/* qsort comparator: refs by name (packed-refs is sorted). */
static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gen_ref *)a)->name,
	    ((const struct gen_ref *)b)->name);
}

/* Writes every branch head into packed-refs, merged with the refs already there. */
static int
write_refs(git_repository *repo, struct gen_ref *refs, size_t n)
{
	char	*path, hex[GIT_OID_HEXSZ + 1];
	FILE	*f;
	size_t	 i;

	qsort(refs, n, sizeof *refs, ref_cmp);
	path = xasprintf("%s/packed-refs", git_repository_path(repo));
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "mirror_gen: %s: %s\n", path, strerror(errno));
		free(path);
		return -1;
	}
	fputs("# pack-refs with: peeled fully-peeled sorted \n", f);
	for (i = 0; i < n; i++) {
		git_oid_tostr(hex, sizeof hex, &refs[i].head);
		fprintf(f, "%s %s\n", hex, refs[i].name);
	}
	fclose(f);
	free(path);
	return 0;
}

/* Keeps the refs the repository already has (the serving node's own branch, the view). */
static int
old_refs_cb(git_reference *r, void *arg)
{
	void		**a = arg;
	struct gen_ref	**refs = a[0];
	size_t		 *n = a[1];

	if (git_reference_type(r) == GIT_REFERENCE_DIRECT) {
		*refs = xreallocarray(*refs, *n + 1, sizeof **refs);
		snprintf((*refs)[*n].name, STORE_REF_MAX, "%s",
		    git_reference_name(r));
		git_oid_cpy(&(*refs)[*n].head, git_reference_target(r));
		(*n)++;
	}
	git_reference_free(r);
	return 0;
}

int
main(int argc, char **argv)
{
	struct store	*st;
	git_odb		*odb;
	git_odb_backend	*mp;
	struct gen_ref	*refs = NULL;
	size_t		 nrefs = 0;
	void		*arg[2] = { &refs, &nrefs };
	char		*why = NULL, nid[KEYS_NID_MAX], *listpath;
	FILE		*list;
	int		 n, lessons, i;

	if (argc < 4) {
		fprintf(stderr, "usage: mirror_gen REPO N LESSONS [SEED]\n");
		return 2;
	}
	n = atoi(argv[2]);
	lessons = atoi(argv[3]);
	if (argc > 4)
		rng = strtoull(argv[4], NULL, 10) | 1;
	if (sodium_init() < 0)
		return 1;
	store_global_init();
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	if (store_open(argv[1], &st, &why) != 0) {
		fprintf(stderr, "mirror_gen: %s\n", why);
		return 1;
	}
	git_reference_foreach(store_repo(st), old_refs_cb, arg);
	if (git_repository_odb(&odb, store_repo(st)) != 0 ||
	    git_mempack_new(&mp) != 0 || git_odb_add_backend(odb, mp, 1000) != 0)
		return 1;
	listpath = xasprintf("%s/../mirror_gen.nids", argv[1]);
	if ((list = fopen(listpath, "w")) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		refs = xreallocarray(refs, nrefs + 1, sizeof *refs);
		if (gen_node(st, i, lessons, nid, &refs[nrefs].head) != 0) {
			fprintf(stderr, "mirror_gen: node %d: %s\n", i,
			    store_git_error());
			return 1;
		}
		store_branch_ref(nid, refs[nrefs].name);
		nrefs++;
		fprintf(list, "%s\n", nid);
		if ((i + 1) % GEN_CHUNK == 0 || i + 1 == n) {
			if (flush_pack(store_repo(st), mp) != 0) {
				fprintf(stderr, "mirror_gen: pack: %s\n",
				    store_git_error());
				return 1;
			}
			fprintf(stderr, "mirror_gen: %d of %d nodes\n", i + 1, n);
		}
	}
	fclose(list);
	if (write_refs(store_repo(st), refs, nrefs) != 0)
		return 1;
	git_odb_free(odb);
	store_close(st);
	free(refs);
	free(listpath);
	git_libgit2_shutdown();
	return 0;
}
