import ProxyConfig
import Tuning

/// The lint report as text, with the findings rendered like audit's.
struct LintTextRenderer {
    let terminal: Terminal
    let verbose: Bool

    func render(_ r: LintReport) -> String {
        var out: [String] = []
        let main = r.files.first ?? "?"
        let more = r.files.count > 1 ? " (+\(r.files.count - 1) file\(r.files.count == 2 ? "" : "s"))" : ""
        out.append(
            terminal.paint("wstune lint \(r.target)", .bold)
                + " — \(main)\(more), profile \(r.profile), target \(grouped(r.connections)) connections, ping \(r.pingIntervalSeconds)s"
        )
        out.append("")
        let body = FindingRenderer(terminal: terminal, verbose: verbose).render(r.findings)
        if !body.isEmpty { out.append(body); out.append("") }
        var counts: [String] = []
        for s in [Severity.fail, .warn, .info, .pass] {
            let n = r.findings.filter { $0.severity == s }.count
            if n > 0 { counts.append("\(n) \(s.rawValue)") }
        }
        out.append(counts.joined(separator: ", "))
        return out.joined(separator: "\n")
    }
}
