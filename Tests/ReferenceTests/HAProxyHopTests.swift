import Foundation
import Tuning
import WSTTestSupport
import XCTest

@testable import Reference

/// The real HAProxy (Debian's) started by HAProxyHop in front of a Python `websockets` echo server; a Python
/// client is the independent peer and HAProxy's own stats socket, read with Python, the oracle.
final class HAProxyHopTests: XCTestCase {
    static let root = FixturePaths.packageRoot.path
    static let python = root + "/.build-venv/bin/python"
    static let py = root + "/Tests/IntegrationTests/py"

    private func require() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/haproxy") else { throw XCTSkip("no haproxy") }
        guard FileManager.default.isExecutableFile(atPath: Self.python) else { throw XCTSkip("no .build-venv") }
    }

    private func run(_ args: [String], seconds: Double = 30) throws -> String {
        let out = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        p.standardOutput = out
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate() }
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    private func startBackend(_ dir: URL) throws -> (ChildProcess, Int) {
        let port = try FreePort.find(host: "127.0.0.1")
        let p = try ChildProcess([Self.python, Self.py + "/proxy_echo_server.py", "\(port)"])
        let deadline = Date().addingTimeInterval(10)
        while !ProxyProcess.canConnect(port: port) && Date() < deadline { usleep(50_000) }
        return (p, port)
    }

    private func haproxyProcesses(_ config: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry),
                let cmd = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8),
                cmd.contains(config)
            else { return nil }
            return pid
        }
    }

    private func profile(_ n: Int) -> Profile {
        Profile(name: "hop-test", connections: Sourced(n, .derived), pingIntervalSeconds: Sourced(5, .derived))
    }

    func testRoundTripShowInfoMatchesSocketAndStopLeavesNoProcess() throws {
        try require()
        let dir = try TreeWriter.temporaryDirectory("wst-haproxy-hop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (backend, port) = try startBackend(dir)
        defer { backend.stop(graceSeconds: 2) }
        let hop = try HAProxyHop(
            profile: profile(100), backends: ["127.0.0.1:\(port)"], nofile: 4096, threads: 1,
            templateDirectories: [Self.root + "/templates"], tempDirectory: dir)
        defer { hop.stop() }
        try hop.waitReady(seconds: 10)
        XCTAssertGreaterThanOrEqual(hop.pids().count, 2, "master and a worker")
        let echo = try run([Self.python, Self.py + "/proxy_client.py", "echo", "ws://127.0.0.1:\(hop.listen.port)/ws"])
        XCTAssertTrue(echo.contains("hello through the proxy"), echo)
        // The oracle: HAProxy's own answer on its socket, read by Python.
        let script = """
            import socket,sys
            s=socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1]); s.sendall(b'show info\\n')
            b=b''
            while True:
                d=s.recv(65536)
                if not d: break
                b+=d
            sys.stdout.write(b.decode())
            """
        let oracle = HAProxyInfo(parsing: try run([Self.python, "-c", script, hop.statsSocket]))
        let ours = try XCTUnwrap(hop.info())
        for key in ["Maxconn", "Hard_maxconn", "Ulimit-n", "Maxsock", "Nbthread", "Pid"] {
            XCTAssertEqual(ours.fields[key], oracle.fields[key], key)
            XCTAssertNotNil(ours.fields[key], key)
        }
        XCTAssertEqual(ours.maxconn, hop.limits.maxconn)
        XCTAssertGreaterThanOrEqual(ours.cumConns ?? 0, 1)
        let config = hop.configPath
        hop.stop()
        hop.stop()
        XCTAssertEqual(haproxyProcesses(config), [], "no haproxy left")
        XCTAssertFalse(FileManager.default.fileExists(atPath: hop.directory.path))
    }

    func testMaxconn200With300ConnectionsIsReached() throws {
        try require()
        let dir = try TreeWriter.temporaryDirectory("wst-haproxy-maxconn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (backend, port) = try startBackend(dir)
        defer { backend.stop(graceSeconds: 2) }
        let hop = try HAProxyHop(
            profile: profile(300), backends: ["127.0.0.1:\(port)"], nofile: 4096, threads: 1, maxconn: 200,
            templateDirectories: [Self.root + "/templates"], tempDirectory: dir)
        defer { hop.stop() }
        try hop.waitReady(seconds: 10)
        XCTAssertEqual(hop.limits.maxconn, 200)
        let script = """
            import asyncio,sys
            from websockets.asyncio.client import connect
            async def one(u):
                try:
                    return await connect(u, open_timeout=4, ping_interval=None)
                except Exception:
                    return None
            async def main():
                ws=await asyncio.gather(*[one(sys.argv[1]) for _ in range(300)])
                print(sum(1 for w in ws if w), flush=True)
                await asyncio.sleep(6)
            asyncio.run(main())
            """
        let clients = try ChildProcess([Self.python, "-c", script, "ws://127.0.0.1:\(hop.listen.port)/ws"])
        defer { clients.stop(graceSeconds: 1) }
        // Sample while the clients hold their connections.
        var evidence = hop.evidence()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            evidence = hop.evidence()
            if evidence.activeConnections == 200 { break }
            usleep(200_000)
        }
        XCTAssertEqual(evidence.activeConnections, 200)
        XCTAssertEqual(evidence.count(.maxconnReached), 1)
    }

    func testNofileTooSmallFailsNamingProxyNofile() throws {
        try require()
        let dir = try TreeWriter.temporaryDirectory("wst-haproxy-nofile")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(
            try HAProxyHop(
                profile: profile(1000), backends: ["127.0.0.1:9"], nofile: 1024, threads: 1,
                templateDirectories: [Self.root + "/templates"], tempDirectory: dir)
        ) { error in
            guard case ProxyHopError.nofileTooSmall(let needed, let given, _) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(given, 1024)
            XCTAssertGreaterThan(needed, 1024)
            XCTAssertTrue("\(error)".contains("proxy.nofile"))
        }
    }

    func testHAProxysOwnFdRefusalIsReportedAsProxyNofile() throws {
        try require()
        let dir = try TreeWriter.temporaryDirectory("wst-haproxy-strict")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 2 × 100 + 11 + 3 + 1 = 215 passes the lower bound; HAProxy itself asks for more (225 measured).
        let hop = try HAProxyHop(
            profile: profile(100), backends: ["127.0.0.1:9"], nofile: 216, threads: 1, maxconn: 100,
            templateDirectories: [Self.root + "/templates"], tempDirectory: dir)
        defer { hop.stop() }
        XCTAssertThrowsError(try hop.waitReady(seconds: 10)) { error in
            guard case ProxyHopError.nofileTooSmall(let needed, let given, let maxconn) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(given, 216)
            XCTAssertGreaterThan(needed, 216)
            XCTAssertEqual(maxconn, 100)
        }
    }
}
