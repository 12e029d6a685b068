import HostFacts

/// `fs.nr-open`: the per-process ceiling for any nofile limit covers the need.
public struct NrOpenCheck: Check {
    public static let id = "fs.nr-open"
    public var id: String { Self.id }
    public let title = "Per-process ceiling for nofile (fs.nr_open)"
    public let rationale =
        "setrlimit(RLIMIT_NOFILE) above fs.nr_open fails with EPERM, and systemd caps LimitNOFILE=infinity at it (Documentation/admin-guide/sysctl/fs.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let v = host.int("fs.nr_open") else { return notApplicable("fs.nr_open not readable") }
        let need = max(req.targetNofile, req.needs.serverNofile)
        return v >= need
            ? finding(.pass, current: grouped(v), needed: "≥ \(grouped(need))")
            : finding(
                .fail, current: grouped(v), needed: "≥ \(grouped(need))",
                fix: sysctlFix("fs.nr_open", String(req.needs.nrOpen)))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension NrOpenCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        .sysctl(host, "fs.nr_open", .atLeast(max(req.targetNofile, req.needs.serverNofile)), .files)
    }
}
