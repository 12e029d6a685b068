import HostFacts
import Tuning

/// A service gets LimitNOFILE from its unit; limits.conf does not apply.
struct UnitLimitNofileCheck: UnitLintCheck {
    let id = "systemd.limit-nofile"
    let title = "LimitNOFILE covers the connection target"
    let rationale =
        "a service's fd limit comes from LimitNOFILE= in its unit (limits.conf does not apply); without it DefaultLimitNOFILE's soft 1024 applies and accept() fails with EMFILE at about a thousand connections"

    func evaluate(_ unit: SystemdUnit, _ r: LintRequirement) -> [Finding] {
        let isProxy = ["nginx", "haproxy"].contains { unit.name.lowercased().hasPrefix($0) }
        let needed = isProxy ? r.proxyNofile : r.serverNofile
        let fix =
            "[Service] LimitNOFILE=\(needed)  (drop-in /etc/systemd/system/\(unit.name).d/90-wstune.conf, or sudo wstune apply --unit \(unit.name))"
        let resolution = unit.limit()
        // Lines systemd ignores: a value it refuses (-5, 1K, soft above hard, empty) or the key outside [Service].
        var out = (resolution.misplaced + resolution.ignored).map {
            finding(
                .warn, at: SourceLocation(file: $0.file, line: $0.line), current: $0.reason,
                needed: "LimitNOFILE=N, SOFT:HARD or infinity in [Service]",
                fix: fix)
        }
        guard let limit = resolution.limit, let from = resolution.from else {
            let soft = r.defaultUnitLimit.soft ?? Int.max
            guard soft < needed else { return out }
            out.append(
                finding(
                    .fail, at: unit.files.first.map { SourceLocation(file: $0, line: 1) },
                    current: "no LimitNOFILE: DefaultLimitNOFILE soft \(soft) applies (\(r.defaultUnitLimitOrigin))",
                    needed: "≥ \(needed)", fix: fix
                )
                .with(
                    FindingValues(
                        observed: .number(soft), source: "DefaultLimitNOFILE (soft)", requirement: .atLeast(needed),
                        unit: .files)))
            return out
        }
        let soft = limit.soft ?? Int.max
        guard soft < needed else { return out }
        out.append(
            finding(
                .fail, at: SourceLocation(file: from.file, line: from.line), current: "LimitNOFILE=\(from.value)",
                needed: "≥ \(needed)", fix: fix
            )
            .with(
                FindingValues(
                    observed: .number(soft), source: "LimitNOFILE (soft)", requirement: .atLeast(needed), unit: .files))
        )
        return out
    }

}
