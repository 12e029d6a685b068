/// A `HOST:PORT` (or `[IPv6]:PORT`, or a bare `PORT` where a host is optional) as given on the command line.
public struct HostPort: Equatable, Sendable, CustomStringConvertible {
    /// Host name or address without brackets; nil when only a port was given.
    public var host: String?
    public var port: Int

    public init(host: String?, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `PORT`, `HOST:PORT` or `[V6]:PORT`. `requireHost` rejects a bare port (backends need a host).
    public static func parse(_ text: String, requireHost: Bool, option: String) throws -> HostPort {
        let t = text.trimmingCharacters(in: .whitespaces)
        var host: String?
        var portText = t
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]"), t[t.index(after: close)...].hasPrefix(":") else {
                throw RenderError.invalidOption(option: option, value: text, reason: "expected [IPv6]:PORT")
            }
            host = String(t[t.index(after: t.startIndex)..<close])
            portText = String(t[t.index(close, offsetBy: 2)...])
        } else if let colon = t.lastIndex(of: ":") {
            host = String(t[..<colon])
            portText = String(t[t.index(after: colon)...])
            if host!.contains(":") {
                throw RenderError.invalidOption(
                    option: option, value: text, reason: "write an IPv6 address as [ADDR]:PORT")
            }
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw RenderError.invalidOption(option: option, value: text, reason: "port must be 1-65535")
        }
        if let h = host {
            guard !h.isEmpty, h.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:".contains($0) }) else {
                throw RenderError.invalidOption(
                    option: option, value: text, reason: "host may hold letters, digits, '.', '-', '_' and ':' only")
            }
        } else if requireHost {
            throw RenderError.invalidOption(option: option, value: text, reason: "expected HOST:PORT")
        }
        return HostPort(host: host, port: port)
    }

    /// `host:port`, bracketing IPv6; a bare port when there is no host.
    public var description: String {
        guard let host else { return "\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
