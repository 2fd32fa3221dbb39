#!/usr/bin/env python3
"""How long a producer upstream of a sort is blocked: feeds FILE to COMMAND's stdin in 64 KiB
writes (as an aligner writing into `| samsort sort -`) and times every write.

usage: bench/pipe_stall.py FILE -- COMMAND...
prints: longest_write_s=... p99_write_s=... writes=N wall_s=... rc=R
A write blocks while the pipe is full, i.e. while the sort does not read: the longest write is
the longest time an aligner would sit idle.
"""
import os
import subprocess
import sys
import time

CHUNK = 64 * 1024


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    path, command = sys.argv[1], sys.argv[3:]
    started = time.monotonic()
    child = subprocess.Popen(command, stdin=subprocess.PIPE)
    fd = child.stdin.fileno()
    durations = []
    with open(path, "rb") as source:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            view = memoryview(chunk)
            before = time.monotonic()
            while view:
                written = os.write(fd, view)
                view = view[written:]
            durations.append(time.monotonic() - before)
    child.stdin.close()
    rc = child.wait()
    wall = time.monotonic() - started
    durations.sort()
    p99 = durations[int(len(durations) * 0.99)] if durations else 0
    longest = durations[-1] if durations else 0
    print(f"longest_write_s={longest:.3f} p99_write_s={p99:.4f} writes={len(durations)} "
          f"wall_s={wall:.2f} rc={rc}", flush=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()
