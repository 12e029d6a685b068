import HostFacts

/// `fd.soft-limit`: the soft RLIMIT_NOFILE of the server (process or unit) covers N connections plus reserve.
/// For a unit the judged value is the effective one (the running MainPID's, or the configured one as the service
/// manager can set it); a configured value that does not take effect is named with its cause.
public struct FdSoftLimitCheck: Check {
    public static let id = "fd.soft-limit"
    public var id: String { Self.id }
    public let title = "Soft open-file limit of the server"
    public let rationale =
        "Every WebSocket is a file descriptor; accept() fails with EMFILE at the soft RLIMIT_NOFILE (getrlimit(2))."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let lim = host.resolvedFileLimit else {
            return notApplicable("no limits readable for \(host.fileLimitSource)")
        }
        let need = req.targetNofile
        let who = host.fileLimitSource.description
        let unitNotes = Self.unitNotes(host)
        if lim.soft >= need {
            return finding(
                .pass, current: grouped(lim.soft), needed: "≥ \(grouped(need))",
                why: "\(who): soft limit covers the target" + unitNotes)
        }
        let fix: String
        switch host.target {
        case .unit(let u):
            let name = (try? SystemdUnitResolver.fullName(u)) ?? u
            let configured = host.unitLimits.map { $0.limit.resolved(nrOpen: host.nrOpen).soft } ?? 0
            if let r = host.unitLimits, configured >= need, r.managerCapsLimit {
                fix =
                    "the unit already asks for enough: give the service manager a hard nofile ≥ \(need) (the container's or VM's limit, e.g. `--rlimit=RLIMIT_NOFILE=\(need)` for systemd-nspawn, `LimitNOFILE=` of the container's unit) or run it where PID 1 has CAP_SYS_RESOURCE"
            } else if let r = host.unitLimits, configured >= need, r.running != nil {
                fix = "systemctl restart \(name) (the running process predates its LimitNOFILE=)"
            } else {
                fix =
                    "systemd drop-in /etc/systemd/system/\(name).d/90-wstune.conf: [Service] LimitNOFILE=\(need); then systemctl daemon-reload && systemctl restart \(name)"
            }
        default:
            fix =
                "raise it where the server starts: LimitNOFILE=\(need) in its unit, or `ulimit -n \(need)` in its start script (sudo wstune apply --unit NAME writes the drop-in)"
        }
        return finding(
            .fail, current: grouped(lim.soft), needed: "≥ \(grouped(need))",
            why:
                "\(who): accept() fails with EMFILE after about \(grouped(max(lim.soft - CapacityModel.fdReserve, 0))) connections"
                + unitNotes,
            fix: fix)
    }

    /// The configured-vs-effective difference and ignored LimitNOFILE= lines of a unit target, as sentences.
    static func unitNotes(_ host: HostSnapshot) -> String {
        guard let r = host.unitLimits else { return "" }
        var notes: [String] = []
        if let d = r.difference { notes.append(d) }
        if r.needsDaemonReload {
            notes.append("the unit's files changed since systemd loaded them: run systemctl daemon-reload")
        }
        notes += r.problems.map(\.description)
        return notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension FdSoftLimitCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        FindingValues(
            observed: host.resolvedFileLimit.map { .number($0.soft) }, source: host.fileLimitOrigin,
            requirement: .atLeast(req.targetNofile), unit: .files)
    }
}
