import HostFacts

/// `net.syn-backlog`: the SYN queue holds the same burst as the accept queue.
public struct SynBacklogCheck: Check {
    public static let id = "net.syn-backlog"
    public var id: String { Self.id }
    public let title = "SYN queue (net.ipv4.tcp_max_syn_backlog)"
    public let rationale =
        "Half-open connections beyond tcp_max_syn_backlog are dropped (or answered with syncookies), losing TCP options (Documentation/networking/ip-sysctl.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let v = host.int("net.ipv4.tcp_max_syn_backlog") else {
            return notApplicable("tcp_max_syn_backlog not readable")
        }
        let need = req.needs.synBacklog
        return v >= need
            ? finding(.pass, current: grouped(v), needed: "≥ \(grouped(need))")
            : finding(
                .warn, current: grouped(v), needed: "≥ \(grouped(need))",
                fix: sysctlFix("net.ipv4.tcp_max_syn_backlog", String(need)))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension SynBacklogCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        .sysctl(host, "net.ipv4.tcp_max_syn_backlog", .atLeast(req.needs.synBacklog), .connections)
    }
}
