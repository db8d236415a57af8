#!/usr/bin/env bash
# A full disk: knowd on A runs under tests/shim/libenospc.so, which fails
# writes to files with ENOSPC while $T/full exists (only to the search index
# while it holds "index.sqlite"). Publishing, a config edit
# and a fetch from a peer then fail with a clear error and change nothing; once
# there is space again everything works, the lost fetch is caught up by
# anti-entropy, and a search index that missed a change catches up too.
. "$(dirname "$0")/lib.sh"

SHIM=$ROOT/$BUILD/tests/shim/libenospc.so
[ -f "$SHIM" ] || { fail "build $SHIM first (make test)"; finish; }
A=$T/a B=$T/b FULL=$T/full
node_init "$A" "Stadt Beckum" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Winterberg" --listen 127.0.0.1:0 || fail "init B"
echo "sync_interval = 1" >>"$A/knowd.conf"
# A starts under the shim (only knowd: git, sqlite3 and knowctl here do not).
KNOWD_ENOSPC=$FULL ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" \
	LD_PRELOAD=$SHIM node_start "$A" || { fail "start A"; finish; }
pin_port "$A"
node_start "$B" || { fail "start B"; finish; }
kctl "$A" trust add "$(cat "$B.did")" --name b >/dev/null || fail "trust add B"
kctl "$B" trust add "$(cat "$A.did")" --name a >/dev/null || fail "trust add A"
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null || fail "peer add"
check "A and B connect" poll 10 bash -c "'$KNOWCTL' --home '$A' peers | grep -q ready"

# refs HOME: every ref of the repository with its object.
refs() { git -C "$1/repo.git" for-each-ref --format='%(objectname) %(refname)'; }
id1=$(kctl "$A" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md") || fail "publish with space"
refs "$A" >"$T/refs.before"
cp "$A/knowd.conf" "$T/conf.before"
n_before=$(kctl "$A" list | wc -l)

# The disk fills up.
touch "$FULL"
kctl "$A" publish - <"$ROOT/contrib/examples/winterberg-arbeitskreise.md" >"$T/out" 2>"$T/err"; rc=$?
check "publish on a full disk fails (exit 1)" test "$rc" = 1
check "the error says the disk is full" grep -qi 'no space left on device' "$T/err"
check "publish prints no id" test ! -s "$T/out"
refs "$A" >"$T/refs.after"
check "no ref moved" cmp "$T/refs.before" "$T/refs.after"
check "the listing is unchanged" test "$(kctl "$A" list | wc -l)" = "$n_before"
kctl "$A" trust add did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK --name x >/dev/null 2>"$T/err"; rc=$?
check "a config edit on a full disk fails (exit 1)" test "$rc" = 1
check "its error says the disk is full" grep -qi 'no space left on device' "$T/err"
check "knowd.conf is unchanged" cmp "$T/conf.before" "$A/knowd.conf"
check "no temporary config file is left" bash -c "! ls '$A' | grep -q 'knowd.conf.'"
check "knowd still answers" kctl "$A" status

# A lesson published on B cannot be stored on A.
idb=$(kctl "$B" publish - <"$ROOT/contrib/examples/winterberg-arbeitskreise.md") || fail "publish on B"
check "A logs the failed fetch" poll 15 grep -qi 'no space left on device' "$A.log"
check "A does not have B's lesson" lacks_record "$A" "$idb"
check "no quarantine is left on A" bash -c "! ls '$A/repo.git/objects' | grep -q quarantine"
check "the full disk is not blamed on B (issue 12, item 9)" bash -c "! grep -q 'failed verification' '$A.log'"
check "the log names the cause here" grep -q 'could not be taken in here' "$A.log"
check "A stays connected to B" bash -c "'$KNOWCTL' --home '$A' peers | grep -q ready"

# Space again.
rm -f "$FULL"
check "A catches up with B's lesson (anti-entropy)" poll 20 has_record "$A" "$idb"
id2=$(kctl "$A" publish - <"$ROOT/contrib/examples/paderborn-buergerportal.md") || fail "publish after the disk was freed"
check "the lesson published after is listed" has_record "$A" "$id2"
check "fsck --strict and stock git verify-commit on A" git_clean "$A"
check "knowctl verify on A" kctl "$A" verify
check "views converge" poll 20 views_equal "$A" "$B"

# Only the search index is full: git keeps the lesson, the index catches up.
echo index.sqlite >"$FULL"
id3=$(kctl "$A" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md" 2>"$T/err"); rc=$?
rm -f "$FULL"
if [ "$rc" = 0 ]; then
	check "the lesson is in git although the index was full" has_record "$A" "$id3"
else
	check "a refused publish names the disk" grep -qi 'no space left on device' "$T/err"
	id3=$(kctl "$A" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md") || fail "publish again"
fi
id4=$(kctl "$A" publish - <"$ROOT/contrib/examples/darmstadt-datenplattform.md") || fail "publish after"
check "the index catches up: both lessons are searchable" poll 10 bash -c \
	"'$KNOWCTL' --home '$A' search --json '' | grep -q '$id3' && '$KNOWCTL' --home '$A' search --json '' | grep -q '$id4'"
check "fsck --strict on A at the end" git_clean "$A"
finish
