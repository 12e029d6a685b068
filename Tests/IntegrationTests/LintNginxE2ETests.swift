import Foundation
import XCTest

/// The real nginx with a fixture lint flags for missing Upgrade headers: the WebSocket handshake through it
/// fails; with the fixed fixture (which lints clean of it) the handshake succeeds and echoes.
final class LintNginxE2ETests: XCTestCase {
    func testFlaggedConfigBreaksTheHandshakeAndTheFixedOneWorks() throws {
        try ProxyTestSupport.requireTool("nginx")
        try ProxyTestSupport.requireVenv()
        let dir = try TestSupport.temporaryDirectory("wst-lint-e2e")
        var processes: [Process] = []
        defer {
            for p in processes.reversed() { ProxyTestSupport.stop(p) }
            try? FileManager.default.removeItem(at: dir)
        }
        let py = TestSupport.venvPython
        let echoPort = try ProxyTestSupport.freePort()
        processes.append(
            try ProxyTestSupport.start(
                [py, "\(ProxyTestSupport.pyDirectory)/proxy_echo_server.py", "\(echoPort)"],
                log: dir.appendingPathComponent("echo.log")))
        try ProxyTestSupport.waitListening(echoPort)
        var results: [String: (lint: CommandResult, client: CommandResult)] = [:]
        for kind in ["trigger", "pass"] {
            let fixture = LintTestSupport.fixtures.appendingPathComponent("nginx/upgrade-headers.\(kind).conf")
            let prefix = try LintTestSupport.nginxPrefix(in: dir, kind)
            let port = try ProxyTestSupport.freePort()
            let file = try LintTestSupport.instantiate(
                fixture, into: URL(fileURLWithPath: prefix), port: port, backend: echoPort)
            let lint = try TestSupport.wstune(["lint", "nginx", file, "--profile", "dev"])
            processes.append(
                try ProxyTestSupport.start(
                    [
                        "nginx", "-p", prefix + "/", "-e", "stderr", "-c", file,
                        "-g", "pid \(prefix)/nginx.pid; daemon off;",
                    ],
                    log: dir.appendingPathComponent("nginx-\(kind).log")))
            try ProxyTestSupport.waitListening(port)
            let client = try TestSupport.run(
                [py, "\(ProxyTestSupport.pyDirectory)/proxy_client.py", "echo", "ws://127.0.0.1:\(port)/ws"],
                timeoutSeconds: 30)
            results[kind] = (lint, client)
        }
        let bad = try XCTUnwrap(results["trigger"]), good = try XCTUnwrap(results["pass"])
        XCTAssertEqual(bad.lint.status, 1)
        XCTAssertTrue(bad.lint.stdout.contains("FAIL nginx.upgrade-headers"), bad.lint.stdout)
        XCTAssertTrue(
            bad.client.stdout.contains("\"error\""),
            "handshake should fail through the flagged config: \(bad.client.stdout)")
        XCTAssertFalse(good.lint.stdout.contains("nginx.upgrade-headers  "), good.lint.stdout)
        XCTAssertEqual(good.lint.status, 0, good.lint.stdout)
        XCTAssertTrue(
            good.client.stdout.contains("\"echo\": \"hello through the proxy\""),
            good.client.stdout + good.client.stderr)
    }
}
