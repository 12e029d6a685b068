"""Clients that push `wstune serve` where a proxy or a hostile peer would. Usage:

    serve_hostile.py SCENARIO PORT [ARG ...]

keepalive_upgrade PORT         plain keep-alive requests, then a WebSocket upgrade, on one raw connection
ping_flood PORT SECONDS        masked pings as fast as possible, never reading (SO_RCVBUF 4096)
connect_hold PORT COUNT SECONDS  COUNT plain TCP connections held open (no request), then closed
proxy_mix PORT N_HTTP N_WS     N_HTTP plain requests, then N_WS WebSocket echoes (Python `websockets`)

Prints one JSON object. Every wait is bounded.
"""
import asyncio
import base64
import http.client
import json
import os
import socket
import struct
import sys
import time

T = 10


def masked(opcode, payload):
    key = os.urandom(4)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    assert len(payload) < 126
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + key + body


def read_response(s, buf=b""):
    """One HTTP response from a raw socket (head and Content-Length body): (status, headers, rest) or None on EOF."""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            return None
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(4096)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[n:]


def upgrade_request(port, path):
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


def keepalive_upgrade(port):
    out = {}
    s = socket.create_connection(("127.0.0.1", port), timeout=T)
    statuses = []
    for path in ["/readyz", "/healthz", "/readyz"]:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        r = read_response(s)
        statuses.append(r[0] if r else None)
    out["plain"] = statuses
    # The upgrade and a first frame in one write: the frame must reach the WebSocket side.
    s.sendall(upgrade_request(port, "/ws") + masked(0x1, b"after keep-alive"))
    r = read_response(s)
    out["upgrade"] = r[0] if r else None
    rest = r[2] if r else b""
    try:
        while len(rest) < 2 + len(b"after keep-alive"):
            chunk = s.recv(4096)
            if not chunk:
                break
            rest += chunk
    except socket.timeout:
        pass
    out["echo"] = rest[2:].decode(errors="replace") if len(rest) >= 2 and rest[0] == 0x81 else None
    s.close()

    # A refused upgrade (no such endpoint) after a plain request: the next request is answered, or the
    # connection is closed; it never hangs.
    s = socket.create_connection(("127.0.0.1", port), timeout=T)
    s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    r = read_response(s)
    out["refused_plain"] = r[0] if r else None
    s.sendall(upgrade_request(port, "/nowhere"))
    r = read_response(s)
    out["refused"] = r[0] if r else None
    out["refused_connection"] = r[1].get("connection") if r else None
    started = time.monotonic()
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        r2 = read_response(s, r[2] if r else b"")
        out["after_refusal"] = r2[0] if r2 else "closed"
    except (socket.timeout, TimeoutError):
        out["after_refusal"] = "hung"
    except (BrokenPipeError, ConnectionResetError):
        out["after_refusal"] = "closed"
    out["after_refusal_seconds"] = round(time.monotonic() - started, 3)
    s.close()
    return out


def ping_flood(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(T)
    s.connect(("127.0.0.1", port))
    s.sendall(upgrade_request(port, "/ws"))
    # Read exactly the handshake answer, byte by byte, and nothing after it.
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        c = s.recv(1)
        if not c:
            return {"error": "closed during handshake"}
        head += c
    # Largest control payload (125 bytes): each pong the server owes is 127 bytes.
    batch = b"".join(masked(0x9, bytes(125)) for _ in range(512))
    sent = 0
    closed = False
    started = time.monotonic()
    s.settimeout(1)
    view = memoryview(batch)
    offset = 0
    while time.monotonic() - started < float(seconds):
        try:
            offset += s.send(view[offset:])
        except (socket.timeout, TimeoutError):
            continue
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        if offset == len(batch):
            sent += len(batch)
            offset = 0
    out = {"status": int(head.split(b" ")[1]), "sent_bytes": sent, "closed_by_server": closed,
           "seconds": round(time.monotonic() - started, 3)}
    s.close()
    return out


def connect_hold(port, count, seconds):
    socks = []
    for _ in range(int(count)):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=T))
        except OSError:
            break
    print(json.dumps({"ready": True, "opened": len(socks)}), flush=True)
    time.sleep(float(seconds))
    for s in socks:
        s.close()
    return {"opened": len(socks)}


async def proxy_mix(port, n_http, n_ws):
    import websockets
    out = {"http_ok": 0, "http_failures": {}, "ws_ok": 0, "ws_failures": {}}

    # Plain requests from 8 keep-alive client connections at once: nginx keeps the upstream connections they
    # used in its pool and sends later upgrades on them.
    def plain(worker):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=T)
        for _ in range(worker, n_http, 8):
            try:
                c.request("GET", "/readyz")
                r = c.getresponse()
                r.read()
                k = None if r.status == 200 else str(r.status)
            except Exception as e:  # noqa: BLE001 - every failure is counted by kind
                k = type(e).__name__
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=T)
            if k is None:
                out["http_ok"] += 1
            else:
                out["http_failures"][k] = out["http_failures"].get(k, 0) + 1
        c.close()

    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(None, plain, w) for w in range(8)))
    sem = asyncio.Semaphore(16)

    async def one(i):
        async with sem:
            try:
                async with websockets.connect(f"ws://127.0.0.1:{port}/ws", open_timeout=T,
                                              close_timeout=T, ping_interval=None) as ws:
                    await ws.send(f"m{i}")
                    got = await asyncio.wait_for(ws.recv(), T)
                    if got == f"m{i}":
                        out["ws_ok"] += 1
                        return
                    k = "wrong echo"
            except Exception as e:  # noqa: BLE001
                k = f"{type(e).__name__}: {e}"[:120]
            out["ws_failures"][k] = out["ws_failures"].get(k, 0) + 1

    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n_ws))), 240)
    return out


def main():
    scenario, port = sys.argv[1], int(sys.argv[2])
    args = sys.argv[3:]
    if scenario == "keepalive_upgrade":
        r = keepalive_upgrade(port)
    elif scenario == "ping_flood":
        r = ping_flood(port, args[0])
    elif scenario == "connect_hold":
        r = connect_hold(port, args[0], args[1])
    elif scenario == "proxy_mix":
        r = asyncio.run(proxy_mix(port, int(args[0]), int(args[1])))
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
