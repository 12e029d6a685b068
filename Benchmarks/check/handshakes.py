"""Section 2 of Benchmarks/check/run: `wstune load` against the Python `websockets` client (python_ramp.py),
the same reference server, the same connection count and the same in-flight limit, runs interleaved (the order
alternates). Each client runs as a child of this script; its CPU (user + system) and peak RSS come from
wait4(2)'s rusage. A 1-connection run of each client is the baseline, so start-up (imports, thread pools) is
subtracted: CPU µs per connection = (CPU(M) − CPU(1)) / (M − 1), bytes per connection = (peak RSS(M) − peak
RSS(1)) / (M − 1). Both clients close every connection with a close frame before they exit, so the CPU figure
covers a handshake and a close. The handshake rate is each client's own: connected ÷ seconds from its start to
its last completed handshake. Prints one line per run, then medians and the ratio; exit 0 always (a report)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure_wait4(argv, timeout):
    """Runs argv with stdout to a pipe, reaps it with os.wait4: the child's own CPU and peak RSS."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    chunks = []
    start = time.monotonic()
    os.set_blocking(p.stdout.fileno(), False)
    while True:
        try:
            b = os.read(p.stdout.fileno(), 65536)
            if b:
                chunks.append(b)
                continue
            if b == b"":
                break
        except BlockingIOError:
            pass
        if time.monotonic() - start > timeout:
            p.kill()
        time.sleep(0.01)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return (b"".join(chunks).decode(errors="replace"), ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024,
            p.returncode)


def load_client(args, n):
    argv = [args.load, "load", args.url, "--connections", str(n), "--rate", "0", "--hold", "0",
            "--max-in-flight", str(args.in_flight), "--handshake-timeout", "15", "--json"]
    text, cpu, rss, status = measure_wait4(argv, args.timeout)
    try:
        j = json.loads(text)
        return dict(connected=j["connected"], failed=j["failed"], seconds=j["rampSeconds"],
                    rate=j["handshakesPerSecond"], cpu=cpu, rss=rss)
    except (ValueError, KeyError):
        return dict(connected=0, failed=n, seconds=0, rate=0, cpu=cpu, rss=rss, error=f"exit {status}")


def python_client(args, n):
    argv = [sys.executable, os.path.join(HERE, "python_ramp.py"), args.url, "--connections", str(n),
            "--in-flight", str(args.in_flight), "--timeout", str(args.timeout - 10)]
    text, cpu, rss, status = measure_wait4(argv, args.timeout)
    try:
        j = json.loads(text.strip().splitlines()[-1])
        return dict(connected=j["connected"], failed=j["failed"], seconds=j["seconds"],
                    rate=j["handshakes_per_second"], cpu=cpu, rss=rss)
    except (ValueError, KeyError, IndexError):
        return dict(connected=0, failed=n, seconds=0, rate=0, cpu=cpu, rss=rss, error=f"exit {status}")


def per_conn(r, base, n):
    cpu_us = (r["cpu"] - base["cpu"]) / max(n - 1, 1) * 1e6
    rss_b = (r["rss"] - base["rss"]) / max(n - 1, 1)
    return cpu_us, rss_b


def fmt(name, r, base, n):
    cpu_us, rss_b = per_conn(r, base, n)
    extra = f" ({r['error']})" if "error" in r else ""
    return (f"{name} {r['connected']:,} connected, {r['failed']} failed, {r['seconds']:.2f} s, {r['rate']:.0f}/s, "
            f"{cpu_us:.0f} µs CPU/conn, {rss_b:.0f} B/conn{extra}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--load", required=True, help="the wstune binary")
    p.add_argument("--url", required=True)
    p.add_argument("--connections", type=int, default=10000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--in-flight", type=int, default=2000)
    p.add_argument("--pause", type=float, default=2.0, help="seconds between runs (TIME_WAIT, CPU settle)")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--goal", type=float, default=10.0)
    a = p.parse_args()
    n = a.connections
    print(f"same server {a.url}; each run: {n:,} connections, at most {a.in_flight} handshakes in flight, "
          f"no rate limit; load threads: {os.cpu_count()} (its default), python: one asyncio loop")
    # Baselines: start-up cost and RSS with one connection (the smaller of two runs).
    lb = min((load_client(a, 1) for _ in range(2)), key=lambda r: r["cpu"])
    pb = min((python_client(a, 1) for _ in range(2)), key=lambda r: r["cpu"])
    print(f"baseline (1 connection): wstune load {lb['cpu'] * 1e3:.0f} ms CPU, {lb['rss'] / 2**20:.1f} MiB peak RSS"
          f" | python websockets {pb['cpu'] * 1e3:.0f} ms CPU, {pb['rss'] / 2**20:.1f} MiB peak RSS")
    loads, pys, ratios = [], [], []
    for i in range(a.runs):
        order = (load_client, python_client) if i % 2 == 0 else (python_client, load_client)
        res = {}
        for f in order:
            res[f] = f(a, n)
            time.sleep(a.pause)
        lr, pr = res[load_client], res[python_client]
        loads.append(lr)
        pys.append(pr)
        ratio = lr["rate"] / pr["rate"] if pr["rate"] > 0 else float("nan")
        ratios.append(ratio)
        first = "load first" if i % 2 == 0 else "python first"
        print(f"run {i + 1} ({first}): {fmt('wstune load', lr, lb, n)} | {fmt('python websockets', pr, pb, n)}"
              f" | ratio {ratio:.2f}x", flush=True)

    def med(rs, key):
        return statistics.median(r[key] for r in rs)

    def med_per_conn(rs, base):
        c = statistics.median(per_conn(r, base, n)[0] for r in rs)
        b = statistics.median(per_conn(r, base, n)[1] for r in rs)
        return c, b

    lc, lbytes = med_per_conn(loads, lb)
    pc, pbytes = med_per_conn(pys, pb)
    print(f"median: wstune load {med(loads, 'rate'):.0f} handshakes/s, {lc:.0f} µs CPU/conn, {lbytes:.0f} B/conn"
          f" | python websockets {med(pys, 'rate'):.0f} handshakes/s, {pc:.0f} µs CPU/conn, {pbytes:.0f} B/conn")
    ok = all(r >= a.goal for r in ratios)
    print(f"ratio: median {statistics.median(ratios):.2f}x, min {min(ratios):.2f}x, max {max(ratios):.2f}x; "
          f"CPU per connection {pc / lc if lc > 0 else float('nan'):.1f}x less; "
          f"goal >= {a.goal:g}x in every run: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
