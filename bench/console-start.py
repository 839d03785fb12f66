#!/usr/bin/env python3
"""Times `bin/mmapsql sql` on a pseudo-terminal: until sqlline's prompt, then (optionally) the
answer to one statement typed THINK seconds (default 0) after the prompt.

    bench/console-start.py bin/mmapsql jdbc:mmap:DIR ['SELECT COUNT(*) FROM t;']

Prints e.g. `prompt 0.912 cpu 1.20 answer 0.158 cpu 2.93 exit 1.402`: seconds from the start,
the process's CPU (user + system, from /proc) at that moment, the answer's seconds from the
moment the statement was typed, and the time until the console exited after `!quit`.
MMAPSQL_NO_AOT=1 in the environment measures the start without the AOT cache.
"""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time

launcher, url = sys.argv[1], sys.argv[2]
stmt = sys.argv[3] if len(sys.argv) > 3 else None
t0 = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execv(launcher, [launcher, "sql", "-u", url])
# A terminal of 0 columns makes sqlline cut its prompt to nothing.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
buf = b""


def wait_for(pattern, timeout=60):
    """Seconds from the start until the output matches, or None."""
    global buf
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return None
            if not data:
                return None
            buf += data
            m = re.search(pattern, buf)
            if m:
                buf = buf[m.end():]
                return time.monotonic() - t0
    return None


def cpu():
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return -1


prompt = wait_for(rb"jdbc:mmap:[^\r\n]*> ")
out = [f"prompt {prompt:.3f} cpu {cpu():.2f}" if prompt else "prompt NONE"]
if stmt and prompt:
    time.sleep(float(os.environ.get("THINK", "0")))
    typed = time.monotonic() - t0
    os.write(fd, (stmt + "\n").encode())
    answer = wait_for(rb"rows? selected")
    out.append(f"answer {answer - typed:.3f} cpu {cpu():.2f}" if answer else "answer NONE")
os.write(fd, b"!quit\n")
wait_for(rb"$^", 30)
os.waitpid(pid, 0)
out.append(f"exit {time.monotonic() - t0:.3f}")
print(" ".join(out))
