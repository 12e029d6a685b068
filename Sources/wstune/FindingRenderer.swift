import Tuning

/// Renders findings as text for people (colour on a TTY). Shared by audit and lint.
struct FindingRenderer {
    let terminal: Terminal
    /// Show passing and not-applicable findings too.
    var verbose: Bool

    func label(_ s: Severity) -> String {
        switch s {
        case .pass: return terminal.paint("PASS", .green)
        case .notApplicable: return terminal.paint("N/A ", .dim)
        case .info: return terminal.paint("INFO", .cyan)
        case .warn: return terminal.paint("WARN", .yellow)
        case .fail: return terminal.paint("FAIL", .red)
        }
    }

    func render(_ f: Finding) -> String {
        var lines = ["\(label(f.severity)) \(terminal.paint(f.id, .bold))  \(f.title)"]
        if let loc = f.location { lines.append("     at:     \(loc)") }
        if let c = f.current { lines.append("     now:    \(c)") }
        if let n = f.needed { lines.append("     needed: \(n)") }
        if f.severity != .pass || verbose { lines.append("     why:    \(f.why)") }
        if let fix = f.fix, f.severity > .notApplicable { lines.append("     fix:    \(fix)") }
        return lines.joined(separator: "\n")
    }

    func render(_ findings: [Finding]) -> String {
        findings.filter { verbose || ($0.severity != .pass && $0.severity != .notApplicable) }.map(render).joined(separator: "\n")
    }
}
