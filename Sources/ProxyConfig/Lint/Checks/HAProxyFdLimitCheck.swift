import Tuning

/// HAProxy needs two fds per connection; `haproxy -c` accepts a maxconn the process then cannot honour.
struct HAProxyFdLimitCheck: HAProxyLintCheck {
    let id = "haproxy.fd-limit"
    let title = "global maxconn fits the fd limit"
    let rationale = "HAProxy 2.6 needs maxconn × 2 + 11 + 3 per thread + 1 per server fds (measured) and raises its limit to that at start; above the unit's hard LimitNOFILE it stops with 'Cannot raise FD limit', while haproxy -c passes"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        guard let g = c.global, let line = g.last(["maxconn"]), let maxconn = line.words.dropFirst().first.flatMap({ Int($0) }) else { return [] }
        let servers = c.proxies.flatMap(\.lines).filter { $0.starts(with: ["server"]) }.count
        let threads = g.last(["nbthread"]).flatMap { $0.words.dropFirst().first.flatMap { Int($0) } } ?? r.cpuCount
        let reserve = ProxySizing.haproxyBaseFiles + ProxySizing.haproxyFilesPerThread * threads + servers
        let need = 2 * maxconn + reserve
        let ulimit = g.last(["ulimit-n"]).flatMap { $0.words.dropFirst().first.flatMap { Int($0) } }
        let limit = ulimit ?? r.unitLimit.hard ?? Int.max
        guard need > limit else { return [] }
        let source = ulimit != nil ? "ulimit-n" : "LimitNOFILE hard (\(r.unitLimitOrigin))"
        return [finding(.fail, at: line.location, current: "maxconn \(maxconn) needs \(need) fds > \(source) \(limit)",
                        needed: "maxconn × 2 + \(reserve) (11 + 3 × \(threads) threads + \(servers) servers) ≤ fd limit",
                        fix: "raise the unit's LimitNOFILE to \(max(need, r.proxyNofile)) (drop-in /etc/systemd/system/haproxy.service.d/90-wstune.conf) or lower maxconn to \(max((limit - reserve) / 2, 0))")]
    }
}
