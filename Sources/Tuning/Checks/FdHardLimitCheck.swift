import HostFacts

/// `fd.hard-limit`: the hard limit lets the server raise its soft limit to the need, and whether it may go higher.
public struct FdHardLimitCheck: Check {
    public static let id = "fd.hard-limit"
    public var id: String { Self.id }
    public let title = "Hard open-file limit and whether it can be raised"
    public let rationale =
        "An unprivileged process may raise its soft limit only up to the hard limit; raising the hard limit needs CAP_SYS_RESOURCE (setrlimit(2)), which containers and some VMs withhold."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let lim = host.resolvedFileLimit else {
            return notApplicable("no limits readable for \(host.fileLimitSource)")
        }
        let need = req.targetNofile
        if lim.hard >= need {
            return finding(
                .pass, current: grouped(lim.hard), needed: "≥ \(grouped(need))",
                why: "the hard limit allows the soft limit to reach the need")
        }
        if case .unit = host.target, let r = host.unitLimits, r.managerCapsLimit, let mh = r.manager?.hard {
            let per = max(lim.hard - CapacityModel.fdReserve, 1)
            let procs = (req.needs.connections + per - 1) / per
            return finding(
                .fail,
                current: "\(grouped(lim.hard)) (service manager's hard limit \(grouped(mh)), no CAP_SYS_RESOURCE)",
                needed: "≥ \(grouped(need))",
                why:
                    "systemd cannot give the unit more than its own hard limit: one process holds at most ~\(grouped(per)) connections here",
                fix:
                    "raise the service manager's hard nofile (the container's or VM's limit) to ≥ \(need), or spread the load over \(procs) processes sharing the port with SO_REUSEPORT"
            )
        }
        if host.canRaiseHardLimit == false {
            let per = max(lim.hard.subtractingSaturated(CapacityModel.fdReserve), 1)
            let procs = req.needs.connections.ceilingDivided(by: per)
            return finding(
                .fail, current: "\(grouped(lim.hard)) (no CAP_SYS_RESOURCE)", needed: "≥ \(grouped(need))",
                why:
                    "this process cannot raise its hard limit: one process holds at most ~\(grouped(per)) connections here",
                fix:
                    "run the service under systemd with LimitNOFILE=\(need), or on a host that grants CAP_SYS_RESOURCE; here spread the load over \(procs) processes sharing the port with SO_REUSEPORT"
            )
        }
        return finding(
            .fail, current: grouped(lim.hard), needed: "≥ \(grouped(need))",
            why: "the soft limit cannot be raised past the hard limit",
            fix:
                "LimitNOFILE=\(need) in the unit (sets both), or `* hard nofile \(need)` in /etc/security/limits.d/90-wstune.conf for login sessions"
        )
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension FdHardLimitCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        FindingValues(
            observed: host.resolvedFileLimit.map { .number($0.hard) }, source: host.fileLimitOrigin,
            requirement: .atLeast(req.targetNofile), unit: .files)
    }
}
