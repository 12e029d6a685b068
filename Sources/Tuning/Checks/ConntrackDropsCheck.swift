import HostFacts

/// `conntrack.drops`: the table has dropped or failed to insert entries since boot.
public struct ConntrackDropsCheck: Check {
    public static let id = "conntrack.drops"
    public var id: String { Self.id }
    public let title = "Conntrack drops and insert failures"
    public let rationale =
        "drop, early_drop and insert_failed in /proc/net/stat/nf_conntrack count connections lost to a full table or hash races (conntrack -S)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard host.conntrack.loaded, !host.conntrack.stats.isEmpty else {
            return notApplicable("nf_conntrack statistics not available")
        }
        let s = host.conntrack.stats
        let drop = s["drop"] ?? 0, early = s["early_drop"] ?? 0, failed = s["insert_failed"] ?? 0
        let cur = "drop \(grouped(drop)), early_drop \(grouped(early)), insert_failed \(grouped(failed))"
        if drop == 0 && early == 0 && failed == 0 { return finding(.pass, current: cur, needed: "0") }
        return finding(
            .warn, current: cur, needed: "0", why: "connections have been dropped by conntrack since boot",
            fix:
                "raise nf_conntrack_max and the hashsize (sudo wstune apply), or exempt WebSocket traffic with a notrack rule"
        )
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension ConntrackDropsCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        let s = host.conntrack.stats
        let sum = (s["drop"] ?? 0).addingSaturated(s["early_drop"] ?? 0).addingSaturated(s["insert_failed"] ?? 0)
        return FindingValues(
            observed: .number(sum), source: "/proc/net/stat/nf_conntrack drop+early_drop+insert_failed",
            requirement: .atMost(0), unit: .packets)
    }
}
