#!/usr/bin/env python3
"""Independent did:key -> OpenSSH public key ("ssh-ed25519 BASE64") for tests.

With --bucket: the node's bucket in the view, nodes/<xx>/<nid>/ (the first
byte of the public key in two hex digits, PROTOCOL.md "The view").

Written from the did:key and OpenSSH specs, not from knowd's code, so that
tests can check knowd's signatures against a key derived another way.
"""
import base64, struct, sys

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

def b58decode(s):
    n = 0
    for ch in s:
        n = n * 58 + ALPHABET.index(ch)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    pad = len(s) - len(s.lstrip("1"))
    return b"\0" * pad + raw

def main():
    bucket = sys.argv[1] == "--bucket"
    did = sys.argv[2] if bucket else sys.argv[1]
    if did.startswith("did:key:"):
        did = did[len("did:key:"):]
    assert did[0] == "z", "not base58btc multibase"
    raw = b58decode(did[1:])
    assert raw[:2] == b"\xed\x01" and len(raw) == 34, "not an ed25519 did:key"
    if bucket:
        print("%02x" % raw[2])
        return
    blob = b""
    for part in (b"ssh-ed25519", raw[2:]):
        blob += struct.pack(">I", len(part)) + part
    print("ssh-ed25519 " + base64.b64encode(blob).decode())

main()
