#!/usr/bin/env python3
"""Runs a command and reports, from outside it, the most file-system space it took.

usage: bench/peak_disk.py DIR -- COMMAND...
Polls statvfs(DIR) every 10 ms while COMMAND runs; prints one line
    peak_disk_bytes=N wall_s=S rc=R
where N is the largest rise of the file system's used bytes above its value at the start
(unlinked run files and deleted temporaries count: this is what the disk really held). Other
writers on the same file system add noise: run it on a quiet machine.
"""
import os
import subprocess
import sys
import time


def used_bytes(path):
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    where, command = sys.argv[1], sys.argv[3:]
    os.sync()
    base = used_bytes(where)
    peak = 0
    started = time.monotonic()
    child = subprocess.Popen(command)
    while child.poll() is None:
        peak = max(peak, used_bytes(where) - base)
        time.sleep(0.01)
    wall = time.monotonic() - started
    peak = max(peak, used_bytes(where) - base)
    print(f"peak_disk_bytes={peak} wall_s={wall:.2f} rc={child.returncode}", flush=True)
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
