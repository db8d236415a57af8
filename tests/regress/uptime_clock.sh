#!/usr/bin/env bash
# Clocks (issue 12, item 9): B runs two days behind, D forty days behind
# (libfaketime), A and C on time, in a star around A. A warns about both
# clocks once; B still learns C by peer exchange, and C's lessons reach B
# (NODE and ANNOUNCE judged against the relaying peer's clock too); what
# is dropped as stale is said at the default log level, with a count.
. "$(dirname "$0")/lib.sh"

FT=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FT" ] || { echo "SKIP: libfaketime is not installed (apt install faketime)"; exit 0; }
A=$T/a B=$T/b C=$T/c D=$T/d
node_init "$A" "Kreis Soest" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Lippstadt" --listen 127.0.0.1:0 || fail "init B"
node_init "$C" "Stadt Werl" --listen 127.0.0.1:0 || fail "init C"
node_init "$D" "Gemeinde Möhnesee" --listen 127.0.0.1:0 || fail "init D"
for h in "$A" "$B" "$C" "$D"; do echo "sync_interval = 2" >>"$h/knowd.conf"; done
# start_skewed HOME OFFSET: knowd on a clock OFFSET off (monotonic time is not faked).
start_skewed() {
	FAKETIME="$2" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1 \
		ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" \
		LD_PRELOAD=$FT node_start "$1"
}
node_start "$A" || { fail "start A"; finish; }
pin_port "$A"
start_skewed "$B" -2d || { fail "start B"; finish; }
node_start "$C" || { fail "start C"; finish; }
start_skewed "$D" -40d || { fail "start D"; finish; }
for h in "$A" "$B" "$C" "$D"; do
	for o in "$A" "$B" "$C" "$D"; do
		[ "$h" = "$o" ] || kctl "$h" trust add "$(cat "$o.did")" --name "$(basename "$o")" >/dev/null
	done
done
for h in "$B" "$C" "$D"; do
	kctl "$h" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null || fail "peer add"
done
check "all three connect to A" poll 15 bash -c \
	"[ \$('$KNOWCTL' --home '$A' peers | grep -c ready) = 3 ]"
check "A warns that B's clock is two days behind" poll 5 \
	grep -q "peer $(node_nid "$B"): its clock is 17[0-9]* s behind ours" "$A.log"
check "A warns that D's clock is forty days behind" poll 5 \
	grep -q "peer $(node_nid "$D"): its clock is 34[0-9]* s behind ours" "$A.log"
check "B warns that A's clock is ahead" poll 5 grep -q "its clock is 17[0-9]* s ahead of ours" "$B.log"
check "one warning per connection" test "$(grep -c "peer $(node_nid "$B"): its clock" "$A.log")" = 1

known() { kctl "$1" status --json --branches | json_get known_nodes | grep -q "$(cat "$2.did")"; }
check "B, two days behind, learns C by peer exchange" poll 20 known "$B" "$C"
id=$(kctl "$C" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md")
check "C's lesson reaches B" poll 15 has_record "$B" "$id"
check "B took C's ANNOUNCE (not only the next anti-entropy round)" \
	bash -c "! grep -qi 'announce of $(node_nid "$C") dropped' '$B.log'"
idd=$(kctl "$D" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md")
check "D's forty-day-old ANNOUNCE is dropped on A, said at the default level" poll 10 \
	grep -q "warning: peer $(node_nid "$D"): ANNOUNCE of $(node_nid "$D") dropped: signed 34[0-9]* s behind our clock" "$A.log"
check "D's lesson still reaches A (anti-entropy carries no time)" poll 30 has_record "$A" "$idd"
finish
