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
        findings.filter { verbose || ($0.severity != .pass && $0.severity != .notApplicable) }.map(render).joined(
            separator: "\n")
    }
}

/// The `sudo wstune apply` a fix suggests, carrying the options the findings were judged with (--profile,
/// --connections, --profiles, --unit, --root), so following the hint applies what was judged and not the dev
/// profile. Checks write the bare command (Tuning knows no command line); the CLI fills in its own context.
struct ApplyHint {
    /// The options to repeat, already in command-line order.
    var arguments: [String]
    /// Whether `arguments` names a unit (then a check's own `--unit NAME` placeholder is replaced).
    var namesUnit: Bool

    init(profile: ProfileOptions, root: RootOption, unit: String?) {
        var a: [String] = []
        if profile.profile != "dev" { a += ["--profile", profile.profile] }
        if let c = profile.connections { a += ["--connections", String(c)] }
        if let dir = profile.profiles { a += ["--profiles", dir] }
        if let unit { a += ["--unit", unit] }
        if root.root != "/" { a += ["--root", root.root] }
        arguments = a
        namesUnit = unit != nil
    }

    var command: String {
        (["sudo wstune apply"] + (arguments.isEmpty ? [] : [shellQuoted(arguments)])).joined(separator: " ")
    }

    /// `text` with every `sudo wstune apply` (and a following `--unit X` when this hint names the unit) replaced.
    func fill(_ text: String) -> String {
        let bare = "sudo wstune apply"
        guard !arguments.isEmpty, text.contains(bare) else { return text }
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: bare) {
            out += rest[..<r.lowerBound]
            rest = rest[r.upperBound...]
            var own = ""  // the check's own options after the command (kept unless the hint replaces them)
            if rest.hasPrefix(" --unit ") {
                let afterFlag = rest.dropFirst(" --unit ".count)
                let name = afterFlag.prefix { $0 != " " && $0 != ")" && $0 != ";" && $0 != "," }
                own = " --unit " + name
                rest = afterFlag.dropFirst(name.count)
            }
            out += command + (namesUnit ? "" : own)
        }
        return out + rest
    }

    func fill(_ findings: [Finding]) -> [Finding] {
        findings.map { f in
            var f = f
            f.fix = f.fix.map(fill)
            return f
        }
    }
}
