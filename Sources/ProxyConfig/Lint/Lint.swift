import Tuning

/// Runs the registered checks over a parsed config. Parse errors become `config.parse` findings (each names the
/// file and line; the rest of the config is still checked). A check with nothing to report yields a pass.
public enum Lint {
    public static let parseErrorID = "config.parse"

    public static func run(
        nginx config: NginxConfig, _ r: LintRequirement,
        checks: [any NginxLintCheck] = LintRegistry.nginx
    ) -> LintReport {
        // The main file did not parse: nothing else can be judged (every default would be a false finding).
        if config.errors.contains(where: { $0.location.file == config.mainFile }) {
            return report("nginx", config.files, r, config.errors, [])
        }
        let view = NginxView(config, requirement: r)
        return report("nginx", config.files, r, config.errors, checks.map { c in (c, c.evaluate(view, r)) })
    }

    public static func run(
        haproxy config: HAProxyConfig, _ r: LintRequirement,
        checks: [any HAProxyLintCheck] = LintRegistry.haproxy
    ) -> LintReport {
        report("haproxy", [config.file], r, config.errors, checks.map { c in (c, c.evaluate(config, r)) })
    }

    public static func run(unit: SystemdUnit, _ r: LintRequirement, checks: [any UnitLintCheck] = LintRegistry.systemd)
        -> LintReport
    {
        report("systemd", [unit.name] + unit.files, r, unit.errors, checks.map { c in (c, c.evaluate(unit, r)) })
    }

    private static func report(
        _ target: String, _ files: [String], _ r: LintRequirement, _ errors: [ConfigParseError],
        _ results: [(any LintCheck, [Finding])]
    ) -> LintReport {
        var findings = errors.map {
            Finding(
                id: parseErrorID, title: "Config file parses", severity: .fail, current: $0.reason,
                why: "a file that does not parse was skipped; the real server refuses it too",
                location: $0.location.description)
        }
        for (check, found) in results {
            findings +=
                found.isEmpty
                ? [Finding(id: check.id, title: check.title, severity: .pass, why: check.rationale)]
                : found
        }
        return LintReport(
            target: target, files: files, profile: r.profile.name, connections: r.connections,
            pingIntervalSeconds: r.pingIntervalSeconds, findings: findings)
    }
}
