"""The reference point for the load client's handshake rate: a Python `websockets` client (asyncio) that opens
N connections as fast as it can with at most --in-flight handshakes at once, holds them, and prints one JSON
line: {"connected", "failed", "seconds", "handshakes_per_second"}. Bounded: --timeout seconds overall."""
import argparse
import asyncio
import json
import resource
import time

from websockets.asyncio.client import connect


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--in-flight", type=int, default=2000)
    p.add_argument("--timeout", type=float, default=300)
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    gate = asyncio.Semaphore(a.in_flight)
    held = []
    failed = 0
    last = [0.0]

    async def one():
        nonlocal failed
        async with gate:
            try:
                ws = await connect(a.url, ping_interval=None, open_timeout=15, compression=None)
                held.append(ws)
                last[0] = time.monotonic()
            except Exception:
                failed += 1

    start = time.monotonic()
    tasks = [asyncio.create_task(one()) for _ in range(a.connections)]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=a.timeout)
    seconds = max(last[0] - start, 1e-6)
    print(json.dumps({"connected": len(held), "failed": failed, "seconds": round(seconds, 3),
                      "handshakes_per_second": round(len(held) / seconds, 1)}), flush=True)
    await asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
