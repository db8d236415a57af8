#!/usr/bin/env bash
# Sync between nodes: A–B–C in a line; publish, edit, retract propagate; a
# restarted node catches up; views converge; stock git verifies everything;
# other networks, wrong node ids and untrusted nodes are kept out.
. "$(dirname "$0")/lib.sh"

A=$T/a B=$T/b C=$T/c
node_init "$A" "Stadt Münster" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Paderborn" --listen 127.0.0.1:0 || fail "init B"
node_init "$C" "Wissenschaftsstadt Darmstadt" --listen 127.0.0.1:0 || fail "init C"
for h in "$A" "$B" "$C"; do node_start "$h" || { fail "start $h"; finish; }; pin_port "$h"; done

# Everyone trusts everyone (with knowctl); B dials A, C dials B: a line A–B–C.
for h in "$A" "$B" "$C"; do
	for o in "$A" "$B" "$C"; do
		[ "$h" = "$o" ] && continue
		kctl "$h" trust add "$(cat "$o.did")" --name "$(basename "$o")" || fail "trust add"
	done
done
check "trust add is kept in knowd.conf" grep -q "^trust = $(cat "$B.did") b" "$A/knowd.conf"
check "trust list shows two nodes" test "$(kctl "$A" trust list | grep -c .)" = 2
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" || fail "peer add B→A"
kctl "$C" peer add "$(node_addr "$B")" || fail "peer add C→B (no NID)"
check "peer add is kept in knowd.conf" grep -q "^peer = " "$C/knowd.conf"
check "A and B connect" poll 10 bash -c "'$KNOWCTL' --home '$A' peers | grep -q ready"
check "B's peers lists A: id, name, address, direction" \
	poll 10 bash -c "'$KNOWCTL' --home '$B' peers | grep -q \"$(cat "$A.did").*Stadt Münster.*out.*ready\""
check "the three views converge (node.md of each)" poll 15 views_equal "$A" "$B" "$C"

# Publish on A: the lesson reaches B and C, signatures verified.
id=$(kctl "$A" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md")
start=$(date +%s%N)
check "published on A appears on B" poll 10 has_record "$B" "$id"
check "published on A appears on C (via B)" poll 10 has_record "$C" "$id"
echo "  A→C took $(( ($(date +%s%N) - start) / 1000000 )) ms"
check "views equal after publish" poll 10 views_equal "$A" "$B" "$C"

# An edit propagates.
kctl "$A" show "$id" | sed 's/^title: .*/title: Pilotstraße, zweiter Abschnitt/' >"$T/edit.md"
sleep 1.1
kctl "$A" publish "$T/edit.md" >/dev/null || fail "edit on A"
check "the edit reaches C" poll 10 bash -c "'$KNOWCTL' --home '$C' show '$id' | grep -q 'zweiter Abschnitt'"
# A retraction propagates.
kctl "$A" retract "$id" >/dev/null || fail "retract on A"
check "the retraction reaches C" poll 10 lacks_record "$C" "$id"

# B is down while A publishes; after a restart it (and C behind it) catches up.
node_stop "$B"
id2=$(kctl "$A" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md")
id3=$(kctl "$C" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md")
node_start "$B" || fail "restart B"
check "restarted B catches up with A" poll 20 has_record "$B" "$id2"
check "C gets A's lesson published while B was down" poll 20 has_record "$C" "$id2"
check "A gets C's lesson published while B was down" poll 20 has_record "$A" "$id3"
check "views equal after the restart" poll 20 views_equal "$A" "$B" "$C"
for h in "$A" "$B" "$C"; do
	check "$(basename "$h"): knowctl verify" kctl "$h" verify
	check "$(basename "$h"): fsck --strict and stock git verify-commit on every branch" git_clean "$h"
done

# Another network: handshake fails, nothing learned.
D=$T/d
node_init "$D" "Fremdnetz" --listen 127.0.0.1:0 --network anderes-netz || fail "init D"
node_start "$D" || fail "start D"
kctl "$D" trust add "$(cat "$A.did")" >/dev/null
kctl "$D" peer add "$(node_addr "$A")" >/dev/null
check "a node of another network is refused at the handshake" \
	poll 10 grep -q "handshake" "$D.log"
check "it never becomes ready" bash -c "! '$KNOWCTL' --home '$D' peers | grep -q ready"
check "it holds nothing of A" bash -c "[ \$('$KNOWCTL' --home '$D' status --branches --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"nodes\"]))') = 1 ]"

# A dialer expecting another node id hangs up.
E=$T/e
node_init "$E" "Gemeinde Irrtum" --listen 127.0.0.1:0 || fail "init E"
node_start "$E" || fail "start E"
kctl "$E" peer add "$(cat "$C.did")@$(node_addr "$A")" >/dev/null
check "a dialer expecting C but reaching A hangs up" poll 10 grep -q "expected node" "$E.log"
check "and is not connected" bash -c "! '$KNOWCTL' --home '$E' peers | grep -q ready"

# An untrusted node's lessons are neither stored nor passed on.
F=$T/f
node_init "$F" "Unbekannte Gemeinde" --listen 127.0.0.1:0 || fail "init F"
node_start "$F" || fail "start F"
kctl "$F" trust add "$(cat "$A.did")" >/dev/null
idf=$(kctl "$F" publish - <"$ROOT/contrib/examples/winterberg-arbeitskreise.md")
kctl "$F" peer add "$(node_addr "$A")" >/dev/null
check "F connects to A" poll 10 bash -c "'$KNOWCTL' --home '$F' peers | grep -q ready"
# F trusts A, but A does not admit F (PROTOCOL.md §4.8): it is told why and
# gets nothing (before issue 14 it read all of A's branches).
check "F is told it is not admitted by A" poll 10 grep -q "error 5: not admitted here" "$F.log"
check "F gets nothing of A's branch (A does not admit F)" lacks_record "$F" "$id2"
check "A does not store F's lesson" lacks_record "$A" "$idf"
check "A holds no branch of F" bash -c "! git -C '$A/repo.git' show-ref | grep -q '$(node_nid "$F")'"
check "C does not get F's lesson" lacks_record "$C" "$idf"
# Trusting F later brings its lesson in; removing the trust drops it again.
kctl "$A" trust add "$(cat "$F.did")" >/dev/null
check "after trust add, A fetches F's lesson" poll 10 has_record "$A" "$idf"
check "… and now serves F its branch" poll 10 has_record "$F" "$id2"
kctl "$A" trust remove "$(cat "$F.did")" >/dev/null
check "after trust remove, A drops F's branch" lacks_record "$A" "$idf"
check "and the config line is gone" bash -c "! grep -q '$(cat "$F.did")' '$A/knowd.conf'"
check "comments in knowd.conf survive edits" grep -q "^# knowd configuration" "$A/knowd.conf"

# SIGHUP reloads knowd.conf: trust edited by hand takes effect, peers stay connected.
since_b=$(kctl "$A" peers --json | python3 -c "import json,sys; print([p['since'] for p in json.load(sys.stdin) if p['id']=='$(cat "$B.did")'][0])")
echo "trust = $(cat "$F.did") Unbekannte Gemeinde" >>"$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"
check "after SIGHUP, A fetches F's lesson" poll 10 has_record "$A" "$idf"
check "the connection to B survived the reload" test "$(kctl "$A" peers --json | python3 -c "import json,sys; print([p['since'] for p in json.load(sys.stdin) if p['id']=='$(cat "$B.did")'][0])")" = "$since_b"
echo "lissten = nonsense" >>"$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"
check "a bad line on SIGHUP is refused and logged" poll 10 grep -q "reload refused" "$A.log"
check "and A keeps running" kctl "$A" status
finish
