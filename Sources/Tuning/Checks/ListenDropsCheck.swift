import HostFacts

/// `net.listen-drops`: accept queues have overflowed since boot.
public struct ListenDropsCheck: Check {
    public static let id = "net.listen-drops"
    public var id: String { Self.id }
    public let title = "Listen queue overflows since boot"
    public let rationale =
        "TcpExt ListenOverflows and ListenDrops count handshakes dropped because an accept queue was full: the backlog or somaxconn was too small, or the server accepted too slowly (/proc/net/netstat)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let o = host.counters["TcpExt.ListenOverflows"], let d = host.counters["TcpExt.ListenDrops"] else {
            return notApplicable("/proc/net/netstat not readable")
        }
        let cur = "ListenOverflows \(grouped(o)), ListenDrops \(grouped(d))"
        if o == 0 && d == 0 { return finding(.pass, current: cur, needed: "0") }
        return finding(
            .warn, current: cur, needed: "0", why: "handshakes were dropped at a full accept queue since boot",
            fix: "raise net.core.somaxconn and the server's listen() backlog; watch it live with `wstune top`")
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension ListenDropsCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let o = host.counters["TcpExt.ListenOverflows"], let d = host.counters["TcpExt.ListenDrops"] else {
            return .none
        }
        return FindingValues(
            observed: .number(o.addingSaturated(d)), source: "/proc/net/netstat TcpExt.ListenOverflows+ListenDrops",
            requirement: .atMost(0), unit: .packets)
    }
}
