import HostFacts

/// `limits.conf`: a login user's nofile from pam_limits, and the reminder that it does not reach systemd services.
public struct LimitsConfCheck: Check {
    public static let id = "limits.conf"
    public var id: String { Self.id }
    public let title = "limits.conf nofile (login sessions only)"
    public let rationale =
        "pam_limits applies /etc/security/limits.conf and limits.d to PAM sessions (login, ssh, su); systemd services never read it and take LimitNOFILE= instead (systemd.exec(5))."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        if let u = host.userLimit {
            let lim = u.limit.resolved(nrOpen: host.nrOpen)
            let cur = "soft \(u.limit.soft.map(grouped) ?? "unset"), hard \(u.limit.hard.map(grouped) ?? "unset")"
            let need = req.targetNofile
            if u.limit.soft != nil && lim.soft >= need && lim.hard >= need {
                return finding(
                    .pass, current: cur, needed: "≥ \(grouped(need))",
                    why: "user \(u.user): limits.conf covers login sessions; it does not apply to systemd services")
            }
            return finding(
                .warn, current: cur, needed: "≥ \(grouped(need))",
                why:
                    "user \(u.user): a server started from a login shell stays below the need; limits.conf does not apply to systemd services",
                fix:
                    "\(u.user) soft nofile \(need) / \(u.user) hard nofile \(need) in /etc/security/limits.d/90-wstune.conf"
            )
        }
        if case .unit = host.target {
            return finding(
                .info,
                why:
                    "limits.conf does not apply to systemd services: only LimitNOFILE= in the unit (fd.soft-limit) counts"
            )
        }
        return notApplicable("no --user given; note that limits.conf does not apply to systemd services")
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension LimitsConfCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let u = host.userLimit else { return .none }
        // Observed: the lower of soft and hard nofile a login session gets (both must reach the need).
        let lim = u.limit.resolved(nrOpen: host.nrOpen)
        return FindingValues(
            observed: u.limit.soft == nil ? nil : .number(min(lim.soft, lim.hard)),
            source: "limits.conf min(soft, hard) nofile", requirement: .atLeast(req.targetNofile), unit: .files)
    }
}
