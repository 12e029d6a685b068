#!/usr/bin/env python3
"""CPU per refresh of `wstune top`: cpu.py RUNS LONG NAME=CMD [NAME=CMD ...].

Each CMD is a `top` command line without --iterations; it runs with --iterations LONG and with --iterations 1,
and the CPU the process used (user + system, from wait4's rusage: the kernel's sock_diag walk runs in the
process's system time) is compared: (cpu(LONG) - cpu(1)) / (LONG - 1) is the CPU of one refresh, start-up and
the BPF seed excluded. Runs are interleaved (A B A B ...), medians printed as one JSON object.
"""
import json
import os
import shlex
import statistics
import subprocess
import sys

runs, long_n = int(sys.argv[1]), int(sys.argv[2])
tools = [arg.split("=", 1) for arg in sys.argv[3:]]


def cpu(cmd, n):
    p = subprocess.Popen(shlex.split(cmd) + ["--iterations", str(n)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise SystemExit("%s exited %d" % (cmd, status))
    return usage.ru_utime + usage.ru_stime, out.strip().splitlines()[-1] if out.strip() else ""


per = {name: [] for name, _ in tools}
last = {}
for _ in range(runs):
    for name, cmd in tools:
        c_long, line = cpu(cmd, long_n)
        c_one, _ = cpu(cmd, 1)
        per[name].append(max(0.0, (c_long - c_one) / (long_n - 1)) * 1e6)
        last[name] = line
print(json.dumps({name: {"median_us": statistics.median(v), "all_us": [round(x) for x in v], "last": last[name]}
                  for name, v in per.items()}))
