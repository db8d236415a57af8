#!/usr/bin/env bash
# Type=notify readiness: knowd sends READY=1 to $NOTIFY_SOCKET once it serves.
. "$(dirname "$0")/lib.sh"

A=$T/a
node_init "$A" "Stadt Münster" --listen 127.0.0.1:0 || fail "init"
# A datagram socket standing in for systemd's; the listener prints what it gets.
"$PY" - "$T/notify.sock" >"$T/notify.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    print(s.recv(4096).decode(), flush=True)
except socket.timeout:
    print("timeout", flush=True)
PY
listener=$!
poll 10 test -S "$T/notify.sock" || fail "listener socket"
NOTIFY_SOCKET=$T/notify.sock node_start "$A" || { fail "start"; finish; }
wait "$listener"
check "knowd sent READY=1" grep -qx "READY=1" "$T/notify.out"
check "and serves knowctl" kctl "$A" status
check "the unit asks for it" grep -qx "Type=notify" "$ROOT/contrib/systemd/knowd.service"
finish
