import Tuning

/// worker_rlimit_nofile above what the unit allows.
struct NginxRlimitAboveUnitCheck: NginxLintCheck {
    let id = "nginx.rlimit-above-unit"
    let title = "worker_rlimit_nofile within the unit's LimitNOFILE"
    let rationale =
        "workers raise their limit with setrlimit(); past the unit's hard LimitNOFILE that fails ('setrlimit(RLIMIT_NOFILE) failed (1: Operation not permitted)') unless the master keeps CAP_SYS_RESOURCE, and workers keep the unit's limit; nginx -t does not check it"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        guard let d = nginx.config.main("worker_rlimit_nofile"), let v = ConfigNumber(d.args.first ?? "").value,
            let hard = r.unitLimit.hard, v > hard
        else { return [] }
        return [
            finding(
                .warn, at: d.location,
                current: "worker_rlimit_nofile \(v) > LimitNOFILE hard \(hard) (\(r.unitLimitOrigin))",
                needed: "≤ \(hard), or raise the unit's LimitNOFILE",
                fix:
                    "systemd drop-in /etc/systemd/system/nginx.service.d/90-wstune.conf: [Service] LimitNOFILE=\(max(v, r.proxyNofile))  (or sudo wstune apply --unit nginx)"
            )
        ]
    }
}
