import Foundation
import XCTest

/// A Python process in a test namespace that opens, closes, resets and half-closes loopback connections on
/// command (one line on stdin per step, "done" on stdout after each), for the live counter's tests. What the
/// counts should be is always measured with `ss` afterwards, never taken from this script.
final class LiveCounterDriver {
    static let script = #"""
        import resource, socket, struct, sys, time
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        ports = [int(p) for p in sys.argv[1:]]
        listeners = {}
        for p in ports:
            for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((addr, p)); s.listen(4096); listeners[(p, fam)] = s
        pairs = {p: [] for p in ports}
        keep = []
        for line in sys.stdin:
            cmd, port, n = line.split()
            port, n = int(port), int(n)
            if cmd == "open":
                for i in range(n):
                    fam = socket.AF_INET6 if i % 3 == 2 else socket.AF_INET
                    c = socket.socket(fam, socket.SOCK_STREAM)
                    c.connect(("::1" if fam == socket.AF_INET6 else "127.0.0.1", port))
                    a, _ = listeners[(port, fam)].accept()
                    pairs[port].append((c, a))
            elif cmd == "close":  # client first: client TIME-WAIT, server CLOSE-WAIT then LAST-ACK then gone
                for c, a in pairs[port][:n]:
                    c.close()
                time.sleep(0.2)
                for c, a in pairs[port][:n]:
                    a.close()
                del pairs[port][:n]
            elif cmd == "reset":  # SO_LINGER 0: an RST, both sides gone at once
                for c, a in pairs[port][:n]:
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    c.close()
                time.sleep(0.2)
                for c, a in pairs[port][:n]:
                    a.close()
                del pairs[port][:n]
            elif cmd == "half":  # the client closes, the server never does: CLOSE-WAIT / orphan FIN-WAIT-2 stay
                for c, a in pairs[port][:n]:
                    c.close()
                    keep.append(a)
                del pairs[port][:n]
            elif cmd == "shut":  # shutdown(SHUT_WR) by a client kept open: full FIN-WAIT-2 / CLOSE-WAIT sockets
                for c, a in pairs[port][:n]:
                    c.shutdown(socket.SHUT_WR)
                    keep.append((c, a))
                del pairs[port][:n]
            time.sleep(0.5)
            print("done", flush=True)
        """#

    let process: Process
    let directory: URL
    private let input: Pipe
    private let lines: LineReader

    init(namespace: NetNamespace, ports: [Int]) throws {
        directory = try TestSupport.temporaryDirectory("wst-17-live")
        let path = directory.appendingPathComponent("driver.py")
        try LiveCounterDriver.script.write(to: path, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name, "python3", path.path] + ports.map(String.init)
        input = Pipe()
        let out = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        lines = LineReader(out.fileHandleForReading)
    }

    /// Sends one step and waits (bounded) for its "done".
    func step(_ command: String, port: Int, count: Int) throws {
        let before = lines.count
        input.fileHandleForWriting.write(Data("\(command) \(port) \(count)\n".utf8))
        let deadline = Date().addingTimeInterval(120)
        while lines.count == before {
            if Date() > deadline || !process.isRunning {
                throw NSError(
                    domain: "LiveCounterDriver", code: 1,
                    userInfo: [NSLocalizedDescriptionKey: "step '\(command) \(port) \(count)' did not finish"])
            }
            usleep(20_000)
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

/// Collects a pipe's lines on a background thread.
final class LineReader: @unchecked Sendable {
    private var collected: [String] = []
    private let lock = NSLock()

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending.append(data)
                while let nl = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    lock.lock()
                    collected.append(line)
                    lock.unlock()
                }
            }
        }
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return collected.count
    }

    var last: String? {
        lock.lock()
        defer { lock.unlock() }
        return collected.last
    }

    /// The first line that arrives after this call (bounded wait).
    func next(timeoutSeconds: Double = 10) -> String? {
        let before = count
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while count == before && Date() < deadline { usleep(20_000) }
        return count > before ? last : nil
    }
}
