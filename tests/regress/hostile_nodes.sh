#!/usr/bin/env bash
# A NODE flood (issue 13, item 4): seven strangers send 3,000 self-signed
# NODEs each (21,000, fresh keys, one advertised address). A must still
# learn an honest node C its trusted peer B introduces afterwards, must not
# relay the flood to B faster than B takes it (B would drop A as flooding),
# must dial the one advertised address no more than its backoff allows, and
# must not grow by tens of megabytes.
. "$(dirname "$0")/lib.sh"

EVIL=${EVILPEER_BIN:-$ROOT/$BUILD/tests/tools/evilpeer}
[ -x "$EVIL" ] || { fail "no $EVIL: make BUILD=$BUILD $BUILD/tests/tools/evilpeer"; finish; }
NET=nodes-test
A=$T/a B=$T/b C=$T/c
for h in "$A:Stadt Münster" "$B:Stadt Paderborn" "$C:Stadt Soest"; do
	node_init "${h%%:*}" "${h#*:}" --listen 127.0.0.1:0 --network "$NET" || fail "init ${h#*:}"
done
# Under ASan freed memory waits in a quarantine (256 MB by default), which
# would hide what A keeps: a small one makes the RSS bound mean the same.
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4" node_start "$A" || { fail "start A"; finish; }
pin_port "$A"
node_start "$B" || { fail "start B"; finish; }
pin_port "$B"
for x in "$A:$B" "$B:$A" "$A:$C" "$B:$C"; do
	kctl "${x%%:*}" trust add "$(cat "${x#*:}.did")" --name n >/dev/null
done
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null
check "A and B connect" poll 10 bash -c "'$KNOWCTL' --home '$A' peers | grep -q ready"
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$(cat "$1.pid")/status"; }
rss0=$(rss_kb "$A")

for s in 1 2 3 4 5 6 7; do
	node_init "$T/e$s" "Irgendwer $s" --network "$NET" || fail "init stranger $s"
	EVIL_FLOOD_N=3000 "$EVIL" --home "$T/e$s" --connect "$(node_addr "$A")" \
		--network "$NET" --wait 1 nodeflood >"$T/e$s.out" 2>&1 || fail "stranger $s"
done
check "the strangers sent their NODEs" grep -q 'sent: 3000 NODEs' "$T/e7.out"
node_start "$C" || fail "start C"
# C trusts A and B now that it runs (the loop above could not reach it): a
# node sends its NODE only to peers it admits (PROTOCOL.md §4.8).
for x in "$A" "$B"; do kctl "$C" trust add "$(cat "$x.did")" --name n >/dev/null; done
kctl "$C" peer add "$(cat "$B.did")@$(node_addr "$B")" >/dev/null
known() { kctl "$1" status --json --branches | json_get known_nodes | grep -q "$(cat "$2.did")"; }
check "A learns C through B after the flood" poll 20 known "$A" "$C"
check "B never dropped A as flooding" bash -c "! grep -qi 'flood' '$B.log'"
check "A and B are still connected" bash -c "'$KNOWCTL' --home '$A' peers | grep -q '$(cat "$B.did").*ready'"
dials=$(grep -c 'gossip: dialing .* at 127.0.0.1:1$' "$A.log")
echo "  A dialed the strangers' address $dials time(s)"
check "A dialed the advertised address at most 4 times" test "$dials" -le 4
known_n=$(kctl "$A" status --json | json_get known)
echo "  A knows $known_n nodes; RSS $((rss0 / 1024)) → $(( $(rss_kb "$A") / 1024 )) MB"
# 4 MB without sanitizers; ASan's redzones and shadow about 20 (the old tree: +40 plain).
grow_mb=16
ldd "$KNOWD" 2>/dev/null | grep -q libasan && grow_mb=32
check "A's RSS grew by less than $grow_mb MB" test $(( $(rss_kb "$A") - rss0 )) -lt $((grow_mb * 1024))
id=$(kctl "$B" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md")
check "B's publish still reaches A within 2 s" poll 2 has_record "$A" "$id"
finish
