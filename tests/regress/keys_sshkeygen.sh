#!/bin/bash
# keys_sshkeygen.sh — checks keys/ against stock OpenSSH: our key files are read by
# ssh-keygen, our SSH signatures verify with ssh-keygen -Y verify, and ssh-keygen's
# keys and signatures are accepted by our code (and tampering is rejected).
# Usage: BUILD=build/san bash tests/regress/keys_sshkeygen.sh
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tool="$PWD/$BUILD/tests/test_keys"
[ -x "$tool" ] || { echo "keys_sshkeygen: $tool not built" >&2; exit 1; }
command -v ssh-keygen >/dev/null || { echo "keys_sshkeygen: ssh-keygen not found" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keys_sshkeygen.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() {
	echo "ok: $*"
}

# 1. A key we generate: ssh-keygen derives the same public key from our secret file.
mkdir "$tmp/ours"
if ! "$tool" gen "$tmp/ours" >"$tmp/did" 2>"$tmp/err"; then
	fail "test_keys gen: $(cat "$tmp/err")"
	exit 1
fi
grep -q '^did:key:z6Mk' "$tmp/did" || fail "gen printed no did:key: $(cat "$tmp/did")"
[ "$(stat -c %a "$tmp/ours/node.key")" = 600 ] || fail "node.key mode is not 0600"
[ "$(stat -c %a "$tmp/ours/node.pub")" = 644 ] || fail "node.pub mode is not 0644"
if ssh-keygen -y -f "$tmp/ours/node.key" >"$tmp/derived.pub" 2>"$tmp/err"; then
	if [ "$(cut -d' ' -f1,2 "$tmp/derived.pub")" = "$(cut -d' ' -f1,2 "$tmp/ours/node.pub")" ]; then
		ok "ssh-keygen -y reads our node.key and derives node.pub"
	else
		fail "ssh-keygen -y derived $(cat "$tmp/derived.pub"), node.pub has $(cat "$tmp/ours/node.pub")"
	fi
else
	fail "ssh-keygen -y rejected our node.key: $(cat "$tmp/err")"
fi

# 2. Our signature verifies with ssh-keygen -Y verify.
printf 'tree 4b825dc642cb6eb9a060e54bf8d69288fbc4904\nauthor knowd\n\nlesson\n' >"$tmp/msg"
echo "node namespaces=\"git\" $(cut -d' ' -f1,2 "$tmp/ours/node.pub")" >"$tmp/allowed"
if "$tool" sign "$tmp/ours/node.key" git "$tmp/msg" >"$tmp/msg.sig" 2>"$tmp/err"; then
	if ssh-keygen -Y verify -f "$tmp/allowed" -I node -n git -s "$tmp/msg.sig" \
	    <"$tmp/msg" >"$tmp/out" 2>&1; then
		ok "ssh-keygen -Y verify accepts our signature"
	else
		fail "ssh-keygen -Y verify rejected our signature: $(cat "$tmp/out")"
	fi
	printf 'x' >>"$tmp/msg.changed"; cat "$tmp/msg" >>"$tmp/msg.changed"
	if ssh-keygen -Y verify -f "$tmp/allowed" -I node -n git -s "$tmp/msg.sig" \
	    <"$tmp/msg.changed" >/dev/null 2>&1; then
		fail "ssh-keygen -Y verify accepted our signature over another message"
	else
		ok "ssh-keygen -Y verify rejects our signature over another message"
	fi
	# Ed25519 is deterministic: ssh-keygen signing with our key gives the same bytes.
	mkdir "$tmp/same"; cp "$tmp/msg" "$tmp/same/msg"
	if ssh-keygen -Y sign -f "$tmp/ours/node.key" -n git "$tmp/same/msg" \
	    </dev/null >/dev/null 2>"$tmp/err" && cmp -s "$tmp/same/msg.sig" "$tmp/msg.sig"; then
		ok "ssh-keygen -Y sign with our key writes byte-identical signatures"
	else
		fail "ssh-keygen's signature with our key differs from ours: $(cat "$tmp/err")"
	fi
	"$tool" verify "$tmp/ours/node.pub" git "$tmp/msg" "$tmp/msg.sig" 2>"$tmp/err" ||
	    fail "our verifier rejected our own signature: $(cat "$tmp/err")"
else
	fail "test_keys sign: $(cat "$tmp/err")"
fi

# 3. A key written by ssh-keygen: our loader reads it, our verifier accepts its signatures.
mkdir "$tmp/theirs"
ssh-keygen -q -t ed25519 -N '' -C 'theirs@example' -f "$tmp/theirs/id" ||
    { fail "ssh-keygen -t ed25519 failed"; exit 1; }
chmod 600 "$tmp/theirs/id"
cp "$tmp/msg" "$tmp/theirs/msg"
tsig="$tmp/theirs/msg.sig"
if ssh-keygen -Y sign -f "$tmp/theirs/id" -n git "$tmp/theirs/msg" </dev/null >/dev/null 2>"$tmp/err" &&
    [ -s "$tsig" ]; then
	if "$tool" verify "$tmp/theirs/id.pub" git "$tmp/msg" "$tsig" 2>"$tmp/err"; then
		ok "our verifier accepts ssh-keygen -Y sign output"
	else
		fail "our verifier rejected ssh-keygen's signature: $(cat "$tmp/err")"
	fi
	cp "$tmp/msg" "$tmp/msg.mod"; printf 'tampered\n' >>"$tmp/msg.mod"
	if "$tool" verify "$tmp/theirs/id.pub" git "$tmp/msg.mod" "$tsig" 2>/dev/null; then
		fail "our verifier accepted ssh-keygen's signature for a modified file"
	else
		ok "our verifier rejects a modified file"
	fi
	if "$tool" verify "$tmp/theirs/id.pub" other "$tmp/msg" "$tsig" 2>/dev/null; then
		fail "our verifier accepted ssh-keygen's signature in namespace \"other\""
	else
		ok "our verifier rejects namespace \"other\""
	fi
	if "$tool" verify "$tmp/ours/node.pub" git "$tmp/msg" "$tsig" 2>/dev/null; then
		fail "our verifier accepted ssh-keygen's signature for another key"
	else
		ok "our verifier rejects another key"
	fi
else
	fail "ssh-keygen -Y sign failed: $(cat "$tmp/err")"
fi
if "$tool" sign "$tmp/theirs/id" git "$tmp/msg" >"$tmp/ours.sig" 2>"$tmp/err"; then
	if "$tool" verify "$tmp/theirs/id.pub" git "$tmp/msg" "$tmp/ours.sig" 2>"$tmp/err"; then
		ok "keys_load reads ssh-keygen's key file and signs with it"
	else
		fail "signature made with ssh-keygen's key does not verify: $(cat "$tmp/err")"
	fi
else
	fail "keys_load rejected ssh-keygen's key file: $(cat "$tmp/err")"
fi

# 4. A secret key readable by others is refused.
chmod 644 "$tmp/ours/node.key"
if "$tool" sign "$tmp/ours/node.key" git "$tmp/msg" >/dev/null 2>"$tmp/err"; then
	fail "keys_load accepted a key file with mode 0644"
elif grep -q permissions "$tmp/err"; then
	ok "keys_load refuses mode 0644: $(cat "$tmp/err")"
else
	fail "keys_load refused mode 0644 without saying why: $(cat "$tmp/err")"
fi

# 5. gen refuses to overwrite existing key files.
if "$tool" gen "$tmp/ours" >/dev/null 2>"$tmp/err"; then
	fail "test_keys gen overwrote an existing key"
elif grep -q 'already exists' "$tmp/err"; then
	ok "keys_save refuses to overwrite"
else
	fail "keys_save refused to overwrite without saying why: $(cat "$tmp/err")"
fi

if [ "$failures" -ne 0 ]; then
	echo "keys_sshkeygen: $failures check(s) failed" >&2
	exit 1
fi
echo "keys_sshkeygen: all checks passed"
