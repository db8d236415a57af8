/* test_config.c — knowd.conf: loading, canonical printing, errors with file and line. */
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

#include "conf.h"
#include "keys.h"
#include "util.h"

/* Per-test state: a temp dir holding knowd.conf, and two node ids. */
struct fixture {
	char	 dir[64];
	char	*path;
	char	 did[KEYS_DID_MAX], nid[KEYS_NID_MAX];
	char	 did2[KEYS_DID_MAX], nid2[KEYS_NID_MAX];
};

/* Makes a did and nid of a fresh key. */
static void
new_id(char *did, char *nid)
{
	struct keys_pair kp;

	assert_int_equal(keys_generate(&kp), 0);
	keys_did_encode(kp.pk, did);
	keys_nid_encode(kp.pk, nid);
	keys_wipe(&kp);
}

/* Makes the fixture of one test. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "%s/knowd-config.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->path = xasprintf("%s/%s", f->dir, CONFIG_FILE);
	new_id(f->did, f->nid);
	new_id(f->did2, f->nid2);
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
	free(f->path);
	free(f);
	return rv;
}

/* Writes text as the fixture's knowd.conf. */
static void
write_conf(struct fixture *f, const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(f->path, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* Writes text and loads it, failing the test with the cause on error. */
static void
load_ok(struct fixture *f, const char *text, struct config *c)
{
	char	*cause = NULL;

	write_conf(f, text);
	if (config_load(f->path, c, &cause) != 0)
		fail_msg("%s", cause);
}

/* Writes text, expects it refused with cause "<path>:<line>: <want…>". */
static void
load_bad(struct fixture *f, const char *text, int line, const char *want)
{
	struct config c;
	char	*cause = NULL, *prefix;

	write_conf(f, text);
	if (config_load(f->path, &c, &cause) == 0)
		fail_msg("accepted: %s", text);
	prefix = line > 0 ? xasprintf("%s:%d: %s", f->path, line, want) :
	    xasprintf("%s: %s", f->path, want);
	if (strncmp(cause, prefix, strlen(prefix)) != 0)
		fail_msg("cause \"%s\" does not start \"%s\"", cause, prefix);
	/* Nothing is left allocated on failure. */
	assert_null(c.listen);
	assert_null(c.network);
	assert_null(c.peers);
	assert_null(c.trust);
	free(prefix);
	free(cause);
}

/* An empty file gives the defaults. */
static void
test_defaults(void **state)
{
	struct config c;
	char	*text;

	load_ok(*state, "", &c);
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
	assert_string_equal(c.network, CONFIG_DEFAULT_NETWORK);
	assert_int_equal(c.npeers, 0);
	assert_int_equal(c.ntrust, 0);
	assert_int_equal(c.mirror_all, 0);
	text = config_print(&c);
	assert_string_equal(text, "listen = 127.0.0.1:7700\nnetwork = knowd\n"
	    "mirror = trusted\nidle_timeout = 90\nkeepalive = 30\n"
	    "max_peers_in = 64\nmax_peers_out = 8\nsync_interval = 30\n"
	    "trust_depth = 1\n");
	free(text);
	config_free(&c);
	config_free(&c);		/* twice is harmless */
}

/* The text of a configuration using every key, with comments and blank lines. */
static char *
full_text(const struct fixture *f)
{
	return xasprintf(
	    "# knowd.conf of a test node\n"
	    "\n"
	    "listen = 0.0.0.0:7701\n"
	    "network=testnet\n"
	    "   # indented comment\n"
	    "peer = 192.0.2.1:7700\n"
	    "peer = %s@peer.example:7702\n"
	    "peer = [2001:db8::1]:7703\n"
	    "\t\n"
	    "trust = %s\n"
	    "trust = %s   Stadt M\xc3\xbcnster  \n"
	    "mirror = all\n"
	    "contact_max_age = 90d\n", f->did, f->did, f->nid2);
}

/* Every key, parsed into the right fields. */
static void
test_full(void **state)
{
	struct fixture *f = *state;
	struct config c;
	char	*text;

	text = full_text(f);
	load_ok(f, text, &c);
	free(text);
	assert_string_equal(c.listen, "0.0.0.0:7701");
	assert_string_equal(c.network, "testnet");
	assert_int_equal(c.npeers, 3);
	assert_null(c.peers[0].nid);
	assert_string_equal(c.peers[0].host, "192.0.2.1");
	assert_string_equal(c.peers[0].port, "7700");
	assert_string_equal(c.peers[1].nid, f->nid);
	assert_string_equal(c.peers[1].host, "peer.example");
	assert_string_equal(c.peers[1].port, "7702");
	assert_null(c.peers[2].nid);
	assert_string_equal(c.peers[2].host, "2001:db8::1");
	assert_string_equal(c.peers[2].port, "7703");
	assert_int_equal(c.ntrust, 2);
	assert_string_equal(c.trust[0].nid, f->nid);
	assert_null(c.trust[0].name);
	assert_string_equal(c.trust[1].nid, f->nid2);
	assert_string_equal(c.trust[1].name, "Stadt M\xc3\xbcnster");
	assert_int_equal(c.mirror_all, 1);
	assert_int_equal(c.contact_max_age, 90L * 86400);
	config_free(&c);
}

/* Printing, loading the print and printing again gives the same text. */
static void
test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct config c;
	char	*text, *first, *second;

	text = full_text(f);
	load_ok(f, text, &c);
	free(text);
	first = config_print(&c);
	config_free(&c);
	load_ok(f, first, &c);
	second = config_print(&c);
	config_free(&c);
	assert_string_equal(first, second);
	assert_non_null(strstr(first, "peer = [2001:db8::1]:7703\n"));
	text = xasprintf("peer = %s@peer.example:7702\n", f->nid);
	assert_non_null(strstr(first, text));
	free(text);
	free(first);
	free(second);
}

/* admit and deny lines take a did:key (or nid), print back as nids, and refuse anything else. */
static void
test_admission(void **state)
{
	struct fixture *f = *state;
	struct config c;
	char	*text, *out, *want;

	text = xasprintf("admit = %s\ndeny = %s\nadmit = %s\n", f->did,
	    f->nid2, f->nid2);
	load_ok(f, text, &c);
	assert_int_equal(c.nadmit, 2);
	assert_int_equal(c.ndeny, 1);
	assert_string_equal(c.admit[0], f->nid);
	assert_string_equal(c.admit[1], f->nid2);
	assert_string_equal(c.deny[0], f->nid2);
	out = config_print(&c);
	want = xasprintf("admit = %s\nadmit = %s\ndeny = %s\n", f->nid,
	    f->nid2, f->nid2);
	assert_non_null(strstr(out, want));
	config_free(&c);
	free(want);
	free(out);
	free(text);
	load_bad(f, "admit = did:key:zNOPE\n", 1, "admit: ");
	load_bad(f, "deny =\n", 1, "deny: ");
}

/* listen = off turns the listener off, and prints back as off. */
static void
test_listen_off(void **state)
{
	struct config c;
	char	*text;

	load_ok(*state, "listen = 127.0.0.1:1\nlisten = off\n", &c);
	assert_null(c.listen);
	text = config_print(&c);
	assert_non_null(strstr(text, "listen = off\n"));
	free(text);
	config_free(&c);
	load_ok(*state, "listen = [::1]:0\n", &c);
	assert_string_equal(c.listen, "[::1]:0");
	config_free(&c);
}

/* Errors name the file and line. */
static void
test_errors(void **state)
{
	struct fixture *f = *state;
	char	*text;

	load_bad(f, "# c\n\nbogus = 1\n", 3, "unknown key \"bogus\"");
	load_bad(f, "listen 127.0.0.1:7700\n", 1, "expected \"key = value\"");
	load_bad(f, "\n= x\n", 2, "unknown key \"\"");
	load_bad(f, "listen = host:99999\n", 1, "\"host:99999\": port must");
	load_bad(f, "listen = host:-1\n", 1, "\"host:-1\": port must");
	load_bad(f, "listen = host:+1\n", 1, "\"host:+1\": port must");
	load_bad(f, "listen = host:7x\n", 1, "\"host:7x\": port must");
	load_bad(f, "listen = host:\n", 1, "\"host:\": port must");
	load_bad(f, "listen = host\n", 1, "\"host\": expected HOST:PORT");
	load_bad(f, "listen = :7700\n", 1, "\":7700\": missing or overlong host");
	load_bad(f, "listen = [::1:7700\n", 1, "\"[::1:7700\": expected [ADDRESS]");
	load_bad(f, "peer = 192.0.2.1:65536\n", 1, "\"192.0.2.1:65536\": port");
	load_bad(f, "network =\n", 1, "network: name must be 1-128");
	load_bad(f, "mirror = some\n", 1, "mirror: \"some\" is not all or trusted");
	load_bad(f, "mirror =\n", 1, "mirror: \"\" is not all or trusted");
	load_bad(f, "contact_max_age = 0\n", 1, "contact_max_age: \"0\" is not");
	load_bad(f, "contact_max_age = 3651d\n", 1, "contact_max_age: \"3651d\"");
	load_bad(f, "contact_max_age = 12x\n", 1, "contact_max_age: \"12x\"");
	load_bad(f, "contact_max_age = -5s\n", 1, "contact_max_age: \"-5s\"");
	load_bad(f, "contact_max_age = d\n", 1, "contact_max_age: \"d\"");
	load_bad(f, "trust = did:key:zNOPE\n", 1, "trust: ");
	load_bad(f, "trust = \n", 1, "trust: ");
	load_bad(f, "trust = did:web:example.org\n", 1, "trust: ");
	load_bad(f, "peer = did:key:z6Mk@h:1\n", 1, "peer \"did:key:z6Mk@h:1\": ");
	text = xasprintf("peer = %sx@h:1\n", f->did);
	load_bad(f, text, 1, "peer ");
	free(text);
	text = xasprintf("peer = %s@h\n", f->did);
	load_bad(f, text, 1, "\"h\": expected HOST:PORT");
	free(text);
	/* Invalid UTF-8 names the file (the whole file is checked first). */
	load_bad(f, "network = ok\nnetwork = \xc3(\n", 0, "not UTF-8 text");
	load_bad(f, "network = \xed\xa0\x80\n", 0, "not UTF-8 text");
}

/* A missing file is an error naming it. */
static void
test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct config c;
	char	*cause = NULL, *path;

	path = xasprintf("%s/absent.conf", f->dir);
	assert_int_equal(config_load(path, &c, &cause), -1);
	assert_non_null(strstr(cause, path));
	assert_null(c.listen);
	free(cause);
	free(path);
}

/* config_apply_line and config_parse_peer on their own. */
static void
test_lines(void **state)
{
	struct fixture *f = *state;
	struct config c;
	struct config_peer p;
	char	 line[256], *cause = NULL;

	config_defaults(&c);
	snprintf(line, sizeof line, "  trust\t=\t%s  \r", f->nid);
	assert_int_equal(config_apply_line(&c, line, &cause), 0);
	assert_int_equal(c.ntrust, 1);
	assert_string_equal(c.trust[0].nid, f->nid);
	assert_null(c.trust[0].name);
	snprintf(line, sizeof line, "#listen = nonsense");
	assert_int_equal(config_apply_line(&c, line, &cause), 0);
	assert_string_equal(c.listen, CONFIG_DEFAULT_LISTEN);
	config_free(&c);

	assert_int_equal(config_parse_peer("[fe80::1]:7700", &p, &cause), 0);
	assert_string_equal(p.host, "fe80::1");
	assert_string_equal(p.port, "7700");
	free(p.host);
	free(p.port);
	assert_int_equal(config_parse_peer("x@h:1", &p, &cause), -1);
	assert_null(p.nid);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
