import Tuning

/// After an upgrade HAProxy applies `timeout tunnel`; without it the client/server timeouts cut idle tunnels.
struct HAProxyTunnelTimeoutCheck: HAProxyLintCheck {
    let id = "haproxy.timeout-tunnel"
    let title = "HTTP backends keep idle tunnels longer than two ping intervals"
    let rationale =
        "once a connection is upgraded HAProxy uses timeout tunnel (backend or defaults); without it the tunnel is cut when the client or server side is idle for timeout client/server (often 30-50 s) and the client sees close 1006"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        var targets = c.sections.filter { ($0.kind == "backend" || $0.kind == "listen") && c.mode(of: $0) == "http" }
        if !c.sections.contains(where: { $0.kind == "backend" || $0.kind == "listen" }) {
            targets = c.sections.filter {
                $0.kind == "defaults" && $0.last(["mode"])?.words.dropFirst().first == "http"
            }
        }
        let needed = Double(r.pingIntervalSeconds.saturatingMultiplied(by: 2))
        let fixSeconds = r.pingIntervalSeconds.saturatingMultiplied(by: 3)
        return targets.compactMap { s in
            let fix =
                "timeout tunnel \(fixSeconds)s  (in \(s.kind == "defaults" ? "defaults" : "defaults or \(s.label)"))"
            // The timeout that cuts an idle tunnel: timeout tunnel, else the shorter of timeout client and server.
            let lines = [c.effective(["timeout", "tunnel"], in: s)].compactMap { $0 }
            let used =
                lines.isEmpty
                ? [["timeout", "client"], ["timeout", "server"]].compactMap { c.effective($0, in: s) } : lines
            let judged = used.map { ($0, $0.words.count > 2 ? DurationParser.haproxy($0.words[2]) : nil) }
            let written = used.map { "\($0.words.prefix(3).joined(separator: " "))" }.joined(separator: ", ")
            if let unsure = used.first(where: { $0.uncertainty != nil }) {
                return finding(
                    .warn, at: unsure.location, current: "\(written) for \(s.label): \(unsure.uncertainty ?? "")",
                    needed: "> \(Int(needed))s (2 × ping interval)", fix: fix)
            }
            // Neither timeout client nor server: haproxy never cuts an idle tunnel (it warns about the missing timeouts).
            if used.isEmpty { return nil }
            if let bad = judged.first(where: { $0.1 == nil }) {
                return finding(
                    .fail, at: bad.0.location,
                    current: "\(bad.0.words.joined(separator: " ")) in \(s.label): not a duration",
                    needed: "> \(Int(needed))s (2 × ping interval)", fix: fix)
            }
            guard let shortest = judged.min(by: { ($0.1 ?? 0) < ($1.1 ?? 0) }), let seconds = shortest.1,
                seconds <= needed
            else { return nil }
            let current =
                lines.isEmpty
                ? "no timeout tunnel for \(s.label): idle tunnels are cut at \(shortest.0.words.prefix(3).joined(separator: " ")) (of \(written))"
                : "timeout tunnel \(shortest.0.words.dropFirst(2).first ?? "") in \(s.label)"
            return finding(
                .fail, at: lines.isEmpty ? s.location : shortest.0.location, current: current,
                needed: "> \(Int(needed))s (2 × ping interval)", fix: fix)
        }
    }
}
