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


def load_client(binary, args, n):
    argv = [binary, "load", args.url, "--connections", str(n), "--rate", "0", "--hold", "0",
            "--max-in-flight", str(args.in_flight), "--handshake-timeout", "15", "--json"]
    text, cpu, rss, status = measure_wait4(argv, args.timeout)
    try:
        j = json.loads(text)
        return dict(connected=j["connected"], failed=j["failed"], seconds=j["rampSeconds"],
                    rate=j["handshakesPerSecond"], cpu=cpu, rss=rss)
    except (ValueError, KeyError):
        return dict(connected=0, failed=n, seconds=0, rate=0, cpu=cpu, rss=rss, error=f"exit {status}")


def ramp_line_client(argv, args, n):
    """Runs a client that prints python_ramp.py's JSON line last: {"connected", "failed", "seconds", ...}."""
    text, cpu, rss, status = measure_wait4(argv, args.timeout)
    try:
        j = json.loads(text.strip().splitlines()[-1])
        return dict(connected=j["connected"], failed=j["failed"], seconds=j["seconds"],
                    rate=j["handshakes_per_second"], cpu=cpu, rss=rss)
    except (ValueError, KeyError, IndexError):
        return dict(connected=0, failed=n, seconds=0, rate=0, cpu=cpu, rss=rss, error=f"exit {status}")


def python_client(_, args, n):
    return ramp_line_client([sys.executable, os.path.join(HERE, "python_ramp.py"), args.url, "--connections", str(n),
                             "--in-flight", str(args.in_flight), "--timeout", str(args.timeout - 10)], args, n)


def floor_client(binary, args, n):
    """floor_client.c: the same handshakes from C with epoll and nothing per connection, the ceiling any client
    reaches against this server on this machine."""
    return ramp_line_client([binary, args.url, "--connections", str(n), "--in-flight", str(args.in_flight),
                             "--timeout", str(args.timeout - 10)], args, n)


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
    p.add_argument("--load", required=True, action="append",
                   help="a wstune binary, or LABEL=PATH (repeat to compare builds in the same runs)")
    p.add_argument("--url", required=True)
    p.add_argument("--connections", type=int, default=10000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--in-flight", type=int, default=2000)
    p.add_argument("--pause", type=float, default=2.0, help="seconds between runs (TIME_WAIT, CPU settle)")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--goal", type=float, default=10.0)
    p.add_argument("--floor", help="floor_client binary: a C client's rate in the same runs (no goal)")
    a = p.parse_args()
    n = a.connections
    # The clients: each load binary, then the reference; a run measures each once, the order rotating.
    clients = []
    for spec in a.load:
        label, _, path = spec.rpartition("=")
        clients.append((f"wstune load{' ' + label if label else ''}", load_client, path))
    if a.floor:
        clients.append(("C floor client", floor_client, a.floor))
    clients.append(("python websockets", python_client, sys.executable))
    py = len(clients) - 1
    print(f"same server {a.url}; each run: {n:,} connections, at most {a.in_flight} handshakes in flight, "
          f"no rate limit; load threads: {os.cpu_count()} (its default), python: one asyncio loop")
    # Baselines: start-up cost and RSS with one connection (the smaller of two runs).
    base = [min((f(x, a, 1) for _ in range(2)), key=lambda r: r["cpu"]) for _, f, x in clients]
    print("baseline (1 connection): " + " | ".join(
        f"{name} {b['cpu'] * 1e3:.0f} ms CPU, {b['rss'] / 2**20:.1f} MiB peak RSS"
        for (name, _, _), b in zip(clients, base)))
    results = [[] for _ in clients]
    ratios = [[] for _ in clients]
    for i in range(a.runs):
        order = [(i + k) % len(clients) for k in range(len(clients))]
        res = {}
        for c in order:
            _, f, x = clients[c]
            res[c] = f(x, a, n)
            time.sleep(a.pause)
        parts = []
        for c, (name, _, _) in enumerate(clients):
            results[c].append(res[c])
            parts.append(fmt(name, res[c], base[c], n))
            if c != py:
                ratios[c].append(res[c]["rate"] / res[py]["rate"] if res[py]["rate"] > 0 else float("nan"))
        rs = ", ".join(f"{ratios[c][-1]:.2f}x" for c in range(len(clients)) if c != py)
        # A client that lost connections (timeouts on a starved machine) measured something else.
        flag = " [failures: rates not comparable]" if any(res[c]["failed"] for c in res) else ""
        print(f"run {i + 1} (first: {clients[order[0]][0]}): " + " | ".join(parts) + f" | ratio {rs}{flag}",
              flush=True)

    def med(rs, key):
        return statistics.median(r[key] for r in rs)

    for c, (name, _, _) in enumerate(clients):
        cpu = statistics.median(per_conn(r, base[c], n)[0] for r in results[c])
        mem = statistics.median(per_conn(r, base[c], n)[1] for r in results[c])
        print(f"median {name}: {med(results[c], 'rate'):.0f} handshakes/s, {cpu:.0f} µs CPU/conn, {mem:.0f} B/conn")
        results[c] = (cpu, mem)
    for c, (name, _, _) in enumerate(clients):
        if c == py:
            continue
        if name == "C floor client":
            print(f"ratio {name} / python: median {statistics.median(ratios[c]):.2f}x, min {min(ratios[c]):.2f}x, "
                  f"max {max(ratios[c]):.2f}x (the ceiling: no client does less per handshake)")
            continue
        ok = all(r >= a.goal for r in ratios[c])
        cpu_x = results[py][0] / results[c][0] if results[c][0] > 0 else float("nan")
        print(f"ratio {name} / python: median {statistics.median(ratios[c]):.2f}x, min {min(ratios[c]):.2f}x, "
              f"max {max(ratios[c]):.2f}x; CPU per connection {cpu_x:.1f}x less; "
              f"goal >= {a.goal:g}x in every run: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
