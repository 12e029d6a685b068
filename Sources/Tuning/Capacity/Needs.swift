/// What a profile's connection target needs from the host, derived by `CapacityModel.needs(for:)`.
/// Formulas and sources: README, "Capacity model".
public struct Needs: Sendable, Equatable, Codable {
    public var connections: Int
    /// Soft and hard RLIMIT_NOFILE for the WebSocket server process (or the sum over its processes).
    public var serverNofile: Int
    /// RLIMIT_NOFILE for the proxy process when a proxy fronts backends (2 fds per client), else nil.
    public var proxyNofile: Int?
    /// fs.nr_open: the ceiling of any one process's hard nofile.
    public var nrOpen: Int
    /// fs.file-max: open files system-wide.
    public var fileMax: Int
    /// net.core.somaxconn: accept-queue length for a reconnect storm.
    public var somaxconn: Int
    /// net.ipv4.tcp_max_syn_backlog.
    public var synBacklog: Int
    /// net.netfilter.nf_conntrack_max when traffic is tracked.
    public var conntrackMax: Int
    /// net.netfilter.nf_conntrack_buckets (hash table size).
    public var conntrackBuckets: Int
    /// Ephemeral ports needed per backend address (proxy only; 0 otherwise).
    public var ephemeralPortsPerBackend: Int
    /// net.ipv4.tcp_mem pressure threshold in pages so N sockets at their minimum buffers fit.
    public var tcpMemPages: Int
    /// RAM for N connections at the profile's per-connection budget.
    public var memoryBytes: Int
    /// Handshakes per second during a reconnect storm (N / window).
    public var reconnectRatePerSecond: Int
    /// TCP keepalive time that still detects dead peers within a few ping intervals (seconds).
    public var keepaliveTimeSeconds: Int
    /// Sockets per client connection on this host (1, or 2 with a proxy).
    public var socketsPerConnection: Int
}
