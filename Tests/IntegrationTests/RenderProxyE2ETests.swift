import Foundation
import XCTest

/// The real nginx and the real HAProxy, in the foreground on loopback ports with rendered configs, in front of
/// a Python `websockets` echo server; a Python `websockets` client echoes through each, and a connection idle
/// past the rendered 3 s timeout is closed while one pinging at the profile's 1 s interval survives. A control
/// nginx rendered with a 60 s idle timeout keeps the idle connection, so the closing is the rendered timeout's.
final class RenderProxyE2ETests: XCTestCase {
    func testEchoThroughRenderedNginxAndHAProxyAndIdleTimeoutHolds() throws {
        try ProxyTestSupport.requireTool("nginx")
        try ProxyTestSupport.requireTool("haproxy")
        try ProxyTestSupport.requireVenv()
        let dir = try TestSupport.temporaryDirectory("wst-render-e2e")
        var processes: [Process] = []
        defer {
            for p in processes.reversed() { ProxyTestSupport.stop(p) }
            try? FileManager.default.removeItem(at: dir)
        }
        let profile = try ProxyTestSupport.writeProfile(in: dir, connections: 100, ping: 1, reconnect: 1)
        let py = TestSupport.venvPython
        let echoPort = try ProxyTestSupport.freePort()
        processes.append(
            try ProxyTestSupport.start(
                [py, "\(ProxyTestSupport.pyDirectory)/proxy_echo_server.py", "\(echoPort)"],
                log: dir.appendingPathComponent("echo.log")))
        try ProxyTestSupport.waitListening(echoPort)

        func startNginx(_ name: String, extra: [String]) throws -> Int {
            let prefix = dir.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
            let port = try ProxyTestSupport.freePort()
            let conf = "\(prefix)/nginx.conf"
            let r = try TestSupport.wstune(
                [
                    "render", "nginx", "--profile", profile, "--listen", "127.0.0.1:\(port)",
                    "--backend", "127.0.0.1:\(echoPort)", "--prefix", prefix,
                    "--out", conf,
                ] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            processes.append(
                try ProxyTestSupport.start(
                    ["nginx", "-p", prefix + "/", "-c", conf, "-g", "daemon off;"],
                    log: dir.appendingPathComponent("\(name).log")))
            try ProxyTestSupport.waitListening(port)
            return port
        }
        // Default workers (the CPU count, with reuseport when above one) for the real config, one for the control.
        let nginxPort = try startNginx("nginx", extra: [])
        let controlPort = try startNginx("nginx-control", extra: ["--idle-timeout", "60", "--workers", "1"])
        let haproxyPort = try ProxyTestSupport.freePort()
        let cfg = dir.appendingPathComponent("haproxy.cfg").path
        let r = try TestSupport.wstune([
            "render", "haproxy", "--profile", profile, "--listen", "127.0.0.1:\(haproxyPort)",
            "--backend", "127.0.0.1:\(echoPort)", "--out", cfg,
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(try String(contentsOfFile: cfg, encoding: .utf8).contains("timeout tunnel 3s"))
        processes.append(
            try ProxyTestSupport.start(["haproxy", "-db", "-f", cfg], log: dir.appendingPathComponent("haproxy.log")))
        try ProxyTestSupport.waitListening(haproxyPort)

        let client = "\(ProxyTestSupport.pyDirectory)/proxy_client.py"
        for (name, port) in [("nginx", nginxPort), ("haproxy", haproxyPort)] {
            let e = try TestSupport.run([py, client, "echo", "ws://127.0.0.1:\(port)/ws"], timeoutSeconds: 30)
            XCTAssertTrue(e.stdout.contains("\"echo\": \"hello through the proxy\""), "\(name): \(e.stdout)\(e.stderr)")
        }
        // All three idle probes in parallel: 5 s of waiting, past the 3 s rendered timeout.
        let results = ResultBox()
        let group = DispatchGroup()
        for (name, port) in [("nginx", nginxPort), ("haproxy", haproxyPort), ("control", controlPort)] {
            group.enter()
            DispatchQueue.global().async {
                let out =
                    (try? TestSupport.run(
                        [py, client, "idle", "ws://127.0.0.1:\(port)/ws", "1", "5"], timeoutSeconds: 60))
                results.set(name, out.map { $0.stdout + $0.stderr } ?? "did not run")
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 90), .success)
        for name in ["nginx", "haproxy"] {
            let out = results.get(name)
            XCTAssertTrue(out.contains("\"quiet_open\": false"), "\(name): idle connection should be closed: \(out)")
            XCTAssertTrue(out.contains("\"pinging_open\": true"), "\(name): pinging connection should survive: \(out)")
        }
        let control = results.get("control")
        XCTAssertTrue(
            control.contains("\"quiet_open\": true"), "control (60 s idle timeout) should keep it: \(control)")
    }
}

/// Outputs gathered from concurrent probes.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]
    func set(_ k: String, _ v: String) { lock.lock(); values[k] = v; lock.unlock() }
    func get(_ k: String) -> String { lock.lock(); defer { lock.unlock() }; return values[k] ?? "" }
}
