#!/usr/bin/env python3
"""Issue 19: connect()'s own port choice skips ports whose bind bucket bind() created (net/ipv4/inet_hashtables.c,
__inet_hash_connect: tb->fastreuse >= 0 || tb->fastreuseport >= 0). Run inside a network namespace with a narrow
ip_local_port_range. Makes N sockets of one kind, then counts how many connect()s from 127.0.0.1 to one listener
succeed before EADDRNOTAVAIL (bounded by the range width and by --seconds).

kinds: bound     N sockets bind(127.0.0.2, 0) and stay bound (no listen, no connect)
       timewait  N sockets bind(127.0.0.2, 0), connect to a second listener and close first (TIME-WAIT)
       connected N sockets bind(127.0.0.2, 0) and connect to the second listener, kept open
       control   N sockets connect() to the second listener without bind, closed into TIME-WAIT
Usage: bound_ports_probe.py KIND N SECONDS [-- COMMAND ARGS...]...
While the N sockets are held, each COMMAND runs (in this namespace; its stdout is kept), then the connect()s are
counted. Prints one JSON object: {"made", "ports", "outputs", "connected", "errno"}.
"""
import json, socket, subprocess, sys, time

def main():
    kind, n, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    commands, rest = [], sys.argv[4:]
    while rest and rest[0] == "--":
        rest = rest[1:]
        cut = rest.index("--") if "--" in rest else len(rest)
        commands.append(rest[:cut]); rest = rest[cut:]
    deadline = time.monotonic() + seconds
    dst = socket.socket(); dst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    dst.bind(("127.0.0.9", 7000)); dst.listen(65535)
    other = socket.socket(); other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    other.bind(("127.0.0.8", 7001)); other.listen(65535)
    held, ports = [], []
    for _ in range(n):
        if time.monotonic() > deadline: break
        s = socket.socket()
        if kind != "control": s.bind(("127.0.0.2", 0))
        if kind in ("timewait", "connected", "control"):
            s.connect(("127.0.0.8", 7001))
            a, _ = other.accept()
            if kind == "connected": held.append(a)
            else:
                ports.append(s.getsockname()[1]); s.close(); a.close(); continue
        ports.append(s.getsockname()[1]); held.append(s)
    outputs = []
    for c in commands:
        left = max(deadline - time.monotonic(), 1)
        outputs.append(subprocess.run(c, capture_output=True, text=True, timeout=left).stdout)
    conns, err = [], 0
    while time.monotonic() < deadline:
        c = socket.socket()
        try:
            c.connect(("127.0.0.9", 7000))
        except OSError as e:
            err = e.errno; c.close(); break
        a, _ = dst.accept(); conns.append((c, a))
    print(json.dumps({"made": len(ports), "ports": ports, "outputs": outputs, "connected": len(conns), "errno": err}))

main()
