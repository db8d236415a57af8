#!/usr/bin/env python3
"""flood.py — holds many connections to a socket, as a slowloris does.

  flood.py (--unix PATH | --tcp HOST:PORT) [--slow N] [--idle N]
           [--proto ctl|http] [--src 127.0.0.2] --status FILE

--slow clients send one byte a second of a request they never finish (a
control frame announcing 100 bytes, or HTTP headers that never end); --idle
clients connect and send nothing. A client the server closes connects
again after 100 ms. Every second FILE gets "open N closed M": connections
held now and closed by the server so far. Runs until killed (SIGTERM).
"""
import argparse
import os
import resource
import selectors
import signal
import socket
import struct
import sys
import time


def connect(args):
    if args.unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = args.unix
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        host, port = args.tcp.rsplit(":", 1)
        target = (host, int(port))
        if args.src:
            s.bind((args.src, 0))
    s.setblocking(False)
    try:
        s.connect(target)
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        s.close()
        return None
    return s


def payload(proto):
    if proto == "ctl":
        return struct.pack(">I", 100) + b"x" * 100
    return b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: 1\r\n" * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unix")
    ap.add_argument("--tcp")
    ap.add_argument("--src")
    ap.add_argument("--slow", type=int, default=0)
    ap.add_argument("--idle", type=int, default=0)
    ap.add_argument("--proto", default="ctl")
    ap.add_argument("--status", required=True)
    args = ap.parse_args()
    want = args.slow + args.idle + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sel = selectors.DefaultSelector()
    data = payload(args.proto)
    # slot -> [socket or None, slow?, bytes sent, time of next action]
    slots = [[None, i < args.slow, 0, 0.0] for i in range(args.slow + args.idle)]
    closed = 0
    last_status = 0.0
    while True:
        now = time.monotonic()
        for i, sl in enumerate(slots):
            if sl[0] is None and now >= sl[3]:
                sl[0] = connect(args)
                sl[2] = 0
                sl[3] = now + 1.0
                if sl[0] is None:
                    sl[3] = now + 0.1
                    continue
                sel.register(sl[0], selectors.EVENT_READ, i)
            elif sl[0] is not None and sl[1] and now >= sl[3]:
                try:
                    sl[0].send(data[sl[2] % len(data):sl[2] % len(data) + 1])
                    sl[2] += 1
                except OSError:
                    pass
                sl[3] = now + 1.0
        for key, _ in sel.select(timeout=0.05):
            sl = slots[key.data]
            try:
                got = sl[0].recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                got = b""
            if got:
                continue
            sel.unregister(sl[0])
            sl[0].close()
            sl[0] = None
            sl[3] = time.monotonic() + 0.1
            closed += 1
        if now - last_status >= 1.0:
            last_status = now
            n = sum(1 for sl in slots if sl[0] is not None)
            tmp = args.status + ".tmp"
            with open(tmp, "w") as f:
                f.write("open %d closed %d\n" % (n, closed))
            os.rename(tmp, args.status)


if __name__ == "__main__":
    main()
