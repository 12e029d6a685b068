import Foundation
import XCTest

/// `wstune serve --deflate` (RFC 7692 permessage-deflate) with Python `websockets` compressing as the peer, and a
/// raw peer that compresses and decompresses with Python's zlib. Autobahn's 12.* and 13.* cases need Python 2.7
/// (autobahntestsuite 0.8.2), which Debian 12 does not ship, so these independent peers stand in for them.
final class ServeDeflateTests: XCTestCase {
    override func setUpWithError() throws { try ServePeer.requirePython() }

    private func peer(_ arguments: [String]) throws -> [String: Any] {
        let script = "\(ProxyTestSupport.pyDirectory)/serve_deflate.py"
        let r = try TestSupport.run([TestSupport.venvPython, script] + arguments, timeoutSeconds: 90)
        guard r.status == 0, let last = r.stdout.split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        else {
            throw NSError(
                domain: "serve_deflate", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stdout + r.stderr]
            )
        }
        return object
    }

    func testWebSocketsWithCompressionUnderEachNegotiation() throws {
        let server = try ServeProcess(["--deflate"])
        defer { server.stop() }
        let cases: [(mode: String, header: String, snct: Bool, cnct: Bool, sbits: Int, cbits: Int)] = [
            ("default", "permessage-deflate", false, false, 15, 15),
            (
                "no_context", "permessage-deflate; server_no_context_takeover; client_no_context_takeover", true, true,
                15, 15
            ),
            ("windows", "permessage-deflate; server_max_window_bits=10; client_max_window_bits=9", false, false, 10, 9),
        ]
        for c in cases {
            let r = try peer(["websockets", String(server.port), c.mode])
            XCTAssertEqual(r["response_extensions"] as? String, c.header, c.mode)
            let n = try XCTUnwrap(r["negotiated"] as? [String: Any], "\(c.mode): \(r)")
            XCTAssertEqual(n["server_no_context_takeover"] as? Bool, c.snct, c.mode)
            XCTAssertEqual(n["client_no_context_takeover"] as? Bool, c.cnct, c.mode)
            XCTAssertEqual(n["server_max_window_bits"] as? Int, c.sbits, c.mode)
            XCTAssertEqual(n["client_max_window_bits"] as? Int, c.cbits, c.mode)
            // Text, binary, Unicode, empty, a repeat (context takeover) and a 70 KB message, all echoed intact.
            XCTAssertEqual(r["echoed"] as? Int, 6, "\(c.mode): \(r)")
        }
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_messages_received_total"], 18)
        XCTAssertEqual(m["wstune_close_frames_sent_total{code=\"1000\"}"], 3)
    }

    func testEchoIsCompressedOnTheWireAsPythonZlibSeesIt() throws {
        let server = try ServeProcess(["--deflate"])
        defer { server.stop() }
        let r = try peer(["raw", String(server.port)])
        XCTAssertEqual(r["status"] as? Int, 101)
        XCTAssertEqual(r["rsv1"] as? Bool, true, "the echo is a compressed message: \(r)")
        XCTAssertEqual(r["echo_ok"] as? Bool, true, "Python's zlib inflates it to the message sent: \(r)")
        let wire = try XCTUnwrap(r["wire_bytes"] as? Int)
        XCTAssertLessThan(wire, (r["plain_bytes"] as? Int ?? 0) / 10, "12,000 repetitive bytes compress well")
    }

    func testInflatedSizeIsBoundedByMaxMessage() throws {
        let server = try ServeProcess(["--deflate", "--max-message", "100000"])
        defer { server.stop() }
        let r = try peer(["websockets", String(server.port), "bomb"])
        XCTAssertEqual(r["close"] as? Int, 1009, "2 MB inflated from ~2 KB is over --max-message: \(r)")
        XCTAssertEqual(try server.metrics()["wstune_close_frames_sent_total{code=\"1009\"}"], 1)
    }

    func testWithoutDeflateNothingIsNegotiated() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try peer(["websockets", String(server.port), "off"])
        XCTAssertTrue(r["response_extensions"] is NSNull || r["response_extensions"] == nil, "\(r)")
        XCTAssertNil(r["negotiated"], "\(r)")
        XCTAssertEqual(r["echoed"] as? Int, 6)
    }

    /// `check --deflate` runs its servers with --deflate (their /proc/PID/cmdline shows it) and counts zlib's
    /// context-takeover state in the bytes per connection it holds against the budget.
    func testCheckDeflateStartsDeflatingServersAndBudgetsZlibState() throws {
        var serverCommands: [String] = []
        let r = try CheckTestSupport.runPolling(
            [TestSupport.wstuneBinary, "check", "--connections", "50", "--hold", "1", "--deflate", "--json"],
            timeoutSeconds: 120
        ) { checkPID in
            for pid in CheckTestSupport.children(of: checkPID, containing: "serve") {
                if let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) {
                    serverCommands.append(cmd.replacingOccurrences(of: "\0", with: " "))
                }
            }
        }
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(serverCommands.isEmpty, "a server child was seen")
        XCTAssertTrue(
            serverCommands.allSatisfy { $0.contains(" serve ") && $0.contains("--deflate") }, "\(serverCommands)")
        let j = try CheckTestSupport.json(r.stdout)
        let memory = try XCTUnwrap(j["memory"] as? [String: Any])
        XCTAssertEqual(memory["deflateBytesPerConnection"] as? Int, (1 << 17) + (1 << 17) + (1 << 15) + 7 * 1024)
        let text = try TestSupport.wstune(
            ["check", "--connections", "20", "--hold", "1", "--deflate"], timeoutSeconds: 120)
        XCTAssertTrue(text.stdout.contains("permessage-deflate 302,080"), text.stdout)
    }
}
