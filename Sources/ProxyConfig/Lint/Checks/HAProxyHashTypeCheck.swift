import Tuning

/// `balance source` with the default map-based hash reshuffles every client when a server changes.
struct HAProxyHashTypeCheck: HAProxyLintCheck {
    let id = "haproxy.hash-type"
    let title = "balance source uses hash-type consistent"
    let rationale =
        "balance source hashes with hash-type map-based by default: adding, removing or failing one server remaps almost every client, so a reconnect storm hits the wrong servers; hash-type consistent moves only that server's share"

    func evaluate(_ c: HAProxyConfig, _ r: LintRequirement) -> [Finding] {
        c.sections.filter { $0.kind == "backend" || $0.kind == "listen" }.compactMap { s in
            guard let b = c.effective(["balance"], in: s), b.words.dropFirst().first?.lowercased() == "source" else {
                return nil
            }
            if c.effective(["hash-type"], in: s)?.words.dropFirst().first?.lowercased() == "consistent" { return nil }
            return finding(
                .warn, at: b.location, current: "balance source without hash-type consistent in \(s.label)",
                needed: "hash-type consistent", fix: "hash-type consistent  (in \(s.label))")
        }
    }
}
