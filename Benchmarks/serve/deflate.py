"""Benchmarks/serve/deflate.py: what permessage-deflate costs per idle connection in `wstune serve`.

N Python `websockets` clients connect to /ws, each sends and receives one 2 KB text message (so zlib state
exists where the negotiation keeps it), then all stay idle; the server's RSS growth (/proc/PID/status VmRSS)
divided by N is the cost per idle connection. Three runs in one go: no --deflate (clients offer, nothing is
negotiated), --deflate with the browsers' offer (context takeover both ways), and
--deflate-no-context-takeover. Usage:

    python3 Benchmarks/serve/deflate.py --wstune PATH [--connections N]

Needs the venv's `websockets` (scripts/setup). Every wait is bounded.
"""
import argparse
import asyncio
import json
import resource
import socket
import subprocess
import sys
import time


def rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


async def hold(port, n):
    import websockets
    conns = []
    message = ("the quick brown fox jumps over the lazy dog " * 50)[:2048]
    for i in range(n):
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10, ping_interval=None)
        await ws.send(message)
        assert await asyncio.wait_for(ws.recv(), 10) == message
        conns.append(ws)
    return conns


def measure(wstune, flags, n):
    port = free_port()
    server = subprocess.Popen([wstune, "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "1",
                               "--ping-interval", "600"] + flags, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)
        before = rss(server.pid)
        async def run():
            conns = await asyncio.wait_for(hold(port, n), 300)
            await asyncio.sleep(1.0)
            after = rss(server.pid)
            negotiated = conns[0].response.headers.get("Sec-WebSocket-Extensions")
            await asyncio.gather(*(c.close() for c in conns))
            return after, negotiated

        after, negotiated = asyncio.run(run())
        return {"flags": " ".join(flags) or "(none)", "connections": n, "negotiated": negotiated,
                "rss_before": before, "rss_after": after, "bytes_per_connection": (after - before) // n}
    finally:
        server.kill()
        server.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wstune", required=True)
    ap.add_argument("--connections", type=int, default=1000)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results = [measure(args.wstune, f, args.connections)
               for f in ([], ["--deflate"], ["--deflate-no-context-takeover"])]
    for r in results:
        print(f"{r['flags']:32} {r['bytes_per_connection']:>9,} bytes per idle connection "
              f"(negotiated: {r['negotiated']})")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
