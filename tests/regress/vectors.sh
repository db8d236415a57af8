#!/usr/bin/env bash
# PROTOCOL.md §5.5's commit signature, checked by stock ssh-keygen (an
# independent implementation of OpenSSH's sshsig): the vector's key, the
# commit text and the joined base64 come from tests/unit/test_vectors.h,
# which tests/unit/test_vectors.c holds to the code and the document.
. "$(dirname "$0")/lib.sh"

H=$ROOT/tests/unit/test_vectors.h
val() { sed -n "s/^#define $1[[:space:]]*\"\(.*\)\"/\1/p" "$H"; }
did=$(val VEC_DID)
nid=${did#did:key:}
printf 'node namespaces="git" %s\n' "$("$PY" "$ROOT/tests/regress/didkey.py" "$nid")" >"$T/allowed"
printf 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Stadt Musterstadt <%s@knowd.invalid> 1764979200 +0100\ncommitter Stadt Musterstadt <%s@knowd.invalid> 1764979200 +0100\n\nKnoten angelegt\n\nKnowd-Seq: 1\n' \
	"$nid" "$nid" >"$T/commit"
{ echo "-----BEGIN SSH SIGNATURE-----"; val VEC_SSHSIG | fold -w 70; echo; echo "-----END SSH SIGNATURE-----"; } |
	grep -v '^$' >"$T/sig"
check "ssh-keygen verifies the vector's signature" \
	ssh-keygen -Y verify -f "$T/allowed" -I node -n git -s "$T/sig" <"$T/commit"
printf 'x' >>"$T/commit"
if ssh-keygen -Y verify -f "$T/allowed" -I node -n git -s "$T/sig" <"$T/commit" >/dev/null 2>&1; then
	fail "ssh-keygen accepts the signature over a changed commit"
else
	pass "and refuses it over a changed commit"
fi
finish
