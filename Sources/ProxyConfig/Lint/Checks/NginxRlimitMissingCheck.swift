import Tuning

/// worker_connections above the fd limit with no worker_rlimit_nofile: nginx -t is silent.
struct NginxRlimitMissingCheck: NginxLintCheck {
    let id = "nginx.rlimit-missing"
    let title = "worker_rlimit_nofile set when worker_connections exceed the fd limit"
    let rationale =
        "a worker cannot hold more sockets than its RLIMIT_NOFILE; without worker_rlimit_nofile it keeps the unit's soft limit (1024 by default under systemd) and accept() fails with EMFILE ('Too many open files') long before worker_connections"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        guard nginx.config.main("worker_rlimit_nofile") == nil else { return [] }
        let wc = nginx.config.events("worker_connections")
        guard let connections = wc.map({ ConfigNumber($0.args.first ?? "").value }) ?? 512 else { return [] }
        let soft = r.unitLimit.soft ?? Int.max
        guard connections > soft else { return [] }
        return [
            finding(
                .fail, at: wc?.location,
                current:
                    "worker_connections \(connections), no worker_rlimit_nofile; fd limit \(soft) (\(r.unitLimitOrigin))",
                needed: "worker_rlimit_nofile ≥ worker_connections",
                fix: "worker_rlimit_nofile \(connections.saturatingAdding(256));  (main context)")
        ]
    }
}
