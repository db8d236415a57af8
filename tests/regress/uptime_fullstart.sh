#!/usr/bin/env bash
# A start on a full disk (issue 12, item 6): the disk filled during a sync
# after a branch ref moved but before the view (and the search index) were
# written, and knowd was stopped. It must come up anyway — reading works,
# writing fails with a clear error — and redo every derived write from the
# branch refs once there is space again.
. "$(dirname "$0")/lib.sh"

SHIM=$ROOT/$BUILD/tests/shim/libenospc.so
[ -f "$SHIM" ] || { fail "build $SHIM first (make test)"; finish; }
A=$T/a B=$T/b FULL=$T/full
node_init "$A" "Stadt Beckum" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Winterberg" --listen 127.0.0.1:0 || fail "init B"
node_start "$B" || { fail "start B"; finish; }
pin_port "$B"
kctl "$B" trust add "$(cat "$A.did")" --name a >/dev/null || fail "trust add A"
idb=$(kctl "$B" publish - <"$ROOT/contrib/examples/winterberg-arbeitskreise.md") || fail "publish on B"

# A fetches B's lesson; then, as if the disk filled right after the ref
# moved, the view is one change behind and the index never saw the lesson.
start_a() {
	KNOWD_ENOSPC=$FULL KNOWD_TEST_UPKEEP_SECS=1 \
		ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" \
		LD_PRELOAD=$SHIM node_start "$A"
}
start_a || { fail "start A"; finish; }
kctl "$A" trust add "$(cat "$B.did")" --name b >/dev/null || fail "trust add B"
kctl "$A" peer add "$(cat "$B.did")@$(node_addr "$B")" >/dev/null || fail "peer add"
check "A fetches B's lesson" poll 15 has_record "$A" "$idb"
node_stop "$A"
node_stop "$B"
view_old=$(git -C "$A/repo.git" rev-parse refs/heads/main~1)
git -C "$A/repo.git" update-ref refs/heads/main "$view_old"
nidb=$(node_nid "$B")
sqlite3 "$A/index.sqlite" "DELETE FROM branches WHERE nid = '$nidb'" 2>/dev/null ||
	rm -f "$A"/index.sqlite*

touch "$FULL"
check "A starts on a full disk" start_a
check "the log says the disk is full and what waits" \
	grep -qi 'no space left on device' "$A.log"
check "B's lesson is shown (from git)" has_record "$A" "$idb"
check "status answers" kctl "$A" status
kctl "$A" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md" >"$T/out" 2>"$T/err"
check "publishing fails with a clear error" grep -qi 'no space left on device' "$T/err"
check "the view is still one change behind" \
	test "$(git -C "$A/repo.git" rev-parse refs/heads/main)" = "$view_old"

rm -f "$FULL"
check "with space again the view is written (without any new change)" poll 15 bash -c \
	"git -C '$A/repo.git' ls-tree -r refs/heads/main | grep -q '$idb'"
check "and the search index holds B's lesson" poll 15 bash -c \
	"'$KNOWCTL' --home '$A' search --json '' | grep -q '$idb'"
ida=$(kctl "$A" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md") || fail "publish with space"
check "the new lesson is listed" has_record "$A" "$ida"
check "fsck --strict and stock git verify-commit on A" git_clean "$A"
finish
