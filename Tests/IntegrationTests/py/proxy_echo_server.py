"""WebSocket echo server for the render/lint proxy tests (Python websockets, an independent peer).

Usage: proxy_echo_server.py PORT
Serves /ws (and any path) as an echo WebSocket, answers GET /readyz and /healthz with 200 over plain
HTTP/1.1 (HAProxy's health check) and a plain GET without Upgrade with 200. Sends no pings of its own,
so an idle connection stays idle. Prints "ready" once listening. Stops on SIGTERM.
"""
import asyncio
import http
import signal
import sys

from websockets.asyncio.server import serve


def process_request(connection, request):
    upgrade = request.headers.get("Upgrade", "")
    if request.path in ("/readyz", "/healthz") or upgrade.lower() != "websocket":
        return connection.respond(http.HTTPStatus.OK, "ok\n")
    return None


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main(port):
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(echo, "127.0.0.1", port, process_request=process_request, ping_interval=None):
        print("ready", flush=True)
        await asyncio.wait_for(stop, timeout=300)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
