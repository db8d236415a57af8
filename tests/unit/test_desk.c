/*
 * test_desk.c — the desk: the pure form and cookie parsers and the
 * loopback decision of header mode (daemon/web/web_form.c), and the desk
 * room itself (daemon/desk/): accounts, Argon2id login with throttling per
 * account and per address, sessions (only hashes stored, expiry, CSRF),
 * drafts and the audit log, in a temporary desk.sqlite.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "conf.h"
#include "desk.h"
#include "util.h"
#include "web_form.h"

/* A urlencoded body: '+', %XX, repeated keys, empty values, CR LF as LF. */
static void
test_form_parse(void **state)
{
	struct web_form	 f;
	const char	 body[] = "title=B%C3%BCrger+und+Rat&field=a&field=b&e=&"
	    "s0=Zeile1%0D%0AZeile2&&flag";
	size_t		 it = 0;

	assert_int_equal(web_form_parse(body, strlen(body), &f, NULL), 0);
	assert_string_equal(web_form_get(&f, "title"), "Bürger und Rat");
	assert_string_equal(web_form_next(&f, "field", &it), "a");
	assert_string_equal(web_form_next(&f, "field", &it), "b");
	assert_null(web_form_next(&f, "field", &it));
	assert_string_equal(web_form_get(&f, "e"), "");
	assert_string_equal(web_form_get(&f, "s0"), "Zeile1\nZeile2");
	assert_string_equal(web_form_get(&f, "flag"), "");
	assert_null(web_form_get(&f, "missing"));
	web_form_clear(&f);
}

/* Bad bodies are refused whole and leave the form empty. */
static void
test_form_refused(void **state)
{
	static const char *const bad[] = {
		"a=%G0", "a=%4", "a=%", "a=%00", "a=%01", "a=%7F", "a=%C3",
		"a=%FF%FE", "bad key=1", "%C3%BC=1", "=1",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
	};
	struct web_form	 f;
	struct buf	 b;
	char		*why = NULL;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(web_form_parse(bad[i], strlen(bad[i]), &f,
		    &why), -1);
		assert_int_equal(f.n, 0);
		assert_non_null(why);
		free(why);
		why = NULL;
	}
	buf_init(&b);
	for (i = 0; i <= WEB_FORM_MAX_PAIRS; i++)
		buf_printf(&b, "k%zu=v&", i);
	assert_int_equal(web_form_parse((char *)b.data, b.len, &f, NULL), -1);
	buf_free(&b);
	assert_int_equal(web_form_parse("a=1", WEB_FORM_BODY_MAX + 1, &f,
	    NULL), -1);
}

/* A cookie among others, absent, or too long for the buffer. */
static void
test_cookie(void **state)
{
	char	 v[16];

	assert_int_equal(web_cookie_get("a=1; knowd_sid=abc; b=2",
	    "knowd_sid", v, sizeof v), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(web_cookie_get("xknowd_sid=abc", "knowd_sid", v,
	    sizeof v), -1);
	assert_int_equal(web_cookie_get("knowd_sid=", "knowd_sid", v,
	    sizeof v), -1);
	assert_int_equal(web_cookie_get("knowd_sid=0123456789abcdef0",
	    "knowd_sid", v, sizeof v), -1);
	assert_int_equal(web_cookie_get(NULL, "knowd_sid", v, sizeof v), -1);
}

/* Header mode trusts only loopback peers: 127/8, ::1, ::ffff:127.x. */
static void
test_loopback(void **state)
{
	struct sockaddr_in	 a4;
	struct sockaddr_in6	 a6;
	static const struct {
		const char	*addr;
		int		 loop;
	} v[] = {
		{ "127.0.0.1", 1 }, { "127.0.0.2", 1 }, { "127.255.0.9", 1 },
		{ "10.0.0.1", 0 }, { "192.168.1.1", 0 }, { "0.0.0.0", 0 },
		{ "128.0.0.1", 0 }, { "::1", 1 }, { "::ffff:127.0.0.1", 1 },
		{ "::ffff:10.0.0.1", 0 }, { "fe80::1", 0 }, { "::", 0 },
		{ "::2", 0 },
	};
	size_t	 i;

	for (i = 0; i < nitems(v); i++) {
		memset(&a4, 0, sizeof a4);
		memset(&a6, 0, sizeof a6);
		if (inet_pton(AF_INET, v[i].addr, &a4.sin_addr) == 1) {
			a4.sin_family = AF_INET;
			assert_int_equal(web_peer_loopback(
			    (struct sockaddr *)&a4), v[i].loop);
		} else {
			assert_int_equal(inet_pton(AF_INET6, v[i].addr,
			    &a6.sin6_addr), 1);
			a6.sin6_family = AF_INET6;
			assert_int_equal(web_peer_loopback(
			    (struct sockaddr *)&a6), v[i].loop);
		}
	}
	assert_int_equal(web_peer_loopback(NULL), 0);
}

/* A desk in a fresh temporary home; the path is kept in *home. */
static struct desk *
desk_tmp(char **home)
{
	struct desk	*d;
	char		 tmpl[] = "/tmp/knowd-desk.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	*home = xstrdup(tmpl);
	assert_int_equal(desk_open(&d, *home, NULL), 0);
	return d;
}

/* Removes the temporary home. */
static void
desk_rm(struct desk *d, char *home)
{
	char	*cmd = xasprintf("rm -rf '%s'", home);

	desk_close(d);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(home);
}

/* Accounts: names checked, no duplicates, a file only the owner reads. */
static void
test_accounts(void **state)
{
	struct desk_user u;
	struct desk_user *all;
	struct stat	 st;
	char		*home, *path, hash[DESK_HASH_MAX], *why = NULL;
	size_t		 n;
	struct desk	*d = desk_tmp(&home);

	path = xasprintf("%s/%s", home, DESK_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(path);
	assert_int_equal(desk_pw_hash("richtig-geheim", 14, hash), 0);
	assert_true(desk_hash_valid(hash));
	assert_false(desk_hash_valid("richtig-geheim"));
	assert_int_equal(desk_user_add(d, "anna", DESK_AUTHOR, "Stabsstelle",
	    hash, NULL), 0);
	assert_int_equal(desk_user_add(d, "anna", DESK_ADMIN, NULL, hash,
	    &why), -1);
	assert_non_null(strstr(why, "gibt es schon"));
	free(why);
	assert_int_equal(desk_user_add(d, "Anna Groß", DESK_ADMIN, NULL, hash,
	    NULL), -1);
	assert_int_equal(desk_user_add(d, "bob", DESK_ADMIN, NULL, "plain",
	    NULL), -1);
	assert_int_equal(desk_user_get(d, "anna", &u), 0);
	assert_string_equal(u.unit, "Stabsstelle");
	assert_int_equal(u.role, DESK_AUTHOR);
	assert_int_equal(desk_user_get(d, "nobody", &u), 1);
	assert_int_equal(desk_user_list(d, &all, &n), 0);
	assert_int_equal(n, 1);
	free(all);
	assert_int_equal(desk_user_count(d), 1);
	assert_int_equal(desk_user_remove(d, "anna", NULL), 0);
	assert_int_equal(desk_user_remove(d, "anna", NULL), -1);
	desk_rm(d, home);
}

/* Login: right and wrong passwords; throttled per account, then per address. */
static void
test_login(void **state)
{
	struct desk_user u;
	char		*home, hash[DESK_HASH_MAX], name[16];
	struct desk	*d = desk_tmp(&home);
	time_t		 t = 1000000;
	int		 i, wait;

	assert_int_equal(desk_pw_hash("richtig-geheim", 14, hash), 0);
	assert_int_equal(desk_user_add(d, "anna", DESK_REVIEWER, NULL, hash,
	    NULL), 0);
	assert_int_equal(desk_login(d, "anna", "richtig-geheim", 14, "10.0.0.1",
	    t, &wait, &u), DESK_LOGIN_OK);
	assert_string_equal(u.name, "anna");
	for (i = 0; i < DESK_FAILS_FREE; i++)
		assert_int_equal(desk_login(d, "anna", "falsch", 6, "10.0.0.1",
		    t += 2, &wait, &u), DESK_LOGIN_BAD);
	/* Now even the right password waits, from any address. */
	assert_int_equal(desk_login(d, "anna", "richtig-geheim", 14,
	    "10.0.0.2", t + 1, &wait, &u), DESK_LOGIN_WAIT);
	assert_true(wait > 0 && wait <= 30);
	assert_int_equal(desk_login(d, "anna", "richtig-geheim", 14,
	    "10.0.0.2", t + 31, &wait, &u), DESK_LOGIN_OK);
	/* One address trying many names waits too (unknown names cost the same). */
	for (i = 0; i < 4 * DESK_FAILS_FREE; i++) {
		snprintf(name, sizeof name, "n%d", i);
		assert_int_equal(desk_login(d, name, "x", 1, "10.9.9.9",
		    t += 100, &wait, &u), DESK_LOGIN_BAD);
	}
	assert_int_equal(desk_login(d, "anna", "richtig-geheim", 14,
	    "10.9.9.9", t + 1, &wait, &u), DESK_LOGIN_WAIT);
	/* At most DESK_CHECKS_PER_SEC checks in one second, all together. */
	t += 10000;
	for (i = 0; i < DESK_CHECKS_PER_SEC; i++)
		assert_int_equal(desk_login(d, "anna", "richtig-geheim", 14,
		    "10.1.1.1", t, &wait, &u), DESK_LOGIN_OK);
	assert_int_equal(desk_login(d, "anna", "richtig-geheim", 14,
	    "10.1.1.1", t, &wait, &u), DESK_LOGIN_WAIT);
	desk_rm(d, home);
}

/* Sessions: found by id, only the id's hash stored, expired idle and absolutely, ended. */
static void
test_sessions(void **state)
{
	struct desk_session s;
	char		*home, sid[DESK_SID_LEN + 1], csrf[DESK_CSRF_LEN + 1];
	char		 sid2[DESK_SID_LEN + 1], csrf2[DESK_CSRF_LEN + 1], *cmd;
	struct desk	*d = desk_tmp(&home);
	time_t		 t = 2000000;

	assert_int_equal(desk_session_new(d, "anna", t, sid, csrf), 0);
	assert_int_equal(strlen(sid), DESK_SID_LEN);
	assert_int_equal(desk_session_find(d, sid, t + 60, &s), 0);
	assert_string_equal(s.user, "anna");
	assert_true(desk_token_equal(s.csrf, csrf));
	assert_false(desk_token_equal(s.csrf, sid));
	assert_false(desk_token_equal(s.csrf, NULL));
	assert_false(desk_token_equal("", ""));
	/* The id itself is nowhere in the file. */
	desk_close(d);
	cmd = xasprintf("! grep -q %s '%s/%s'*", sid, home, DESK_FILE);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(desk_open(&d, home, NULL), 0);
	/* Idle: used every hour it lives on, until the absolute end. */
	assert_int_equal(desk_session_find(d, sid, t + DESK_IDLE_SECS - 1, &s),
	    0);
	assert_int_equal(desk_session_find(d, sid, t + DESK_MAX_SECS + 1, &s),
	    1);
	assert_int_equal(desk_session_new(d, "bob", t, sid2, csrf2), 0);
	assert_int_equal(desk_session_find(d, sid2, t + DESK_IDLE_SECS + 1, &s),
	    1);
	assert_int_equal(desk_session_new(d, "bob", t, sid2, csrf2), 0);
	desk_session_end(d, sid2);
	assert_int_equal(desk_session_find(d, sid2, t + 1, &s), 1);
	assert_int_equal(desk_session_find(d, "zz", t, &s), 1);
	assert_int_equal(desk_session_find(d, NULL, t, &s), 1);
	desk_rm(d, home);
}

/* Drafts are saved, updated, listed and deleted; the audit log keeps order. */
static void
test_drafts_audit(void **state)
{
	struct desk_draft dr, *v;
	struct desk_audit_entry *e;
	char		*home;
	struct desk	*d = desk_tmp(&home);
	int64_t		 id = 0;
	size_t		 n;

	assert_int_equal(desk_draft_save(d, &id, DESK_DRAFT_EDIT, NULL, NULL,
	    "anna", "Titel", "---\nkind: lesson\n---\n", 10, NULL), 0);
	assert_true(id > 0);
	assert_int_equal(desk_draft_save(d, &id, DESK_DRAFT_EDIT, NULL, NULL,
	    "bob", "Titel 2", "text", 20, NULL), 0);
	assert_int_equal(desk_draft_get(d, id, &dr), 0);
	assert_string_equal(dr.author, "bob");
	assert_string_equal(dr.text, "text");
	assert_int_equal(dr.created, 10);
	desk_draft_clear(&dr);
	assert_int_equal(desk_draft_list(d, 10, &v, &n), 0);
	assert_int_equal(n, 1);
	desk_drafts_free(v, n);
	assert_int_equal(desk_draft_delete(d, id), 0);
	assert_int_equal(desk_draft_get(d, id, &dr), 1);
	desk_audit(d, "anna", "drafted", NULL, "Titel");
	desk_audit(d, "bob", "approved", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "anna");
	assert_int_equal(desk_audit_list(d, 10, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].action, "approved");
	assert_string_equal(e[1].who, "anna");
	desk_audit_free(e, n);
	desk_rm(d, home);
}

/* knowd.conf: review and web_auth are checked and printed back. */
static void
test_conf_keys(void **state)
{
	static const char *const bad[] = { "review = maybe", "review = ",
	    "web_auth = header", "web_auth = header X Y", "web_auth = cookie",
	    "web_auth = header X:Remote-User" };
	struct config	 c;
	char		 line[80], *out, *why = NULL;
	size_t		 i;

	config_defaults(&c);
	assert_int_equal(c.review, CONFIG_REVIEW_AUTO);
	assert_null(c.web_auth_header);
	snprintf(line, sizeof line, "review = optional");
	assert_int_equal(config_apply_line(&c, line, NULL), 0);
	assert_int_equal(c.review, CONFIG_REVIEW_OPTIONAL);
	snprintf(line, sizeof line, "web_auth = header X-Remote-User");
	assert_int_equal(config_apply_line(&c, line, NULL), 0);
	assert_string_equal(c.web_auth_header, "X-Remote-User");
	out = config_print(&c);
	assert_non_null(strstr(out, "\nreview = optional\n"));
	assert_non_null(strstr(out, "\nweb_auth = header X-Remote-User\n"));
	free(out);
	snprintf(line, sizeof line, "web_auth = password");
	assert_int_equal(config_apply_line(&c, line, NULL), 0);
	assert_null(c.web_auth_header);
	for (i = 0; i < nitems(bad); i++) {
		snprintf(line, sizeof line, "%s", bad[i]);
		assert_int_equal(config_apply_line(&c, line, &why), -1);
		assert_non_null(why);
		free(why);
		why = NULL;
	}
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_parse),
		cmocka_unit_test(test_form_refused),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_drafts_audit),
		cmocka_unit_test(test_conf_keys),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
