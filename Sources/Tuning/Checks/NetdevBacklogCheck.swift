import HostFacts

/// `net.netdev-backlog`: the per-CPU input queue absorbs handshake bursts.
public struct NetdevBacklogCheck: Check {
    public static let id = "net.netdev-backlog"
    public var id: String { Self.id }
    public let title = "Per-CPU input queue (net.core.netdev_max_backlog)"
    public let rationale =
        "Packets beyond netdev_max_backlog per CPU are dropped before TCP sees them (softnet_stat's second column); a reconnect storm arrives as a burst (ip-sysctl.rst, net.core)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let v = host.int("net.core.netdev_max_backlog") else {
            return notApplicable(
                host.namespace.isChild ? "global key: not visible in this network namespace" : "not readable")
        }
        let need =
            req.profile.setting("net.core.netdev_max_backlog") ?? (req.needs.connections >= 100_000 ? 16384 : 1000)
        return v >= need
            ? finding(.pass, current: grouped(v), needed: "≥ \(grouped(need))")
            : finding(
                .warn, current: grouped(v), needed: "≥ \(grouped(need))",
                fix: sysctlFix("net.core.netdev_max_backlog", String(need)))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension NetdevBacklogCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        let need =
            req.profile.setting("net.core.netdev_max_backlog") ?? (req.needs.connections >= 100_000 ? 16384 : 1000)
        return .sysctl(host, "net.core.netdev_max_backlog", .atLeast(need), .packets)
    }
}
