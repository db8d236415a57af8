/*
 * evilpeer_forge.h — evilpeer's forged history and hostile packs (included
 * once, by evilpeer.c, after struct evil). The forge_* functions make the
 * tip a scenario advertises (written to repo.git as objects only); the
 * alter_* ones rewrite the pack that serves it. Besides the commits of
 * evilpeer.c's list (good, unsigned, wrongkey, seqgap, nodescend, badfork,
 * badpath, badrecord, bigblob), the classes of issue 13:
 *
 *   deltabomb  a good next commit, plus a 64 KiB blob and EVIL_DELTAS
 *              deltas against it that each declare a 1 GiB result
 *   zlibbomb   a good next commit, plus a blob of 1 GiB of zeros (~1 MB,
 *              deflated before connecting)
 *   extras     a good next commit, plus a well-formed blob and tree no
 *              one refers to
 *   badextras  the same with a malformed commit, an unsorted tree and a
 *              tree with a duplicate entry
 *   badident   a signed next commit whose author line lacks the space
 *              before '<'
 *   unsorted   a signed next commit whose root tree is out of order
 *   duptree    a signed next commit whose root tree names node.md twice
 *   dupid      a good next commit adding a lesson with --lesson-id
 */
#include <zlib.h>

/* A valid lesson (the knowctl new template with id and dates) and its path. */
static int
lesson(const char *title, char **text, size_t *len, char **path)
{
	const char	*tmpl = record_template();
	struct record	*r = NULL;
	char		 id[32], now[32], *why = NULL, *t;
	int		 rv;

	if (lesson_id != NULL)
		snprintf(id, sizeof id, "%s", lesson_id);
	else
		ulid_new(id);
	time_iso(time(NULL), now);
	/* As stored: a draft with its placeholders would be refused. */
	t = xasprintf("---\nid: %s\ncreated: %s\nmodified: %s\n%s", id, now,
	    now, tmpl + strlen("---\n"));
	rv = record_parse(t, strlen(t), RECORD_STRICT, &r, &why);
	free(t);
	if (rv != 0) {
		fprintf(stderr, "evilpeer: template: %s\n", why);
		free(why);
		return -1;
	}
	record_set(&r->title, title);
	if ((rv = record_write(r, text, len)) == 0)
		*path = record_path(r);
	record_free(r);
	return rv;
}

/* Writes a blob of len bytes of data. */
static int
blob_of(struct evil *ev, const char *data, size_t len, git_oid *out)
{
	if (git_blob_create_from_buffer(out, store_repo(ev->st), data, len) != 0) {
		fprintf(stderr, "evilpeer: blob: %s\n", store_git_error());
		return -1;
	}
	return 0;
}

/* Writes a blob of n zero bytes without holding them in memory. */
static int
zero_blob(struct evil *ev, size_t n, git_oid *out)
{
	git_writestream	*ws = NULL;
	char		*zeros = xcalloc(1, 1024 * 1024);
	size_t		 chunk;
	int		 rv = -1;

	if (git_blob_create_from_stream(&ws, store_repo(ev->st), NULL) != 0)
		goto out;
	for (; n > 0; n -= chunk) {
		chunk = n < 1024 * 1024 ? n : 1024 * 1024;
		if (ws->write(ws, zeros, chunk) != 0)
			goto out;
	}
	rv = git_blob_create_from_stream_commit(out, ws);
	ws = NULL;
out:
	if (rv != 0)
		fprintf(stderr, "evilpeer: blob: %s\n", store_git_error());
	if (ws != NULL)
		ws->free(ws);
	free(zeros);
	return rv;
}

/* badident: drops the space before '<' of the author line (git fsck: missingSpaceBeforeEmail). */
static int
bad_ident(struct evil *ev, git_buf *raw)
{
	char	*p;

	if (strcmp(ev->scenario, "badident") != 0)
		return 0;
	if ((p = strstr(raw->ptr, "\nauthor evilpeer <")) == NULL)
		return -1;
	p += strlen("\nauthor evilpeer");
	memmove(p, p + 1, strlen(p + 1) + 1);
	raw->size--;
	return 0;
}

/* Writes a signed (or, signer NULL, unsigned) commit object; no ref moves. */
static int
write_commit(struct evil *ev, const struct keys_pair *signer, git_tree *tree,
    git_commit *parent, uint64_t seq, const char *what, git_oid *out)
{
	git_repository	*repo = store_repo(ev->st);
	git_signature	*who = NULL;
	git_buf		 raw = { 0 };
	char		*email, *msg, *armored = NULL;
	int		 rv = -1;

	email = xasprintf("%s@knowd.invalid", ev->nid);
	msg = xasprintf("evilpeer %s: %s\n\n%s: %llu\n", ev->scenario, what,
	    STORE_SEQ_KEY, (unsigned long long)seq);
	if (git_signature_now(&who, "evilpeer", email) != 0)
		goto out;
	if (signer == NULL)
		rv = git_commit_create(out, repo, NULL, who, who, NULL, msg, tree,
		    parent != NULL, (const git_commit **)&parent);
	else if (git_commit_create_buffer(&raw, repo, who, who, NULL, msg, tree,
	    parent != NULL, (const git_commit **)&parent) == 0 &&
	    bad_ident(ev, &raw) == 0 &&
	    keys_sshsig_sign(signer, "git", raw.ptr, raw.size, &armored) == 0)
		rv = git_commit_create_with_signature(out, repo, raw.ptr, armored,
		    "gpgsig");
out:
	if (rv != 0)
		fprintf(stderr, "evilpeer: commit: %s\n", store_git_error());
	free(armored);
	free(msg);
	free(email);
	git_buf_dispose(&raw);
	git_signature_free(who);
	return rv;
}

/* A commit of base's tree plus blob at path, with parent (or none) and Knowd-Seq seq. */
static int
forge_commit(struct evil *ev, const git_oid *base, const git_oid *parent,
    uint64_t seq, const struct keys_pair *signer, const char *path,
    const git_oid *blob, git_oid *out)
{
	git_repository	*repo = store_repo(ev->st);
	git_commit	*bc = NULL, *pc = NULL;
	git_tree	*bt = NULL, *tree = NULL;
	git_tree_update	 up;
	git_oid		 tid;
	int		 rv = -1;

	memset(&up, 0, sizeof up);
	up.action = GIT_TREE_UPDATE_UPSERT;
	up.filemode = GIT_FILEMODE_BLOB;
	up.path = path;
	git_oid_cpy(&up.id, blob);
	if (git_commit_lookup(&bc, repo, base) != 0 ||
	    git_commit_tree(&bt, bc) != 0 ||
	    git_tree_create_updated(&tid, repo, bt, 1, &up) != 0 ||
	    git_tree_lookup(&tree, repo, &tid) != 0 ||
	    (parent != NULL && git_commit_lookup(&pc, repo, parent) != 0))
		fprintf(stderr, "evilpeer: tree: %s\n", store_git_error());
	else
		rv = write_commit(ev, signer, tree, pc, seq, path, out);
	git_tree_free(tree);
	git_tree_free(bt);
	git_commit_free(pc);
	git_commit_free(bc);
	return rv;
}

/* A commit on base with parent adding one valid lesson, signed by signer. */
static int
forge_lesson(struct evil *ev, const git_oid *base, const git_oid *parent,
    uint64_t seq, const struct keys_pair *signer, git_oid *out)
{
	git_oid	 blob;
	char	*text, *path;
	size_t	 len;
	int	 rv = -1;

	if (lesson("Erfahrung aus dem Testlabor", &text, &len, &path) != 0)
		return -1;
	if (blob_of(ev, text, len, &blob) == 0)
		rv = forge_commit(ev, base, parent, seq, signer, path, &blob, out);
	free(text);
	free(path);
	return rv;
}

/* honest: our real head, as it is. */
static int
forge_honest(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	git_oid_cpy(tip, head);
	*tipseq = seq;
	return 0;
}

/* good, truncated: a flawless next commit. */
static int
forge_good(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	*tipseq = seq + 1;
	return forge_lesson(ev, head, head, seq + 1, &ev->kp, tip);
}

/* unsigned: the next commit without gpgsig. */
static int
forge_unsigned(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	*tipseq = seq + 1;
	return forge_lesson(ev, head, head, seq + 1, NULL, tip);
}

/* wrongkey: the next commit with a well-formed SSH signature by another key. */
static int
forge_wrongkey(struct evil *ev, const git_oid *head, uint64_t seq,
    git_oid *tip, uint64_t *tipseq)
{
	struct keys_pair other;
	int		 rv;

	keys_generate(&other);
	*tipseq = seq + 1;
	rv = forge_lesson(ev, head, head, seq + 1, &other, tip);
	keys_wipe(&other);
	return rv;
}

/* seqgap: a signed next commit whose Knowd-Seq skips one. */
static int
forge_seqgap(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	*tipseq = seq + 2;
	return forge_lesson(ev, head, head, seq + 2, &ev->kp, tip);
}

/*
 * nodescend: a sibling of head (same seq, head's parent), then a signed child
 * of it: a validly signed fork. badfork: the same with the sibling unsigned.
 */
static int
forge_nodescend(struct evil *ev, const git_oid *head, uint64_t seq,
    git_oid *tip, uint64_t *tipseq)
{
	git_commit	*c;
	git_oid		 up, sib;
	const git_oid	*parent = NULL;
	char		 hex[GIT_OID_HEXSZ + 1];
	int		 bad = strcmp(ev->scenario, "badfork") == 0;

	if (git_commit_lookup(&c, store_repo(ev->st), head) != 0)
		return -1;
	if (git_commit_parentcount(c) > 0) {
		git_oid_cpy(&up, git_commit_parent_id(c, 0));
		parent = &up;
	}
	git_commit_free(c);
	if (forge_lesson(ev, head, parent, seq, bad ? NULL : &ev->kp,
	    &sib) != 0 ||
	    forge_lesson(ev, &sib, &sib, seq + 1, &ev->kp, tip) != 0)
		return -1;
	git_oid_tostr(hex, sizeof hex, &sib);
	printf("sibling of our head: %s seq %llu%s\n", hex,
	    (unsigned long long)seq, bad ? ", unsigned" : "");
	*tipseq = seq + 1;
	return 0;
}

/* badpath: a signed next commit adding evil.sh at the root. */
static int
forge_badpath(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	static const char sh[] = "#!/bin/sh\necho owned\n";
	git_oid		  blob;

	*tipseq = seq + 1;
	if (blob_of(ev, sh, sizeof sh - 1, &blob) != 0)
		return -1;
	return forge_commit(ev, head, head, seq + 1, &ev->kp, "evil.sh", &blob,
	    tip);
}

/*
 * badrecord, bigblob: a signed next commit adding, at a lesson's path, a
 * file that does not parse, or EVIL_BIGBLOB zero bytes (a small pack: zlib
 * squeezes them about a thousandfold).
 */
static int
forge_badfile(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	static const char bad[] = "---\nkind: lesson\ntitle: [kaputt\n---\n";
	git_oid		  blob;
	char		 *text, *path;
	size_t		  len;
	int		  rv = -1;

	if (lesson("kaputt", &text, &len, &path) != 0)
		return -1;
	*tipseq = seq + 1;
	if (strcmp(ev->scenario, "bigblob") == 0 ?
	    zero_blob(ev, EVIL_BIGBLOB, &blob) == 0 :
	    blob_of(ev, bad, sizeof bad - 1, &blob) == 0)
		rv = forge_commit(ev, head, head, seq + 1, &ev->kp, path, &blob,
		    tip);
	free(text);
	free(path);
	return rv;
}

#define EVIL_DELTAS	8			/* deltas in the delta bomb */
#define EVIL_DELTA_BASE	(64u * 1024)		/* their base blob */
#define EVIL_DELTA_COPIES 16384			/* copies of it in each */
#define EVIL_ZLIB_BOMB	(1024ull * 1024 * 1024)	/* zeros in the zlib bomb */

/* SHA-1 (FIPS 180-4), for the pack trailer: libgit2 has no public one. */
struct sha1 {
	uint32_t	 h[5];
	uint64_t	 len;
	uint8_t		 blk[64];
	size_t		 n;
};

#define ROL(x, k)	(((x) << (k)) | ((x) >> (32 - (k))))

/* Mixes one 64-byte block into s. */
static void
sha1_block(struct sha1 *s, const uint8_t *p)
{
	uint32_t	 w[80], a, b, c, d, e, f, k, t;
	int		 i;

	for (i = 0; i < 16; i++)
		w[i] = get_be32(p + 4 * i);
	for (; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d); k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d; k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d; k = 0xca62c1d6;
		}
		t = ROL(a, 5) + f + e + k + w[i];
		e = d; d = c; c = ROL(b, 30); b = a; a = t;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e;
}

/* The SHA-1 of len bytes at p into out. */
static void
sha1(const uint8_t *p, size_t len, uint8_t out[20])
{
	struct sha1	 s = { { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
			    0xc3d2e1f0 }, 0, { 0 }, 0 };
	uint8_t		 tail[128];
	size_t		 i, rest = len % 64, pad;

	for (i = 0; i + 64 <= len; i += 64)
		sha1_block(&s, p + i);
	memset(tail, 0, sizeof tail);
	memcpy(tail, p + i, rest);
	tail[rest] = 0x80;
	pad = rest < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[pad - 1 - i] = (uint8_t)(((uint64_t)len * 8) >> (8 * i));
	sha1_block(&s, tail);
	if (pad == 128)
		sha1_block(&s, tail + 64);
	for (i = 0; i < 5; i++)
		put_be32(out + 4 * i, s.h[i]);
}

/* Appends an object header: type and inflated size, git's varint. */
static void
pack_obj_header(struct buf *b, int type, uint64_t size)
{
	uint8_t	 c = (uint8_t)((type << 4) | (size & 15));

	size >>= 4;
	while (size > 0) {
		buf_addc(b, c | 0x80);
		c = size & 0x7f;
		size >>= 7;
	}
	buf_addc(b, c);
}

/*
 * Appends deflated data to b: len bytes of p, or (p NULL) len zero bytes
 * made a chunk at a time, so a bomb is never held whole.
 */
static int
pack_deflate(struct buf *b, const void *p, uint64_t len)
{
	static uint8_t	 zeros[1024 * 1024], out[64 * 1024];
	z_stream	 z;
	uint64_t	 left = len;
	int		 zr, flush;

	memset(&z, 0, sizeof z);
	if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK)
		return -1;
	do {
		if (z.avail_in == 0 && left > 0) {
			z.next_in = (Bytef *)(p != NULL ? (const uint8_t *)p +
			    (len - left) : zeros);
			z.avail_in = (uInt)(left < sizeof zeros ? left : sizeof zeros);
			left -= z.avail_in;
		}
		flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
		z.next_out = out;
		z.avail_out = sizeof out;
		zr = deflate(&z, flush);
		buf_add(b, out, sizeof out - z.avail_out);
	} while (zr == Z_OK || zr == Z_BUF_ERROR);
	deflateEnd(&z);
	return zr == Z_STREAM_END ? 0 : -1;
}

/* Replaces pack's trailer: count objects more in the header, a new SHA-1. */
static void
pack_seal(struct buf *b, uint32_t added)
{
	uint8_t	 sum[20];

	put_be32(b->data + 8, get_be32(b->data + 8) + added);
	sha1(b->data, b->len, sum);
	buf_add(b, sum, sizeof sum);
}

/* Copies a packbuilder's pack into b without its trailer. */
static void
pack_open(struct buf *b, const git_buf *pack)
{
	buf_add(b, pack->ptr, pack->size - 20);
}

/* deltabomb: appends a 64 KiB blob and EVIL_DELTAS ref deltas copying it 16,384 times. */
static int
alter_deltabomb(struct evil *ev, const git_buf *pack, struct buf *b)
{
	struct buf	 d;
	uint8_t		*base = xcalloc(1, EVIL_DELTA_BASE);
	uint64_t	 res = (uint64_t)EVIL_DELTA_BASE * EVIL_DELTA_COPIES + 1, v;
	git_oid		 bid;
	int		 i, k, rv = 0;

	for (k = 0; k < (int)EVIL_DELTA_BASE; k++)
		base[k] = (uint8_t)(k * 7 + k / 251);
	git_odb_hash(&bid, base, EVIL_DELTA_BASE, GIT_OBJECT_BLOB);
	pack_open(b, pack);
	pack_obj_header(b, 3, EVIL_DELTA_BASE);
	rv |= pack_deflate(b, base, EVIL_DELTA_BASE);
	for (i = 0; i < EVIL_DELTAS; i++) {
		buf_init(&d);
		for (v = EVIL_DELTA_BASE; v >= 0x80; v >>= 7)
			buf_addc(&d, (int)((v & 0x7f) | 0x80));
		buf_addc(&d, (int)v);
		for (v = res; v >= 0x80; v >>= 7)
			buf_addc(&d, (int)((v & 0x7f) | 0x80));
		buf_addc(&d, (int)v);
		for (k = 0; k < EVIL_DELTA_COPIES; k++)
			buf_addc(&d, 0x80);	/* copy 0x10000 bytes from 0 */
		buf_addc(&d, 1);		/* insert one byte: each differs */
		buf_addc(&d, i);
		pack_obj_header(b, 7, d.len);
		buf_add(b, bid.id, GIT_OID_RAWSZ);
		rv |= pack_deflate(b, d.data, d.len);
		buf_free(&d);
	}
	printf("appended: a %u-byte blob and %d deltas, each resolving to "
	    "%llu bytes\n", EVIL_DELTA_BASE, EVIL_DELTAS, (unsigned long long)res);
	pack_seal(b, 1 + EVIL_DELTAS);
	free(base);
	return rv;
}

/* The zlib bomb's object (header and stream), made before connecting: it takes seconds. */
static struct buf zlib_bomb;

/* zlibbomb: a good next commit; the bomb is deflated now, before the target waits. */
static int
forge_zlibbomb(struct evil *ev, const git_oid *head, uint64_t seq,
    git_oid *tip, uint64_t *tipseq)
{
	buf_init(&zlib_bomb);
	pack_obj_header(&zlib_bomb, 3, EVIL_ZLIB_BOMB);
	if (pack_deflate(&zlib_bomb, NULL, EVIL_ZLIB_BOMB) != 0)
		return -1;
	printf("zlib bomb: a blob of %llu zero bytes in %zu bytes\n",
	    (unsigned long long)EVIL_ZLIB_BOMB, zlib_bomb.len);
	*tipseq = seq + 1;
	return forge_lesson(ev, head, head, seq + 1, &ev->kp, tip);
}

/* zlibbomb: appends the bomb to the pack. */
static int
alter_zlibbomb(struct evil *ev, const git_buf *pack, struct buf *b)
{
	pack_open(b, pack);
	buf_add(b, zlib_bomb.data, zlib_bomb.len);
	buf_free(&zlib_bomb);
	pack_seal(b, 1);
	return 0;
}

/* Writes a raw object of any content (libgit2 checks none of it). */
static int
raw_object(struct evil *ev, git_object_t type, const void *data, size_t len,
    git_oid *out)
{
	git_odb	*odb;
	int	 rv;

	if (git_repository_odb(&odb, store_repo(ev->st)) != 0)
		return -1;
	rv = git_odb_write(out, odb, data, len, type);
	git_odb_free(odb);
	return rv;
}

/*
 * A tree of two entries in the order given: names a and b, a file or a
 * tree each (taken from tree t by those names; b may name a twice).
 */
static int
raw_tree2(struct evil *ev, git_tree *t, const char *a, const char *b,
    git_oid *out)
{
	const char	*names[2] = { a, b };
	const git_tree_entry *e;
	struct buf	 raw;
	int		 i, rv;

	buf_init(&raw);
	for (i = 0; i < 2; i++) {
		if ((e = git_tree_entry_byname(t, names[i])) == NULL) {
			buf_free(&raw);
			return -1;
		}
		buf_printf(&raw, "%o %s", git_tree_entry_filemode(e), names[i]);
		buf_addc(&raw, 0);
		buf_add(&raw, git_tree_entry_id(e)->id, GIT_OID_RAWSZ);
	}
	rv = raw_object(ev, GIT_OBJECT_TREE, raw.data, raw.len, out);
	buf_free(&raw);
	return rv;
}

/* The tree of commit id. */
static git_tree *
tree_of(struct evil *ev, const git_oid *id)
{
	git_commit	*c;
	git_tree	*t = NULL;

	if (git_commit_lookup(&c, store_repo(ev->st), id) == 0) {
		git_commit_tree(&t, c);
		git_commit_free(c);
	}
	return t;
}

/*
 * extras: a good next commit, and a well-formed blob and tree no one refers
 * to; badextras: instead a malformed commit, an unsorted tree and a tree
 * naming node.md twice, none referred to.
 */
static int
forge_extras(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	static const char blob[] = "nobody refers to me\n";
	char		*raw;
	git_tree	*t;
	int		 rv = -1;

	*tipseq = seq + 1;
	if (forge_lesson(ev, head, head, seq + 1, &ev->kp, tip) != 0 ||
	    (t = tree_of(ev, tip)) == NULL)
		return -1;
	raw = xasprintf("tree %s\nauthor evilpeer<e@knowd.invalid> 1 +0000\n"
	    "committer evilpeer <e@knowd.invalid> 1 +0000\n\nextra\n",
	    git_oid_tostr_s(git_tree_id(t)));
	if (strcmp(ev->scenario, "extras") == 0) {
		ev->nextra = 2;
		if (raw_object(ev, GIT_OBJECT_BLOB, blob, sizeof blob - 1,
		    &ev->extra[0]) == 0 &&
		    raw_tree2(ev, t, "node.md", "projects", &ev->extra[1]) == 0)
			rv = 0;
	} else {
		ev->nextra = 3;
		if (raw_object(ev, GIT_OBJECT_COMMIT, raw, strlen(raw),
		    &ev->extra[0]) == 0 &&
		    raw_tree2(ev, t, "projects", "node.md", &ev->extra[1]) == 0 &&
		    raw_tree2(ev, t, "node.md", "node.md", &ev->extra[2]) == 0)
			rv = 0;
	}
	free(raw);
	git_tree_free(t);
	return rv;
}

/* unsorted, duptree: a signed next commit whose root tree is out of order or names node.md twice. */
static int
forge_badtree(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	git_tree	*t = tree_of(ev, head), *bad = NULL;
	git_commit	*parent = NULL;
	git_oid		 tid;
	int		 dup = strcmp(ev->scenario, "duptree") == 0, rv = -1;

	*tipseq = seq + 1;
	if (t != NULL && raw_tree2(ev, t, dup ? "node.md" : "projects", "node.md",
	    &tid) == 0 &&
	    git_tree_lookup(&bad, store_repo(ev->st), &tid) == 0 &&
	    git_commit_lookup(&parent, store_repo(ev->st), head) == 0)
		rv = write_commit(ev, &ev->kp, bad, parent, seq + 1,
		    dup ? "node.md twice" : "unsorted tree", tip);
	git_commit_free(parent);
	git_tree_free(bad);
	git_tree_free(t);
	return rv;
}

/*
 * badnotice, keynotice: a next commit adding an erasure notice (PROTOCOL.md
 * §3.6) that names the blob --erase-blob (another node's lesson): signed by
 * us (a notice naming a blob outside the owner's branch), or by another key
 * (a notice not signed by the branch's owner).
 */
static int
forge_notice(struct evil *ev, const git_oid *head, uint64_t seq, git_oid *tip,
    uint64_t *tipseq)
{
	struct keys_pair other;
	struct record	 r;
	git_oid		 blob;
	char		 id[32], now[32], *text = NULL, *path, *why = NULL;
	char		*blobs[1] = { (char *)erase_blob };
	size_t		 len;
	int		 other_key = strcmp(ev->scenario, "keynotice") == 0, rv = -1;

	if (erase_blob == NULL) {
		fprintf(stderr, "evilpeer: %s needs --erase-blob\n", ev->scenario);
		return -1;
	}
	memset(&r, 0, sizeof r);
	ulid_new(id);
	time_iso(time(NULL), now);
	r.kind = RECORD_ERASURE;
	r.id = id;
	r.erases = id;
	r.blobs.v = blobs;
	r.blobs.n = 1;
	r.created = r.modified = now;
	r.body = (char *)"";
	if (record_validate(&r, RECORD_STRICT, &why) != 0 ||
	    record_write(&r, &text, &len) != 0) {
		fprintf(stderr, "evilpeer: notice: %s\n", why != NULL ? why : "?");
		free(why);
		return -1;
	}
	path = record_path(&r);
	keys_generate(&other);
	*tipseq = seq + 1;
	if (blob_of(ev, text, len, &blob) == 0)
		rv = forge_commit(ev, head, head, seq + 1, other_key ? &other :
		    &ev->kp, path, &blob, tip);
	keys_wipe(&other);
	free(path);
	free(text);
	return rv;
}
