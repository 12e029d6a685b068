import NIOHTTP1

/// permessage-deflate (RFC 7692) as negotiated for one connection: whether each side keeps its LZ77 window
/// between messages, and the window sizes. Parsing and choosing are pure (tests feed header values).
struct PerMessageDeflateSettings: Equatable {
    /// The server resets its compressor after every message (no window kept between messages).
    var serverNoContextTakeover = false
    /// The client resets its compressor after every message, so the server's decompressor need not keep one.
    var clientNoContextTakeover = false
    /// The server's compression window, 2^bits bytes (9…15; zlib cannot do 8 for raw deflate).
    var serverMaxWindowBits = 15
    /// The client's window when the offer asked to be told one; nil to leave it at the client's (15).
    var clientMaxWindowBits: Int?

    /// The extension line of the 101 response.
    var responseHeader: String {
        var parts = ["permessage-deflate"]
        if serverNoContextTakeover { parts.append("server_no_context_takeover") }
        if clientNoContextTakeover { parts.append("client_no_context_takeover") }
        if serverMaxWindowBits != 15 { parts.append("server_max_window_bits=\(serverMaxWindowBits)") }
        if let c = clientMaxWindowBits { parts.append("client_max_window_bits=\(c)") }
        return parts.joined(separator: "; ")
    }

    /// The first acceptable permessage-deflate offer among `Sec-WebSocket-Extensions` values (RFC 7692 §5,
    /// §7.1), or nil when there is none. Offers with unknown, repeated or invalid parameters are skipped, as
    /// is server_max_window_bits=8 (zlib's raw deflate needs 9 or more). `forceNoContextTakeover` adds both
    /// no_context_takeover parameters (the server may, §7.1.1.1–2), so idle connections keep no zlib state.
    static func negotiate(_ headerValues: [String], forceNoContextTakeover: Bool = false) -> PerMessageDeflateSettings?
    {
        for offer in headerValues.flatMap({ splitOutsideQuotes($0, by: ",") }) {
            let items = splitOutsideQuotes(offer, by: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard items.first?.lowercased() == "permessage-deflate" else { continue }
            if var s = settings(from: items.dropFirst()) {
                if forceNoContextTakeover {
                    s.serverNoContextTakeover = true
                    s.clientNoContextTakeover = true
                }
                return s
            }
        }
        return nil
    }

    private static func settings(from params: ArraySlice<String>) -> PerMessageDeflateSettings? {
        var s = PerMessageDeflateSettings()
        var seen = Set<String>()
        for p in params where !p.isEmpty {
            let kv = p.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let name = kv[0].lowercased()
            guard seen.insert(name).inserted else { return nil }
            var value: String? = kv.count > 1 ? kv[1] : nil
            if let v = value, v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\"") {
                value = String(v.dropFirst().dropLast())
            }
            switch name {
            case "server_no_context_takeover":
                guard value == nil else { return nil }
                s.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard value == nil else { return nil }
                s.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let v = value, let bits = windowBits(v), bits >= 9 else { return nil }
                s.serverMaxWindowBits = bits
            case "client_max_window_bits":
                if let v = value {
                    guard let bits = windowBits(v) else { return nil }
                    s.clientMaxWindowBits = bits
                } else {
                    // The client lets the server pick; the server's decompressor takes any window, so keep 15.
                    s.clientMaxWindowBits = nil
                }
            default:
                return nil
            }
        }
        return s
    }

    /// 8…15 written as a plain decimal (no sign, no leading zero).
    private static func windowBits(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 2, text.first != "0", text.allSatisfy({ $0.isASCII && $0.isNumber }),
            let n = Int(text), (8...15).contains(n)
        else { return nil }
        return n
    }

    private static func splitOutsideQuotes(_ text: String, by separator: Character) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        for c in text {
            if c == "\"" { quoted.toggle() }
            if c == separator && !quoted {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
