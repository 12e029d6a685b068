import HostFacts

/// `fd.soft-limit`: the soft RLIMIT_NOFILE of the server (process or unit) covers N connections plus reserve.
public struct FdSoftLimitCheck: Check {
    public let id = "fd.soft-limit"
    public let title = "Soft open-file limit of the server"
    public let rationale = "Every WebSocket is a file descriptor; accept() fails with EMFILE at the soft RLIMIT_NOFILE (getrlimit(2))."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let lim = host.resolvedFileLimit else { return notApplicable("no limits readable for \(host.fileLimitSource)") }
        let need = req.targetNofile
        let who = host.fileLimitSource.description
        if lim.soft >= need {
            return finding(.pass, current: grouped(lim.soft), needed: "≥ \(grouped(need))", why: "\(who): soft limit covers the target")
        }
        let fix: String
        switch host.target {
        case .unit(let u):
            fix = "systemd drop-in /etc/systemd/system/\(u.contains(".") ? u : u + ".service").d/90-wstune.conf: [Service] LimitNOFILE=\(need); then systemctl daemon-reload && systemctl restart \(u)"
        default:
            fix = "raise it where the server starts: LimitNOFILE=\(need) in its unit, or `ulimit -n \(need)` in its start script (sudo wstune apply --unit NAME writes the drop-in)"
        }
        return finding(.fail, current: grouped(lim.soft), needed: "≥ \(grouped(need))",
                       why: "\(who): accept() fails with EMFILE after about \(grouped(max(lim.soft - CapacityModel.fdReserve, 0))) connections", fix: fix)
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension FdSoftLimitCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        FindingValues(observed: host.resolvedFileLimit.map { .number($0.soft) }, source: host.fileLimitOrigin,
                      requirement: .atLeast(req.targetNofile), unit: .files)
    }
}
