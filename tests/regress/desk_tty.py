#!/usr/bin/env python3
"""desk_tty.py KNOWCTL HOME NAME PASSWORD: runs `knowctl user add NAME --role
author` on a pseudo-terminal, answers both password prompts, and prints what
the terminal showed (the password must not be among it). Exit status is
knowctl's; 3 when a prompt did not come within 20 s."""
import os, pty, select, sys, time


def read_until(fd, want, buf, timeout=20):
    """Reads until want has come (None: until the end of the output)."""
    end = time.time() + timeout
    while want is None or want not in buf:
        if time.time() > end:
            sys.stdout.write(buf.decode(errors="replace"))
            sys.exit(3)
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


knowctl, home, name, pw = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(knowctl, [knowctl, "--home", home, "user", "add", name, "--role", "author"])
buf = read_until(fd, b"Neues Passwort: ", b"")
os.write(fd, pw.encode() + b"\n")
buf = read_until(fd, b"Noch einmal: ", buf)
os.write(fd, pw.encode() + b"\n")
buf = read_until(fd, None, buf)
_, status = os.waitpid(pid, 0)
sys.stdout.write(buf.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
