/// Parses nginx config text into directives (pure: no file access; `include` stays a directive here).
/// Hand-written: no maintained Swift library parses nginx's grammar (tokens, quotes, blocks, comments).
public enum NginxParser {
    public static func parse(_ text: String, file: String) throws -> [NginxDirective] {
        var tokens = try tokenize(text, file: file)
        tokens.reverse()
        let out = try parseBlock(&tokens, file: file, openedAt: nil)
        return out
    }

    struct Token: Equatable {
        enum Kind { case word, semicolon, open, close }
        var kind: Kind
        var text: String
        var line: Int
    }

    private static func parseBlock(_ tokens: inout [Token], file: String, openedAt: Int?) throws -> [NginxDirective] {
        var out: [NginxDirective] = []
        var words: [Token] = []
        while let t = tokens.popLast() {
            switch t.kind {
            case .word: words.append(t)
            case .semicolon:
                guard let head = words.first else {
                    throw ConfigParseError(file: file, line: t.line, reason: "unexpected \";\"")
                }
                out.append(NginxDirective(name: head.text, args: words.dropFirst().map(\.text),
                                          location: SourceLocation(file: file, line: head.line)))
                words = []
            case .open:
                guard let head = words.first else {
                    throw ConfigParseError(file: file, line: t.line, reason: "unexpected \"{\"")
                }
                let block = try parseBlock(&tokens, file: file, openedAt: t.line)
                out.append(NginxDirective(name: head.text, args: words.dropFirst().map(\.text),
                                          location: SourceLocation(file: file, line: head.line), block: block))
                words = []
            case .close:
                guard openedAt != nil else { throw ConfigParseError(file: file, line: t.line, reason: "unexpected \"}\"") }
                if let w = words.first {
                    throw ConfigParseError(file: file, line: w.line, reason: "directive \"\(w.text)\" is not terminated by \";\"")
                }
                return out
            }
        }
        if let w = words.first {
            throw ConfigParseError(file: file, line: w.line, reason: "unexpected end of file, expecting \";\" or \"}\"")
        }
        if let opened = openedAt {
            throw ConfigParseError(file: file, line: opened, reason: "unexpected end of file: block opened here is never closed")
        }
        return out
    }

    static func tokenize(_ text: String, file: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0, line = 1
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { line += 1; i += 1; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            if c == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if c == ";" { tokens.append(Token(kind: .semicolon, text: ";", line: line)); i += 1; continue }
            if c == "{" { tokens.append(Token(kind: .open, text: "{", line: line)); i += 1; continue }
            if c == "}" { tokens.append(Token(kind: .close, text: "}", line: line)); i += 1; continue }
            let start = line
            var word = ""
            if c == "\"" || c == "'" {
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == "\\" && i + 1 < chars.count {
                        let n = chars[i + 1]
                        // nginx unescapes \" \' \\ ; other escapes (\n, \t) stay as written for regexes.
                        if n == c || n == "\\" { word.append(n) } else { word.append(d); word.append(n) }
                        if n == "\n" { line += 1 }
                        i += 2
                        continue
                    }
                    if d == c { closed = true; i += 1; break }
                    if d == "\n" { line += 1 }
                    word.append(d)
                    i += 1
                }
                guard closed else { throw ConfigParseError(file: file, line: start, reason: "unterminated quoted string") }
                tokens.append(Token(kind: .word, text: word, line: start))
                continue
            }
            while i < chars.count {
                let d = chars[i]
                if d == " " || d == "\t" || d == "\r" || d == "\n" || d == ";" { break }
                // `${var}` braces belong to the word; a bare { or } ends it.
                if d == "{" {
                    if word.hasSuffix("$") {
                        while i < chars.count && chars[i] != "}" { word.append(chars[i]); i += 1 }
                        if i < chars.count { word.append("}"); i += 1 }
                        continue
                    }
                    break
                }
                if d == "}" { break }
                if d == "\\" && i + 1 < chars.count { word.append(d); word.append(chars[i + 1]); i += 2; continue }
                word.append(d)
                i += 1
            }
            tokens.append(Token(kind: .word, text: word, line: start))
        }
        return tokens
    }
}
