"""Benchmarks/serve: N idle WebSocket connections on loopback against `wstune serve` and a bare SwiftNIO echo
server, both run as several processes on one port with SO_REUSEPORT (one process holds at most ~19,900 fds
here), loaded by several C holder processes from distinct 127.x.y.z source addresses.

Per server kind and N it reports, from /proc: userland bytes per idle connection (summed server RSS growth
divided by N), kernel memory per connection (Slab growth from /proc/meminfo divided by N; both ends of each
loopback pair are in it), server CPU microseconds per handshake (utime+stime growth divided by N) and
handshakes per second (N over the wall time until every holder reported all its handshakes done).
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

PER_SERVER = 15000   # connections one server process is expected to hold (well under ~19,900 fds)
PER_HOLDER = 15000   # connections one holder opens (under its fd limit and the 28k ephemeral ports)
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def slab_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no Slab line in /proc/meminfo")


def settled_slab(max_wait=40.0):
    """Slab once it stops moving (teardown of an earlier run frees memory for a while): two readings a
    second apart within 1 MiB, or the last reading after max_wait seconds."""
    end = time.time() + max_wait
    last = slab_bytes()
    while time.time() < end:
        time.sleep(1.0)
        now = slab_bytes()
        if abs(now - last) < (1 << 20):
            return now
        last = now
    return last


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_listening(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def start_servers(kind, args, port, count, procs):
    for _ in range(count):
        if kind == "wstune":
            cmd = [args.wstune, "serve", "--host", "127.0.0.1", "--port", str(port), "--reuse-port",
                   "--threads", str(args.threads), "--ping-interval", str(args.ping_interval),
                   "--max-connections", "19000"]
        else:
            cmd = [args.bare, "127.0.0.1", str(port), str(args.threads)]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_listening(port)
    time.sleep(0.5)


def stop(procs, sig=signal.SIGKILL):
    for p in procs:
        if p.poll() is None:
            p.send_signal(sig)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(kind, n, args, run_index):
    port = free_port()
    # Let the kernel finish freeing an earlier run's sockets before the baseline.
    slab0 = settled_slab()
    servers, holders = [], []
    try:
        started = time.time()
        start_servers(kind, args, port, max(1, -(-n // PER_SERVER)), servers)
        # Warm-up: a few hundred handshakes so one-time allocations (loop buffers, caches) are in the baseline.
        warm = subprocess.Popen([args.holder, "127.0.0.1", str(port), f"127.200.{run_index}.1", "400"],
                                stdout=subprocess.PIPE, text=True)
        warm.stdout.readline()
        warm.send_signal(signal.SIGTERM)
        warm.wait()
        time.sleep(1.0)
        pids = [p.pid for p in servers]
        rss0 = sum(rss_bytes(p) for p in pids)
        cpu0 = sum(cpu_seconds(p) for p in pids)
        t0 = time.time()
        holder_count = max(1, -(-n // PER_HOLDER))
        base, extra = divmod(n, holder_count)
        for h in range(holder_count):
            count = base + (1 if h < extra else 0)
            src = f"127.{10 + run_index}.{h + 1}.1"
            holders.append(subprocess.Popen([args.holder, "127.0.0.1", str(port), src, str(count)],
                                            stdout=subprocess.PIPE, text=True))
        opened, failed = 0, 0
        for h in holders:
            parts = h.stdout.readline().split()  # "ready OPEN SECONDS failed FAILED"
            if len(parts) < 5:
                raise RuntimeError(f"holder ended early: {parts}")
            opened += int(parts[1])
            failed += int(parts[4])
        elapsed = time.time() - t0
        cpu1 = sum(cpu_seconds(p) for p in pids)
        if time.time() - started > args.ping_interval:
            print(f"warning: handshakes outlasted the ping interval; CPU per handshake includes heartbeats",
                  file=sys.stderr)
        time.sleep(1.0)
        rss1 = sum(rss_bytes(p) for p in pids)
        slab1 = settled_slab(10.0)
        # Hold idle through wstune's first heartbeat pass (it starts one interval after start and pings every
        # connection over the next interval, a slice at a time; the holders answer), then read memory and CPU.
        time.sleep(max(0.0, started + 2 * args.ping_interval + 3.0 - time.time()))
        rss2 = sum(rss_bytes(p) for p in pids)
        cpu2 = sum(cpu_seconds(p) for p in pids)
        alive = all(p.poll() is None for p in servers)
        pings = 0
        for h in holders:
            h.send_signal(signal.SIGTERM)
        for h in holders:
            out, _ = h.communicate(timeout=20)
            parts = out.split()  # "held OPEN pings PINGS"
            pings += int(parts[3]) if len(parts) >= 4 and parts[0] == "held" else 0
        return {
            "server": kind, "connections": n, "opened": opened, "failed": failed,
            "server_processes": len(servers), "holder_processes": holder_count,
            "bytes_per_idle_connection": round((rss1 - rss0) / max(opened, 1)),
            "bytes_per_idle_connection_after_heartbeat": round((rss2 - rss0) / max(opened, 1)),
            "kernel_slab_bytes_per_connection": round((slab1 - slab0) / max(opened, 1)),
            "server_cpu_us_per_handshake": round((cpu1 - cpu0) * 1e6 / max(opened, 1), 1),
            "handshakes_per_second": round(opened / elapsed),
            "idle_cpu_us_per_connection_over_first_heartbeat": round((cpu2 - cpu1) * 1e6 / max(opened, 1), 2),
            "server_cpu_us_per_ping_answered": round((cpu2 - cpu1) * 1e6 / pings, 2) if pings else None,
            "pings_answered_by_holders": pings,
            "servers_alive": alive,
        }
    finally:
        stop(holders, signal.SIGTERM)
        stop(servers)


def median_of(runs):
    """Each numeric figure's median over the runs (the first run's other fields)."""
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = sorted(r[key] for r in runs)
            out[key] = values[len(values) // 2]
    out["runs"] = len(runs)
    return out


def main():
    # SIGTERM ends the run like Ctrl-C, so the finally blocks stop every process it started.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    ap = argparse.ArgumentParser()
    ap.add_argument("--wstune", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--holder", required=True)
    ap.add_argument("--nio-version", default="?")
    ap.add_argument("--threads", type=int, default=1, help="event-loop threads per server process")
    ap.add_argument("--ping-interval", type=float, default=20.0,
                    help="wstune --ping-interval; longer than the handshake phase so it measures handshakes alone")
    ap.add_argument("--repeat", type=int, default=1, help="runs per server kind and N; the median is reported")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("counts", nargs="*", type=int, default=[50000, 100000])
    args = ap.parse_args()
    results = []
    run_index = 0
    for n in args.counts:
        for kind in ("bare", "wstune"):
            runs = []
            for _ in range(args.repeat):
                run_index += 1
                r = measure(kind, n, args, run_index)
                runs.append(r)
                print(json.dumps(r), file=sys.stderr, flush=True)
            results.append(median_of(runs))
    if args.json:
        print(json.dumps({"nio_version": args.nio_version, "results": results}, indent=2))
        return
    print(f"swift-nio {args.nio_version}; {args.threads} event-loop thread(s) per server process; "
          f"wstune --ping-interval {args.ping_interval:g}; median of {args.repeat} run(s) each")
    cols = ["server", "connections", "opened", "bytes_per_idle_connection", "bytes_per_idle_connection_after_heartbeat",
            "kernel_slab_bytes_per_connection", "server_cpu_us_per_handshake", "handshakes_per_second",
            "server_cpu_us_per_ping_answered", "pings_answered_by_holders"]
    heads = ["server", "N", "opened", "B/conn", "B/conn+hb", "slab B/conn", "CPU us/hs", "hs/s", "CPU us/ping",
             "pings"]
    print("  ".join(f"{h:>12}" for h in heads))
    for r in results:
        print("  ".join(f"{str(r[c]):>12}" for c in cols))
    for n in args.counts:
        b = next(r for r in results if r["server"] == "bare" and r["connections"] == n)
        w = next(r for r in results if r["server"] == "wstune" and r["connections"] == n)
        print(f"N={n}: wstune/bare bytes per idle connection "
              f"{w['bytes_per_idle_connection'] / max(b['bytes_per_idle_connection'], 1):.2f}, "
              f"CPU per handshake {w['server_cpu_us_per_handshake'] / max(b['server_cpu_us_per_handshake'], 0.1):.2f}, "
              f"handshakes/s {w['handshakes_per_second'] / max(b['handshakes_per_second'], 1):.2f}")


if __name__ == "__main__":
    main()
