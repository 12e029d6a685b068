"""A deliberately broken WebSocket server for the load and check tests (standard library only). Usage:

    hostile_server.py MODE PORT LIFETIME

silent   completes the upgrade (valid 101), then never sends anything
random   completes the upgrade, then sends random bytes (4 KB every 100 ms)
huge     completes the upgrade, then sends a frame header claiming 2^62 payload bytes
http500  answers every request with HTTP 500
badaccept answers 101 with a Sec-WebSocket-Accept that does not match the key
nothttp  answers the upgrade request with bytes that are not HTTP
mute     reads the upgrade request and never answers

Prints "READY <port>" once listening; exits after LIFETIME seconds at most.
"""
import asyncio
import base64
import hashlib
import os
import struct
import sys

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def handle(mode, reader, writer):
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        if mode == "http500":
            body = b"internal error\n"
            writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            writer.close()
            return
        if mode == "nothttp":
            writer.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
            await writer.drain()
        if mode in ("nothttp", "mute"):
            while await reader.read(65536):
                pass
            return
        key = ""
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip()
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if mode == "badaccept":
            accept = base64.b64encode(hashlib.sha1((key + "x" + GUID).encode()).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        await writer.drain()
        if mode == "random":
            # 4 KB of random bytes every 100 ms until the client goes (a first random "frame" may claim more
            # bytes than one burst holds; later bursts complete it, and the frames that follow break the rules).
            await asyncio.sleep(0.2)
            while not reader.at_eof():
                writer.write(os.urandom(4096))
                await writer.drain()
                try:
                    if await asyncio.wait_for(reader.read(65536), 0.1) == b"":
                        break
                except asyncio.TimeoutError:
                    pass
            return
        elif mode == "huge":
            await asyncio.sleep(0.2)
            writer.write(bytes([0x82, 0x7F]) + struct.pack(">Q", 1 << 62) + b"x" * 64)
            await writer.drain()
        # Read (and drop) whatever the client sends until it goes.
        while await reader.read(65536):
            pass
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(mode, port, lifetime):
    server = await asyncio.start_server(lambda r, w: handle(mode, r, w), "127.0.0.1", port, backlog=1024)
    print(f"READY {port}", flush=True)
    async with server:
        await asyncio.sleep(lifetime)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
