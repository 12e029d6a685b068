/// How the proxy spreads WebSocket connections over the backends.
public enum Balance: String, CaseIterable, Sendable, Codable {
    /// Fewest open connections first: evens out long-lived sockets (nginx `least_conn`, HAProxy `leastconn`).
    case leastConn = "least-conn"
    /// Sticky by client address (nginx `ip_hash`, HAProxy `balance source` + `hash-type consistent`).
    case ipHash = "ip-hash"
    /// Consistent hash of the client address: adding a backend moves few clients
    /// (nginx `hash $remote_addr consistent`, HAProxy `balance source` + `hash-type consistent`).
    case consistentHash = "consistent-hash"

    /// The directive in an nginx `upstream` block.
    var nginxDirective: String {
        switch self {
        case .leastConn: return "least_conn;"
        case .ipHash: return "ip_hash;"
        case .consistentHash: return "hash $remote_addr consistent;"
        }
    }

    /// The lines in a HAProxy backend.
    var haproxyLines: [String] {
        switch self {
        case .leastConn: return ["balance leastconn"]
        case .ipHash, .consistentHash: return ["balance source", "hash-type consistent"]
        }
    }
}
