#!/usr/bin/env python3
"""bench/gossip_measure.py — the measuring half of bench/gossip.sh.

Given the homes of a converged knowd network (each with its log in HOME.log and
its PID in HOME.pid, as tests/regress/gossip_lib.sh leaves them), publishes
lessons at random nodes one at a time, GAP ms apart, and measures:

- propagation: from the start of `knowctl publish` until the last node holds
  the lesson. Arrival times come from each node's log: knowd logs
  "HH:MM:SS.mmm … branch NID: +K commit(s) from …" (UTC, ms) whenever a
  branch moves; the running sum of K per branch is that node's seq of it, so
  a lesson with seq S has arrived at the first line that brings the sum to S.
- traffic: the sum of bytes_out over every node's `knowctl peers --json`
  before and after, less the idle rate measured beforehand (anti-entropy,
  keepalives), per publish; WANTs sent and packs served from the debug log.
- the baseline: the pack stock git makes of each lesson's commit
  (`git pack-objects --revs` of C ^C~1 in the author's repo.git) plus one
  ANNOUNCE frame, times the N-1 receiving nodes.
- memory: VmRSS and VmHWM of every daemon from /proc.
"""
import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

# One ANNOUNCE on the wire: msgpack [3, bin body, bin sig] with body
# [bin32 pk, uint seq, bin20 head, uint32 time] (63 bytes) → 133 bytes, plus
# the 16-byte ChaChaPoly tag and the 2-byte frame length (PROTOCOL.md §1.7, §2.2).
ANNOUNCE_FRAME = 151

LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \S+ info: branch (\S+): \+(\d+) commit\(s\)")
WANT = re.compile(r" debug: peer \S+: WANT (\d+) branch")
PACK = re.compile(r" debug: peer \S+: sending pack of (\d+) bytes")


def kc(args, home, *cmd):
    r = subprocess.run([args.knowctl, "--home", home, *cmd], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"knowctl {' '.join(cmd)} on {home}: {r.stderr.strip()}")
    return r.stdout


def status(args, home):
    return json.loads(kc(args, home, "status", "--branches", "--json"))


def nid_of(did):
    return did[len("did:key:"):] if did.startswith("did:key:") else did


def log_epoch(h, m, s, ms, ref):
    """HH:MM:SS.mmm (UTC) of a log line → Unix time, on the day of ref."""
    d = datetime.datetime.fromtimestamp(ref, datetime.timezone.utc)
    t = d.replace(hour=h, minute=m, second=s, microsecond=ms * 1000).timestamp()
    if t > ref + 43200:
        t -= 86400
    elif t < ref - 43200:
        t += 86400
    return t


class Log:
    """Follows one node's log: per branch, the running seq and when each seq arrived."""

    def __init__(self, path):
        self.path, self.pos, self.part = path, 0, b""
        self.seq = {}       # nid → seq held (sum of +K)
        self.arrived = {}   # (nid, seq) → time
        self.wants = self.packs = self.pack_bytes = 0

    def read(self, count_from=None):
        with open(self.path, "rb") as f:
            f.seek(self.pos)
            data = f.read()
            self.pos += len(data)
        data = self.part + data
        lines = data.split(b"\n")
        self.part = lines.pop()
        now = time.time()
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            m = LINE.match(line)
            if m:
                t = log_epoch(int(m[1]), int(m[2]), int(m[3]), int(m[4]), now)
                nid, k = m[5], int(m[6])
                old = self.seq.get(nid, 0)
                self.seq[nid] = old + k
                for s in range(old + 1, old + k + 1):
                    self.arrived[(nid, s)] = t
                continue
            if count_from is None:
                continue
            m = WANT.search(line)
            if m:
                self.wants += 1
                continue
            m = PACK.search(line)
            if m:
                self.packs += 1
                self.pack_bytes += int(m[1])


def bytes_out(args, homes):
    total = conns = 0
    for h in homes:
        for p in json.loads(kc(args, h, "peers", "--json")):
            total += p.get("bytes_out", 0)
            conns += p.get("state") == "ready"
    return total, conns


def proc(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])  # kB
    except OSError:
        pass
    return 0


def cpu_seconds(pids):
    """utime + stime of the processes, in seconds."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


def pct(xs, p):
    """Nearest-rank percentile."""
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, -(-len(xs) * p // 100) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--knowctl", required=True)
    ap.add_argument("--lessons", type=int, default=20)
    ap.add_argument("--gap-ms", type=int, default=300)
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draft", required=True, help="a lesson draft to vary")
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--sync-interval", default="?")
    ap.add_argument("homes", nargs="+")
    args = ap.parse_args()
    homes, n = args.homes, len(args.homes)
    rnd = random.Random(args.seed)
    names = [os.path.basename(h) for h in homes]
    pids = [int(open(h + ".pid").read()) for h in homes]
    dids = [open(h + ".did").read().strip() for h in homes]

    logs = [Log(h + ".log") for h in homes]
    for lg in logs:
        lg.read()                  # the history up to now: every branch's seq

    # Idle traffic (anti-entropy, keepalives) over args.idle seconds.
    b0, conns = bytes_out(args, homes)
    t0 = time.time()
    time.sleep(args.idle)
    b1, _ = bytes_out(args, homes)
    idle_rate = (b1 - b0) / (time.time() - t0)

    draft = open(args.draft).read()
    load0 = open("/proc/loadavg").read().split()[0]
    pubs = []                      # (author index, nid, seq, t_start, t_end, head)
    for lg in logs:
        lg.read(count_from=True)   # from here on, count WANTs and packs
        lg.wants = lg.packs = lg.pack_bytes = 0
    b2, _ = bytes_out(args, homes)
    c2 = cpu_seconds(pids)
    t2 = time.time()
    for k in range(args.lessons):
        a = rnd.randrange(n)
        path = os.path.join(args.tmp, f"bench-lesson-{k}.md")
        with open(path, "w") as f:
            f.write(re.sub(r"(?m)^title: .*$", f"title: Gossip-Bench Lektion {k} ({time.time_ns()})", draft, count=1))
        ts = time.time()
        rid = kc(args, homes[a], "publish", path).strip()
        te = time.time()
        st = status(args, homes[a])
        pubs.append((a, nid_of(st["id"]), st["seq"], ts, te, st["head"], rid))
        if k + 1 < args.lessons:
            time.sleep(args.gap_ms / 1000)

    # Wait until every node holds every lesson (or the timeout).
    deadline = time.time() + args.timeout
    while True:
        for lg in logs:
            lg.read(count_from=True)
        missing = sum(1 for (a, nid, seq, *_r) in pubs for i, lg in enumerate(logs)
                      if i != a and (nid, seq) not in lg.arrived)
        if missing == 0 or time.time() > deadline:
            break
        time.sleep(0.02)
    t3 = time.time()
    time.sleep(1.0)                # trailing relays of the last announcements
    for lg in logs:
        lg.read(count_from=True)
    c3 = cpu_seconds(pids)
    b3, conns_after = bytes_out(args, homes)
    t4 = time.time()

    # Propagation per lesson.
    rows, props, props_ret = [], [], []
    for k, (a, nid, seq, ts, te, head, rid) in enumerate(pubs):
        arr = [lg.arrived.get((nid, seq)) for i, lg in enumerate(logs) if i != a]
        got = [x for x in arr if x is not None]
        last = max(got) - ts if len(got) == n - 1 else None
        half = sorted(got)[(n - 1) // 2] - ts if len(got) > (n - 1) // 2 else None
        if last is not None:
            props.append(last)
            props_ret.append(max(got) - te)
        # Stock git's pack of this lesson's commit.
        pk = subprocess.run(["git", "-C", os.path.join(homes[a], "repo.git"), "pack-objects",
                             "--revs", "--stdout", "-q"], input=f"{head}\n^{head}~1\n".encode(),
                            capture_output=True)
        rows.append((k, names[a], seq, (te - ts) * 1000, half, last, len(got), len(pk.stdout), rid))

    # Traffic.
    sent = (b3 - b2) - idle_rate * (t4 - t2)
    per_pub = sent / len(pubs)
    per_node = per_pub / (n - 1)
    pack_avg = statistics.mean(r[7] for r in rows)
    base_node = pack_avg + ANNOUNCE_FRAME
    wants = sum(lg.wants for lg in logs)
    packs = sum(lg.packs for lg in logs)
    pack_bytes = sum(lg.pack_bytes for lg in logs)

    # The log-derived seqs must match what each node reports.
    mism = 0
    for i, h in enumerate(homes):
        for nd in status(args, h)["nodes"]:
            if nd["nid"] != nid_of(dids[i]) and logs[i].seq.get(nd["nid"], 0) != nd["seq"]:
                mism += 1

    # Memory.
    rss = [(names[i], proc(p, "VmRSS"), proc(p, "VmHWM")) for i, p in enumerate(pids)]

    ok = True
    print()
    print(f"bench/gossip: {n} nodes on 127.0.0.1, {len(pubs)} lessons at random nodes, "
          f"{args.gap_ms} ms apart; sync_interval {args.sync_interval} s; "
          f"{conns // 2} connections (ready) at the start, {conns_after // 2} at the end")
    print()
    print("  lesson  author  seq  publish ms  half the nodes ms  all nodes ms  nodes  stock-git pack B")
    for k, who, seq, pms, half, last, got, pk, rid in rows:
        print(f"  {k:6d}  {who:>6}  {seq:3d}  {pms:10.0f}  {half * 1000 if half is not None else float('nan'):17.0f}"
              f"  {last * 1000 if last is not None else float('nan'):12.0f}  {got:2d}/{n - 1}  {pk:16d}")
    print()
    if len(props) == len(pubs):
        p50, p99, mx = pct(props, 50) * 1000, pct(props, 99) * 1000, max(props) * 1000
        v = "ok" if p99 < 2000 else "MISSED"
        ok &= p99 < 2000
        print(f"  propagation (publish start → every node holds it): p50 {p50:.0f} ms, "
              f"p99 {p99:.0f} ms, max {mx:.0f} ms   [target p99 < 2000 ms: {v}]")
        print(f"  the same from when knowctl publish returned:          p50 {pct(props_ret, 50) * 1000:.0f} ms, "
              f"p99 {pct(props_ret, 99) * 1000:.0f} ms, max {max(props_ret) * 1000:.0f} ms")
    else:
        ok = False
        print(f"  propagation: {len(pubs) - len(props)} of {len(pubs)} lessons did not reach every node "
              f"within {args.timeout:.0f} s — MISSED")
    print()
    print("  traffic per publish                                      bytes    per receiving node")
    print(f"  knowd: bytes_out of all nodes (idle rate {idle_rate:.0f} B/s removed) "
          f"{per_pub:10.0f}  {per_node:10.0f}")
    print(f"  baseline: stock git pack of the commit ({pack_avg:.0f} B) + one ANNOUNCE "
          f"({ANNOUNCE_FRAME} B)  {base_node * (n - 1):10.0f}  {base_node:10.0f}")
    ratio = per_node / base_node
    v = "ok" if ratio <= 2 else "MISSED"
    ok &= ratio <= 2
    print(f"  ratio knowd / baseline: {ratio:.2f}   [target ≤ 2: {v}]")
    print(f"  messages: WANTs sent {wants / len(pubs):.1f}, packs served {packs / len(pubs):.1f} "
          f"(avg {pack_bytes / max(packs, 1):.0f} B of pack data) per publish; ANNOUNCE/SUMMARY counts "
          f"are not exposed by knowd (peers --json has bytes only)")
    print()
    hwm = [r[2] for r in rss]
    v = "ok" if max(hwm) < 20 * 1024 else "MISSED"
    ok &= max(hwm) < 20 * 1024
    print(f"  memory: VmRSS now p50 {statistics.median(r[1] for r in rss) / 1024:.1f} MiB, "
          f"max {max(r[1] for r in rss) / 1024:.1f} MiB; VmHWM (peak) p50 {statistics.median(hwm) / 1024:.1f} MiB, "
          f"max {max(hwm) / 1024:.1f} MiB   [target: no node over 20 MB: {v}]")
    print("  per daemon (node RSS/peak MiB):")
    for i in range(0, len(rss), 5):
        print("   " + "".join(f"  {nm:>4} {r / 1024:4.1f}/{h / 1024:4.1f}" for nm, r, h in rss[i:i + 5]))
    print()
    if mism:
        print(f"  WARNING: {mism} (node, branch) seqs from the logs differ from status --json; "
              "arrival times may be off")
    print(f"  CPU: the {n} daemons used {c3 - c2:.2f} s of CPU in the {t3 - t2 + 1:.1f} s of publishing and "
          f"relaying, {(c3 - c2) / len(pubs) * 1000:.0f} ms per publish ({(c3 - c2) / len(pubs) / (n - 1) * 1000:.1f} ms "
          f"per receiving node), all on this machine's {os.cpu_count()} CPUs")
    print(f"  load average during the run: {load0} → {open('/proc/loadavg').read().split()[0]} "
          f"on {os.cpu_count()} CPUs (other processes on the machine skew the times)")
    print(f"  measured in {t3 - t2:.1f} s; bench {'met every target' if ok else 'MISSED a target'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
