import Foundation
import XCTest

/// `wstune serve` behind its own rendered nginx and against clients that misuse it: upgrades on keep-alive
/// connections, a ping flood from a peer that never reads, and more connections than its descriptor limit.
final class ServeHostileClientTests: XCTestCase {
    override func setUpWithError() throws { try ServePeer.requirePython() }

    private var script: String { "\(ProxyTestSupport.pyDirectory)/serve_hostile.py" }

    private func runPeer(_ arguments: [String], timeout: Double = 60) throws -> [String: Any] {
        let r = try TestSupport.run([TestSupport.venvPython, script] + arguments, timeoutSeconds: timeout)
        guard r.status == 0, let last = r.stdout.split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        else {
            throw NSError(
                domain: "serve_hostile", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stdout + r.stderr]
            )
        }
        return object
    }

    /// Plain requests then an upgrade on one raw connection: 101 and an echo of the frame sent with it; a
    /// refused upgrade after a plain request is answered with `Connection: close` and the connection ends.
    func testUpgradeAfterKeepAliveRequestsOnOneConnection() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try runPeer(["keepalive_upgrade", String(server.port)])
        XCTAssertEqual(r["plain"] as? [Int], [200, 200, 200], "\(r)")
        XCTAssertEqual(r["upgrade"] as? Int, 101, "an upgrade after keep-alive requests: \(r)")
        XCTAssertEqual(r["echo"] as? String, "after keep-alive", "the frame sent with the upgrade: \(r)")
        XCTAssertEqual(r["refused_plain"] as? Int, 200)
        XCTAssertEqual(r["refused"] as? Int, 404, "\(r)")
        XCTAssertEqual(r["refused_connection"] as? String, "close", "\(r)")
        XCTAssertEqual(r["after_refusal"] as? String, "closed", "a refused upgrade closes cleanly: \(r)")
        XCTAssertLessThan(r["after_refusal_seconds"] as? Double ?? 99, 5)
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_handshakes_total"], 1)
        XCTAssertEqual(m["wstune_handshakes_refused_total{reason=\"not_found\"}"], 1)
    }

    /// The rendered nginx (upstream keepalive on) in front of serve: 200 plain requests fill its upstream pool,
    /// then 500 WebSocket echoes through it, all of which succeed, and nginx logs no premature upstream close.
    func testFiveHundredUpgradesThroughRenderedNginxAfterPlainRequests() throws {
        try ProxyTestSupport.requireTool("nginx")
        let dir = try TestSupport.temporaryDirectory("wst-14-nginx")
        let server = try ServeProcess(["--threads", "2"])
        var nginx: Process?
        defer {
            if let nginx { ProxyTestSupport.stop(nginx) }
            server.stop()
            try? FileManager.default.removeItem(at: dir)
        }
        let profile = try ProxyTestSupport.writeProfile(in: dir, connections: 1000, ping: 30, reconnect: 10)
        let prefix = dir.appendingPathComponent("nginx").path
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        let port = try ProxyTestSupport.freePort()
        let conf = "\(prefix)/nginx.conf"
        let render = try TestSupport.wstune([
            "render", "nginx", "--profile", profile, "--listen", "127.0.0.1:\(port)",
            "--backend", "127.0.0.1:\(server.port)", "--prefix", prefix, "--out", conf,
        ])
        XCTAssertEqual(render.status, 0, render.stderr)
        let text = try String(contentsOfFile: conf, encoding: .utf8)
        XCTAssertTrue(text.range(of: #"keepalive \d+;"#, options: .regularExpression) != nil, "upstream keepalive on")
        let log = dir.appendingPathComponent("nginx.log")
        nginx = try ProxyTestSupport.start(["nginx", "-p", prefix + "/", "-c", conf, "-g", "daemon off;"], log: log)
        try ProxyTestSupport.waitListening(port)
        let before = try XCTUnwrap(try server.metrics()["wstune_http_requests_total"])

        let r = try runPeer(["proxy_mix", String(port), "200", "500"], timeout: 300)
        XCTAssertEqual(r["http_ok"] as? Int, 200, "\(r)")
        XCTAssertEqual(r["ws_ok"] as? Int, 500, "every upgrade through nginx succeeds: \(r)")
        XCTAssertEqual((r["ws_failures"] as? [String: Any])?.count, 0, "\(r)")
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_handshakes_total"], 500)
        // Every plain request reached serve (the /metrics scrape itself counts one).
        XCTAssertEqual(m["wstune_http_requests_total"].map { $0 - before - 1 }, 200)
        let errorLog = (try? String(contentsOfFile: "\(prefix)/logs/error.log", encoding: .utf8)) ?? ""
        let stderrLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertFalse((errorLog + stderrLog).contains("prematurely closed"), errorLog + stderrLog)
    }

    /// A peer that floods masked pings and never reads (SO_RCVBUF 4096) is closed with 1008 and counted; the
    /// server's RSS (/proc/PID/status) stays bounded during the flood and after.
    func testPingFloodFromNonReadingPeerIsClosedAndMemoryStaysBounded() throws {
        let server = try ServeProcess(["--send-queue", "16384"])
        defer { server.stop() }
        let baseline = try XCTUnwrap(residentBytes(pid: server.pid))
        let peer = DispatchQueue(label: "flood")
        let done = DispatchSemaphore(value: 0)
        let result = FloodResult()
        peer.async {
            result.value = try? self.runPeer(["ping_flood", String(server.port), "12"])
            done.signal()
        }
        var peak = baseline
        while done.wait(timeout: .now() + 0.2) == .timedOut {
            peak = max(peak, residentBytes(pid: server.pid) ?? 0)
        }
        let r = try XCTUnwrap(result.value, "the flooding peer ran")
        XCTAssertEqual(r["status"] as? Int, 101)
        XCTAssertEqual(r["closed_by_server"] as? Bool, true, "the server closes a flooding peer: \(r)")
        let bound = baseline + 24 << 20
        XCTAssertLessThan(peak, bound, "RSS during the flood: \(peak) bytes (baseline \(baseline)): \(r)")
        let m = try server.metrics(within: 10) { $0["wstune_connections_active"] == 0 }
        XCTAssertEqual(m["wstune_control_flood_disconnects_total"], 1)
        XCTAssertEqual(m["wstune_close_frames_sent_total{code=\"1008\"}"], 1)
        XCTAssertEqual(m["wstune_outbound_queued_bytes"], 0)
        let after = try XCTUnwrap(residentBytes(pid: server.pid))
        XCTAssertLessThan(after, bound, "RSS after the peer left")
        // Still serving.
        XCTAssertEqual(try server.get("/healthz").status, 200)
    }

    /// Under `prlimit --nofile=64`, more connections than that: accept() fails with EMFILE, which is logged
    /// (once, then a count per second) and exported; serve answers again once the connections go.
    func testAcceptEMFILEIsLoggedAndCounted() throws {
        try ProxyTestSupport.requireTool("prlimit")
        let server = try ServeProcess(
            ["--http-deadline", "30"], launcher: ["/usr/bin/prlimit", "--nofile=64:64", "--"])
        defer { server.stop() }
        let limits = try String(contentsOfFile: "/proc/\(server.pid)/limits", encoding: .utf8)
        XCTAssertTrue(limits.range(of: #"Max open files\s+64\s+64"#, options: .regularExpression) != nil, limits)
        let holder = try RunningPeer([TestSupport.venvPython, script, "connect_hold", String(server.port), "100", "3"])
        defer { holder.stop() }
        // While the descriptors are exhausted: the log line appears within the hold.
        let deadline = Date().addingTimeInterval(10)
        while !server.stderr.contains("EMFILE") && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(server.stderr.contains("accept() failed: EMFILE"), server.stderr)
        _ = try holder.result(seconds: 15)
        let m = try server.metrics(within: 10) { ($0["wstune_accept_errors_total{errno=\"EMFILE\"}"] ?? 0) > 0 }
        XCTAssertGreaterThan(m["wstune_accept_errors_total{errno=\"EMFILE\"}"] ?? 0, 0)
        XCTAssertEqual(m["wstune_accept_errors_total{errno=\"ENFILE\"}"], 0)
        // Once per second at most: the log holds far fewer lines than failures.
        let lines = server.stderr.split(separator: "\n").filter { $0.contains("accept() failed") }.count
        let failures = Int(m["wstune_accept_errors_total{errno=\"EMFILE\"}"] ?? 0)
        XCTAssertLessThanOrEqual(lines, 6, server.stderr)
        XCTAssertGreaterThanOrEqual(failures, lines)
        XCTAssertEqual(try server.get("/healthz").status, 200)
    }
}

private final class FloodResult: @unchecked Sendable {
    var value: [String: Any]?
}
