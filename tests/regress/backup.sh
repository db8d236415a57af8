#!/usr/bin/env bash
# knowctl backup: a consistent snapshot that unpacks into a home knowd runs on;
# the secret key only with --with-key.
. "$(dirname "$0")/lib.sh"

A=$T/a
node_init "$A" "Stadt Beckum" --listen 127.0.0.1:0 || fail "init"
node_start "$A" || { fail "start"; finish; }
id1=$(kctl "$A" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md")
id2=$(kctl "$A" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md")

check "backup without the key" kctl "$A" backup "$T/plain.tar"
check "it holds no secret key" bash -c "! tar -tf '$T/plain.tar' | grep -q node.key"
check "it holds the public key and the repository" bash -c \
	"tar -tf '$T/plain.tar' | grep -q keys/node.pub && tar -tf '$T/plain.tar' | grep -q 'repo.git/objects/pack/pack-.*\.pack'"
# The desk's accounts and drafts and the open invitations are local state
# outside git: the archive carries them (invitations only with the key).
echo 'ein langes Passwort 123' | "$KNOWCTL" --home "$A" user add redakteurin --role author >/dev/null ||
	fail "user add"
kctl "$A" invite --name "Gemeinde Winterberg" --addr 127.0.0.1:9 >/dev/null 2>&1 || fail "invite"
check "backup without the key" kctl "$A" backup "$T/nokey.tar"
check "it holds the desk (accounts, drafts, audit)" bash -c "tar -tf '$T/nokey.tar' | grep -qx desk.sqlite"
check "but no invitations" bash -c "! tar -tf '$T/nokey.tar' | grep -qx invites"
check "backup with the key" kctl "$A" backup --with-key "$T/full.tar"
check "it holds the desk and the invitations, both 0600" bash -c \
	"tar -tvf '$T/full.tar' | grep -E '^-rw------- .* (desk.sqlite|invites)\$' | wc -l | grep -qx 2"
check "a backup with the key is mode 0600" test "$(stat -c %a "$T/full.tar")" = 600
check "a backup to an unwritable place fails clearly" bash -c \
	"! '$KNOWCTL' --home '$A' backup /nonexistent/dir/x.tar 2>'$T/err' && grep -q nonexistent '$T/err'"
check "no temporary files left in the home" bash -c "! ls -a '$A' | grep -q '^.backup'"

# A bigger archive streams through in many blocks; a reader that fails midway
# (its disk full: the ENOSPC shim on knowctl) leaves knowd well and no file.
# Random filler (base64); a line that starts like a phone number ("0", "+",
# "(") would meet the personal-data check, so it starts with an x instead.
for i in 1 2 3 4 5 6; do
	{ cat "$ROOT/contrib/examples/beckum-bestandsaufnahme.md"; echo
	  head -c 150000 /dev/urandom | base64 -w 76 | sed 's/^[0+(]/x/'; } >"$T/big$i.md"
	kctl "$A" publish "$T/big$i.md" >/dev/null || fail "publish big lesson $i"
done
check "backup of a bigger home" kctl "$A" backup "$T/big.tar"
check "it is over 900 kB" test "$(stat -c %s "$T/big.tar")" -gt 900000
check "tar reads it whole" tar -tf "$T/big.tar"
SHIM=$ROOT/$BUILD/tests/shim/libenospc.so
touch "$T/full"
KNOWD_ENOSPC=$T/full ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" \
	LD_PRELOAD=$SHIM "$KNOWCTL" --home "$A" backup "$T/fail.tar" 2>"$T/err"; rc=$?
check "a reader whose disk is full fails (exit 1)" test "$rc" = 1
check "and says why" grep -qi 'no space left' "$T/err"
check "no file and no temporary file is left" bash -c "! ls '$T' | grep -q '^fail.tar'"
check "knowd answers after the reader quit" kctl "$A" status
check "the next backup works" kctl "$A" backup "$T/again.tar"
check "no temporary files left in the home" bash -c "! ls -a '$A' | grep -q '^.backup'"
node_stop "$A"

R=$T/r
mkdir "$R" && tar -xf "$T/full.tar" -C "$R"
check "the restored repository passes git fsck --strict" git -C "$R/repo.git" fsck --strict --no-dangling
node_start "$R" || { fail "start restored"; finish; }
check "the restored node holds both lessons" bash -c "'$KNOWCTL' --home '$R' show '$id1' >/dev/null && '$KNOWCTL' --home '$R' show '$id2' >/dev/null"
check "and verifies" kctl "$R" verify
check "the restored desk has the account" bash -c "'$KNOWCTL' --home '$R' user list | grep -q redakteurin"
check "and the invitation" bash -c "'$KNOWCTL' --home '$R' invite list | grep -q Winterberg"
check "stock git verifies every commit" git_verify_branch "$R"
check "and publishes on from there" kctl "$R" publish - <"$ROOT/contrib/examples/winterberg-arbeitskreise.md"
check "seq continues at 4" test "$(kctl "$R" status --json | json_get seq)" = 4
finish
