#!/usr/bin/env bash
# Desk, header mode (web_auth = header X-Remote-User): the user name header
# a reverse proxy sets is trusted only from a loopback peer. The test runs
# in a network namespace of its own (unshare -rn) with a second, non-loopback
# address 10.77.0.1 on its lo: a request from there carrying the header is
# treated as anonymous (303 to the login); from 127.0.0.1 it signs in. Off
# by default: then the header counts for nothing, even from loopback.
if [ -z "${DESK_NETNS:-}" ]; then
	if unshare -rn true 2>/dev/null; then
		DESK_NETNS=1 exec unshare -rn bash "$0" "$@"
	fi
	echo "FAIL: unshare -rn (a user and network namespace) is not available" >&2
	exit 1
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/desk_lib.sh"

ip link set lo up && ip addr add 10.77.0.1/32 dev lo || { fail "namespace address"; finish; }
A=$T/a
node_init "$A" "Stadt Münster" --kind municipality --listen 127.0.0.1:0 || { fail "init"; finish; }
echo "http = 0.0.0.0:0" >>"$A/knowd.conf"
node_start "$A" || { fail "start"; finish; }
check "user add anna" desk_user "$A" anna author 'Anna-geheim-2026!'
PORT=$(kctl "$A" status --json | json_get http | sed 's/.*://')

# code ADDRESS [CURL ARGS]: the status of GET /redaktion/ from ADDRESS.
code() {
	local a=$1
	shift
	curl -s -o "$T/page.html" -w '%{http_code}' --interface "$a" "$@" "http://$a:$PORT/redaktion/"
}
check "off by default: the header from loopback is ignored" test "$(code 127.0.0.1 -H 'X-Remote-User: anna')" = 303
check "over plain http from elsewhere the login page asks for HTTPS" bash -c \
    "curl -s --interface 10.77.0.1 'http://10.77.0.1:$PORT/redaktion/anmelden' | grep -q 'braucht eine HTTPS-Verbindung'"
check "... not on loopback" bash -c \
    "! curl -s 'http://127.0.0.1:$PORT/redaktion/anmelden' | grep -q 'braucht eine HTTPS-Verbindung'"
check "... nor behind a TLS proxy" bash -c \
    "! curl -s --interface 10.77.0.1 -H 'X-Forwarded-Proto: https' 'http://10.77.0.1:$PORT/redaktion/anmelden' | grep -q 'braucht eine HTTPS-Verbindung'"

node_stop "$A"
echo "web_auth = header X-Remote-User" >>"$A/knowd.conf"
check "knowd -n prints the setting back" bash -c "'$KNOWD' -n --home '$A' | grep -qx 'web_auth = header X-Remote-User'"
node_start "$A" || { fail "restart"; finish; }
PORT=$(kctl "$A" status --json | json_get http | sed 's/.*://')
check "from loopback the header signs in" test "$(code 127.0.0.1 -H 'X-Remote-User: anna')" = 200
check "... as anna" grep -q 'class="who">anna' "$T/page.html"
check "... with a session for the CSRF token" grep -q 'name="csrf" value="[0-9a-f]\{64\}"' "$T/page.html"
check "an unknown name from loopback: 303" test "$(code 127.0.0.1 -H 'X-Remote-User: mallory')" = 303
check "no header from loopback: 303" test "$(code 127.0.0.1)" = 303
check "the peer 10.77.0.1 is not loopback: its header is ignored (303)" \
    test "$(code 10.77.0.1 -H 'X-Remote-User: anna')" = 303
check "... and it was really connected from 10.77.0.1" bash -c \
    "curl -s -o /dev/null -w '%{local_ip}' --interface 10.77.0.1 'http://10.77.0.1:$PORT/' | grep -qx 10.77.0.1"
check "in header mode the login page points to the single sign-on" bash -c \
    "curl -s 'http://127.0.0.1:$PORT/redaktion/anmelden' | grep -q 'Single Sign-on'"
check "in header mode a password does not sign in: 403" bash -c \
    "curl -s -o /dev/null -w '%{http_code}' --data-urlencode name=anna --data-urlencode 'password=Anna-geheim-2026!' 'http://127.0.0.1:$PORT/redaktion/anmelden' | grep -qx 403"
check "bad config values are refused" bash -c "echo 'web_auth = header X Y' >>'$A/knowd.conf' && ! '$KNOWD' -n --home '$A' 2>/dev/null"
finish
