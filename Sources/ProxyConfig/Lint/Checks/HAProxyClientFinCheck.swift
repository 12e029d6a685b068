import Tuning

/// Half-closed client connections linger for the whole tunnel timeout without `timeout client-fin`.
struct HAProxyClientFinCheck: HAProxyLintCheck {
    let id = "haproxy.client-fin"
    let title = "timeout client-fin bounds half-closed WebSockets"
    let rationale =
        "a client that sent FIN but never finishes the close holds its socket for the whole timeout tunnel (minutes or hours) without timeout client-fin; many such sockets eat the fd budget"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        c.sections.filter { ($0.kind == "frontend" || $0.kind == "listen") && c.mode(of: $0) == "http" }.compactMap {
            s in
            guard c.effective(["timeout", "client-fin"], in: s) == nil else { return nil }
            return finding(
                .warn, at: s.location, current: "no timeout client-fin for \(s.label)",
                needed: "timeout client-fin set", fix: "timeout client-fin \(r.pingIntervalSeconds)s  (in defaults)")
        }
    }
}
