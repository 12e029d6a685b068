import Tuning

/// HAProxy needs two fds per connection; `haproxy -c` accepts a maxconn the process then cannot honour.
struct HAProxyFdLimitCheck: HAProxyLintCheck {
    let id = "haproxy.fd-limit"
    let title = "global maxconn fits the fd limit"
    let rationale = "HAProxy needs about maxconn × 2 fds plus listeners and checks and raises its limit to that at start; above the unit's hard LimitNOFILE it refuses to start or runs with less, while haproxy -c passes"
    static let reserve = 64

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        guard let g = c.global, let line = g.last(["maxconn"]), let maxconn = line.words.dropFirst().first.flatMap({ Int($0) }) else { return [] }
        let servers = c.proxies.flatMap(\.lines).filter { $0.starts(with: ["server"]) }.count
        let need = 2 * maxconn + Self.reserve + servers
        let ulimit = g.last(["ulimit-n"]).flatMap { $0.words.dropFirst().first.flatMap { Int($0) } }
        let limit = ulimit ?? r.unitLimit.hard ?? Int.max
        guard need > limit else { return [] }
        let source = ulimit != nil ? "ulimit-n" : "LimitNOFILE hard (\(r.unitLimitOrigin))"
        return [finding(.fail, at: line.location, current: "maxconn \(maxconn) needs \(need) fds > \(source) \(limit)",
                        needed: "maxconn × 2 + \(Self.reserve + servers) ≤ fd limit",
                        fix: "raise the unit's LimitNOFILE to \(max(need, r.proxyNofile)) (drop-in /etc/systemd/system/haproxy.service.d/90-wstune.conf) or lower maxconn to \((limit - Self.reserve - servers) / 2)")]
    }
}
