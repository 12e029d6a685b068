import HostFacts

/// `conntrack.usage`: how full the table is now, plus the target on top.
public struct ConntrackUsageCheck: Check {
    public static let id = "conntrack.usage"
    public var id: String { Self.id }
    public let title = "Conntrack entries in use now"
    public let rationale =
        "Entries already in the table (other traffic, TIME_WAIT leftovers) share the space with the WebSocket connections."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard req.conntrackApplies(host) else {
            return notApplicable(
                "conntrack tracks nothing here (module not loaded, or loaded with no entries: no ruleset uses it; profile conntrack: on forces the check)"
            )
        }
        guard let count = host.int("net.netfilter.nf_conntrack_count"),
            let max = host.int("net.netfilter.nf_conntrack_max"), max > 0
        else {
            return notApplicable("conntrack count not readable")
        }
        let pct = count.scaled(100, max)
        let cur = "\(grouped(count)) of \(grouped(max)) (\(pct)%)"
        if pct >= 90 {
            return finding(
                .fail, current: cur, needed: "< 90%",
                why: "the table is nearly full now: new flows are about to be dropped")
        }
        if pct >= 75 { return finding(.warn, current: cur, needed: "< 75%") }
        return finding(.pass, current: cur, needed: "< 75%")
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension ConntrackUsageCheck {
    /// Passes while count × 100 / max < 75, i.e. count ≤ (75 × max − 1) / 100.
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let max = host.int("net.netfilter.nf_conntrack_max"), max > 0 else { return .none }
        return .sysctl(
            host, "net.netfilter.nf_conntrack_count",
            .atMost(max.multipliedSaturated(by: 75).subtractingSaturated(1) / 100), .entries)
    }
}
