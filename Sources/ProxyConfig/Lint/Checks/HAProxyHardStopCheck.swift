import Tuning

/// Without `hard-stop-after` a reload leaves old processes serving WebSockets forever.
struct HAProxyHardStopCheck: HAProxyLintCheck {
    let id = "haproxy.hard-stop-after"
    let title = "hard-stop-after bounds reloads"
    let rationale =
        "a reload starts a new process while the old one serves its connections until they end; WebSockets do not end, so without hard-stop-after old processes pile up holding fds and memory"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        guard c.global?.last(["hard-stop-after"]) == nil else { return [] }
        return [
            finding(
                .warn, at: c.global?.location ?? SourceLocation(file: c.file, line: 1), current: "no hard-stop-after",
                needed: "≥ \(r.neededDrainSeconds)s (reconnect window + ping interval)",
                fix: "hard-stop-after \(r.neededDrainSeconds)s  (global)")
        ]
    }
}
