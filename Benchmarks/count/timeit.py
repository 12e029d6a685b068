#!/usr/bin/env python3
"""Times commands the same way, interleaved, and prints medians: timeit.py RUNS NAME=CMD [NAME=CMD ...].

Each CMD runs through /bin/sh -c (so pipelines like `ss ... | wc -l` are timed whole, and every tool pays the same
shell start). Runs are interleaved (A B C A B C ...) so background load hits all tools alike. Prints one JSON
object: per tool the median and all times in milliseconds and the output of the last run.
"""
import json
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
tools = [arg.split("=", 1) for arg in sys.argv[2:]]
times = {name: [] for name, _ in tools}
outputs = {}
for _ in range(runs):
    for name, cmd in tools:
        t0 = time.perf_counter()
        r = subprocess.run(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        times[name].append((time.perf_counter() - t0) * 1000)
        outputs[name] = r.stdout.strip() if r.returncode == 0 else "exit %d: %s" % (r.returncode, r.stderr.strip())
print(json.dumps({name: {"median_ms": statistics.median(ts), "min_ms": min(ts), "times_ms": [round(t, 2) for t in ts],
                         "output": outputs[name]} for name, ts in times.items()}))
