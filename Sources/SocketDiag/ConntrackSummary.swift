/// How full conntrack is and what it holds: the input of `count`'s conntrack block and of `top`.
public struct ConntrackSummary: Sendable, Equatable {
    /// False when nf_conntrack is not loaded (no /proc/sys/net/netfilter/nf_conntrack_max): nothing else is set.
    public var loaded: Bool
    /// Entries in this network namespace's table.
    public var entries: Int?
    /// Where `entries` came from: "netlink" (CT_GET_STATS, as `conntrack -C`) or the /proc file.
    public var entriesSource: String?
    /// net.netfilter.nf_conntrack_max.
    public var maxEntries: Int?
    /// Statistics counters summed over CPUs (CT_GET_STATS_CPU, as `conntrack -S`): found, invalid, insert,
    /// insert_failed, drop, early_drop, error, search_restart, clash_resolve, chaintoolong.
    public var stats: [String: Int]
    /// TCP entries per state, from a full dump; nil unless asked for.
    public var tcpByState: [ConntrackTCPState: Int]?
    /// Entries per layer-4 protocol name ("tcp", "udp", "icmp", …, or the number) from the same dump.
    public var byProtocol: [String: Int]?

    public init(
        loaded: Bool, entries: Int? = nil, entriesSource: String? = nil, maxEntries: Int? = nil,
        stats: [String: Int] = [:], tcpByState: [ConntrackTCPState: Int]? = nil,
        byProtocol: [String: Int]? = nil
    ) {
        self.loaded = loaded
        self.entries = entries
        self.entriesSource = entriesSource
        self.maxEntries = maxEntries
        self.stats = stats
        self.tcpByState = tcpByState
        self.byProtocol = byProtocol
    }

    /// entries / max, when both are known.
    public var usage: Double? {
        guard let e = entries, let m = maxEntries, m > 0 else { return nil }
        return Double(e) / Double(m)
    }

    static let protocolNames: [UInt8: String] = [
        1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6", 132: "sctp",
        33: "dccp", 136: "udplite", 47: "gre",
    ]
}
