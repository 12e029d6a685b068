import NIOHTTP1

/// The client side of the WebSocket opening handshake (RFC 6455 §4.1), on bytes: the request, built from a
/// template made once per run, and the server's answer, checked as NIO's client upgrader checks it (status
/// 101, `Upgrade: websocket` first, exactly one Sec-WebSocket-Accept that matches the key). Pure; the
/// channel handler (`HandshakeRequestHandler`) feeds it. Errors are the ones NIO's HTTP client pipeline
/// raised, so reports and their kinds stay the same.
struct ClientHandshake: Sendable {
    /// The request up to the key, and what follows it.
    let prefix: [UInt8]
    let suffix: [UInt8] = Array("\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8)
    /// The longest answer head accepted before it counts as not HTTP.
    static let maxHeadBytes = 16 * 1024
    static let guid = Array("258EAFA5-E914-47DA-95CA-C5AB0DC85B11".utf8)

    init(target: WebSocketTarget, origin: String?) {
        let host = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        var head = "GET \(target.path) HTTP/1.1\r\nHost: \(host)\r\nContent-Length: 0\r\n"
        if let origin { head += "Origin: \(origin)\r\n" }
        head += "Connection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: "
        prefix = Array(head.utf8)
    }

    /// The 24-byte Sec-WebSocket-Key for 16 nonce bytes.
    static func key(nonce: (UInt64, UInt64)) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(16)
        for v in [nonce.0, nonce.1] {
            for s in stride(from: 56, through: 0, by: -8) { raw.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) }
        }
        return Base64.encode(raw)
    }

    /// The Sec-WebSocket-Accept value a server must send for `key`.
    static func accept(forKey key: [UInt8]) -> [UInt8] {
        Base64.encode(SHA1.digest(key + guid))
    }

    enum Outcome: Equatable {
        /// The answer head is not complete yet.
        case incomplete
        /// A valid 101: the head is `headBytes` long (WebSocket frames may follow in the same bytes).
        case upgraded(headBytes: Int)
        /// Not an upgrade: an HTTP status other than 101, an invalid 101, or bytes that are not HTTP.
        case failed(HandshakeAnswerError)
    }

    /// Checks the server's answer so far (`bytes` from its first byte) against the request's `key`.
    static func parse(_ bytes: UnsafeRawBufferPointer, expectedAccept: [UInt8]) -> Outcome {
        guard let end = headEnd(bytes) else {
            // A status line that cannot be HTTP is refused without waiting for more.
            if bytes.count >= 5 && !bytes.starts(with: Array("HTTP/".utf8)) { return .failed(.notHTTP) }
            return bytes.count > maxHeadBytes ? .failed(.notHTTP) : .incomplete
        }
        var lines = split(lines: UnsafeRawBufferPointer(rebasing: bytes[..<end]))
        guard !lines.isEmpty, let status = statusCode(lines.removeFirst()) else { return .failed(.notHTTP) }
        guard status == 101 else { return .failed(.status(status)) }
        var upgrade: Substring?
        var accepts: [[UInt8]] = []
        for line in lines {
            guard let colon = line.firstIndex(of: 0x3a), colon > line.startIndex else { return .failed(.notHTTP) }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            let value = trim(line[(colon + 1)...])
            if name == "upgrade" && upgrade == nil {
                upgrade = String(decoding: value, as: UTF8.self).split(separator: ",").first
            } else if name == "sec-websocket-accept" {
                accepts.append(Array(value))
            }
        }
        guard let upgrade, upgrade.trimmingSpaces.lowercased() == "websocket" else {
            return .failed(.noWebSocketProtocol)
        }
        guard accepts.count == 1, accepts[0] == expectedAccept else { return .failed(.badAccept) }
        return .upgraded(headBytes: end + 4)
    }

    /// The offset of the blank line's CR LF CR LF, if the head is complete.
    static func headEnd(_ b: UnsafeRawBufferPointer) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 0x0d && b[i + 1] == 0x0a && b[i + 2] == 0x0d && b[i + 3] == 0x0a {
            return i
        }
        return nil
    }

    private static func split(lines b: UnsafeRawBufferPointer) -> [ArraySlice<UInt8>] {
        let all = Array(b)
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i < all.count {
            if all[i] == 0x0d && i + 1 < all.count && all[i + 1] == 0x0a {
                out.append(all[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        out.append(all[start..<all.count])
        return out
    }

    /// The status code of `HTTP/1.x NNN reason`, or nil when the line is not an HTTP/1 status line.
    private static func statusCode(_ line: ArraySlice<UInt8>) -> Int? {
        let l = Array(line)
        guard l.count >= 12, l.starts(with: Array("HTTP/1.".utf8)), l[7] >= 0x30, l[7] <= 0x39, l[8] == 0x20
        else { return nil }
        var code = 0
        for d in l[9..<12] {
            guard d >= 0x30 && d <= 0x39 else { return nil }
            code = code * 10 + Int(d - 0x30)
        }
        guard l.count == 12 || l[12] == 0x20 else { return nil }
        return code
    }

    private static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }
}

/// Why an answer to the upgrade request is not a WebSocket; `error` is what the report counts it as.
enum HandshakeAnswerError: Equatable, Sendable {
    case notHTTP
    case status(Int)
    case noWebSocketProtocol
    case badAccept

    /// The same errors NIO's HTTP client pipeline raised (kinds and descriptions in `ConnectionFailure`).
    var error: Error {
        switch self {
        case .notHTTP: return HTTPParserError.invalidStatus
        case .status(let code): return HandshakeFailure.http(code)
        case .noWebSocketProtocol: return NIOHTTPClientUpgradeError.responseProtocolNotFound
        case .badAccept: return NIOHTTPClientUpgradeError.upgraderDeniedUpgrade
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
