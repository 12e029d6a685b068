extension HAProxyConfig {
    /// Parses config text. Hand-written: HAProxy's line grammar (sections, quoting, escapes, `#` comments,
    /// `.if`/`.elif`/`.else`/`.endif` blocks, "${VAR}" from `environment`). Lines end at LF, a CR before it is
    /// dropped (CR LF files read like LF ones). Linear in the number of lines and sections.
    public static func parse(_ text: String, file: String, environment: [String: String] = [:]) -> HAProxyConfig {
        var sections: [HAProxySection] = []
        var errors: [ConfigParseError] = []
        var lastDefaults: Int?
        var defaultsByName: [String: Int] = [:]
        var conditions = HAProxyConditionStack()
        let splitter = HAProxyLineSplitter(environment: environment)
        var lineNo = 0
        for rawBytes in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNo += 1
            var bytes = rawBytes
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            let loc = SourceLocation(file: file, line: lineNo)
            let split: HAProxyLineSplitter.Words
            do {
                split = try splitter.split(String(decoding: bytes, as: UTF8.self))
            } catch {
                errors.append(ConfigParseError(file: file, line: lineNo, reason: "unterminated quote"))
                continue
            }
            guard let first = split.words.first else { continue }
            if first.hasPrefix(".") {
                if let e = conditions.handle(split.words, at: loc, environment: environment) { errors.append(e) }
                continue
            }
            // Inside a false .if branch haproxy skips the line entirely.
            guard let uncertain = conditions.active else { continue }
            if HAProxySection.kinds.contains(first.lowercased()) {
                let words = split.words
                var s = HAProxySection(
                    kind: first.lowercased(), name: words.count > 1 && words[1] != "from" ? words[1] : nil,
                    from: nil, location: loc, lines: [], defaultsIndex: nil)
                if let f = words.firstIndex(of: "from"), f + 1 < words.count { s.from = words[f + 1] }
                if s.isProxy || s.kind == "defaults" {
                    if let from = s.from {
                        s.defaultsIndex = defaultsByName[from]
                        if s.defaultsIndex == nil {
                            errors.append(
                                ConfigParseError(
                                    file: file, line: lineNo,
                                    reason: "defaults section '\(from)' not found before this section"))
                        }
                    } else if s.isProxy {
                        s.defaultsIndex = lastDefaults
                    }
                }
                if s.kind == "defaults" {
                    lastDefaults = sections.count
                    if let n = s.name { defaultsByName[n] = sections.count }
                }
                sections.append(s)
                continue
            }
            guard !sections.isEmpty else {
                errors.append(ConfigParseError(file: file, line: lineNo, reason: "'\(first)' outside any section"))
                continue
            }
            sections[sections.count - 1].lines.append(
                HAProxyLine(
                    words: split.words, location: loc, condition: uncertain, unknownVariables: split.unknownVariables))
        }
        if let open = conditions.unclosed {
            errors.append(ConfigParseError(file: file, line: open.line, reason: "'.if' is never closed by '.endif'"))
        }
        return HAProxyConfig(file: file, sections: sections, errors: errors)
    }

    /// Splits a line into words (no environment): spaces separate, quotes group, backslash escapes, `#` comments.
    static func split(_ line: String) throws -> [String] { try HAProxyLineSplitter(environment: [:]).split(line).words }
}
