import Tuning

/// Without worker_shutdown_timeout a reload leaves old workers holding WebSockets indefinitely.
struct NginxShutdownTimeoutCheck: NginxLintCheck {
    let id = "nginx.shutdown-timeout"
    let title = "worker_shutdown_timeout bounds reloads"
    let rationale =
        "on reload old workers finish their connections before exiting; a WebSocket never finishes, so without worker_shutdown_timeout every reload leaves another generation of workers holding sockets and memory"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        guard nginx.config.main("worker_shutdown_timeout") == nil else { return [] }
        return [
            finding(
                .warn, at: SourceLocation(file: nginx.config.mainFile, line: 1), current: "no worker_shutdown_timeout",
                needed: "≥ \(r.neededDrainSeconds)s (reconnect window + ping interval)",
                fix: "worker_shutdown_timeout \(r.neededDrainSeconds)s;  (main context)")
        ]
    }
}
