# lib.sh — helpers for regression tests: real daemons in temp homes on 127.0.0.1.
# Source it; it makes $T (a temp dir) and, on exit, stops every daemon it
# started (by the PIDs it recorded) and removes $T.
set -u
: "${BUILD:=build}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KNOWD=${KNOWD_BIN:-$ROOT/$BUILD/knowd}
KNOWCTL=${KNOWCTL_BIN:-$ROOT/$BUILD/knowctl}
T=$(mktemp -d "${TMPDIR:-/tmp}/knowd-regress.XXXXXX")
PIDS=()
FAILS=0
TESTNAME=$(basename "$0" .sh)
# knowctl speaks the user's language (po/de.po); these tests read its English.
if [ -n "${LC_ALL:-}" ]; then export LC_CTYPE=$LC_ALL; unset LC_ALL; fi
export LC_MESSAGES=C
unset LANGUAGE
# Sanitizer reports go to files so a test can fail on them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:log_path=$T/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:log_path=$T/ubsan"

cleanup() {
	local p i live=()
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null && live+=("$p")
	done
	for p in "${live[@]}"; do
		wait "$p" 2>/dev/null
		# One started in a subshell is no child of ours: poll till it is
		# gone (it still writes in $T while stopping), at most 10 s.
		i=0
		while kill -0 "$p" 2>/dev/null; do
			if [ $((i += 1)) -gt 200 ]; then
				kill -KILL "$p" 2>/dev/null
				break
			fi
			sleep 0.05
		done
	done
	if [ -n "${KEEP_T:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
# check DESCRIPTION CMD...: the command must succeed.
check() { local d=$1; shift; if "$@" >"$T/check.out"; then pass "$d"; else fail "$d"; cat "$T/check.out" >&2; fi; }

# poll TIMEOUT_SECONDS CMD...: retries CMD every 50 ms until it succeeds.
poll() {
	local limit=$1 start; shift
	start=$(date +%s%N)
	until "$@" >/dev/null 2>&1; do
		if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt $((limit * 1000)) ]; then
			return 1
		fi
		sleep 0.05
	done
}

# kctl HOME ARGS...: knowctl against a home.
kctl() { local h=$1; shift; "$KNOWCTL" --home "$h" "$@"; }
# kctl_de HOME ARGS...: the same for a German-speaking user (po/de.po).
kctl_de() { local h=$1; shift; env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=de_DE.UTF-8 "$KNOWCTL" --home "$h" "$@"; }

# node_init HOME NAME [ARGS...]: knowd init, quietly; prints nothing.
node_init() {
	local h=$1 n=$2; shift 2
	"$KNOWD" init --home "$h" --name "$n" "$@" >"$h.did" 2>"$h.init.err" ||
		{ cat "$h.init.err" >&2; return 1; }
}

# node_start HOME: starts knowd on HOME and waits until it answers; sets LASTPID.
# $NODE_WRAP, when set, is a command knowd runs under (e.g. "prlimit --nofile=64").
node_start() {
	local h=$1
	${NODE_WRAP:-} "$KNOWD" --home "$h" -d 2>>"$h.log" &
	LASTPID=$!
	PIDS+=("$LASTPID")
	echo "$LASTPID" >"$h.pid"
	if ! poll 20 kctl "$h" status; then
		echo "knowd on $h did not come up; log:" >&2
		tail -20 "$h.log" >&2
		return 1
	fi
}

# node_stop HOME: SIGTERM and wait; returns knowd's exit status.
node_stop() {
	local h=$1 p
	p=$(cat "$h.pid")
	kill -TERM "$p" 2>/dev/null
	wait "$p"
}

# json_get FIELD: reads one JSON object on stdin, prints a top-level field.
# /usr/bin/python3 when there: a pyenv shim on PATH costs a second per call.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
json_get() { "$PY" -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }

# allowed_signers HOME FILE: an allowedSignersFile for stock git from keys/node.pub.
allowed_signers() {
	printf 'node namespaces="git" %s\n' "$(cut -d' ' -f1,2 "$1/keys/node.pub")" >"$2"
}

# git_verify_branch HOME: stock git verifies every commit of every origin branch.
git_verify_branch() {
	local h=$1 ref c n=0
	for ref in $(git -C "$h/repo.git" for-each-ref --format='%(refname)' refs/namespaces); do
		allowed_signers_for "$h" "$ref" "$T/allowed.$$"
		for c in $(git -C "$h/repo.git" rev-list "$ref"); do
			git -C "$h/repo.git" -c gpg.format=ssh \
			    -c gpg.ssh.allowedSignersFile="$T/allowed.$$" \
			    verify-commit "$c" 2>"$T/vc.err" || { cat "$T/vc.err" >&2; return 1; }
			grep -q 'Good "git" signature' "$T/vc.err" || return 1
			n=$((n + 1))
		done
	done
	[ "$n" -gt 0 ]
}

# allowed_signers_for HOME REF FILE: the signer of an origin branch, from its node id.
allowed_signers_for() {
	local nid
	nid=$(echo "$2" | sed 's|refs/namespaces/\([^/]*\)/.*|\1|')
	printf 'node namespaces="git" %s\n' "$(python3 "$ROOT/tests/regress/didkey.py" "$nid")" >"$3"
}

# sanitizer_clean: no ASan/UBSan report was written by any process.
sanitizer_clean() {
	! ls "$T"/asan.* >/dev/null 2>&1 && ! ls "$T"/ubsan.* >/dev/null 2>&1
}

# finish: prints sanitizer reports, then exits 1 if anything failed.
finish() {
	if ! sanitizer_clean; then
		cat "$T"/asan.* "$T"/ubsan.* 2>/dev/null | head -60 >&2
		fail "sanitizer reports"
	fi
	if [ "$FAILS" -gt 0 ]; then
		echo "$TESTNAME: $FAILS failed" >&2
		exit 1
	fi
	echo "$TESTNAME: all passed"
}

# node_addr HOME: the address knowd listens on (port 0 in knowd.conf → the real one).
node_addr() { kctl "$1" status --json | json_get listen; }
# node_view HOME: the view tree id.
node_view() { kctl "$1" status --json | json_get view; }
# node_nid HOME: the node id (did:key without its prefix).
node_nid() { sed 's/^did:key://' "$1.did"; }
# views_equal HOME...: every node reports the same view.
views_equal() {
	local first h
	first=$(node_view "$1") || return 1
	for h in "$@"; do [ "$(node_view "$h")" = "$first" ] || return 1; done
}
# has_record HOME ID: the node can show the record.
has_record() { kctl "$1" show "$2" >/dev/null 2>&1; }
# lacks_record HOME ID: it cannot.
lacks_record() { ! kctl "$1" show "$2" >/dev/null 2>&1; }
# git_clean HOME: git fsck --strict passes and every commit verifies with stock git.
git_clean() { git -C "$1/repo.git" fsck --strict --no-dangling >/dev/null 2>&1 && git_verify_branch "$1"; }
# pin_port HOME: writes the port knowd got for "listen = …:0" into knowd.conf,
# so a restart listens where peers dial.
pin_port() { sed -i "s/^listen = .*/listen = $(node_addr "$1")/" "$1/knowd.conf"; }

# chrome_start DIR: headless Chromium with DevTools on a free port, its
# profile in DIR/chrome and its temp files in DIR/tmp; sets CPID (in PIDS).
chrome_start() {
	mkdir -p "$1/chrome" "$1/tmp"
	# Chromium makes a directory of its own in TMPDIR: keep it under $1.
	TMPDIR=$1/tmp "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$1/chrome" --remote-debugging-port=0 --window-size=1200,1600 \
	    about:blank >"$1/chrome.log" 2>&1 &
	CPID=$!
	PIDS+=("$CPID")
}

# fill_draft [TITLE]: the template (stdin) filled in as a person would (a
# title, a project, a summary, an answer): an unchanged template is refused.
fill_draft() {
	sed -e "s/^title: Titel der Erfahrung\$/title: ${1:-Erfahrung aus dem Test}/" \
	    -e 's/^project: mein-projekt$/project: testprojekt/' \
	    -e 's/^summary: Ein Satz, der zusammenfasst,.*/summary: Was andere Kommunen aus diesem Test lernen./' \
	    -e '$a Eine Antwort aus dem Test.'
}
