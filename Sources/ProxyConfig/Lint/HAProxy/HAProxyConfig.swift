import HostFacts

/// A parsed haproxy.cfg: sections in order, with defaults inheritance resolved.
public struct HAProxyConfig: Sendable, Equatable {
    public var file: String
    public var sections: [HAProxySection]
    public var errors: [ConfigParseError]

    public init(file: String, sections: [HAProxySection], errors: [ConfigParseError]) {
        self.file = file
        self.sections = sections
        self.errors = errors
    }

    public var global: HAProxySection? { sections.first { $0.kind == "global" } }
    public var proxies: [HAProxySection] { sections.filter(\.isProxy) }

    /// The defaults section a proxy inherits from.
    public func defaults(of section: HAProxySection) -> HAProxySection? { section.defaultsIndex.map { sections[$0] } }

    /// The line in effect for a proxy: its own, else its defaults section's.
    public func effective(_ prefix: [String], in section: HAProxySection) -> HAProxyLine? {
        section.last(prefix) ?? defaults(of: section)?.last(prefix)
    }

    /// `mode` in effect (HAProxy's default is tcp).
    public func mode(of section: HAProxySection) -> String {
        effective(["mode"], in: section)?.words.dropFirst().first?.lowercased() ?? "tcp"
    }

    /// Reads and parses a file under the root; throws only when it is absent or unreadable.
    public static func load(_ path: String, root: HostRoot = HostRoot()) throws -> HAProxyConfig {
        guard let text = try root.readText(path) else {
            throw ConfigParseError(file: root.resolve(path), line: 0, reason: "no such file")
        }
        return parse(text, file: root.resolve(path))
    }

    /// Parses config text. Hand-written: HAProxy's line grammar (sections, quoting, escapes, `#` comments).
    public static func parse(_ text: String, file: String) -> HAProxyConfig {
        var sections: [HAProxySection] = []
        var errors: [ConfigParseError] = []
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let words: [String]
            do {
                words = try split(String(raw))
            } catch {
                errors.append(ConfigParseError(file: file, line: lineNo, reason: "unterminated quote"))
                continue
            }
            guard let first = words.first else { continue }
            let loc = SourceLocation(file: file, line: lineNo)
            if HAProxySection.kinds.contains(first.lowercased()) {
                var s = HAProxySection(kind: first.lowercased(), name: words.count > 1 && words[1] != "from" ? words[1] : nil,
                                       from: nil, location: loc, lines: [], defaultsIndex: nil)
                if let f = words.firstIndex(of: "from"), f + 1 < words.count { s.from = words[f + 1] }
                if s.isProxy || s.kind == "defaults" {
                    if let from = s.from {
                        s.defaultsIndex = sections.lastIndex { $0.kind == "defaults" && $0.name == from }
                        if s.defaultsIndex == nil {
                            errors.append(ConfigParseError(file: file, line: lineNo, reason: "defaults section '\(from)' not found before this section"))
                        }
                    } else if s.isProxy {
                        s.defaultsIndex = sections.lastIndex { $0.kind == "defaults" }
                    }
                }
                sections.append(s)
                continue
            }
            guard !sections.isEmpty else {
                errors.append(ConfigParseError(file: file, line: lineNo, reason: "'\(first)' outside any section"))
                continue
            }
            sections[sections.count - 1].lines.append(HAProxyLine(words: words, location: loc))
        }
        return HAProxyConfig(file: file, sections: sections, errors: errors)
    }

    struct UnterminatedQuote: Error {}

    /// Splits a line into words: spaces separate, quotes group, backslash escapes, `#` starts a comment.
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var chars = line.makeIterator()
        while let c = chars.next() {
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"", let n = chars.next() { word.append(n) } else { word.append(c) }
                continue
            }
            switch c {
            case "\\":
                if let n = chars.next() { word.append(n); inWord = true }
            case "\"", "'":
                quote = c
                inWord = true
            case "#":
                if inWord { words.append(word) }
                return words
            case " ", "\t", "\r":
                if inWord { words.append(word); word = ""; inWord = false }
            default:
                word.append(c)
                inWord = true
            }
        }
        if quote != nil { throw UnterminatedQuote() }
        if inWord { words.append(word) }
        return words
    }
}
