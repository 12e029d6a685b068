import Tuning

/// A health check on the WebSocket path gets 426/505, marks every server down, and clients get 503.
struct HAProxyHealthCheckPathCheck: HAProxyLintCheck {
    let id = "haproxy.httpchk-path"
    let title = "HTTP health check is not aimed at the WebSocket path"
    let rationale =
        "option httpchk sends a plain GET without Upgrade: a WebSocket endpoint answers 426 (or 505 to HTTP/1.0), HAProxy marks the server down and clients get 503; check a /readyz over HTTP/1.1 instead"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        var out: [Finding] = []
        for s in c.sections where s.kind == "backend" || s.kind == "listen" || s.kind == "defaults" {
            for line in s.lines {
                var uri: String?
                if line.starts(with: ["option", "httpchk"]) {
                    let rest = Array(line.words.dropFirst(2))
                    uri = rest.count == 1 ? rest[0] : (rest.count >= 2 ? rest[1] : nil)
                } else if line.starts(with: ["http-check", "send"]), let i = line.words.firstIndex(of: "uri"),
                    i + 1 < line.words.count
                {
                    uri = line.words[i + 1]
                }
                guard let u = uri, r.looksLikeWebSocket(u) else { continue }
                out.append(
                    finding(
                        .fail, at: line.location, current: "health check on \(u) in \(s.label)",
                        needed: "a plain HTTP path such as /readyz",
                        fix: "option httpchk + http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost"))
            }
        }
        return out
    }
}
