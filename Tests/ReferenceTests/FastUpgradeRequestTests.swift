import XCTest

@testable import Reference

/// What the server's handshake fast path takes and what it leaves to NIO's HTTP parser (FastUpgradeRequest).
final class FastUpgradeRequestTests: XCTestCase {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    func parse(_ text: String) -> FastUpgradeRequest? {
        Array(text.utf8).withUnsafeBytes { FastUpgradeRequest.parse($0) }
    }

    func request(_ lines: [String], target: String = "/ws") -> String {
        "GET \(target) HTTP/1.1\r\n" + lines.map { $0 + "\r\n" }.joined() + "\r\n"
    }

    var plain: [String] {
        [
            "Host: h", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: \(Self.key)",
            "Sec-WebSocket-Version: 13",
        ]
    }

    func testThePlainShapeIsTakenWithItsKeyTargetAndLength() throws {
        let text = request(plain, target: "/ws/broadcast?x=1")
        let r = try XCTUnwrap(parse(text + "FRAME"))
        XCTAssertEqual(r.target, "/ws/broadcast?x=1")
        XCTAssertEqual(String(decoding: r.key, as: UTF8.self), Self.key)
        XCTAssertEqual(r.headBytes, text.utf8.count)
        XCTAssertNil(r.origin)
        XCTAssertFalse(r.offersExtensions)
        XCTAssertEqual(
            String(decoding: ClientHandshake.accept(forKey: r.key), as: UTF8.self), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testTokenListsCaseAndOriginAreRead() throws {
        let r = try XCTUnwrap(
            parse(
                request([
                    "upgrade: WebSocket", "CONNECTION: keep-alive,  Upgrade ", "sec-websocket-key:\t\(Self.key) ",
                    "Sec-WebSocket-Version: 13", "Origin: https://a.example", "Sec-WebSocket-Extensions: x",
                ])))
        XCTAssertEqual(r.origin, "https://a.example")
        XCTAssertTrue(r.offersExtensions)
    }

    func testEveryOtherShapeGoesToTheHTTPParser() {
        let declined: [String: String] = [
            "incomplete": request(plain).replacingOccurrences(of: "\r\n\r\n", with: "\r\n"),
            "POST": request(plain).replacingOccurrences(of: "GET ", with: "POST "),
            "HTTP/1.0": request(plain).replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0"),
            "no upgrade": request(plain.filter { !$0.hasPrefix("Upgrade") }),
            "no connection upgrade": request(plain.map { $0.hasPrefix("Connection") ? "Connection: keep-alive" : $0 }),
            "two keys": request(plain + ["Sec-WebSocket-Key: \(Self.key)"]),
            "short key": request(plain.map { $0.hasPrefix("Sec-WebSocket-Key") ? "Sec-WebSocket-Key: abc" : $0 }),
            "version 8": request(plain.map { $0.hasPrefix("Sec-WebSocket-Version") ? "Sec-WebSocket-Version: 8" : $0 }),
            "body": request(plain + ["Content-Length: 5"]) + "hello",
            "chunked": request(plain + ["Transfer-Encoding: chunked"]),
            "obs-fold": request(plain + ["X-A: b", " c"]),
            "bare LF": request(plain).replacingOccurrences(of: "Host: h\r\n", with: "Host: h\n"),
            "no colon": request(plain + ["Nonsense"]),
            "space in name": request(plain + ["X A: b"]),
            "non-ASCII value": request(plain + ["X-A: caf\u{e9}"]),
            "two origins": request(plain + ["Origin: a", "Origin: b"]),
            "relative target": request(plain, target: "ws"),
        ]
        for (name, text) in declined { XCTAssertNil(parse(text), name) }
        XCTAssertNil(
            parse(request(plain + [String(repeating: "X-Long: y", count: 1) + String(repeating: "y", count: 9000)])),
            "a head past 8 KiB")
    }
}
