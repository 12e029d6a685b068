import HostFacts
import Tuning

/// A service gets LimitNOFILE from its unit; limits.conf does not apply.
struct UnitLimitNofileCheck: UnitLintCheck {
    let id = "systemd.limit-nofile"
    let title = "LimitNOFILE covers the connection target"
    let rationale = "a service's fd limit comes from LimitNOFILE= in its unit (limits.conf does not apply); without it DefaultLimitNOFILE's soft 1024 applies and accept() fails with EMFILE at about a thousand connections"

    func evaluate(_ unit: SystemdUnit, _ r: LintRequirement) -> [Finding] {
        let isProxy = ["nginx", "haproxy"].contains { unit.name.lowercased().hasPrefix($0) }
        let needed = isProxy ? r.proxyNofile : r.serverNofile
        let fix = "[Service] LimitNOFILE=\(needed)  (drop-in /etc/systemd/system/\(unit.name).d/90-wstune.conf, or sudo wstune apply --unit \(unit.name))"
        guard let s = unit.value("Service", "LimitNOFILE") else {
            let soft = r.defaultUnitLimit.soft ?? Int.max
            guard soft < needed else { return [] }
            return [finding(.fail, at: unit.files.first.map { SourceLocation(file: $0, line: 1) },
                            current: "no LimitNOFILE: DefaultLimitNOFILE soft \(soft) applies (\(r.defaultUnitLimitOrigin))",
                            needed: "≥ \(needed)", fix: fix)
                        .with(FindingValues(observed: .number(soft), source: "DefaultLimitNOFILE (soft)", requirement: .atLeast(needed), unit: .files))]
        }
        let soft = Self.softLimit(s.value)
        guard let soft, soft < needed else { return [] }
        return [finding(.fail, at: s.location, current: "LimitNOFILE=\(s.value)", needed: "≥ \(needed)", fix: fix)
                    .with(FindingValues(observed: .number(soft), source: "LimitNOFILE (soft)", requirement: .atLeast(needed), unit: .files))]
    }

    /// "N", "SOFT:HARD", "infinity" → the soft limit (Int.max for infinity); nil when unparsable.
    static func softLimit(_ value: String) -> Int? {
        let soft = value.split(separator: ":").first.map(String.init) ?? value
        if soft == "infinity" { return Int.max }
        return Int(soft)
    }
}
