import Tuning

/// HAProxy needs two fds per connection; `haproxy -c` accepts a maxconn the process then cannot honour.
struct HAProxyFdLimitCheck: HAProxyLintCheck {
    let id = "haproxy.fd-limit"
    let title = "global maxconn fits the fd limit"
    let rationale =
        "HAProxy 2.6 needs maxconn × 2 + 11 + 3 per thread + 1 per server fds (measured) and raises its limit to that at start; above the unit's hard LimitNOFILE it stops with 'Cannot raise FD limit', while haproxy -c passes"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        // An unreadable maxconn is reported by haproxy.maxconn.
        guard let g = c.global, let line = g.last(["maxconn"]),
            let maxconn = ConfigNumber(line.words.dropFirst().first ?? "").value
        else { return [] }
        let servers = c.proxies.reduce(0) { n, p in n + p.lines.lazy.filter { $0.starts(with: ["server"]) }.count }
        var threads = r.cpuCount
        if let t = g.last(["nbthread"]) {
            guard let v = ConfigNumber(t.words.dropFirst().first ?? "").value else {
                return [
                    notANumber(
                        t, needed: "a whole number (haproxy 2.6 takes 1 to 64)", fix: "nbthread \(r.cpuCount)  (global)"
                    )
                ]
            }
            threads = v
        }
        let reserve = ProxySizing.haproxyBaseFiles.saturatingAdding(
            ProxySizing.haproxyFilesPerThread.saturatingMultiplied(by: threads)
        )
        .saturatingAdding(servers)
        let need = maxconn.saturatingMultiplied(by: 2).saturatingAdding(reserve)
        var ulimit: Int?
        if let u = g.last(["ulimit-n"]) {
            guard let v = ConfigNumber(u.words.dropFirst().first ?? "").value else {
                return [
                    notANumber(u, needed: "a whole number", fix: "remove ulimit-n and set LimitNOFILE in the unit")
                ]
            }
            ulimit = v
        }
        let limit = ulimit ?? r.unitLimit.hard ?? Int.max
        guard need > limit else { return [] }
        let source = ulimit != nil ? "ulimit-n" : "LimitNOFILE hard (\(r.unitLimitOrigin))"
        return [
            finding(
                .fail, at: line.location, current: "maxconn \(maxconn) needs \(need) fds > \(source) \(limit)",
                needed: "maxconn × 2 + \(reserve) (11 + 3 × \(threads) threads + \(servers) servers) ≤ fd limit",
                fix:
                    "raise the unit's LimitNOFILE to \(max(need, r.proxyNofile)) (drop-in /etc/systemd/system/haproxy.service.d/90-wstune.conf) or lower maxconn to \(max(limit.saturatingSubtracting(reserve) / 2, 0))"
            )
        ]
    }

    /// A global setting whose value is not a number: judged as unknown (warn), at its line.
    private func notANumber(_ line: HAProxyLine, needed: String, fix: String) -> Finding {
        let name = line.words.first ?? ""
        let value = line.words.dropFirst().joined(separator: " ")
        return finding(
            .warn, at: line.location, current: "\(name) \(value): not a number wstune can judge", needed: needed,
            fix: fix)
    }
}
