import Tuning

/// Each proxied WebSocket holds two nginx connections.
struct NginxWorkerCapacityCheck: NginxLintCheck {
    let id = "nginx.worker-capacity"
    let title = "Workers hold twice the connection target"
    let rationale = "a proxied WebSocket uses two connections of a worker (client and upstream); past worker_processes × worker_connections nginx logs 'worker_connections are not enough' and drops new ones"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        let wp = nginx.config.main("worker_processes")
        let wc = nginx.config.events("worker_connections")
        let processes: Int
        if let arg = wp?.args.first { processes = arg == "auto" ? r.cpuCount : Int(arg) ?? 1 } else { processes = 1 }
        let connections = wc?.args.first.flatMap { Int($0) } ?? 512
        let needed = 2 * r.connections
        guard processes * connections < needed else { return [] }
        return [finding(.fail, at: wc?.location ?? wp?.location ?? SourceLocation(file: nginx.config.mainFile, line: 1),
                        current: "worker_processes \(wp?.args.first ?? "1") (\(processes)) × worker_connections \(connections) = \(processes * connections)",
                        needed: "≥ 2 × \(r.connections) = \(needed)",
                        fix: "worker_connections \((needed + processes - 1) / processes + 64); with worker_rlimit_nofile above it  (or wstune render nginx)")
                .with(FindingValues(observed: .number(processes * connections), source: "worker_processes × worker_connections",
                                    requirement: .atLeast(needed), unit: .connections))]
    }
}
