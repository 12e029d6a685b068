"""WebSocket client checks through a proxy (Python websockets, an independent peer).

Usage: proxy_client.py echo URL
         -> prints {"echo": "<reply>"} or {"error": "..."}
       proxy_client.py idle URL PING_INTERVAL WAIT_SECONDS
         -> opens one connection that never pings and one that pings every PING_INTERVAL seconds, waits
            WAIT_SECONDS, then reports whether each is still open (the pinging one must also echo).
Every step is bounded in time.
"""
import asyncio
import json
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


async def echo(url):
    try:
        async with connect(url, open_timeout=5, ping_interval=None) as ws:
            await ws.send("hello through the proxy")
            reply = await asyncio.wait_for(ws.recv(), timeout=5)
            return {"echo": reply}
    except Exception as e:  # report the failure as data: the test asserts on it
        return {"error": f"{type(e).__name__}: {e}"}


async def still_open(ws):
    try:
        await ws.send("still there?")
        reply = await asyncio.wait_for(ws.recv(), timeout=3)
        return reply == "still there?"
    except (ConnectionClosed, asyncio.TimeoutError):
        return False


async def idle(url, ping, wait):
    quiet = await connect(url, open_timeout=5, ping_interval=None)
    pinging = await connect(url, open_timeout=5, ping_interval=ping, ping_timeout=ping * 2)
    await asyncio.sleep(wait)
    result = {
        "quiet_closed_by_proxy": quiet.close_code is not None or quiet.state.name == "CLOSED",
        "quiet_open": await still_open(quiet),
        "pinging_open": await still_open(pinging),
    }
    await quiet.close()
    await pinging.close()
    return result


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "echo":
        out = asyncio.run(asyncio.wait_for(echo(url), timeout=20))
    else:
        out = asyncio.run(asyncio.wait_for(idle(url, float(sys.argv[3]), float(sys.argv[4])), timeout=60))
    print(json.dumps(out))
