import Tuning

/// After an upgrade HAProxy applies `timeout tunnel`; without it the client/server timeouts cut idle tunnels.
struct HAProxyTunnelTimeoutCheck: HAProxyLintCheck {
    let id = "haproxy.timeout-tunnel"
    let title = "HTTP backends set timeout tunnel above two ping intervals"
    let rationale = "once a connection is upgraded HAProxy uses timeout tunnel (backend or defaults); without it an idle WebSocket is cut at timeout client/server (often 30-50 s) and the client sees close 1006"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        var targets = c.sections.filter { ($0.kind == "backend" || $0.kind == "listen") && c.mode(of: $0) == "http" }
        if !c.sections.contains(where: { $0.kind == "backend" || $0.kind == "listen" }) {
            targets = c.sections.filter { $0.kind == "defaults" && $0.last(["mode"])?.words.dropFirst().first == "http" }
        }
        let needed = Double(2 * r.pingIntervalSeconds)
        return targets.compactMap { s in
            let line = c.effective(["timeout", "tunnel"], in: s)
            let seconds = line.flatMap { $0.words.count > 2 ? DurationParser.haproxy($0.words[2]) : nil }
            if let seconds, seconds > needed { return nil }
            return finding(.fail, at: line?.location ?? s.location,
                           current: line.map { "timeout tunnel \($0.words.dropFirst(2).first ?? "") in \(s.label)" } ?? "no timeout tunnel for \(s.label)",
                           needed: "> \(Int(needed))s (2 × ping interval)",
                           fix: "timeout tunnel \(3 * r.pingIntervalSeconds)s  (in \(s.kind == "defaults" ? "defaults" : "defaults or \(s.label)"))")
        }
    }
}
