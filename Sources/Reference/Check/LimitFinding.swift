/// One limit a check ran into, with the evidence that shows it.
public struct LimitFinding: Sendable, Codable, Equatable {
    /// Ids of the limits only a check sees (the server and client processes it runs). Host limits the audit
    /// also judges carry the audit check's id (`SomaxconnCheck.id`, `TcpMemCheck.id`, …), so one limit has one
    /// name in both reports.
    public enum ID {
        public static let serverNofile = "server.nofile"
        public static let clientEphemeralPorts = "client.ephemeral-ports"
        public static let clientNofile = "client.nofile"
        public static let serverExited = "server.exited"
        public static let serverConnectionCap = "server.connection-cap"
        public static let serverOrigin = "server.origin"
        public static let serverDown = "server.down"
        public static let serverSaturated = "server.saturated"
        public static let serverClosedConnections = "server.closed-connections"
        public static let proxyWorkerConnections = "proxy.worker-connections"
        public static let proxyNofile = "proxy.nofile"
        public static let proxyUpstreamPorts = "proxy.upstream-ports"
        public static let proxyMaxconn = "proxy.maxconn"
        public static let proxyExited = "proxy.exited"
        public static let unknown = "unknown"
    }

    /// A stable id: one of `ID`, or an audit check's id (net.somaxconn, net.netdev-backlog, conntrack.max,
    /// fs.file-max, net.tcp-mem).
    public var id: String
    public var title: String
    public var evidence: [String]
    /// True for the one limit that stopped connections: the first finding that can bind, on a run that fell
    /// short (false: seen, but another limit bound first or the target was reached anyway).
    public var binding: Bool

    public init(id: String, title: String, evidence: [String], binding: Bool) {
        self.id = id
        self.title = title
        self.evidence = evidence
        self.binding = binding
    }
}
