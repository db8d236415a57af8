#!/usr/bin/env bash
# Desk (/redaktion) security and Freigabe over curl: accounts with Argon2id
# hashes in desk.sqlite (0600, not in git), every desk path without a session
# answers 303 to the login, cookie flags, CSRF on every form (and the login),
# wrong passwords throttled, the public pages stay read-only, an author
# cannot approve her own draft, a different account's approval publishes
# (the commit names the organisation and unit, no person), a stale edit is
# refused with both versions (web) or unless --force (knowctl publish), the
# audit log, and no password, hash or session id in logs or git.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/desk_lib.sh"

A=$T/a
node_init "$A" "Stadt Münster" --kind municipality --listen 127.0.0.1:0 || { fail "init"; finish; }
echo "http = 127.0.0.1:0" >>"$A/knowd.conf"
node_start "$A" || { fail "start"; finish; }
W=http://$(kctl "$A" status --json | json_get http)
PW_A='Anna-geheim-2026!' PW_B='Bernd-geheim-2026?' PW_C='Clara-geheim-2026#'

# Accounts.
check "user add anna (author, unit)" desk_user "$A" anna author "$PW_A" "Stabsstelle Digitalisierung"
check "user add bernd (reviewer)" desk_user "$A" bernd reviewer "$PW_B"
check "user add clara (admin)" desk_user "$A" clara admin "$PW_C"
check "a short password is refused" bash -c "! printf 'kurz\n' | env -u LC_MESSAGES LANG=de_DE.UTF-8 '$KNOWCTL' --home '$A' user add dora --role author 2>'$T/short.err'"
check "... in German" grep -q "mindestens 10 Zeichen" "$T/short.err"
check "... in English under LANG=C" bash -c "printf 'kurz\n' | '$KNOWCTL' --home '$A' user add dora --role author 2>&1 >/dev/null | grep -q 'at least 10 characters'"
check "a bad role is refused" bash -c "! printf 'lang-genug-123\n' | '$KNOWCTL' --home '$A' user add dora --role chef"
check "a duplicate account is refused" bash -c "! printf 'lang-genug-123\n' | '$KNOWCTL' --home '$A' user add anna --role author"
env -u LC_MESSAGES LANG=de_DE.UTF-8 "$PY" "$ROOT/tests/regress/desk_tty.py" "$KNOWCTL" "$A" tina 'Tty-geheim-2026' >"$T/tty.out" 2>&1
check "user add on a terminal (a pty)" test $? -eq 0
check "... the terminal showed both prompts" bash -c "grep -q 'Neues Passwort' '$T/tty.out' && grep -q 'Noch einmal' '$T/tty.out'"
check "... and never the password" bash -c "! grep -q 'Tty-geheim' '$T/tty.out'"
kctl "$A" user list >"$T/users"
check "user list: names, roles, unit" grep -q "anna.*author.*Stabsstelle Digitalisierung" "$T/users"
check "user list: the terminal's account too" grep -q "^tina " "$T/users"
check "user list shows no hash" bash -c "! grep -q argon2 '$T/users'"
check "desk.sqlite is 0600" test "$(stat -c %a "$A/desk.sqlite")" = 600

# Without a session every desk path answers 303 to the login.
for p in /redaktion /redaktion/ /redaktion/neu /redaktion/protokoll /redaktion/entwurf/1 \
    /redaktion/bearbeiten/01ARZ3NDEKTSV4RRFFQ69G5FAV /redaktion/gibtsnicht; do
	check "GET $p without a session: 303 to the login" bash -c \
	    "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' '$W$p' | grep -qx '303 $W/redaktion/anmelden'"
done
for p in /redaktion/speichern /redaktion/freigeben /redaktion/abmelden /redaktion/x; do
	check "POST $p without a session: 303 to the login" bash -c \
	    "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -d a=b '$W$p' | grep -qx '303 $W/redaktion/anmelden'"
done
check "a forged session id: 303" bash -c \
    "curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: knowd_sid=$(printf '%064d' 0)' '$W/redaktion/' | grep -qx 303"
check "the public pages stay read-only: POST / is 405" bash -c \
    "curl -s -o /dev/null -w '%{http_code}' -d a=b '$W/' | grep -qx 405"
check "a GET with a large body: 413" bash -c \
    "head -c 4096 /dev/zero | tr '\\0' a | curl -s -o /dev/null -w '%{http_code}' -X GET --data-binary @- '$W/' | grep -qx 413"
check "a form over 256 KiB is refused" bash -c \
    "head -c 300000 /dev/zero | tr '\\0' a | curl -s -o /dev/null -w '%{http_code}' --data-binary @- '$W/redaktion/anmelden' | grep -qv '^2'"

# The login form's own CSRF token (a cookie and a field).
check "a login without the form's token: 403" bash -c \
    "curl -s -o /dev/null -w '%{http_code}' --data-urlencode name=anna --data-urlencode 'password=$PW_A' '$W/redaktion/anmelden' | grep -qx 403"
curl -s -D "$T/login.h" -o /dev/null "$W/redaktion/anmelden"
pre=$(sed -n 's/^Set-Cookie: knowd_pre=\([0-9a-f]*\);.*/\1/p' "$T/login.h" | tr -d '\r')
curl -s -D "$T/login2.h" -o /dev/null -H "Cookie: knowd_pre=$pre" --data-urlencode "csrf=$pre" \
    --data-urlencode name=anna --data-urlencode "password=$PW_A" "$W/redaktion/anmelden"
SA=$(sed -n 's/^Set-Cookie: knowd_sid=\([0-9a-f]*\);.*/\1/p' "$T/login2.h" | tr -d '\r')
check "login: 303 to the desk" grep -q "^Location: /redaktion/" "$T/login2.h"
check "session cookie: HttpOnly; Secure; SameSite=Strict; Path=/redaktion" \
    grep -q "^Set-Cookie: knowd_sid=[0-9a-f]\{64\}; HttpOnly; Secure; SameSite=Strict; Path=/redaktion; Max-Age=" "$T/login2.h"
check "login cookie too" grep -q "^Set-Cookie: knowd_pre=[0-9a-f]\{64\}; HttpOnly; Secure; SameSite=Strict; Path=/redaktion" "$T/login.h"
check "desk pages are not cached" bash -c "curl -s -D - -o /dev/null -H 'Cookie: knowd_sid=$SA' '$W/redaktion/' | grep -qi '^Cache-Control: no-store'"
CA=$(desk_csrf "$W" "$SA")
check "the session has a CSRF token" test ${#CA} -eq 64

# CSRF: a POST without the token, or with another session's, is refused.
mapfile -d '' LESSON < <(desk_lesson_args "Bürgerbeteiligung früh planen")
check "POST without a CSRF token: 403" test "$(desk_post "$W" "$SA" /redaktion/speichern "${LESSON[@]}")" = "403 "
SB=$(desk_login "$W" bernd "$PW_B")
CB=$(desk_csrf "$W" "$SB")
check "POST with another session's token: 403" test "$(desk_post "$W" "$SA" /redaktion/speichern --data-urlencode "csrf=$CB" "${LESSON[@]}")" = "403 "
check "no draft was saved by either" bash -c "! curl -s -H 'Cookie: knowd_sid=$SA' '$W/redaktion/' | grep -q 'früh planen'"

# An author saves a draft: local, not published.
out=$(desk_post "$W" "$SA" /redaktion/speichern --data-urlencode "csrf=$CA" --data-urlencode action=speichern "${LESSON[@]}")
check "draft saved: 303 to the draft" bash -c "echo '$out' | grep -q '^303 $W/redaktion/entwurf/[0-9]*$'"
DRAFT=${out##*/}
check "a draft is not published" bash -c "[ -z \"\$('$KNOWCTL' --home '$A' list)\" ]"
check "the author sees no approve button" bash -c "! curl -s -H 'Cookie: knowd_sid=$SA' '$W/redaktion/entwurf/$DRAFT' | grep -q 'Freigeben und'"
check "the author cannot approve her own draft: 403" test "$(desk_post "$W" "$SA" /redaktion/freigeben --data-urlencode "csrf=$CA" --data-urlencode "draft=$DRAFT")" = "403 "
check "... the Vier-Augen-Prinzip named" grep -q "Rolle reviewer oder admin\|Vier-Augen" "$T/post.html"
check "still not published" bash -c "[ -z \"\$('$KNOWCTL' --home '$A' list)\" ]"
# A form error is named next to its field, in German.
desk_post "$W" "$SA" /redaktion/speichern --data-urlencode "csrf=$CA" --data-urlencode action=vorschau \
    --data-urlencode "title=" --data-urlencode "project=Mein Projekt" --data-urlencode status=umsetzung >/dev/null
check "errors next to their fields, in German" bash -c \
    "grep -q 'id=\"err-title\"[^>]*>Bitte einen Titel' '$T/post.html' && grep -q 'id=\"err-project\"' '$T/post.html' && grep -q 'id=\"err-field\"[^>]*>Bitte mindestens ein Handlungsfeld' '$T/post.html'"

# A reviewer of her own draft cannot approve it either.
out=$(desk_post "$W" "$SB" /redaktion/speichern --data-urlencode "csrf=$CB" --data-urlencode action=speichern "${LESSON[@]/früh planen/im Quartier}")
check "a reviewer cannot approve her own draft: 403" test "$(desk_post "$W" "$SB" /redaktion/freigeben --data-urlencode "csrf=$CB" --data-urlencode "draft=${out##*/}")" = "403 "

# A different account approves: signed and published.
out=$(desk_post "$W" "$SB" /redaktion/freigeben --data-urlencode "csrf=$CB" --data-urlencode "draft=$DRAFT")
check "bernd approves anna's draft: published" bash -c "echo '$out' | grep -q '^303 .*veroeffentlicht='"
ID=${out##*=}
check "the lesson is on the public page" bash -c "curl -s '$W/lektion/$ID' | grep -q 'Bürgerbeteiligung früh planen'"
check "every commit verifies with stock git" git_clean "$A"
check "the commit names organisation and unit, no person" bash -c \
    "git -C '$A/repo.git' log --format='%an' \$(git -C '$A/repo.git' for-each-ref --format='%(refname)' refs/namespaces | head -1) | head -1 | grep -qx 'Stadt Münster / Stabsstelle Digitalisierung'"
check "no account name in git" bash -c "! git -C '$A/repo.git' log --all --format='%an %ae %s %b' | grep -qi 'anna\|bernd'"

# A stale edit in the browser: both versions, nothing overwritten.
SC=$(desk_login "$W" clara "$PW_C")
CC=$(desk_csrf "$W" "$SC")
curl -s -H "Cookie: knowd_sid=$SA" "$W/redaktion/bearbeiten/$ID" >"$T/edit.html"
BASE=$(grep -o 'name="base" value="[0-9a-f]*"' "$T/edit.html" | sed 's/.*value="//; s/"$//')
check "the edit form carries the version it starts from" test ${#BASE} -eq 40
kctl "$A" show "$ID" | sed 's/^title: .*/title: Bürgerbeteiligung früh planen (zweite Fassung)/' >"$T/second.md"
check "meanwhile knowctl publishes a second version" kctl "$A" publish "$T/second.md"
out=$(desk_post "$W" "$SA" /redaktion/speichern --data-urlencode "csrf=$CA" --data-urlencode action=speichern \
    --data-urlencode "record=$ID" --data-urlencode "base=$BASE" "${LESSON[@]/früh planen/ (alte Fassung geändert)}")
check "saving the stale edit shows both versions (409)" bash -c "[ '$out' = '409 ' ] && grep -q 'Ihre Fassung' '$T/post.html' && grep -q 'Aktuell veröffentlicht' '$T/post.html' && grep -q 'zweite Fassung' '$T/post.html'"
STALE=$(grep -o 'redaktion/entwurf/[0-9]*' "$T/post.html" | head -1 | sed 's/.*\///')
out=$(desk_post "$W" "$SB" /redaktion/freigeben --data-urlencode "csrf=$CB" --data-urlencode "draft=$STALE")
check "approving the stale draft is refused with both versions (409)" bash -c "[ '$out' = '409 ' ] && grep -q 'Aktuell veröffentlicht' '$T/post.html' && grep -q 'zweite Fassung' '$T/post.html' && grep -q 'alte Fassung geändert' '$T/post.html'"
check "the second version stands" bash -c "'$KNOWCTL' --home '$A' show '$ID' | grep -q 'zweite Fassung'"

# knowctl publish: an edit from an older copy is refused unless --force.
sleep 1.1	# modified has one-second resolution
kctl "$A" show "$ID" >"$T/copy1.md"
sed 's/^title: .*/title: Dritte Fassung/' "$T/copy1.md" >"$T/third.md"
check "an edit from a current copy is published" kctl "$A" publish "$T/third.md"
sed 's/^title: .*/title: Vierte Fassung aus alter Kopie/' "$T/copy1.md" >"$T/fourth.md"
sleep 1.1
check "an edit from an older copy is refused" bash -c "! '$KNOWCTL' --home '$A' publish '$T/fourth.md' 2>'$T/stale.err'"
check "... saying why and how to force" grep -q "older version.*--force" "$T/stale.err"
check "... and the third version stands" bash -c "'$KNOWCTL' --home '$A' show '$ID' | grep -q 'Dritte Fassung'"
check "knowctl publish --force overwrites" kctl "$A" publish --force "$T/fourth.md"
check "... the fourth version stands" bash -c "'$KNOWCTL' --home '$A' show '$ID' | grep -q 'Vierte Fassung'"

# Retraction: an author asks, a reviewer approves.
out=$(desk_post "$W" "$SA" /redaktion/zurueckziehen --data-urlencode "csrf=$CA" --data-urlencode "record=$ID")
check "an author's retraction is a draft" bash -c "echo '$out' | grep -q '^303 .*/redaktion/entwurf/'"
check "... the lesson is still there" has_record "$A" "$ID"
out=$(desk_post "$W" "$SB" /redaktion/freigeben --data-urlencode "csrf=$CB" --data-urlencode "draft=${out##*/}")
check "a reviewer approves the retraction" bash -c "echo '$out' | grep -q '^303 .*zurueckgezogen'"
check "... the lesson is gone" lacks_record "$A" "$ID"

# An admin retracts at once.
out=$(desk_post "$W" "$SA" /redaktion/speichern --data-urlencode "csrf=$CA" --data-urlencode action=speichern "${LESSON[@]/früh planen/für alle}")
out=$(desk_post "$W" "$SC" /redaktion/freigeben --data-urlencode "csrf=$CC" --data-urlencode "draft=${out##*/}")
ID2=${out##*=}
check "the admin approves another draft" has_record "$A" "$ID2"
check "the admin retracts without a second approval" test \
    "$(desk_post "$W" "$SC" /redaktion/zurueckziehen --data-urlencode "csrf=$CC" --data-urlencode "record=$ID2")" = "303 $W/redaktion/?zurueckgezogen=1"
check "... it is gone" lacks_record "$A" "$ID2"

# review = optional (SIGHUP): an author publishes directly.
check "review = required: no direct publish button" bash -c "! curl -s -H 'Cookie: knowd_sid=$SA' '$W/redaktion/neu' | grep -q 'value=\"veroeffentlichen\"'"
check "... and a direct publish is refused: 403" test "$(desk_post "$W" "$SA" /redaktion/speichern --data-urlencode "csrf=$CA" --data-urlencode action=veroeffentlichen "${LESSON[@]}")" = "403 "
echo "review = optional" >>"$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"
check "review = optional after a reload: the form offers publishing" poll 10 bash -c \
    "curl -s -H 'Cookie: knowd_sid=$SA' '$W/redaktion/neu' | grep -q 'value=\"veroeffentlichen\"'"
out=$(desk_post "$W" "$SA" /redaktion/speichern --data-urlencode "csrf=$CA" --data-urlencode action=veroeffentlichen "${LESSON[@]/früh planen/ohne Freigabe}")
check "an author publishes directly" bash -c "echo '$out' | grep -q '^303 .*veroeffentlicht='"
check "... signed, with her unit" bash -c "git -C '$A/repo.git' log -1 --format='%an|%s' \$(git -C '$A/repo.git' for-each-ref --format='%(refname)' refs/namespaces | head -1) | grep -q '^Stadt Münster / Stabsstelle Digitalisierung|publish lesson'"
sed -i '/^review = optional$/d' "$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"

# Audit: knowctl and the admin's page; not for others.
kctl "$A" audit >"$T/audit"
check "audit: drafted, approved, published, retracted" bash -c \
    "grep -q 'anna *drafted' '$T/audit' && grep -q 'bernd *approved *$ID *anna' '$T/audit' && grep -q 'bernd *published *$ID' '$T/audit' && grep -q 'bernd *retracted *$ID' '$T/audit'"
check "the admin reads the audit log in the browser" bash -c "curl -s -H 'Cookie: knowd_sid=$SC' '$W/redaktion/protokoll' | grep -q '<td>approved</td>'"
check "an author may not: 403" bash -c "curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: knowd_sid=$SA' '$W/redaktion/protokoll' | grep -qx 403"

# Logout ends the session.
desk_post "$W" "$SA" /redaktion/abmelden --data-urlencode "csrf=$CA" >/dev/null
check "after logout the old session id: 303" bash -c "curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: knowd_sid=$SA' '$W/redaktion/' | grep -qx 303"

# Wrong passwords are throttled per account.
for i in 1 2 3 4 5; do
	desk_login "$W" anna "falsch-$i" >/dev/null
done
# Past the second the desk's overall cap (4 checks a second) counts in:
# what follows is the account's own throttle (30 s after the fifth failure).
sleep 1.1
pre=$(curl -s -D - -o /dev/null "$W/redaktion/anmelden" | sed -n 's/^Set-Cookie: knowd_pre=\([0-9a-f]*\);.*/\1/p' | tr -d '\r')
check "after 5 wrong passwords even the right one waits: 429" bash -c \
    "curl -s -o '$T/wait.html' -w '%{http_code}' -H 'Cookie: knowd_pre=$pre' --data-urlencode 'csrf=$pre' --data-urlencode name=anna --data-urlencode 'password=$PW_A' '$W/redaktion/anmelden' | grep -qx 429"
check "... in German" grep -q "Zu viele Fehlversuche" "$T/wait.html"
check "another account is not held up" test -n "$(desk_login "$W" clara "$PW_C")"

# knowctl user passwd and remove end sessions.
check "user passwd" bash -c "printf 'Neu-und-lang-2026\n' | '$KNOWCTL' --home '$A' user passwd bernd"
check "... ends bernd's sessions" bash -c "curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: knowd_sid=$SB' '$W/redaktion/' | grep -qx 303"
check "... the new password works" test -n "$(desk_login "$W" bernd 'Neu-und-lang-2026')"
check "user remove" kctl "$A" user remove bernd
check "... the removed account cannot log in" test -z "$(desk_login "$W" bernd 'Neu-und-lang-2026')"

# Clients that leave while their password is checked (on the hasher thread).
pre=$(curl -s -D - -o /dev/null "$W/redaktion/anmelden" | sed -n 's/^Set-Cookie: knowd_pre=\([0-9a-f]*\);.*/\1/p' | tr -d '\r')
for i in 1 2 3; do
	curl -s -o /dev/null -m 0.02 -H "Cookie: knowd_pre=$pre" --data-urlencode "csrf=$pre" \
	    --data-urlencode name=gast --data-urlencode "password=irgendwas-$i" "$W/redaktion/anmelden"
done
check "knowd answers after clients left mid-check" bash -c \
    "curl -s -o /dev/null -w '%{http_code}' '$W/redaktion/anmelden' | grep -qx 200"
check "... and logs in" test -n "$(desk_login "$W" clara "$PW_C")"

# No password, hash or session id in the log, git or anywhere but desk.sqlite.
node_stop "$A"
check "passwords were checked on the hasher thread, not the event loop" grep -q "password check goes to the hasher thread" "$A.log"
for s in "$PW_A" "$PW_B" "$PW_C" 'Neu-und-lang-2026' argon2id "$SA" "$SB" "$SC" "$CA"; do
	check "not in the log: ${s:0:6}…" bash -c "! grep -qF -- '$s' '$A.log'"
	check "not in git: ${s:0:6}…" bash -c "! grep -rqF -- '$s' '$A/repo.git' && ! git -C '$A/repo.git' log --all -p | grep -qF -- '$s'"
done
node_start "$A" || fail "restart"
W=http://$(kctl "$A" status --json | json_get http)	# http = 127.0.0.1:0: a new port
check "after a restart the accounts, sessions and audit log are still there" bash -c \
    "'$KNOWCTL' --home '$A' user list | grep -q '^clara ' && '$KNOWCTL' --home '$A' audit | grep -q 'bernd *approved' &&
     curl -s -o /dev/null -w '%{http_code}' -H 'Cookie: knowd_sid=$SC' '$W/redaktion/' | grep -qx 200"
node_stop "$A"
check "no session id in desk.sqlite (only hashes)" bash -c "! grep -qaF -- '$SC' '$A'/desk.sqlite*"
check "no password in desk.sqlite" bash -c "! grep -qaF -- '$PW_C' '$A'/desk.sqlite*"
finish
