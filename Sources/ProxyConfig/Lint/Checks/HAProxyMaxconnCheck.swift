import Tuning

/// A global maxconn below the target queues or refuses connections beyond it.
struct HAProxyMaxconnCheck: HAProxyLintCheck {
    let id = "haproxy.maxconn"
    let title = "global maxconn reaches the connection target"
    let rationale =
        "past global maxconn HAProxy stops accepting; WebSockets never free their slot, so the target must fit under maxconn"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        guard let line = c.global?.last(["maxconn"]) else { return [] }
        let text = line.words.dropFirst().joined(separator: " ")
        guard let m = ConfigNumber(line.words.dropFirst().first ?? "").value else {
            return [
                finding(
                    .warn, at: line.location,
                    current: "maxconn \(text): \(line.uncertainty ?? "not a number wstune can judge")",
                    needed: "≥ \(r.connections)", fix: "maxconn \(r.connections)  (global)")
            ]
        }
        if let u = line.uncertainty {
            guard m < r.connections else { return [] }
            return [
                finding(
                    .warn, at: line.location, current: "maxconn \(m), \(u)", needed: "≥ \(r.connections)",
                    fix: "maxconn \(r.connections)  (global)")
            ]
        }
        guard m < r.connections else { return [] }
        return [
            finding(
                .fail, at: line.location, current: "maxconn \(m)", needed: "≥ \(r.connections)",
                fix: "maxconn \(r.connections)  (global; with LimitNOFILE ≥ \(r.proxyNofile))"
            )
            .with(
                FindingValues(
                    observed: .number(m), source: "global maxconn", requirement: .atLeast(r.connections),
                    unit: .connections))
        ]
    }
}
