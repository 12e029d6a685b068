#!/usr/bin/env python3
"""CPU per refresh of `wstune top`: cpu.py RUNS REFRESHES NAME=CMD [NAME=CMD ...].

Each CMD is a `top --json` command line (one line per refresh). The CPU the process spent on every thread
(/proc/PID/task/*/schedstat, nanoseconds on CPU, user + system: the kernel's sock_diag walk runs in the
process's system time) is read after its first line (start-up and the BPF seed done) and after REFRESHES more
lines; the difference / REFRESHES is the CPU of one refresh. Then the process is stopped (SIGTERM, by pid).
Runs are interleaved (A B A B ...), medians printed as one JSON object.
"""
import glob
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys

runs, refreshes = int(sys.argv[1]), int(sys.argv[2])
tools = [arg.split("=", 1) for arg in sys.argv[3:]]


def on_cpu_ns(pid):
    total = 0
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            total += int(open(path).read().split()[0])
        except (OSError, IndexError, ValueError):
            pass
    return total


def per_refresh(cmd):
    p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        p.stdout.readline()
        start = on_cpu_ns(p.pid)
        line = ""
        for _ in range(refreshes):
            line = p.stdout.readline()
            if not line:
                raise SystemExit("%s ended early" % cmd)
        end = on_cpu_ns(p.pid)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    return (end - start) / refreshes / 1000.0, line.strip()


per = {name: [] for name, _ in tools}
last = {}
for _ in range(runs):
    for name, cmd in tools:
        us, line = per_refresh(cmd)
        per[name].append(us)
        last[name] = line
print(json.dumps({name: {"median_us": statistics.median(v), "all_us": [round(x) for x in v], "last": last[name]}
                  for name, v in per.items()}))
