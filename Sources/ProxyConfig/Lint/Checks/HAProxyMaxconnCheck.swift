import Tuning

/// A global maxconn below the target queues or refuses connections beyond it.
struct HAProxyMaxconnCheck: HAProxyLintCheck {
    let id = "haproxy.maxconn"
    let title = "global maxconn reaches the connection target"
    let rationale = "past global maxconn HAProxy stops accepting; WebSockets never free their slot, so the target must fit under maxconn"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        guard let line = c.global?.last(["maxconn"]), let m = line.words.dropFirst().first.flatMap({ Int($0) }),
              m < r.connections else { return [] }
        return [finding(.fail, at: line.location, current: "maxconn \(m)", needed: "≥ \(r.connections)",
                        fix: "maxconn \(r.connections)  (global; with LimitNOFILE ≥ \(r.proxyNofile))")
                .with(FindingValues(observed: .number(m), source: "global maxconn", requirement: .atLeast(r.connections), unit: .connections))]
    }
}
