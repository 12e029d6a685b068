import HostFacts

/// `conntrack.buckets`: enough hash buckets that lookups stay short at nf_conntrack_max.
public struct ConntrackBucketsCheck: Check {
    public static let id = "conntrack.buckets"
    public var id: String { Self.id }
    public let title = "Conntrack hash buckets against the table size"
    public let rationale =
        "Every packet looks its flow up in the conntrack hash; chains longer than a few entries cost CPU on every packet. The kernel's default is one bucket per entry (nf_conntrack-sysctl.rst); we accept up to 4."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard req.conntrackApplies(host) else {
            return notApplicable(
                "conntrack tracks nothing here (module not loaded, or loaded with no entries: no ruleset uses it; profile conntrack: on forces the check)"
            )
        }
        guard let buckets = host.int("net.netfilter.nf_conntrack_buckets") ?? host.conntrack.hashsize,
            let max = host.int("net.netfilter.nf_conntrack_max")
        else { return notApplicable("conntrack sysctls not readable") }
        let target = Swift.max(max, req.needs.conntrackMax)
        let need = target.ceilingDivided(by: CapacityModel.conntrackChainLength)
        let cur = "\(grouped(buckets)) buckets for max \(grouped(max))"
        return buckets >= need
            ? finding(.pass, current: cur, needed: "≥ \(grouped(need))")
            : finding(
                .warn, current: cur, needed: "≥ \(grouped(need)) (max/4)",
                fix:
                    "echo \(need) > /sys/module/nf_conntrack/parameters/hashsize; persist: options nf_conntrack hashsize=\(need) in /etc/modprobe.d/wstune-conntrack.conf"
            )
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension ConntrackBucketsCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let max = host.int("net.netfilter.nf_conntrack_max") else { return .none }
        let target = Swift.max(max, req.needs.conntrackMax)
        let need = target.ceilingDivided(by: CapacityModel.conntrackChainLength)
        if host.sysctl("net.netfilter.nf_conntrack_buckets") != nil {
            return .sysctl(host, "net.netfilter.nf_conntrack_buckets", .atLeast(need), .buckets)
        }
        return FindingValues(
            observed: host.conntrack.hashsize.map(ObservedValue.number),
            source: "/sys/module/nf_conntrack/parameters/hashsize", requirement: .atLeast(need), unit: .buckets)
    }
}
