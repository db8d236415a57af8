#!/usr/bin/env bash
# Slots (issue 13, item 3): strangers must not take every inbound slot.
# 1. 64 TCP connections that send 32 bytes and never finish a handshake
#    (reopened within 0.2 s when A closes one) fill no slot a trusted node
#    needs: the oldest half-open connection gives way to a new one.
# 2. With max_peers_in = 3 taken by three stranger nodes (fresh keys, trusted
#    by nobody), a trusted node dialing in still gets a slot: the least
#    wanted stranger gives way, and a stranger redialing does not take it back.
. "$(dirname "$0")/lib.sh"

A=$T/a B=$T/b
node_init "$A" "Stadt Münster" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Paderborn" --listen 127.0.0.1:0 || fail "init B"
node_start "$A" || { fail "start A"; finish; }
pin_port "$A"
node_start "$B" || { fail "start B"; finish; }
kctl "$A" trust add "$(cat "$B.did")" --name b >/dev/null
kctl "$B" trust add "$(cat "$A.did")" --name a >/dev/null
port=$(node_addr "$A" | sed 's/.*://')

# 1. The half-open flood, held by a child we stop by its PID.
"$PY" - "$port" "$T/flood.ready" <<'EOF' &
import socket, sys, time
port, flag = int(sys.argv[1]), sys.argv[2]
socks = []
def one():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"\x00\x64" + b"x" * 30)  # a frame of 100 bytes, 30 sent
    s.setblocking(False)
    return s
for _ in range(64):
    try:
        socks.append(one())
    except OSError:
        pass
open(flag, "w").close()
while True:
    time.sleep(0.2)
    for i, s in enumerate(socks):
        try:
            if s.recv(1) == b"":
                raise OSError
        except BlockingIOError:
            continue
        except OSError:
            s.close()
            try:
                socks[i] = one()
            except OSError:
                pass
EOF
flood=$!
PIDS+=("$flood")
check "the flood holds its connections" poll 10 test -f "$T/flood.ready"
start=$(date +%s%N)
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null
check "B connects to A during the flood" poll 10 bash -c \
	"'$KNOWCTL' --home '$A' peers | grep -q '$(cat "$B.did").*ready'"
echo "  B was ready on A after $(( ($(date +%s%N) - start) / 1000000 )) ms"
check "A logs that the oldest handshakes gave way" grep -q 'the oldest gives way' "$A.log"
kill "$flood"; wait "$flood" 2>/dev/null
kctl "$B" peer remove "$(cat "$A.did")@$(node_addr "$A")" >/dev/null 2>&1 ||
	kctl "$B" peer remove "$(node_addr "$A")" >/dev/null 2>&1
node_stop "$B"
check "B is gone from A" poll 10 bash -c "! '$KNOWCTL' --home '$A' peers | grep -q '$(cat "$B.did")'"

# 2. Three strangers take the three inbound slots (knowd.conf reloaded).
echo "max_peers_in = 3" >>"$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"
check "A reloads knowd.conf" poll 10 grep -q 'configuration reloaded' "$A.log"
for s in 1 2 3; do
	S=$T/s$s
	node_init "$S" "Irgendwer $s" --listen 127.0.0.1:0 || fail "init stranger $s"
	node_start "$S" || fail "start stranger $s"
	kctl "$S" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null
done
check "the strangers hold A's three inbound slots" poll 10 bash -c \
	"[ \$('$KNOWCTL' --home '$A' peers | grep -c ready) = 3 ]"
node_start "$B" || fail "restart B"
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null 2>&1
check "trusted B gets a slot" poll 10 bash -c \
	"'$KNOWCTL' --home '$A' peers | grep -q '$(cat "$B.did").*ready'"
check "a stranger gave way to B" grep -q "inbound slot goes to $(node_nid "$B")" "$A.log"
# The strangers redial (every few seconds at first): B keeps its slot.
sleep_until=$(( $(date +%s) + 6 ))
ok=1
while [ "$(date +%s)" -lt "$sleep_until" ]; do
	kctl "$A" peers | grep -q "$(cat "$B.did").*ready" || ok=0
	sleep 0.2
done
check "B keeps its slot while strangers redial" test "$ok" = 1
check "three inbound peers ready, no more" bash -c \
	"[ \$('$KNOWCTL' --home '$A' peers | awk '\$(NF-6) == \"in\" && \$(NF-5) == \"ready\"' | wc -l) = 3 ]"
id=$(kctl "$B" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md")
check "B's lesson reaches A" poll 10 has_record "$A" "$id"
finish
