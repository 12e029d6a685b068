"""permessage-deflate peers for `wstune serve --deflate`: Python `websockets` with compression (an independent
RFC 7692 implementation) and a raw client that compresses with Python's own zlib. Usage:

    serve_deflate.py websockets PORT MODE   MODE: default | no_context | windows | off
    serve_deflate.py raw PORT

Prints one JSON object. Every wait is bounded.
"""
import asyncio
import base64
import json
import os
import socket
import sys
import zlib

T = 10


async def with_websockets(port, mode):
    import websockets
    from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

    factories = {
        "default": ClientPerMessageDeflateFactory(),  # what browsers offer: client_max_window_bits
        "no_context": ClientPerMessageDeflateFactory(server_no_context_takeover=True,
                                                     client_no_context_takeover=True),
        "windows": ClientPerMessageDeflateFactory(server_max_window_bits=10, client_max_window_bits=9),
        "off": ClientPerMessageDeflateFactory(),
        "bomb": ClientPerMessageDeflateFactory(),
    }
    out = {}
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", open_timeout=T, max_size=None, compression=None,
                                  extensions=[factories[mode]]) as ws:
        out["response_extensions"] = ws.response.headers.get("Sec-WebSocket-Extensions")
        ext = ws.protocol.extensions
        if ext:
            e = ext[0]
            out["negotiated"] = {
                "server_no_context_takeover": e.remote_no_context_takeover,
                "client_no_context_takeover": e.local_no_context_takeover,
                "server_max_window_bits": e.remote_max_window_bits,
                "client_max_window_bits": e.local_max_window_bits,
            }
        if mode == "bomb":
            # 2 MB of zeros compress to about 2 KB: the server must bound the inflated size, not the wire size.
            await ws.send(b"\x00" * 2_000_000)
            try:
                await asyncio.wait_for(ws.recv(), T)
                out["close"] = None
            except websockets.exceptions.ConnectionClosed as e:
                out["close"] = e.rcvd.code if e.rcvd else None
            return out
        messages = ["hello " * 200, bytes(range(256)) * 400, "é✓😀" * 50, "", "hello " * 200, b"\x00" * 70000]
        ok = 0
        for m in messages:
            await ws.send(m)
            got = await asyncio.wait_for(ws.recv(), T)
            ok += got == m
        out["echoed"] = ok
        out["sent"] = len(messages)
    return out


def raw(port):
    """Offers permessage-deflate, sends one message compressed by Python's zlib with RSV1, and decompresses
    the echo with Python's zlib: an oracle that shares no code with the server."""
    s = socket.create_connection(("127.0.0.1", port), timeout=T)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, rest = data.split(b"\r\n\r\n", 1)
    plain = ("compress me " * 1000).encode()
    c = zlib.compressobj(wbits=-15)
    body = c.compress(plain) + c.flush(zlib.Z_SYNC_FLUSH)
    assert body.endswith(b"\x00\x00\xff\xff")
    body = body[:-4]
    mask = os.urandom(4)
    n = len(body)
    header = bytes([0x80 | 0x40 | 0x1]) + (bytes([0x80 | 126]) + n.to_bytes(2, "big") if n < 65536 else
                                           bytes([0x80 | 127]) + n.to_bytes(8, "big"))
    s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(body)))
    buf = rest
    while True:
        if len(buf) >= 2:
            ln = buf[1] & 0x7F
            off = 2
            if ln == 126 and len(buf) >= 4:
                ln, off = int.from_bytes(buf[2:4], "big"), 4
            elif ln == 127 and len(buf) >= 10:
                ln, off = int.from_bytes(buf[2:10], "big"), 10
            if ln < 126 or off > 2:
                if len(buf) >= off + ln:
                    break
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    rsv1 = bool(buf[0] & 0x40)
    payload = buf[off:off + ln]
    echoed = zlib.decompressobj(wbits=-15).decompress(payload + b"\x00\x00\xff\xff") if rsv1 else payload
    return {"status": int(head.split(b" ")[1]), "response_head": head.decode(), "rsv1": rsv1,
            "echo_ok": echoed == plain, "wire_bytes": len(payload), "plain_bytes": len(plain)}


def main():
    scenario, port = sys.argv[1], int(sys.argv[2])
    if scenario == "websockets":
        r = asyncio.run(asyncio.wait_for(with_websockets(port, sys.argv[3]), 60))
    elif scenario == "raw":
        r = raw(port)
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
