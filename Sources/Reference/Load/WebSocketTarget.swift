import Foundation

/// Where the load client connects: a `ws://host:port/path` URL split into its parts (no TLS: the load client
/// measures the host's socket limits, and a TLS terminator is a separate concern).
public struct WebSocketTarget: Sendable, Equatable, Codable {
    public let host: String
    public let port: Int
    public let path: String

    public init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    /// Parses `ws://host[:port][/path]`; `http://` is accepted as a synonym. IPv6 hosts go in brackets.
    public static func parse(_ text: String) throws -> WebSocketTarget {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw LoadError.invalidURL(text, reason: "not a URL")
        }
        guard scheme == "ws" || scheme == "http" else {
            throw LoadError.invalidURL(text, reason: "scheme must be ws:// (got \(scheme)://)")
        }
        guard var host = url.host, !host.isEmpty else { throw LoadError.invalidURL(text, reason: "no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = url.port ?? 80
        guard (1...65535).contains(port) else { throw LoadError.invalidURL(text, reason: "port out of range") }
        var path = url.percentEncodedPath
        if path.isEmpty { path = "/" }
        if let query = url.percentEncodedQuery { path += "?" + query }
        return WebSocketTarget(host: host, port: port, path: path)
    }

    /// True for the fan-out endpoint, where one message reaches every client.
    public var isBroadcast: Bool { path.hasPrefix("/ws/broadcast") }

    public var urlString: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "ws://\(h):\(port)\(path)"
    }
}
