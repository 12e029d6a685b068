import Foundation
import XCTest

/// The fd arithmetic against the real HAProxy: `haproxy -c` passes either way, but HAProxy refuses to start one
/// fd below what render and lint compute (2 × maxconn + 11 + 3 per thread + 1 per server) and starts at it;
/// lint flags the first and passes the second.
final class LintHAProxyFdLimitTests: XCTestCase {
    func testFdNeedMatchesWhatHAProxyRefusesAndAccepts() throws {
        try ProxyTestSupport.requireTool("haproxy")
        try ProxyTestSupport.requireTool("prlimit")
        let dir = try TestSupport.temporaryDirectory("wst-lint-fd")
        var processes: [Process] = []
        defer {
            for p in processes { ProxyTestSupport.stop(p) }
            try? FileManager.default.removeItem(at: dir)
        }
        let profile = try ProxyTestSupport.writeProfile(in: dir, connections: 100)
        let port = try ProxyTestSupport.freePort()
        let cfg = dir.appendingPathComponent("etc/haproxy/haproxy.cfg")
        try FileManager.default.createDirectory(at: cfg.deletingLastPathComponent(), withIntermediateDirectories: true)
        let r = try TestSupport.wstune([
            "render", "haproxy", "--profile", profile, "--workers", "2", "--listen", "127.0.0.1:\(port)",
            "--backend", "127.0.0.1:9", "--out", cfg.path,
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let need = 2 * 100 + 11 + 3 * 2 + 1
        XCTAssertEqual(try TestSupport.run(["haproxy", "-dr", "-c", "-f", cfg.path]).status, 0)

        // One below: HAProxy stops at once with "Cannot raise FD limit".
        let low = try TestSupport.run(
            ["prlimit", "--nofile=\(need - 1):\(need - 1)", "haproxy", "-db", "-f", cfg.path], timeoutSeconds: 10)
        XCTAssertNotEqual(low.status, 0)
        XCTAssertTrue(low.stderr.contains("Cannot raise FD limit to \(need)"), low.stderr)
        // At the need: it starts and listens.
        processes.append(
            try ProxyTestSupport.start(
                ["prlimit", "--nofile=\(need):\(need)", "haproxy", "-db", "-f", cfg.path],
                log: dir.appendingPathComponent("haproxy.log")))
        try ProxyTestSupport.waitListening(port)

        for (limit, flagged) in [(need - 1, true), (need, false)] {
            let dropIn = dir.appendingPathComponent("etc/systemd/system/haproxy.service.d")
            try FileManager.default.createDirectory(at: dropIn, withIntermediateDirectories: true)
            try "[Service]\nLimitNOFILE=\(limit)\n".write(
                to: dropIn.appendingPathComponent("90-test.conf"), atomically: true, encoding: .utf8)
            let lint = try TestSupport.wstune([
                "lint", "haproxy", "/etc/haproxy/haproxy.cfg", "--root", dir.path, "--profile", profile, "--json",
            ])
            XCTAssertEqual(
                try LintFixtureValidatorTests.raised(lint.stdout).contains("haproxy.fd-limit"), flagged,
                "limit \(limit): \(lint.stdout)")
        }
    }
}
