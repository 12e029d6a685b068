import Foundation
import XCTest

@testable import Reference

/// The load client's own handshake (issue 17: it replaced NIO's HTTP client pipeline): the request it sends,
/// how it checks the answer, and that each answer counts under the same kind and words as before. Oracles:
/// RFC 6455 §1.3's example key, Python's hashlib and base64.
final class ClientHandshakeTests: XCTestCase {
    private func parse(_ text: String, key: [UInt8]) -> ClientHandshake.Outcome {
        Array(text.utf8).withUnsafeBytes {
            ClientHandshake.parse($0, expectedAccept: ClientHandshake.accept(forKey: key))
        }
    }

    private let rfcKey = Array("dGhlIHNhbXBsZSBub25jZQ==".utf8)
    private var valid: String {
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    }

    func testAcceptOfTheRFCExampleKey() {
        XCTAssertEqual(
            String(decoding: ClientHandshake.accept(forKey: rfcKey), as: UTF8.self), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testAcceptAndKeysAgreeWithPython() throws {
        let keys = (0..<20).map { i in ClientHandshake.key(nonce: (UInt64(i) &* 0x9E37_79B9_7F4A_7C15, ~UInt64(i))) }
        let script = """
            import base64, hashlib, sys
            for k in sys.argv[1:]:
                assert len(base64.b64decode(k)) == 16, k
                print(base64.b64encode(hashlib.sha1((k + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode())
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script] + keys.map { String(decoding: $0, as: UTF8.self) }
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let expected = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(keys.map { String(decoding: ClientHandshake.accept(forKey: $0), as: UTF8.self) }, expected)
        XCTAssertEqual(Set(keys).count, keys.count, "a fresh key per nonce")
    }

    func testRequestCarriesTheUpgradeHeaders() {
        let h = ClientHandshake(target: WebSocketTarget(host: "::1", port: 9000, path: "/ws?x=1"), origin: "http://a")
        let text = String(decoding: h.prefix + rfcKey + h.suffix, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("GET /ws?x=1 HTTP/1.1\r\n"), text)
        for line in [
            "Host: [::1]:9000", "Origin: http://a", "Connection: upgrade", "Upgrade: websocket",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
        ] {
            XCTAssertTrue(text.contains("\r\n\(line)\r\n"), "\(line) in \(text)")
        }
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"))
        XCTAssertEqual(text.components(separatedBy: "\r\n\r\n").count, 2, "one head, no body")
    }

    func testValidAnswerUpgradesAndLeavesFramesThatFollow() {
        let head = valid
        XCTAssertEqual(parse(head + "\u{81}\u{02}hi", key: rfcKey), .upgraded(headBytes: head.utf8.count))
        let mixedCase =
            "HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nSEC-WEBSOCKET-ACCEPT:s3pPLMBiTxaQ9kYGzzhZRbK+xOo= \r\n\r\n"
        XCTAssertEqual(parse(mixedCase, key: rfcKey), .upgraded(headBytes: mixedCase.utf8.count))
    }

    func testEveryPartOfAValidAnswerIsIncomplete() {
        let bytes = Array(valid.utf8)
        for n in 0..<bytes.count {
            let outcome = Array(bytes[0..<n]).withUnsafeBytes {
                ClientHandshake.parse($0, expectedAccept: ClientHandshake.accept(forKey: rfcKey))
            }
            XCTAssertEqual(outcome, .incomplete, "first \(n) bytes")
        }
    }

    func testInvalidUpgradesAreRefused() {
        let wrongKey = Array("AAAAAAAAAAAAAAAAAAAAAA==".utf8)
        XCTAssertEqual(parse(valid, key: wrongKey), .failed(.badAccept))
        let twice = valid.replacingOccurrences(
            of: "\r\n\r\n", with: "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        XCTAssertEqual(parse(twice, key: rfcKey), .failed(.badAccept))
        let none = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
        XCTAssertEqual(parse(none, key: rfcKey), .failed(.badAccept))
        XCTAssertEqual(
            parse(valid.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade: h2c"), key: rfcKey),
            .failed(.noWebSocketProtocol))
        XCTAssertEqual(
            parse(valid.replacingOccurrences(of: "Upgrade: websocket\r\n", with: ""), key: rfcKey),
            .failed(.noWebSocketProtocol))
    }

    func testOtherStatusesAndNonHTTPAnswers() {
        XCTAssertEqual(
            parse("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", key: rfcKey), .failed(.status(503)))
        XCTAssertEqual(parse("HTTP/1.0 403 Forbidden\r\n\r\n", key: rfcKey), .failed(.status(403)))
        XCTAssertEqual(parse("SSH-2.0-OpenSSH_9.2\r\n", key: rfcKey), .failed(.notHTTP), "refused before a blank line")
        XCTAssertEqual(parse("HTTP/1.1 1O1 x\r\n\r\n", key: rfcKey), .failed(.notHTTP))
        XCTAssertEqual(parse("HTTP/1.1 101 x\r\nno colon here\r\n\r\n", key: rfcKey), .failed(.notHTTP))
        let endless = "HTTP/1.1 101 x\r\n" + String(repeating: "X-Pad: 0123456789\r\n", count: 1000)
        XCTAssertEqual(parse(endless, key: rfcKey), .failed(.notHTTP), "a head past 16 KiB")
    }

    /// Each refusal is counted and worded as NIO's HTTP client pipeline had it.
    func testRefusalsKeepTheirKindsAndWords() {
        let cases: [(HandshakeAnswerError, String, String)] = [
            (.notHTTP, "protocol-error", "not valid HTTP"),
            (.badAccept, "protocol-error", "not a valid WebSocket upgrade"),
            (.noWebSocketProtocol, "protocol-error", "the upgrade went wrong"),
            (.status(503), "HTTP-503", "HTTP 503 Service Unavailable instead of 101"),
            (.status(500), "HTTP-500", "HTTP 500 Internal Server Error instead of 101"),
            (.status(403), "HTTP-403", "HTTP 403 Forbidden instead of 101"),
        ]
        for (why, key, words) in cases {
            XCTAssertEqual(ConnectionFailure.reportKey(why.error), key, "\(why)")
            XCTAssertTrue(ConnectionFailure.describe(why.error).contains(words), ConnectionFailure.describe(why.error))
        }
    }
}
