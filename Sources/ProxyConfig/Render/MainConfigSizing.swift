/// What a `--site-only` site runs under: the real nginx main config's worker settings, read with the lint parser,
/// judged against the profile (the rendered site holds none of these numbers; the main config does).
public struct MainConfigSizing: Sendable, Equatable {
    public var file: String
    public var workerProcesses: Int
    /// As written ("auto", "4"), for the detail line.
    public var workerProcessesText: String
    public var workerConnections: Int
    public var workerRlimitNofile: Int?
    public var workerShutdownTimeoutSeconds: Int?

    /// Reads the main-context and events directives; nginx's defaults where absent (worker_processes 1,
    /// worker_connections 512, no worker_shutdown_timeout).
    public init(_ config: NginxConfig, cpuCount: Int) {
        file = config.mainFile
        let wp = config.main("worker_processes")?.args.first
        workerProcessesText = wp ?? "1 (default)"
        workerProcesses = wp == "auto" ? max(cpuCount, 1) : wp.flatMap { Int($0) } ?? 1
        workerConnections = config.events("worker_connections")?.args.first.flatMap { Int($0) } ?? 512
        workerRlimitNofile = config.main("worker_rlimit_nofile")?.args.first.flatMap { Int($0) }
        workerShutdownTimeoutSeconds = config.main("worker_shutdown_timeout")?.args.first
            .flatMap { DurationParser.nginx($0) }.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e9 ? Int($0) : nil }
    }

    /// The worker arithmetic of the real main config for `sizing`'s connection target and drain.
    public func checks(_ sizing: ProxySizing, ceiling: HostFdCeiling?) -> [SizingCheck] {
        let twoN = 2 * sizing.connections
        let capacity = workerProcesses * workerConnections
        var out = [
            SizingCheck(
                id: "nginx.worker-capacity", passed: capacity >= twoN,
                detail:
                    "\(file): worker_processes \(workerProcessesText) (\(workerProcesses)) × worker_connections \(workerConnections) = \(capacity) ≥ 2 × \(sizing.connections) connections = \(twoN) (a proxied connection holds two)"
            )
        ]
        let files = workerRlimitNofile ?? ceiling?.limit
        if let files {
            let what =
                workerRlimitNofile != nil
                ? "worker_rlimit_nofile \(files)"
                : "the fd limit the workers inherit (\(files); no worker_rlimit_nofile)"
            out.append(
                SizingCheck(
                    id: "nginx.worker-fds", passed: files >= workerConnections + sizing.workerReserveFiles,
                    detail:
                        "\(file): \(what) ≥ worker_connections \(workerConnections) + \(sizing.workerReserveFiles) files of the worker's own"
                ))
        }
        if let rlimit = workerRlimitNofile, let ceiling {
            out.append(
                SizingCheck(
                    id: "nginx.host-nofile", passed: rlimit <= ceiling.limit,
                    detail:
                        "\(file): worker_rlimit_nofile \(rlimit) ≤ \(ceiling.limit), the most this host gives (\(ceiling.source))"
                ))
        }
        let drain = workerShutdownTimeoutSeconds
        out.append(
            SizingCheck(
                id: "proxy.drain", passed: (drain ?? 0) >= sizing.neededDrainSeconds,
                detail:
                    "\(file): worker_shutdown_timeout \(drain.map { "\($0)s" } ?? "unset (old workers wait for every WebSocket)") ≥ drain \(sizing.neededDrainSeconds)s (reconnect window + ping interval)"
            ))
        return out
    }
}
