import HostFacts

/// `conntrack.max`: the conntrack table holds every tracked connection.
public struct ConntrackMaxCheck: Check {
    public static let id = "conntrack.max"
    public var id: String { Self.id }
    public let title = "Connection tracking table size (nf_conntrack_max)"
    public let rationale =
        "When the table is full new connections are dropped and the kernel logs 'nf_conntrack: table full, dropping packet' (nf_conntrack-sysctl.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard req.conntrackApplies(host) else {
            return notApplicable(
                "conntrack tracks nothing here (module not loaded, or loaded with no entries: no ruleset uses it; profile conntrack: on forces the check)"
            )
        }
        guard let v = host.int("net.netfilter.nf_conntrack_max") else {
            return finding(
                .warn, current: "module not loaded", needed: "≥ \(grouped(req.needs.conntrackMax))",
                why: "the profile says traffic is tracked but nf_conntrack is not loaded", fix: "modprobe nf_conntrack")
        }
        let need = req.needs.conntrackMax
        return v >= need
            ? finding(.pass, current: grouped(v), needed: "≥ \(grouped(need))")
            : finding(
                .fail, current: grouped(v), needed: "≥ \(grouped(need))",
                fix: sysctlFix("net.netfilter.nf_conntrack_max", String(need)))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension ConntrackMaxCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        .sysctl(host, "net.netfilter.nf_conntrack_max", .atLeast(req.needs.conntrackMax), .entries)
    }
}
