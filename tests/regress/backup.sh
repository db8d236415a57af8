#!/usr/bin/env bash
# knowctl backup: a consistent snapshot that unpacks into a home knowd runs on;
# the secret key only with --with-key.
. "$(dirname "$0")/lib.sh"

A=$T/a
node_init "$A" "Stadt Beckum" --listen 127.0.0.1:0 || fail "init"
node_start "$A" || { fail "start"; finish; }
id1=$(kctl "$A" publish "$ROOT/contrib/examples/beckum-bestandsaufnahme.md")
id2=$(kctl "$A" publish "$ROOT/contrib/examples/krefeld-kommunikation.md")

check "backup without the key" kctl "$A" backup "$T/plain.tar"
check "it holds no secret key" bash -c "! tar -tf '$T/plain.tar' | grep -q node.key"
check "it holds the public key and the repository" bash -c \
	"tar -tf '$T/plain.tar' | grep -q keys/node.pub && tar -tf '$T/plain.tar' | grep -q 'repo.git/objects/pack/pack-.*\.pack'"
check "backup with the key" kctl "$A" backup --with-key "$T/full.tar"
check "a backup with the key is mode 0600" test "$(stat -c %a "$T/full.tar")" = 600
check "a backup to an unwritable place fails clearly" bash -c \
	"! '$KNOWCTL' --home '$A' backup /nonexistent/dir/x.tar 2>'$T/err' && grep -q nonexistent '$T/err'"
check "no temporary files left in the home" bash -c "! ls -a '$A' | grep -q '^.backup'"
node_stop "$A"

R=$T/r
mkdir "$R" && tar -xf "$T/full.tar" -C "$R"
check "the restored repository passes git fsck --strict" git -C "$R/repo.git" fsck --strict --no-dangling
node_start "$R" || { fail "start restored"; finish; }
check "the restored node holds both lessons" bash -c "'$KNOWCTL' --home '$R' show '$id1' >/dev/null && '$KNOWCTL' --home '$R' show '$id2' >/dev/null"
check "and verifies" kctl "$R" verify
check "stock git verifies every commit" git_verify_branch "$R"
check "and publishes on from there" kctl "$R" publish "$ROOT/contrib/examples/winterberg-arbeitskreise.md"
check "seq continues at 4" test "$(kctl "$R" status --json | json_get seq)" = 4
finish
