"""An independent WebSocket server for the load client's tests (Python `websockets`, written by others).

/ws echoes every message; /ws/broadcast sends every message to all clients on that path. Prints
"READY <port>" once listening. Exits after --lifetime seconds at most (tests never leave it running).
"""
import argparse
import asyncio
import resource
import sys

from websockets.asyncio.server import broadcast, serve

clients = set()


async def handler(ws):
    path = ws.request.path
    if path.startswith("/ws/broadcast"):
        clients.add(ws)
        try:
            async for message in ws:
                broadcast(clients, message)
        finally:
            clients.discard(ws)
    else:
        async for message in ws:
            await ws.send(message)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=120)
    p.add_argument("--reuse-port", action="store_true")
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    async with serve(handler, a.host, a.port, ping_interval=None, max_queue=None, backlog=4096,
                     reuse_port=a.reuse_port) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"READY {port}", flush=True)
        await asyncio.sleep(a.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
