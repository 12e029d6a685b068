/// One `Key=value` of a unit file or drop-in, with its section and where it was written.
public struct UnitAssignment: Sendable, Equatable {
    public var section: String
    public var key: String
    public var value: String
    /// The file (as resolved under the root) and the line the assignment starts on.
    public var file: String
    public var line: Int

    public init(section: String, key: String, value: String, file: String, line: Int) {
        self.section = section
        self.key = key
        self.value = value
        self.file = file
        self.line = line
    }

    public var location: String { "\(file):\(line)" }
}

/// A line systemd warns about and ignores, or (`refusesUnit`) one that makes it refuse to load the unit.
public struct UnitFileProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String
    /// systemd fails to load the unit over this (`LoadState=bad-setting`), rather than ignoring the line.
    public var refusesUnit: Bool

    public init(file: String, line: Int, reason: String, refusesUnit: Bool = false) {
        self.file = file
        self.line = line
        self.reason = reason
        self.refusesUnit = refusesUnit
    }

    public var description: String { "\(file):\(line): \(reason)" }
}

/// systemd's unit-file syntax (config_parse in src/shared/conf-parser.c), as a pure function of the text.
/// Hand-written: no kept Swift library parses systemd's dialect (line ends, continuations, comments inside them).
public enum UnitFileParser {
    /// Every assignment in file order, and the lines systemd would warn about.
    /// - LF, CR LF, a lone CR and NUL each end a line (systemd's read_line); a leading UTF-8 BOM is skipped.
    /// - A line whose first non-blank character is `#` or `;` is a comment, also inside a continuation.
    /// - A line ending in an unescaped backslash continues: the backslash becomes a space and the next line is
    ///   appended as written. The assignment is reported at the line it starts on.
    public static func parse(_ text: String, file: String) -> (
        assignments: [UnitAssignment], problems: [UnitFileProblem]
    ) {
        var assignments: [UnitAssignment] = []
        var problems: [UnitFileProblem] = []
        var section: String?
        var continuation: (text: String, line: Int)?
        var lineNumber = 0
        for raw in lines(text) {
            lineNumber += 1
            let stripped = raw.drop { $0 == " " || $0 == "\t" }
            if let first = stripped.first, first == "#" || first == ";" { continue }
            let joined = (continuation?.text ?? "") + raw
            if endsInUnescapedBackslash(joined) {
                continuation = (String(joined.dropLast()) + " ", continuation?.line ?? lineNumber)
                continue
            }
            let startLine = continuation?.line ?? lineNumber
            continuation = nil
            parseLine(joined, at: startLine)
        }
        if let c = continuation { parseLine(c.text, at: c.line) }
        return (assignments, problems)

        func parseLine(_ line: String, at n: Int) {
            let l = trimmed(Substring(line))
            if l.isEmpty { return }
            if l.hasPrefix("[") {
                guard l.hasSuffix("]"), l.count >= 2 else {
                    problems.append(
                        UnitFileProblem(file: file, line: n, reason: "invalid section header '\(l)'", refusesUnit: true)
                    )
                    return
                }
                section = String(l.dropFirst().dropLast())
                return
            }
            guard let s = section else {
                problems.append(
                    UnitFileProblem(file: file, line: n, reason: "assignment outside of any [Section], ignored"))
                return
            }
            guard let eq = l.firstIndex(of: "=") else {
                problems.append(UnitFileProblem(file: file, line: n, reason: "missing '=' in '\(l)', ignored"))
                return
            }
            let key = trimmed(l[..<eq])
            guard !key.isEmpty else {
                problems.append(UnitFileProblem(file: file, line: n, reason: "missing key name before '=', ignored"))
                return
            }
            let value = trimmed(l[l.index(after: eq)...])
            assignments.append(UnitAssignment(section: s, key: String(key), value: String(value), file: file, line: n))
        }
    }

    /// Splits like systemd's read_line: "\n", "\r\n", "\r" and "\0" end a line; a leading BOM is dropped.
    /// Works on Unicode scalars, because Swift treats "\r\n" as one Character.
    static func lines(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var afterCR = false
        var pending = false
        for s in scalars {
            if afterCR && s == "\n" {
                afterCR = false
                continue
            }
            afterCR = false
            switch s {
            case "\n", "\0":
                out.append(String(current))
                current = String.UnicodeScalarView()
                pending = false
            case "\r":
                out.append(String(current))
                current = String.UnicodeScalarView()
                pending = false
                afterCR = true
            default:
                current.append(s)
                pending = true
            }
        }
        if pending { out.append(String(current)) }
        return out
    }

    /// An odd number of trailing backslashes: the last one is not escaped.
    static func endsInUnescapedBackslash(_ s: String) -> Bool {
        var count = 0
        for c in s.unicodeScalars.reversed() {
            guard c == "\\" else { break }
            count += 1
        }
        return count % 2 == 1
    }

    /// Strips systemd's WHITESPACE (space, tab, newline, CR) from both ends.
    static func trimmed(_ s: Substring) -> Substring {
        let ws: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r"]
        var scalars = s.unicodeScalars[...]
        while let f = scalars.first, ws.contains(f) { scalars = scalars.dropFirst() }
        while let l = scalars.last, ws.contains(l) { scalars = scalars.dropLast() }
        return Substring(scalars)
    }
}
