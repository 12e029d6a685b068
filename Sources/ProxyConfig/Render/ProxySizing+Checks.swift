extension ProxySizing {
    /// The fd and timeout arithmetic for one target; every check names both sides of its inequality.
    public func checks(for target: ProxyTarget) -> [SizingCheck] {
        var out: [SizingCheck] = []
        let twoN = 2 * connections
        func check(_ id: String, _ ok: Bool, _ detail: String) {
            out.append(SizingCheck(id: id, passed: ok, detail: detail))
        }
        switch target {
        case .nginx:
            let capacity = workerProcesses * workerConnections
            check(
                "nginx.worker-capacity", capacity >= twoN,
                "worker_processes \(workerProcesses) × worker_connections \(workerConnections) = \(capacity) ≥ 2 × \(connections) connections = \(twoN) (a proxied connection holds two)"
            )
            check(
                "nginx.worker-fds", workerRlimitNofile >= workerConnections + workerReserveFiles,
                "worker_rlimit_nofile \(workerRlimitNofile) ≥ worker_connections \(workerConnections) + \(workerReserveFiles) files of the worker's own"
            )
            check(
                "nginx.unit-nofile", workerRlimitNofile <= proxyNofile,
                "worker_rlimit_nofile \(workerRlimitNofile) ≤ the proxy unit's LimitNOFILE \(proxyNofile) from the tuning"
            )
            check(
                "proxy.idle-timeout", idleTimeoutSeconds > 2 * pingIntervalSeconds,
                "proxy_read_timeout/proxy_send_timeout \(idleTimeoutSeconds)s > 2 × ping interval \(pingIntervalSeconds)s"
            )
        case .haproxy:
            check(
                "haproxy.fd-limit", haproxyFilesNeeded <= proxyNofile,
                "maxconn \(haproxyMaxconn) × 2 + \(haproxyFilesNeeded - 2 * haproxyMaxconn) (11 + 3 × \(haproxyThreads) threads + servers) = \(haproxyFilesNeeded) ≤ the proxy unit's LimitNOFILE \(proxyNofile) from the tuning"
            )
            check(
                "haproxy.maxconn", haproxyMaxconn >= connections,
                "maxconn \(haproxyMaxconn) ≥ \(connections) connections")
            check(
                "proxy.idle-timeout", idleTimeoutSeconds > 2 * pingIntervalSeconds,
                "timeout tunnel \(idleTimeoutSeconds)s > 2 × ping interval \(pingIntervalSeconds)s")
        case .systemd:
            check(
                "systemd.nofile", serverNofile >= connections,
                "LimitNOFILE \(serverNofile) ≥ \(connections) connections")
            check(
                "systemd.nr-open", serverNofile <= needs.nrOpen,
                "LimitNOFILE \(serverNofile) ≤ fs.nr_open \(needs.nrOpen) from the tuning")
            check(
                "systemd.stop-timeout", stopTimeoutSeconds >= neededDrainSeconds,
                "TimeoutStopSec \(stopTimeoutSeconds)s ≥ drain \(neededDrainSeconds)s (reconnect window + ping interval)"
            )
        }
        if target != .systemd {
            check(
                "proxy.drain", drainSeconds >= neededDrainSeconds,
                "\(target == .nginx ? "worker_shutdown_timeout" : "hard-stop-after") \(drainSeconds)s ≥ drain \(neededDrainSeconds)s (reconnect window + ping interval)"
            )
        }
        return out
    }
}
