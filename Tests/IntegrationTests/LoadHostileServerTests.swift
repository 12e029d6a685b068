import Foundation
import XCTest

/// `wstune load` and `wstune check --url` against deliberately broken servers (py/hostile_server.py): one
/// silent after the upgrade, one sending random bytes, one sending a frame header claiming 2^62 bytes, one
/// answering HTTP 500. Each must end not reached (exit 1) with the error named by kind, in words for people.
final class LoadHostileServerTests: XCTestCase {
    private var processes: [Process] = []

    override func tearDown() {
        for p in processes { CheckTestSupport.stop(p) }
        processes = []
    }

    /// Starts the hostile server in `mode` on a free port; returns the port once it listens.
    private func hostile(_ mode: String) throws -> Int {
        try ServePeer.requirePython()
        let port = try ProxyTestSupport.freePort()
        let script = "\(ProxyTestSupport.pyDirectory)/hostile_server.py"
        let p = try ProxyTestSupport.start(
            [TestSupport.venvPython, script, mode, String(port), "60"],
            log: URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wst-14-hostile-\(getpid()).log"))
        processes.append(p)
        try ProxyTestSupport.waitListening(port)
        return port
    }

    private func load(_ url: String, _ extra: [String] = []) throws -> (
        status: Int32, json: [String: Any], text: String
    ) {
        let args = ["load", url, "--connections", "20", "--rate", "0", "--hold", "1", "--handshake-timeout", "3"]
        let j = try TestSupport.wstune(args + extra + ["--json"], timeoutSeconds: 60)
        let t = try TestSupport.wstune(args + extra, timeoutSeconds: 60)
        XCTAssertEqual(j.status, t.status, "same verdict with and without --json")
        return (j.status, try CheckTestSupport.json(j.stdout), t.stdout + t.stderr)
    }

    private func assertNoTypeDump(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for leak in ["HandshakeFailure(", "Optional(", "Reference.", "NIOWebSocketError", "IOError("] {
            XCTAssertFalse(
                text.contains(leak), "error text leaks a Swift type (\(leak)): \(text)", file: file, line: line)
        }
    }

    func testSilentServerBroadcastIsNotDelivered() throws {
        let port = try hostile("silent")
        let r = try load("ws://127.0.0.1:\(port)/ws/broadcast", ["--broadcast-wait", "2"])
        XCTAssertEqual(r.status, 1, r.text)
        let b = try XCTUnwrap(r.json["broadcast"] as? [String: Any])
        XCTAssertEqual(b["expected"] as? Int, 20)
        XCTAssertEqual(b["delivered"] as? Int, 0, "senders do not count as delivered: \(b)")
        XCTAssertEqual(b["rounds"] as? Int, 4, "every round was tried")
        XCTAssertEqual((r.json["failures"] as? [String: Int])?["broadcast-undelivered"], 20, "\(r.json)")
        XCTAssertTrue(r.text.contains("broadcast-undelivered: 20"), r.text)
        XCTAssertTrue(r.text.contains("NOT reached"), r.text)
        assertNoTypeDump(r.text)
    }

    func testRandomBytesAndHugeFrameAreProtocolErrors() throws {
        for mode in ["random", "huge"] {
            let port = try hostile(mode)
            let r = try load("ws://127.0.0.1:\(port)/ws")
            XCTAssertEqual(r.status, 1, "\(mode): \(r.text)")
            XCTAssertEqual((r.json["failures"] as? [String: Int])?["protocol-error"], 20, "\(mode): \(r.json)")
            XCTAssertEqual(r.json["openAtEnd"] as? Int, 0, mode)
            XCTAssertFalse(r.text.contains("errors: none"), r.text)
            XCTAssertTrue(r.text.contains("protocol-error: 20"), r.text)
            if mode == "huge" {
                XCTAssertTrue(r.text.contains("longer than the client accepts"), r.text)
            }
            assertNoTypeDump(r.text)
        }
    }

    func testHTTP500IsNamedWithItsStatus() throws {
        let port = try hostile("http500")
        let r = try load("ws://127.0.0.1:\(port)/ws")
        XCTAssertEqual(r.status, 1, r.text)
        XCTAssertEqual((r.json["failures"] as? [String: Int])?["HTTP-500"], 20, "\(r.json)")
        XCTAssertTrue(r.text.contains("HTTP 500 Internal Server Error instead of 101"), r.text)
        assertNoTypeDump(r.text)
    }

    /// The answer to the upgrade must be HTTP, and a 101 must carry the Sec-WebSocket-Accept of this
    /// connection's key (RFC 6455 §4.1; the load client checks the answer itself since issue 17).
    func testBadAcceptAndNonHTTPAnswersAreProtocolErrors() throws {
        for (mode, words) in [("badaccept", "not a valid WebSocket upgrade"), ("nothttp", "not valid HTTP")] {
            let port = try hostile(mode)
            let r = try load("ws://127.0.0.1:\(port)/ws")
            XCTAssertEqual(r.status, 1, "\(mode): \(r.text)")
            XCTAssertEqual((r.json["failures"] as? [String: Int])?["protocol-error"], 20, "\(mode): \(r.json)")
            XCTAssertEqual(r.json["connected"] as? Int, 0, mode)
            XCTAssertTrue(r.text.contains(words), "\(mode): \(r.text)")
            assertNoTypeDump(r.text)
        }
    }

    /// A server that reads the upgrade request and never answers: every handshake times out after
    /// --handshake-timeout (the loop's deadline sweep, not a timer per connection), well before the default.
    func testUnansweredUpgradeTimesOutAfterTheHandshakeTimeout() throws {
        let port = try hostile("mute")
        let started = Date()
        let r = try TestSupport.wstune(
            [
                "load", "ws://127.0.0.1:\(port)/ws", "--connections", "20", "--rate", "0", "--hold", "0",
                "--handshake-timeout", "1", "--json",
            ], timeoutSeconds: 60)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual((j["failures"] as? [String: Int])?["handshake-timeout"], 20, "\(j)")
        XCTAssertEqual(j["connected"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(seconds, 1, "no handshake may time out before --handshake-timeout")
        XCTAssertLessThan(seconds, 10, "the timeout is 1 s, not the default 15 s")
    }

    private func check(_ port: Int) throws -> (status: Int32, json: [String: Any], text: String) {
        let args = [
            "check", "--url", "ws://127.0.0.1:\(port)/ws/broadcast", "--connections", "50", "--hold", "1",
            "--handshake-timeout", "3", "--load-workers", "1",
        ]
        let j = try TestSupport.wstune(args + ["--json"], timeoutSeconds: 120)
        let t = try TestSupport.wstune(args, timeoutSeconds: 120)
        return (j.status, try CheckTestSupport.json(j.stdout), t.stdout + t.stderr)
    }

    func testCheckAgainstSilentServerIsNotReached() throws {
        let port = try hostile("silent")
        let r = try check(port)
        XCTAssertEqual(r.status, 1, r.text)
        XCTAssertEqual(r.json["reached"] as? Bool, false)
        XCTAssertEqual((r.json["limit"] as? [String: Any])?["id"] as? String, "server.broadcast-undelivered", r.text)
        XCTAssertTrue(r.text.contains("NOT REACHED"), r.text)
        XCTAssertTrue(r.text.contains("delivered to 0 of 50"), r.text)
    }

    func testCheckAgainstHTTP500NamesTheStatus() throws {
        let port = try hostile("http500")
        let r = try check(port)
        XCTAssertEqual(r.status, 1, r.text)
        let limit = try XCTUnwrap(r.json["limit"] as? [String: Any], r.text)
        XCTAssertEqual(limit["id"] as? String, "server.http-status", r.text)
        XCTAssertTrue(r.text.contains("HTTP 500"), r.text)
        XCTAssertFalse(r.text.contains("[unknown]"), r.text)
        assertNoTypeDump(r.text)
    }

    func testCheckAgainstHugeFrameNamesProtocolError() throws {
        let port = try hostile("huge")
        let r = try check(port)
        XCTAssertEqual(r.status, 1, r.text)
        XCTAssertEqual((r.json["limit"] as? [String: Any])?["id"] as? String, "server.protocol-error", r.text)
        assertNoTypeDump(r.text)
    }
}
