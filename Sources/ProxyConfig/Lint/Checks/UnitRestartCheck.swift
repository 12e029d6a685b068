import Tuning

/// A WebSocket server that dies stays down without Restart=.
struct UnitRestartCheck: UnitLintCheck {
    let id = "systemd.restart"
    let title = "Restart= brings a crashed server back"
    let rationale =
        "without Restart= (default no) a crashed server stays down and every client's reconnect fails; Restart=on-failure with a short RestartSec brings it back"

    func evaluate(_ unit: SystemdUnit, _ r: LintRequirement) -> [Finding] {
        let s = unit.value("Service", "Restart")
        guard s == nil || s?.value == "no" else { return [] }
        return [
            finding(
                .warn, at: s?.location ?? unit.files.first.map { SourceLocation(file: $0, line: 1) },
                current: s.map { "Restart=\($0.value)" } ?? "no Restart=", needed: "Restart=on-failure",
                fix: "[Service] Restart=on-failure  RestartSec=2s")
        ]
    }
}
