/// One limit a check ran into, with the evidence that shows it.
public struct LimitFinding: Sendable, Codable, Equatable {
    /// Stable id: server.nofile, client.ephemeral-ports, client.nofile, net.somaxconn, conntrack.max, fs.file-max,
    /// net.ipv4.tcp_mem, server.connection-cap, server.origin, server.down, server.exited, server.saturated,
    /// server.closed-connections.
    public var id: String
    public var title: String
    public var evidence: [String]
    /// True when this limit stopped connections (false: seen, but the target was reached anyway).
    public var binding: Bool

    public init(id: String, title: String, evidence: [String], binding: Bool) {
        self.id = id
        self.title = title
        self.evidence = evidence
        self.binding = binding
    }
}
