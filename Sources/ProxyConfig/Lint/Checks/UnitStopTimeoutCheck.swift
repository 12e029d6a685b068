import Tuning

/// systemd SIGKILLs a stopping service after TimeoutStopSec, cutting a graceful drain short.
struct UnitStopTimeoutCheck: UnitLintCheck {
    let id = "systemd.stop-timeout"
    let title = "TimeoutStopSec lets the drain finish"
    let rationale =
        "on stop systemd sends KillSignal, then SIGKILL after TimeoutStopSec (DefaultTimeoutStopSec 90 s); shorter than the drain, clients lose their sockets at once instead of being closed with 1001 over the reconnect window"
    static let defaultSeconds = 90.0

    func evaluate(_ unit: SystemdUnit, _ r: LintRequirement) -> [Finding] {
        let s = unit.value("Service", "TimeoutStopSec") ?? unit.value("Service", "TimeoutSec")
        let seconds = s.flatMap { DurationParser.systemd($0.value) } ?? Self.defaultSeconds
        guard seconds < Double(r.neededDrainSeconds) else { return [] }
        return [
            finding(
                .warn, at: s?.location, current: s.map { "\($0.key)=\($0.value)" } ?? "DefaultTimeoutStopSec 90s",
                needed: "≥ \(r.neededDrainSeconds)s (reconnect window + ping interval)",
                fix: "[Service] TimeoutStopSec=\(r.neededDrainSeconds + 10)s")
        ]
    }
}
