"""WebSocket peer for the `wstune serve` integration tests, built on Python's `websockets` (written and
maintained elsewhere, so it is an independent check of the server). Usage:

    serve_client.py SCENARIO PORT [ARG ...]

Prints one JSON object with what the peer observed; the Swift test asserts on it and on /metrics.
Every wait is bounded; the script never runs longer than about 20 seconds.
"""
import asyncio
import base64
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Close, Frame, Opcode

T = 10  # seconds any single wait may take


def url(port, path="/ws"):
    return f"ws://127.0.0.1:{port}{path}"


def close_info(exc_or_ws):
    """(code, reason) of the close frame the server sent, or (None, None) when none arrived."""
    rcvd = getattr(exc_or_ws, "rcvd", None)
    if rcvd is None and hasattr(exc_or_ws, "protocol"):
        rcvd = exc_or_ws.protocol.close_rcvd
    return (rcvd.code, rcvd.reason) if rcvd is not None else (None, None)


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=T) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


async def expect_close(ws):
    """Waits for the server to close; returns its close code and reason."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), T)
    except ConnectionClosed as e:
        return close_info(e)


async def echo(port):
    out = {}
    async with websockets.connect(url(port), open_timeout=T, max_size=None) as ws:
        await ws.send("hello")
        out["text"] = await asyncio.wait_for(ws.recv(), T)
        payload = bytes(range(256)) * 400  # 102,400 bytes: several reads and a 64-bit length field
        await ws.send(payload)
        got = await asyncio.wait_for(ws.recv(), T)
        out["binary_equal"] = got == payload
        out["binary_len"] = len(got)
        await ws.send("é✓😀")
        out["unicode"] = await asyncio.wait_for(ws.recv(), T)
        await ws.close(code=1000)
        out["close"] = close_info(ws)
    return out


async def close_code(port, code):
    async with websockets.connect(url(port), open_timeout=T) as ws:
        await ws.close(code=int(code), reason="bye")
        return {"close": close_info(ws)}


async def oversize(port, limit):
    """LIMIT is the server's --max-message: a message of exactly LIMIT bytes comes back, one more is refused."""
    limit = int(limit)
    out = {}
    async with websockets.connect(url(port), open_timeout=T, max_size=None) as ws:
        await ws.send(b"w" * limit)
        out["at_limit_echo_len"] = len(await asyncio.wait_for(ws.recv(), T))
        await ws.send(b"x" * (limit + 1))
        out["single"] = await expect_close(ws)
    async with websockets.connect(url(port), open_timeout=T, max_size=None) as ws:
        # Fragments each under the limit that add up to more than it.
        part = b"y" * (limit // 3 + 1)
        try:
            await ws.send([part, part, part, part])
        except ConnectionClosed:
            pass
        out["fragmented"] = await expect_close(ws)
    return out


async def invalid_utf8(port):
    async with websockets.connect(url(port), open_timeout=T) as ws:
        await ws.send(b"ok \xc3\x28 not utf-8", text=True)
        return {"close": await expect_close(ws)}


async def fragmented(port):
    out = {}
    async with websockets.connect(url(port), open_timeout=T) as ws:
        await ws.send(["frag", "ment", "ed ✓"])
        out["text"] = await asyncio.wait_for(ws.recv(), T)
        await ws.send([b"\x00\x01", b"\x02", b"\x03\x04"])
        out["binary"] = list(await asyncio.wait_for(ws.recv(), T))
        # A text message split inside a multi-byte character is valid once reassembled.
        snowman = "☃".encode()
        await ws.send([snowman[:1], snowman[1:]], text=True)
        out["split_char"] = await asyncio.wait_for(ws.recv(), T)
    async with websockets.connect(url(port), open_timeout=T, max_size=None) as ws:
        # Large fragments: each arrives over several reads while the message is being reassembled.
        parts = [bytes([65 + i]) * 100_000 for i in range(3)]
        await ws.send(parts)
        out["large_equal"] = await asyncio.wait_for(ws.recv(), T) == b"".join(parts)
    return out


async def ping(port):
    async with websockets.connect(url(port), open_timeout=T, ping_interval=None) as ws:
        started = time.monotonic()
        waiter = await ws.ping(b"are you there")
        latency = await asyncio.wait_for(waiter, T)
        return {"pong": True, "latency": latency, "elapsed": time.monotonic() - started}


async def heartbeat(port, seconds):
    """A websockets client (answers pings on its own) stays connected across several ping intervals."""
    async with websockets.connect(url(port), open_timeout=T, ping_interval=None) as ws:
        await asyncio.sleep(float(seconds))
        await ws.send("alive")
        return {"echo": await asyncio.wait_for(ws.recv(), T)}


def raw_handshake(port, path="/ws", extra=""):
    s = socket.create_connection(("127.0.0.1", port), timeout=T)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("closed during handshake")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return s, head.decode(), rest


def read_frames_until_eof(s, initial=b"", limit=T):
    """Reads until the server closes the TCP connection; returns (frames, seconds until EOF)."""
    from websockets.streams import StreamReader
    reader = StreamReader()
    reader.feed_data(initial)
    started = time.monotonic()
    s.settimeout(limit)
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            chunk = b""
        if not chunk:
            break
        reader.feed_data(chunk)
    reader.feed_eof()
    frames = []
    while True:
        gen = Frame.parse(reader.read_exact, mask=False)
        try:
            next(gen)
        except StopIteration as stop:
            frames.append(stop.value)
            continue
        except EOFError:
            break
        break
    return frames, time.monotonic() - started


def early_frame(port):
    """Sends the RFC 6455 §1.3 sample key and a frame in the same write as the upgrade request."""
    s = socket.create_connection(("127.0.0.1", port), timeout=T)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
              + Frame(Opcode.TEXT, b"early bird").serialize(mask=True))
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, rest = data.split(b"\r\n\r\n", 1)
    frame = read_frame(s, rest)
    s.close()
    accept = [l.split(":", 1)[1].strip() for l in head.decode().split("\r\n") if l.lower().startswith("sec-websocket-accept:")]
    return {"accept": accept[0] if accept else None, "echo": frame.data.decode()}


def read_frame(s, rest):
    """The first frame from the server after the response head (`rest` holds bytes already read)."""
    from websockets.streams import StreamReader
    reader = StreamReader()
    reader.feed_data(rest)
    while True:
        gen = Frame.parse(reader.read_exact, mask=False)
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
        chunk = s.recv(4096)
        if not chunk:
            return None
        reader.feed_data(chunk)


def handshake_shapes(port):
    """Upgrade requests of several shapes, sent raw: the answer's status, whether its Sec-WebSocket-Accept is
    base64(SHA-1(key + GUID)) as hashlib computes it, and whether a text frame sent after a 101 comes back."""
    import hashlib
    guid = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def request(key, lines=None):
        lines = lines if lines is not None else [
            "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13"]
        return ("GET /ws HTTP/1.1\r\n" + "".join(l + "\r\n" for l in lines) + "\r\n").encode()

    k = base64.b64encode(os.urandom(16)).decode()
    shapes = {
        "plain": [request(k)],
        "split": [request(k)[:40], request(k)[40:]],
        "lowercase-lists": [request(k, ["host: x", "upgrade: WebSocket", "connection: keep-alive, Upgrade",
                                        f"sec-websocket-key:   {k}  ", "sec-websocket-version: 13"])],
        "short-key": [request("c2hvcnQ=")],
        "two-keys": [request(k, ["Host: x", "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {k}",
                                 f"Sec-WebSocket-Key: {k}", "Sec-WebSocket-Version: 13"])],
        "version-8": [request(k, ["Host: x", "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {k}",
                                  "Sec-WebSocket-Version: 8"])],
        "unknown-path": [request(k).replace(b"GET /ws ", b"GET /nope ")],
    }
    out = {}
    for name, parts in shapes.items():
        s = socket.create_connection(("127.0.0.1", port), timeout=T)
        for i, part in enumerate(parts):
            if i:
                time.sleep(0.05)
            s.sendall(part)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else None
        sent_key = [l.split(":", 1)[1].strip() for l in b"".join(parts).decode().split("\r\n")
                    if l.lower().startswith("sec-websocket-key:")][0]
        expected = base64.b64encode(hashlib.sha1(sent_key.encode() + guid).digest()).decode()
        accept = [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("sec-websocket-accept:")]
        echo = None
        if status == 101:
            s.sendall(Frame(Opcode.TEXT, name.encode()).serialize(mask=True))
            frame = read_frame(s, rest)
            echo = frame.data.decode() if frame is not None else None
        s.close()
        out[name] = {"status": status, "acceptOK": bool(accept) and accept[0] == expected, "echo": echo}
    return out


def raw_violation(port, kind):
    """Sends one frame that breaks RFC 6455 and reports the close code the server answered with."""
    s, head, rest = raw_handshake(port)
    mask = os.urandom(4)
    if kind == "unmasked":
        data = Frame(Opcode.TEXT, b"plain").serialize(mask=False)
    elif kind == "reserved_bits":
        data = bytearray(Frame(Opcode.TEXT, b"rsv").serialize(mask=True))
        data[0] |= 0x40
        data = bytes(data)
    elif kind == "bad_opcode":
        data = bytes([0x83, 0x80]) + mask
    elif kind == "continuation_first":
        data = Frame(Opcode.CONT, b"orphan").serialize(mask=True)
    elif kind == "long_ping":
        data = bytes([0x89, 0xFE, 0x00, 0xC8]) + mask + bytes(200)
    elif kind == "bad_close_code":
        data = bytes([0x88, 0x82]) + mask + bytes(b ^ m for b, m in zip((1005).to_bytes(2, "big"), mask))
    elif kind == "fragmented_control":
        data = bytes([0x09, 0x80]) + mask
    else:
        raise SystemExit(f"unknown violation {kind}")
    s.sendall(data)
    frames, _ = read_frames_until_eof(s, rest)
    s.close()
    closes = [Close.parse(f.data) for f in frames if f.opcode == Opcode.CLOSE]
    return {"status_line": head.splitlines()[0], "close_codes": [c.code for c in closes]}


def silent_peer(port):
    """Completes the handshake, then never answers a ping: the server must close it after two intervals."""
    s, head, rest = raw_handshake(port)
    frames, seconds = read_frames_until_eof(s, rest, limit=15)
    s.close()
    return {"pings": sum(1 for f in frames if f.opcode == Opcode.PING), "closed_after": seconds}


def slowloris(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=T)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finishes the request
    started = time.monotonic()
    s.settimeout(15)
    try:
        while s.recv(4096):
            pass
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return {"closed_after": time.monotonic() - started}


async def origin(port, allowed, refused):
    out = {}
    async with websockets.connect(url(port), open_timeout=T, origin=allowed) as ws:
        await ws.send("from allowed")
        out["allowed_echo"] = await asyncio.wait_for(ws.recv(), T)
    try:
        async with websockets.connect(url(port), open_timeout=T, origin=refused):
            out["refused_status"] = 101
    except InvalidStatus as e:
        out["refused_status"] = e.response.status_code
    try:
        async with websockets.connect(url(port), open_timeout=T):
            out["no_origin_status"] = 101
    except InvalidStatus as e:
        out["no_origin_status"] = e.response.status_code
    return out


async def capacity(port, cap):
    cap = int(cap)
    out = {}
    held = [await websockets.connect(url(port), open_timeout=T) for _ in range(cap)]
    out["held"] = len(held)
    out["readyz_at_cap"] = http_get(port, "/readyz")[0]
    try:
        extra = await websockets.connect(url(port), open_timeout=T)
        out["over_cap_status"] = 101
        await extra.close()
    except InvalidStatus as e:
        out["over_cap_status"] = e.response.status_code
    for ws in held:
        await ws.send("still here")
        assert await asyncio.wait_for(ws.recv(), T) == "still here"
    await held[0].close()
    # The slot comes back once the server has seen the close; poll /readyz briefly.
    deadline = time.monotonic() + T
    while http_get(port, "/readyz")[0] != 200 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    out["readyz_after_close"] = http_get(port, "/readyz")[0]
    again = await websockets.connect(url(port), open_timeout=T)
    out["reconnect_ok"] = True
    await again.close()
    for ws in held[1:]:
        await ws.close()
    return out


async def broadcast(port, clients, messages):
    clients, messages = int(clients), int(messages)
    conns = [await websockets.connect(url(port, "/ws/broadcast"), open_timeout=T) for _ in range(clients)]
    # Every client must be registered before the first message: an echo on /ws proves the server is past
    # the handshakes of all of them (they were accepted in order on this one connection sequence).
    for i in range(messages):
        await conns[0].send(f"message {i}")
    received = []
    for ws in conns:
        got = [await asyncio.wait_for(ws.recv(), T) for _ in range(messages)]
        received.append(got)
    for ws in conns:
        await ws.close()
    expected = [f"message {i}" for i in range(messages)]
    return {"clients": clients, "all_received_in_order": all(r == expected for r in received)}


async def drain_clients(port, count):
    """Connects COUNT clients, prints "ready", then reports the close each one got."""
    conns = [await websockets.connect(url(port), open_timeout=T) for _ in range(int(count))]
    print(json.dumps({"ready": len(conns)}), flush=True)
    results = await asyncio.gather(*(expect_close(ws) for ws in conns))
    return {"closes": [list(r) for r in results]}


def unanswering_client(port):
    """Connects, prints "ready", then never answers the server's close: the drain must wait for it."""
    s, head, rest = raw_handshake(port)
    print(json.dumps({"ready": 1}), flush=True)
    frames, seconds = read_frames_until_eof(s, rest, limit=20)
    closes = [Close.parse(f.data).code for f in frames if f.opcode == Opcode.CLOSE]
    return {"close_codes": closes, "eof_after": seconds}


async def slow_consumer(port, messages, size):
    """One client on /ws/broadcast never reads; another floods the endpoint. Reports what the reader saw."""
    messages, size = int(messages), int(size)
    stalled, _, _ = raw_handshake(port, "/ws/broadcast")
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    async with websockets.connect(url(port, "/ws/broadcast"), open_timeout=T, max_size=None) as sender:
        payload = b"z" * size
        got = 0
        for _ in range(messages):
            await sender.send(payload)
            # Read our own copy back so the sender is never the slow one.
            await asyncio.wait_for(sender.recv(), T)
            got += 1
    stalled.close()
    return {"sender_received": got}


def main():
    scenario, port, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    sync = {"raw_violation": raw_violation, "early_frame": early_frame, "handshake_shapes": handshake_shapes, "silent_peer": silent_peer, "slowloris": slowloris,
            "unanswering_client": unanswering_client}
    if scenario in sync:
        result = sync[scenario](port, *rest)
    else:
        fn = globals()[scenario]
        result = asyncio.run(asyncio.wait_for(fn(port, *rest), 25))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
