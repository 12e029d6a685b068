import Tuning

/// `timeout tunnel` is a backend setting; in a frontend HAProxy ignores it.
struct HAProxyTunnelInFrontendCheck: HAProxyLintCheck {
    let id = "haproxy.tunnel-in-frontend"
    let title = "timeout tunnel is not set only in a frontend"
    let rationale =
        "timeout tunnel applies to backends; HAProxy ignores it in a frontend (a warning that haproxy -c still passes), so the tunnel falls back to the client/server timeouts"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        c.sections.filter { $0.kind == "frontend" }.compactMap { s in
            guard let line = s.last(["timeout", "tunnel"]) else { return nil }
            return finding(
                .warn, at: line.location, current: "timeout tunnel in \(s.label) (ignored there)",
                needed: "timeout tunnel in defaults or the backend",
                fix: "move '\(line.words.joined(separator: " "))' to the defaults section or the backend")
        }
    }
}
