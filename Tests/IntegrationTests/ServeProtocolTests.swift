import Foundation
import XCTest

/// `wstune serve` driven by Python's `websockets` (an independent peer): echo, fragments, close codes,
/// limits and protocol errors, each checked against what the peer saw and against /metrics.
final class ServeProtocolTests: XCTestCase {
    override func setUpWithError() throws { try ServePeer.requirePython() }

    func testEchoTextBinaryAndUnicodeAreCountedInMetrics() throws {
        let server = try ServeProcess(["--threads", "2"])
        defer { server.stop() }
        let r = try ServePeer.run("echo", port: server.port)
        XCTAssertEqual(r["text"] as? String, "hello")
        XCTAssertEqual(r["binary_equal"] as? Bool, true)
        XCTAssertEqual(r["binary_len"] as? Int, 102_400)
        XCTAssertEqual(r["unicode"] as? String, "é✓😀")
        XCTAssertEqual((r["close"] as? [Any])?.first as? Int, 1000)

        let m = try server.metrics(within: 5) { $0["wstune_connections_active"] == 0 }
        let payloadBytes = Double(5 + 102_400 + "é✓😀".utf8.count)
        XCTAssertEqual(m["wstune_handshakes_total"], 1)
        XCTAssertEqual(m["wstune_connections_active"], 0)
        XCTAssertEqual(m["wstune_messages_received_total"], 3)
        XCTAssertEqual(m["wstune_messages_sent_total"], 3)
        XCTAssertEqual(m["wstune_bytes_received_total"], payloadBytes)
        XCTAssertEqual(m["wstune_bytes_sent_total"], payloadBytes)
        XCTAssertEqual(m["wstune_close_frames_received_total{code=\"1000\"}"], 1)
        XCTAssertEqual(m["wstune_close_frames_sent_total{code=\"1000\"}"], 1)
        XCTAssertEqual(m["wstune_outbound_queued_bytes"], 0)
    }

    func testProcessFiguresMatchProc() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let m = try server.metrics()
        let statm = try String(contentsOfFile: "/proc/\(server.pid)/statm", encoding: .utf8)
        let rss = Double(statm.split(separator: " ")[1])! * Double(sysconf(Int32(_SC_PAGESIZE)))
        let reported = try XCTUnwrap(m["process_resident_memory_bytes"])
        XCTAssertEqual(reported, rss, accuracy: rss * 0.2, "RSS from /metrics vs /proc/PID/statm")
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.pid)/fd").count
        let reportedFds = try XCTUnwrap(m["process_open_fds"])
        // The scrape's own socket is open while /metrics counts; allow for it and the listing's descriptor.
        XCTAssertEqual(reportedFds, Double(fds), accuracy: 2)
    }

    func testPeerCloseCodeIsEchoed() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        for code in [1000, 4000] {
            let r = try ServePeer.run("close_code", port: server.port, [String(code)])
            XCTAssertEqual((r["close"] as? [Any])?.first as? Int, code)
        }
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_close_frames_received_total{code=\"4000\"}"], 1)
        XCTAssertEqual(m["wstune_close_frames_sent_total{code=\"4000\"}"], 1)
    }

    func testMessageOverMaxMessageGets1009() throws {
        let server = try ServeProcess(["--max-message", "3000"])
        defer { server.stop() }
        let r = try ServePeer.run("oversize", port: server.port, ["3000"])
        XCTAssertEqual(r["at_limit_echo_len"] as? Int, 3000, "a message of exactly --max-message bytes passes")
        XCTAssertEqual((r["single"] as? [Any])?.first as? Int, 1009)
        XCTAssertEqual((r["fragmented"] as? [Any])?.first as? Int, 1009, "fragments adding up past the limit")
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_close_frames_sent_total{code=\"1009\"}"], 2)
        XCTAssertEqual(m["wstune_messages_received_total"], 1)
    }

    func testInvalidUTF8TextGets1007() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try ServePeer.run("invalid_utf8", port: server.port)
        XCTAssertEqual((r["close"] as? [Any])?.first as? Int, 1007)
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_close_frames_sent_total{code=\"1007\"}"], 1)
        XCTAssertEqual(m["wstune_messages_received_total"], 0)
    }

    func testFragmentedMessagesAreReassembled() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try ServePeer.run("fragmented", port: server.port)
        XCTAssertEqual(r["text"] as? String, "fragmented ✓")
        XCTAssertEqual(r["binary"] as? [Int], [0, 1, 2, 3, 4])
        XCTAssertEqual(r["split_char"] as? String, "☃")
        XCTAssertEqual(r["large_equal"] as? Bool, true, "three 100 kB fragments come back as one 300 kB message")
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_messages_received_total"], 4, "four messages, not eleven frames")
        XCTAssertEqual(m["wstune_bytes_received_total"], Double("fragmented ✓".utf8.count + 5 + 3 + 300_000))
    }

    func testProtocolViolationsGet1002() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let kinds = [
            "unmasked", "reserved_bits", "bad_opcode", "continuation_first", "long_ping", "bad_close_code",
            "fragmented_control",
        ]
        for kind in kinds {
            let r = try ServePeer.run("raw_violation", port: server.port, [kind])
            XCTAssertEqual(r["status_line"] as? String, "HTTP/1.1 101 Switching Protocols", kind)
            XCTAssertEqual(r["close_codes"] as? [Int], [1002], kind)
        }
        let m = try server.metrics(within: 5) { $0["wstune_connections_active"] == 0 }
        XCTAssertEqual(m["wstune_close_frames_sent_total{code=\"1002\"}"], Double(kinds.count))
        XCTAssertEqual(m["wstune_connections_active"], 0)
    }

    func testAcceptKeyMatchesTheRFCAndAFrameSentWithTheRequestIsEchoed() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try ServePeer.run("early_frame", port: server.port)
        XCTAssertEqual(r["accept"] as? String, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "RFC 6455 §1.3's worked example")
        XCTAssertEqual(r["echo"] as? String, "early bird")
    }

    func testPlainHTTPEndpoints() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        XCTAssertEqual(try server.get("/healthz").status, 200)
        XCTAssertEqual(try server.get("/readyz").status, 200)
        XCTAssertEqual(try server.get("/ws").status, 426, "a plain GET on a WebSocket path")
        XCTAssertEqual(try server.get("/nope").status, 404)
        XCTAssertEqual(try server.upgradeStatus(path: "/nope"), 404)
        XCTAssertEqual(try server.upgradeStatus(path: "/ws"), 101)
        XCTAssertEqual(try server.request("NOT HTTP AT ALL\r\n\r\n").status, 400)
        // Two pipelined keep-alive requests are answered in order on the one connection.
        let pipelined = try server.request(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let bodies = pipelined.response.components(separatedBy: "\r\n\r\n")
        XCTAssertEqual(pipelined.response.components(separatedBy: "HTTP/1.1 200 OK").count, 3, pipelined.response)
        XCTAssertTrue(bodies.count == 3 && bodies[1].hasPrefix("ok\n") && bodies[2] == "ready\n", pipelined.response)
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_handshakes_refused_total{reason=\"not_found\"}"], 1)
        XCTAssertEqual(m["wstune_handshakes_refused_total{reason=\"bad_request\"}"], 1)
        XCTAssertEqual(m["wstune_handshakes_total"], 1)
    }
}

/// The handshake fast path (FastUpgradeHandler) and NIO's HTTP parser behind it answer every request shape as the
/// RFC asks: a plain upgrade and one with lowercase names and token lists (fast path), one split over two writes,
/// a short key (HTTP parser) all get a 101 whose Sec-WebSocket-Accept is what Python's hashlib computes, and an
/// echo after it; two keys, version 8 and an unknown path are refused. The fast path must not change an answer.
final class ServeHandshakeShapeTests: XCTestCase {
    func testEveryRequestShapeGetsTheRFCAnswer() throws {
        try ServePeer.requirePython()
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try ServePeer.run("handshake_shapes", port: server.port)
        func shape(_ name: String) -> [String: Any] { (r[name] as? [String: Any]) ?? [:] }
        for name in ["plain", "split", "lowercase-lists", "short-key"] {
            XCTAssertEqual(shape(name)["status"] as? Int, 101, "\(name): \(shape(name))")
            XCTAssertEqual(shape(name)["acceptOK"] as? Bool, true, "\(name): \(shape(name))")
            XCTAssertEqual(shape(name)["echo"] as? String, name, "\(name): \(shape(name))")
        }
        XCTAssertEqual(shape("two-keys")["status"] as? Int, 400, "\(shape("two-keys"))")
        XCTAssertEqual(shape("version-8")["status"] as? Int, 400, "\(shape("version-8"))")
        XCTAssertEqual(shape("unknown-path")["status"] as? Int, 404, "\(shape("unknown-path"))")
        let m = try server.metrics(within: 5) { $0["wstune_connections_active"] == 0 }
        XCTAssertEqual(m["wstune_handshakes_total"], 4, "\(m.filter { $0.key.contains("handshake") })")
    }
}
