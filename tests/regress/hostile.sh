#!/usr/bin/env bash
# Hostile peers: a real knowd faces tests/tools/evilpeer, a node it trusts that
# speaks the real protocol and then sends garbage, stalls, bombs, forges or
# serves bad history. After each scenario the target still answers, holds
# exactly what it held, logs whom it refused and why, stays within a memory
# bound, and its repository is whole with no quarantine left behind.
# Meanwhile a trusted honest node publishes: for the pack classes of issue
# 13 (delta and zlib bombs, unreachable extras, a bad ident, unsorted and
# duplicate trees, another node's record id) its lesson must reach the
# target within 2 s while the target's peak RSS stays under 64 MB and
# stock `git fsck --strict` stays clean. HOSTILE_CLASSES="a b" runs only
# those classes (all by default).
. "$(dirname "$0")/lib.sh"

EVIL=${EVILPEER_BIN:-$ROOT/$BUILD/tests/tools/evilpeer}
NET=hostile-test
RSS_MAX_MB=100		# the target's peak RSS (VmHWM): ~50 MB under ASan, 12 without
RSS_STEP_MB=16		# growth of that peak in one scenario: at most ~4 MB seen
RSS_GROWTH_MB=40	# VmRSS growth from the first fetch to the last good one
RSS_PACK_MB=64		# peak RSS while a hostile pack is handled (issue 13)
# ASan keeps freed memory in quarantine (+3-4 MB a scenario here): under it
# the general bound holds instead.
ldd "$KNOWD" 2>/dev/null | grep -q libasan && RSS_PACK_MB=$RSS_MAX_MB
DELAY_MAX_MS=2000	# an honest publish reaches the target meanwhile
CLASSES=${HOSTILE_CLASSES:-deltabomb zlibbomb extras badextras badident unsorted duptree dupid}
TG=$T/tg
EV=$T/ev
HN=$T/hn
EVPID=
trap '[ -n "$EVPID" ] && kill -KILL "$EVPID" 2>/dev/null; cleanup' EXIT

[ -x "$EVIL" ] || { fail "no $EVIL: make BUILD=$BUILD $BUILD/tests/tools/evilpeer"; finish; }

# evil SCENARIO [ARGS...]: runs evilpeer as the evil node against the target,
# killing it by PID after 90 s; prints its output, keeps it in $T/SCENARIO.out.
evil() {
	local sc=$1 i=0 rc; shift
	"$EVIL" --home "$EV" --connect "$ADDR" --network "$NET" --base "$EVHEAD" \
	    "$@" "$sc" >"$T/$sc.out" 2>&1 &
	EVPID=$!
	while kill -0 "$EVPID" 2>/dev/null && [ "$i" -lt 900 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$EVPID" 2>/dev/null; then
		kill -KILL "$EVPID"
		echo "evilpeer killed after 90 s" >>"$T/$sc.out"
	fi
	wait "$EVPID"
	rc=$?
	EVPID=
	sed "s/^/    $sc | /" "$T/$sc.out"
	return "$rc"
}

tg_status() { kctl "$TG" status --json; }
# state: the target's view tree and the head it holds for the evil node.
state() {
	git -C "$TG/repo.git" rev-parse 'refs/heads/main^{tree}' \
	    "refs/namespaces/$evnid/refs/heads/main" 2>/dev/null | tr '\n' ' '
}
evil_head_is() { state | grep -q " $1 \$"; }
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$TGPID/status"; }
no_quarantine() { ! ls -d "$TG"/repo.git/objects/incoming-* 2>/dev/null; }
fsck_clean() { git -C "$TG/repo.git" fsck --strict --no-dangling 2>&1; }
# no_peers: no connection of the evil node left (the honest one stays).
no_peers() { ! kctl "$TG" peers --json | grep -q "$evnid"; }
log_has() { tail -c +$((LOGOFF + 1)) "$TG.log" | grep -Eq "$1"; }
out_has() { grep -Eq "$2" "$T/$1.out"; }
# conns SCENARIO: the local address of each of its connections.
conns() { sed -n 's/^conn [0-9]*: local //p' "$T/$1.out"; }
# every_conn SCENARIO REGEX: each connection's lines match REGEX.
every_conn() {
	local n
	for n in $(sed -n 's/^conn \([0-9]*\): local .*/\1/p' "$T/$1.out"); do
		grep -Eq "^conn $n: .*$2" "$T/$1.out" || return 1
	done
}
tip() { sed -n 's/^tip: \([0-9a-f]*\) .*/\1/p' "$T/$1.out"; }
# not_held OID: the target's repository lacks the object (and OID is one).
not_held() { [ -n "$1" ] && ! git -C "$TG/repo.git" cat-file -e "$1" 2>/dev/null; }

# refused SCENARIO LOGREGEX: the log says why, for each connection when the
# regex holds @ADDR@ (the connection's address as the target sees it).
refused() {
	local sc=$1 pat=$2 a
	if [ "${pat#*@ADDR@}" = "$pat" ]; then
		check "$sc: target logs the refusal /$pat/" poll 30 log_has "$pat"
		return
	fi
	for a in $(conns "$sc"); do
		check "$sc: target logs the refusal of $a" \
		    poll 30 log_has "${pat//@ADDR@/${a//./\\.}}"
	done
}

# survived SCENARIO: the target is alive, unchanged, whole and within bounds.
survived() {
	local sc=$1 rss hwm
	check "$sc: target still answers" kctl "$TG" status
	check "$sc: target process alive" kill -0 "$TGPID"
	check "$sc: view and evil branch head unchanged" test "$(state)" = "$STATE"
	check "$sc: no objects/incoming-* left" no_quarantine
	check "$sc: git fsck of the target" fsck_clean
	rss=$(kb VmRSS)
	hwm=$(kb VmHWM)
	echo "    $sc | target VmRSS $((rss / 1024)) MB, VmHWM $((hwm / 1024)) MB"
	check "$sc: peak RSS $((hwm / 1024)) MB under $RSS_MAX_MB MB" \
	    test "$hwm" -lt $((RSS_MAX_MB * 1024))
	check "$sc: peak RSS grew $(((hwm - HWM) / 1024)) MB, at most $RSS_STEP_MB MB" \
	    test $((hwm - HWM)) -lt $((RSS_STEP_MB * 1024))
	HWM=$hwm
}

# run SCENARIO [ARGS...]: runs it once the target has let go of the last one.
run() {
	local sc=$1; shift
	poll 10 no_peers || fail "$sc: an earlier connection lingers"
	LOGOFF=$(stat -c %s "$TG.log")
	evil "$sc" "$@" || fail "$sc: evilpeer could not run its part"
}

# pack_refused SCENARIO REASON: the target asked for the pack, refused it for
# REASON, dropped the peer, and kept none of its objects.
pack_refused() {
	local sc=$1 why=$2
	run "$sc"
	check "$sc: target sent WANT for the forged head" out_has "$sc" "recv: WANT"
	check "$sc: evilpeer served the pack" out_has "$sc" "sent: PACK"
	check "$sc: target closed the connection" out_has "$sc" "reaction: closed"
	refused "$sc" "peer ($evnid|\(gone\))( \(gone\))?: pack rejected, nothing changed: .*$why"
	check "$sc: forged tip not in the target's objects" not_held "$(tip "$sc")"
	survived "$sc"
}

# Two nodes: the evil one (not running; evilpeer uses its key and repo.git)
# and the target, which trusts it and drops idle peers after 3 s.
node_init "$EV" "Gemeinde Ungut" --listen 127.0.0.1:0 --network "$NET" || { fail "init evil node"; finish; }
node_init "$TG" "Stadt Zielheim" --listen 127.0.0.1:0 --network "$NET" || { fail "init target"; finish; }
evdid=$(cat "$EV.did")
evnid=${evdid#did:key:}
sed -i 's/^idle_timeout = .*/idle_timeout = 3/' "$TG/knowd.conf"
echo "trust = $evdid Gemeinde Ungut" >>"$TG/knowd.conf"
# The honest node, trusted by the target; it dials the target and keeps
# the connection alive under the target's 3 s idle timeout.
node_init "$HN" "Stadt Redlich" --listen 127.0.0.1:0 --network "$NET" || { fail "init honest node"; finish; }
hndid=$(cat "$HN.did")
hnnid=${hndid#did:key:}
echo "trust = $hndid Stadt Redlich" >>"$TG/knowd.conf"
sed -i 's/^keepalive = .*/keepalive = 1/' "$HN/knowd.conf"
# It admits the target it dials: a node serves only peers it admits
# (PROTOCOL.md §4.8), and the target must get its honest publishes.
echo "admit = $(cat "$TG.did")" >>"$HN/knowd.conf"
grep -q '^keepalive' "$HN/knowd.conf" || echo "keepalive = 1" >>"$HN/knowd.conf"

# The evil node's honest history: one published lesson (seq 2).
node_start "$EV" || { fail "start evil node"; finish; }
kctl "$EV" new | fill_draft "Vom bösen Knoten" >"$T/lesson.md"
kctl "$EV" publish "$T/lesson.md" >/dev/null || fail "evil node publishes"
node_stop "$EV" || fail "evil node stops"
EVHEAD=$(git -C "$EV/repo.git" rev-parse "refs/namespaces/$evnid/refs/heads/main")

# Refused packs are penalised (net/penalty.c); the classes below come from
# one evil node in a row, so the penalty is off until its own section.
KNOWD_TEST_PENALTY_SECS=0 node_start "$TG" || { fail "start target"; finish; }
TGPID=$LASTPID
HWM=$(kb VmHWM)
ADDR=$(tg_status | json_get listen)
echo "peer = $ADDR" >>"$HN/knowd.conf"
node_start "$HN" || { fail "start honest node"; finish; }
kctl "$HN" new | fill_draft "Vom ehrlichen Knoten" >"$T/hn-lesson.md"
HNID=$(kctl "$HN" publish "$T/hn-lesson.md") || fail "honest node publishes"
hn_head() { git -C "$HN/repo.git" rev-parse "refs/namespaces/$hnnid/refs/heads/main"; }
tg_has_hn() { test "$(git -C "$TG/repo.git" rev-parse "refs/namespaces/$hnnid/refs/heads/main" 2>/dev/null)" = "$1"; }
check "honest node: its first lesson reached the target" poll 20 tg_has_hn "$(hn_head)"

# First the honest branch, so the target knows a head to defend.
run honest
check "honest: target fetched the evil node's branch" poll 20 evil_head_is "$EVHEAD"
STATE=$(state)
check "honest: status shows the same view" test "$(tg_status | json_get view) $EVHEAD " = "$STATE"
RSS0=$(kb VmRSS)
survived honest

run garbage
check "garbage: target hung up" every_conn garbage "reaction: closed"
refused garbage "peer @ADDR@ \(in\): closed: (handshake|empty frame)"
survived garbage

run bigframe
check "bigframe: target hung up" every_conn bigframe "reaction: closed"
refused bigframe "peer @ADDR@ \(in\): closed: handshake: .*65535"
survived bigframe

run stall --wait 10
secs=$(sed -n 's/.*reaction: closed \([0-9.]*\) s.*/\1/p' "$T/stall.out")
check "stall: target closed a half-sent frame after its idle timeout (${secs:-never} s)" \
    awk -v s="${secs:-99}" 'BEGIN { exit !(s >= 2.5 && s <= 6) }'
refused stall "peer $evnid \(@ADDR@, in\): closed: idle for"
survived stall

run bomb
check "bomb: every bomb got an ERROR" every_conn bomb "recv: ERROR"
check "bomb: every bomb got the connection closed" every_conn bomb "reaction: closed"
refused bomb "warning: peer $evnid \(@ADDR@\): .+"
survived bomb

run forged
check "forged: both ANNOUNCEs got an ERROR" every_conn forged "recv: ERROR 1: .*signature"
check "forged: both connections closed" every_conn forged "reaction: closed"
check "forged: target never asked for the forged head" sh -c "! grep -q 'recv: WANT' '$T/forged.out'"
refused forged "peer $evnid \(@ADDR@\): ANNOUNCE: bad signature"
survived forged

pack_refused unsigned "commit [0-9a-f]+: not signed"
pack_refused wrongkey "commit [0-9a-f]+: bad signature"
pack_refused seqgap "Knowd-Seq jumps from [0-9]+ to [0-9]+"
# A validly signed head that does not descend from ours is a fork: kept as
# proof, never followed nor relayed. One whose history is not signed is refused.
run nodescend
ftip=$(tip nodescend)
check "nodescend: target sent WANT for the forged head" out_has nodescend "recv: WANT"
refused nodescend "branch $evnid: fork detected at $ftip"
check "nodescend: fork kept as proof" git -C "$TG/repo.git" rev-parse --verify -q \
    "refs/namespaces/$evnid/refs/forks/$ftip"
check "nodescend: status shows the fork" sh -c "'$KNOWCTL' --home '$TG' status --json | grep -q '$ftip'"
survived nodescend
pack_refused badfork "commit [0-9a-f]+: not signed"
pack_refused badpath "evil\.sh: path not allowed"
pack_refused truncated "pack (rejected: |object [0-9]+ )"
pack_refused badrecord "lessons/[0-9A-Z]+\.md: "

# After all that, a flawless next commit from the same node is still taken.
run good
gtip=$(tip good)
check "good: target took the evil node's next good commit" poll 20 evil_head_is "$gtip"
check "good: log names the new commit" poll 10 log_has "branch $evnid: \+1 commit"
check "good: view moved" sh -c "test '$(state)' != '$STATE'"
EVHEAD=$gtip
STATE=$(state)
survived good
rss=$(kb VmRSS)
check "RSS grew $(((rss - RSS0) / 1024)) MB over the run, at most $RSS_GROWTH_MB MB" \
    test $((rss - RSS0)) -lt $((RSS_GROWTH_MB * 1024))

# CPU seconds (user + system) the target has used, in hundredths.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$TGPID/stat"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# attack CLASS LOGREGEX [ARGS...]: the evil node serves a hostile pack of
# CLASS; as soon as it is sent the honest node publishes. The target must
# take the honest lesson within DELAY_MAX_MS, refuse the hostile pack for
# LOGREGEX, keep its peak RSS under RSS_PACK_MB and its repository clean
# for stock git fsck --strict.
attack() {
	local sc=$1 why=$2 cpu0 t0 head delay hwm epid; shift 2
	poll 10 no_peers || fail "$sc: an earlier connection lingers"
	LOGOFF=$(stat -c %s "$TG.log")
	cpu0=$(cpu_ticks)
	evil "$sc" "$@" >"$T/$sc.evil" 2>&1 &
	epid=$!
	poll 60 out_has "$sc" "sent: PACK" || fail "$sc: evilpeer sent no pack"
	kctl "$HN" new | fill_draft "Vom ehrlichen Knoten, $sc" >"$T/hn-$sc.md"
	t0=$(now_ms)
	kctl "$HN" publish "$T/hn-$sc.md" >/dev/null || fail "$sc: honest node publishes"
	head=$(hn_head)
	poll 60 tg_has_hn "$head"
	delay=$(($(now_ms) - t0))
	wait "$epid" || fail "$sc: evilpeer could not run its part"
	cat "$T/$sc.evil"
	check "$sc: the honest publish reached the target in $delay ms, at most $DELAY_MAX_MS" \
	    test "$delay" -le "$DELAY_MAX_MS"
	check "$sc: target sent WANT for the forged head" out_has "$sc" "recv: WANT"
	check "$sc: target closed the connection" out_has "$sc" "reaction: closed"
	refused "$sc" "peer ($evnid|\(gone\))( \(gone\))?: pack rejected, nothing changed: .*$why"
	check "$sc: forged tip not in the target's objects" not_held "$(tip "$sc")"
	check "$sc: evil branch head unchanged" evil_head_is "$EVHEAD"
	check "$sc: stock git fsck --strict of the target is clean" fsck_clean
	hwm=$(kb VmHWM)
	echo "    $sc | figures: delay $delay ms, target CPU $(( ($(cpu_ticks) - cpu0) * 10 )) ms, VmHWM $((hwm / 1024)) MB"
	check "$sc: peak RSS $((hwm / 1024)) MB under $RSS_PACK_MB MB" \
	    test "$hwm" -lt $((RSS_PACK_MB * 1024))
	STATE=$(state)
	survived "$sc"
}

for c in $CLASSES; do
	case $c in
	deltabomb) attack deltabomb "delta result of [0-9]+ bytes, larger than 1048576 bytes" ;;
	zlibbomb) attack zlibbomb "blob at offset [0-9]+\): 1073741824 bytes, larger than 1048576 bytes" ;;
	extras) attack extras "pack object [0-9a-f]+ is not reachable from the heads asked for" ;;
	badextras) attack badextras "pack object [0-9a-f]+ \((commit|tree)\): (invalid author|not properly sorted|contains duplicate)" ;;
	badident) attack badident "invalid author/committer line - missing space before email" ;;
	unsorted) attack unsorted "not properly sorted" ;;
	duptree) attack duptree "contains duplicate file entries" ;;
	dupid) attack dupid "record id $HNID is already held by node $hnnid" --lesson-id "$HNID" ;;
	*) fail "no class $c" ;;
	esac
done

# Last, as it once left the peak RSS high: a 32 MiB file in a 32 KiB pack.
# A record is at most 256 KiB, so the target must refuse it without ever
# holding it: packscan refuses the blob's declared 32 MiB before anything
# inflates it (the per-object limit, 1 MiB).
pack_refused bigblob "larger than [0-9]+ bytes"

# The penalty (issue 13): after a refused pack nothing is asked of the peer
# for a while (first wait 2 s here, doubling); from the third refusal its
# connections are refused as long.
node_stop "$TG"
KNOWD_TEST_PENALTY_SECS=2 node_start "$TG" || fail "restart target with the penalty"
TGPID=$LASTPID
ADDR=$(tg_status | json_get listen)
# want_again: one more bad pack offered; true when the target asked for it.
want_again() { poll 10 no_peers; evil badident >/dev/null 2>&1; out_has badident "recv: WANT"; }
run badident
check "penalty: the first bad pack is asked for and refused" out_has badident "recv: WANT"
check "penalty: the target says it waits" poll 10 log_has "pack refused \(1 time\(s\)\): asked for nothing for 2 s"
run badident
check "penalty: right after, the peer is asked for nothing" bash -c "! grep -q 'recv: WANT' '$T/badident.out'"
check "penalty: after the wait it is asked again (and refused a second time)" poll 20 want_again
check "penalty: a third refusal after a longer wait" poll 30 want_again
check "penalty: the third refusal bans the peer" poll 10 log_has "pack refused \(3 time\(s\)\).*connections refused"
poll 10 no_peers
LOGOFF=$(stat -c %s "$TG.log")
evil badident >/dev/null 2>&1	# it may not get to say its part
check "penalty: a banned peer's connection is refused, and the log says why" \
    poll 10 log_has "refused for [0-9]+ s more: its packs failed verification"
check "penalty: no WANT for the banned peer" bash -c "! grep -q 'recv: WANT' '$T/badident.out'"

node_stop "$HN"
node_stop "$TG"
rc=$?
check "target stops cleanly on SIGTERM (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -5 "$TG.log" >&2
# lib.sh's sanitizer_clean misses a lone asan.* (its ls fails on the absent
# ubsan.*), so look for each kind here.
if ls "$T"/asan.* >/dev/null 2>&1 || ls "$T"/ubsan.* >/dev/null 2>&1; then
	fail "sanitizer reports (target or evilpeer)"
	cat "$T"/asan.* "$T"/ubsan.* 2>/dev/null | head -40 >&2
fi
finish
