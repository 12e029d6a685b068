import Foundation
import XCTest

/// A Python process inside a test namespace that opens real loopback connections in known shapes (established
/// on two ports over IPv4 and IPv6, TIME-WAIT, CLOSE-WAIT, a stalled reader), then holds them until killed.
/// The counts compared are always measured with `ss` (or conntrack) afterwards, never taken from this script.
final class CountTestPeers {
    static let script = #"""
        import os, resource, socket, sys, time
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        port_a, port_b, n4a, n4b, n6a, n6b, n_tw, n_cw = map(int, sys.argv[1:9])
        keep = []
        def listener(family, addr, port):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, port)); s.listen(4096); keep.append(s); return s
        def connect_many(lst, family, addr, port, n, srcs=None):
            out = []
            for i in range(n):
                c = socket.socket(family, socket.SOCK_STREAM)
                if srcs:
                    c.bind((srcs[i % len(srcs)], 0))
                c.connect((addr, port))
                a, _ = lst.accept()
                out.append((c, a))
            return out
        la4, lb4 = listener(socket.AF_INET, "127.0.0.1", port_a), listener(socket.AF_INET, "127.0.0.1", port_b)
        la6, lb6 = listener(socket.AF_INET6, "::1", port_a), listener(socket.AF_INET6, "::1", port_b)
        peers4 = ["127.0.0.%d" % i for i in range(2, 9)]
        pairs = []
        pairs += connect_many(la4, socket.AF_INET, "127.0.0.1", port_a, n4a, peers4)
        pairs += connect_many(lb4, socket.AF_INET, "127.0.0.1", port_b, n4b)
        pairs += connect_many(la6, socket.AF_INET6, "::1", port_a, n6a)
        pairs += connect_many(lb6, socket.AF_INET6, "::1", port_b, n6b)
        # TIME-WAIT: the client closes first and the server answers; the client side ends in TIME-WAIT.
        for c, a in connect_many(lb4, socket.AF_INET, "127.0.0.1", port_b, n_tw):
            c.close(); time.sleep(0.001); a.close()
        # CLOSE-WAIT: the client closes, the server never does (server side CLOSE-WAIT, client FIN-WAIT-2).
        half = connect_many(la4, socket.AF_INET, "127.0.0.1", port_a, n_cw)
        for c, a in half:
            c.close()
        keep.append(half)
        # A slow consumer: the server writes into a client that never reads.
        (c, a), = connect_many(la4, socket.AF_INET, "127.0.0.1", port_a, 1)
        a.setblocking(False)
        sent = 0
        try:
            while sent < 8 << 20:
                sent += a.send(b"x" * 65536)
        except BlockingIOError:
            pass
        keep.append((c, a))
        time.sleep(0.5)
        print("ready", flush=True)
        sys.stdin.read()
        """#

    let namespace: NetNamespace
    let process: Process
    let directory: URL

    /// Starts the peers in `namespace` and waits (bounded) until they print "ready".
    init(
        namespace: NetNamespace, portA: Int, portB: Int, ipv4A: Int, ipv4B: Int, ipv6A: Int, ipv6B: Int,
        timeWait: Int, closeWait: Int
    ) throws {
        self.namespace = namespace
        directory = try TestSupport.temporaryDirectory("wst-count")
        let path = directory.appendingPathComponent("peers.py")
        try CountTestPeers.script.write(to: path, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["ip", "netns", "exec", namespace.name, "python3", path.path]
            + [portA, portB, ipv4A, ipv4B, ipv6A, ipv6B, timeWait, closeWait].map(String.init)
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = Pipe()
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let ready = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let data = out.fileHandleForReading.availableData
            if String(decoding: data, as: UTF8.self).contains("ready") { ready.signal() }
        }
        guard ready.wait(timeout: .now() + 120) == .success else {
            stop()
            throw NSError(
                domain: "CountTestPeers", code: 1,
                userInfo: [NSLocalizedDescriptionKey: "test peers did not come up within 120 s"])
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
