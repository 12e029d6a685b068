/// The one request shape the server's handshake fast path answers without the HTTP parser (`FastUpgradeHandler`):
/// a complete `GET <path> HTTP/1.1` head in the connection's first read, strict CRLF lines, plain visible-ASCII
/// header fields, one Sec-WebSocket-Key of 24 characters, one `Sec-WebSocket-Version: 13`, `Upgrade: websocket`,
/// `Connection: upgrade` (as list tokens) and no body. Anything else (a head split over reads, obs-fold, a bare
/// LF, a body, a second key, bytes past ASCII) is not parsed here at all: the connection goes to NIO's HTTP
/// parser and `HTTPEndpointHandler` exactly as before, so every error answer stays theirs.
///
/// Hand-written because NIO's HTTP/1 decoder (llhttp) with the upgrader costs about as much CPU per handshake as
/// the kernel's TCP work on loopback (Benchmarks/check section 2 profiles the server), and this is the only
/// request a WebSocket server sees at a high rate.
struct FastUpgradeRequest: Equatable {
    /// The request target as sent (the path, and a query if any).
    var target: String
    var key: [UInt8]
    var origin: String?
    /// A Sec-WebSocket-Extensions header was sent (the fast path declines it when --deflate is on).
    var offersExtensions: Bool
    /// Bytes of the head, its final CRLF CRLF included (frames may follow in the same read).
    var headBytes: Int

    /// Longest head the fast path reads; a longer one goes to the HTTP parser.
    static let maxHeadBytes = 8192

    /// The request, or nil when `bytes` are anything but the shape above.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> FastUpgradeRequest? {
        let n = min(bytes.count, maxHeadBytes)
        guard n >= 4 else { return nil }
        // The end of the head.
        var end = -1
        var i = 3
        while i < n {
            if bytes[i] == 0x0A && bytes[i - 1] == 0x0D && bytes[i - 2] == 0x0A && bytes[i - 3] == 0x0D {
                end = i + 1
                break
            }
            i += 1
        }
        guard end > 0 else { return nil }
        var upgrade = false
        var connectionUpgrade = false
        var keys = 0
        var key: [UInt8] = []
        var versions = 0
        var versionOK = false
        var origins = 0
        var origin: String?
        var extensions = false
        var target = ""
        var lineStart = 0
        var first = true
        while lineStart < end - 2 {
            // One line: [lineStart, lineEnd) before its CRLF; a CR or LF inside it is not this shape.
            var lineEnd = lineStart
            while bytes[lineEnd] != 0x0D {
                if bytes[lineEnd] == 0x0A { return nil }
                lineEnd += 1
            }
            guard bytes[lineEnd + 1] == 0x0A else { return nil }
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            if first {
                first = false
                guard let t = requestTarget(line) else { return nil }
                target = t
            } else {
                guard let (name, value) = field(line) else { return nil }
                switch name {
                case "upgrade": upgrade = upgrade || hasToken(value, "websocket")
                case "connection": connectionUpgrade = connectionUpgrade || hasToken(value, "upgrade")
                case "sec-websocket-key":
                    keys += 1
                    key = Array(value.utf8)
                case "sec-websocket-version":
                    versions += 1
                    versionOK = value == "13"
                case "origin":
                    origins += 1
                    origin = value
                case "sec-websocket-extensions": extensions = true
                case "content-length": if value != "0" { return nil }
                case "transfer-encoding": return nil
                default: break
                }
            }
            lineStart = lineEnd + 2
        }
        guard !first, upgrade, connectionUpgrade, keys == 1, key.count == 24, versions == 1, versionOK,
            origins <= 1
        else { return nil }
        return FastUpgradeRequest(
            target: target, key: key, origin: origin, offersExtensions: extensions, headBytes: end)
    }

    /// `GET <target> HTTP/1.1` with a target of visible ASCII starting with "/".
    private static func requestTarget(_ line: UnsafeRawBufferPointer) -> String? {
        let prefix: [UInt8] = Array("GET /".utf8)
        let suffix: [UInt8] = Array(" HTTP/1.1".utf8)
        guard line.count > prefix.count + suffix.count else { return nil }
        for (k, b) in prefix.enumerated() where line[k] != b { return nil }
        let tail = line.count - suffix.count
        for (k, b) in suffix.enumerated() where line[tail + k] != b { return nil }
        for k in 4..<tail where line[k] <= 0x20 || line[k] >= 0x7F { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: line[4..<tail]), as: UTF8.self)
    }

    /// `name: value` with a token name (lowercased here) and a value of visible ASCII, spaces and tabs (trimmed).
    private static func field(_ line: UnsafeRawBufferPointer) -> (String, String)? {
        guard let colon = line.firstIndex(of: 0x3A), colon > 0 else { return nil }
        var name: [UInt8] = []
        name.reserveCapacity(colon)
        for k in 0..<colon {
            let b = line[k]
            guard isTokenByte(b) else { return nil }
            name.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }
        var lo = colon + 1
        var hi = line.count
        for k in lo..<hi where !(line[k] == 0x09 || (line[k] >= 0x20 && line[k] < 0x7F)) { return nil }
        while lo < hi && (line[lo] == 0x20 || line[lo] == 0x09) { lo += 1 }
        while hi > lo && (line[hi - 1] == 0x20 || line[hi - 1] == 0x09) { hi -= 1 }
        return (
            String(decoding: name, as: UTF8.self),
            String(decoding: UnsafeRawBufferPointer(rebasing: line[lo..<hi]), as: UTF8.self)
        )
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// A comma-separated list holding `token` (case-insensitive, spaces around items ignored).
    private static func hasToken(_ value: String, _ token: String) -> Bool {
        value.utf8.split(separator: 0x2C).contains { item in
            let trimmed = item.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }
            return String(decoding: trimmed.reversed(), as: UTF8.self).lowercased() == token
        }
    }
}
