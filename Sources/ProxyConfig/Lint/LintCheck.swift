import Tuning

/// One lint concern, like an audit `Check`: a stable id, a title, a rationale with its source. The per-format
/// protocols below add `evaluate`; adding a check = one file + one line in `LintRegistry`.
public protocol LintCheck: Sendable {
    var id: String { get }
    var title: String { get }
    var rationale: String { get }
}

/// A check over an nginx config.
public protocol NginxLintCheck: LintCheck {
    func evaluate(_ nginx: NginxView, _ requirement: LintRequirement) -> [Finding]
}

/// A check over a HAProxy config.
public protocol HAProxyLintCheck: LintCheck {
    func evaluate(_ config: HAProxyConfig, _ requirement: LintRequirement) -> [Finding]
}

/// A check over a systemd unit with its drop-ins merged.
public protocol UnitLintCheck: LintCheck {
    func evaluate(_ unit: SystemdUnit, _ requirement: LintRequirement) -> [Finding]
}

extension LintCheck {
    /// A finding of this check pointing at a file:line.
    public func finding(
        _ severity: Severity, at location: SourceLocation?, current: String? = nil, needed: String? = nil,
        why: String? = nil, fix: String? = nil
    ) -> Finding {
        Finding(
            id: id, title: title, severity: severity, current: current, needed: needed, why: why ?? rationale,
            fix: fix, location: location?.description)
    }
}
