import Tuning

/// Each proxied WebSocket holds two nginx connections.
struct NginxWorkerCapacityCheck: NginxLintCheck {
    let id = "nginx.worker-capacity"
    let title = "Workers hold twice the connection target"
    let rationale =
        "a proxied WebSocket uses two connections of a worker (client and upstream); past worker_processes × worker_connections nginx logs 'worker_connections are not enough' and drops new ones"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        let wp = nginx.config.main("worker_processes")
        let wc = nginx.config.events("worker_connections")
        var processes = 1
        if let wp {
            let arg = wp.args.first ?? ""
            if arg == "auto" {
                processes = r.cpuCount
            } else if let v = ConfigNumber(arg).value {
                processes = v
            } else {
                return [invalid(wp, r)]
            }
        }
        var connections = 512
        if let wc {
            guard let v = ConfigNumber(wc.args.first ?? "").value else { return [invalid(wc, r)] }
            connections = v
        }
        let needed = r.connections.saturatingMultiplied(by: 2)
        let capacity = processes.saturatingMultiplied(by: connections)
        guard capacity < needed else { return [] }
        let perWorker = processes > 0 ? (needed / processes).saturatingAdding(needed % processes == 0 ? 64 : 65) : nil
        return [
            finding(
                .fail, at: wc?.location ?? wp?.location ?? SourceLocation(file: nginx.config.mainFile, line: 1),
                current:
                    "worker_processes \(wp?.args.first ?? "1") (\(processes)) × worker_connections \(connections) = \(capacity)",
                needed: "≥ 2 × \(r.connections) = \(needed)",
                fix: perWorker.map {
                    "worker_connections \($0); with worker_rlimit_nofile above it  (or wstune render nginx)"
                }
                    ?? "worker_processes auto;  (0 starts no workers)"
            )
            .with(
                FindingValues(
                    observed: .number(capacity), source: "worker_processes × worker_connections",
                    requirement: .atLeast(needed), unit: .connections))
        ]
    }

    private func invalid(_ d: NginxDirective, _ r: LintRequirement) -> Finding {
        let perWorker = (r.connections.saturatingMultiplied(by: 2) / Swift.max(r.cpuCount, 1)).saturatingAdding(64)
        return finding(
            .fail, at: d.location, current: "\(d.name) \(d.args.joined(separator: " ")): not a number nginx accepts",
            needed: "a whole number up to \(Int.max)\(d.name == "worker_processes" ? " or auto" : "")",
            fix: d.name == "worker_processes" ? "worker_processes auto;" : "worker_connections \(perWorker);")
    }
}
