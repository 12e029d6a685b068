/// Parses nginx config text into directives (pure: no file access; `include` stays a directive here).
/// Hand-written: no maintained Swift library parses nginx's grammar (tokens, quotes, blocks, comments).
/// The tokenizer works on UTF-8 bytes the way nginx's `ngx_conf_read_token` does: CR, LF, space and tab
/// separate, LF counts lines (so CR LF files read like LF ones), `#` starts a comment only at a token's start,
/// a closing quote must be followed by a separator, `}` inside a word belongs to the word, and the bodies of
/// `*_by_lua_block` directives are skipped with Lua's own lexing (see `NginxLuaBlock`).
public enum NginxParser {
    /// Blocks may nest this deep (counting blocks of the including files); nginx configs use about 5.
    public static let maxBlockDepth = 100

    /// Parses `text`; `depth` is how deep the including file's blocks already are at the `include`.
    public static func parse(_ text: String, file: String, depth: Int = 0) throws -> [NginxDirective] {
        let tokens = try tokenize(text, file: file)
        return try build(tokens, file: file, depth: depth)
    }

    struct Token: Equatable {
        enum Kind { case word, semicolon, open, close }
        var kind: Kind
        var text: String
        var line: Int
    }

    /// Builds the directive tree with an explicit stack (no recursion, so nesting cannot overflow the stack).
    private static func build(_ tokens: [Token], file: String, depth: Int) throws -> [NginxDirective] {
        struct Frame {
            var directives: [NginxDirective] = []
            var head: NginxDirective?
            var openedAt: Int
        }
        var stack = [Frame(openedAt: 0)]
        var words: [Token] = []
        for t in tokens {
            switch t.kind {
            case .word: words.append(t)
            case .semicolon:
                guard let head = words.first else {
                    throw ConfigParseError(file: file, line: t.line, reason: "unexpected \";\"")
                }
                stack[stack.count - 1].directives.append(
                    NginxDirective(
                        name: head.text, args: words.dropFirst().map(\.text),
                        location: SourceLocation(file: file, line: head.line)))
                words = []
            case .open:
                guard let head = words.first else {
                    throw ConfigParseError(file: file, line: t.line, reason: "unexpected \"{\"")
                }
                guard depth + stack.count <= maxBlockDepth else {
                    throw ConfigParseError(file: file, line: t.line, reason: "blocks nest deeper than \(maxBlockDepth)")
                }
                let d = NginxDirective(
                    name: head.text, args: words.dropFirst().map(\.text),
                    location: SourceLocation(file: file, line: head.line))
                stack.append(Frame(head: d, openedAt: t.line))
                words = []
            case .close:
                if let w = words.first {
                    throw ConfigParseError(
                        file: file, line: t.line,
                        reason: "unexpected \"}\" (directive \"\(w.text)\" is not terminated by \";\")")
                }
                guard stack.count > 1, var head = stack.last?.head else {
                    throw ConfigParseError(file: file, line: t.line, reason: "unexpected \"}\"")
                }
                head.block = stack.removeLast().directives
                stack[stack.count - 1].directives.append(head)
            }
        }
        if let w = words.first {
            throw ConfigParseError(file: file, line: w.line, reason: "unexpected end of file, expecting \";\" or \"}\"")
        }
        if stack.count > 1 {
            throw ConfigParseError(
                file: file, line: stack[stack.count - 1].openedAt,
                reason: "unexpected end of file: block opened here is never closed")
        }
        return stack[0].directives
    }

    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
    private static let dquote: UInt8 = 0x22, squote: UInt8 = 0x27, backslash: UInt8 = 0x5C, hash: UInt8 = 0x23
    private static let semicolon: UInt8 = 0x3B, open: UInt8 = 0x7B, close: UInt8 = 0x7D, dollar: UInt8 = 0x24
    private static let rparen: UInt8 = 0x29

    static func isSpace(_ c: UInt8) -> Bool { c == space || c == tab || c == cr || c == lf }

    static func tokenize(_ text: String, file: String) throws -> [Token] {
        let b = Array(text.utf8)
        if b.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw ConfigParseError(
                file: file, line: 1,
                reason:
                    "the file starts with a UTF-8 byte order mark; nginx reads it as part of the first directive's name (unknown directive)"
            )
        }
        var tokens: [Token] = []
        var i = 0, line = 1
        /// Index in `tokens` where the current statement's words start.
        var statementStart = 0
        func word(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        while i < b.count {
            let c = b[i]
            if c == lf { line += 1; i += 1; continue }
            if isSpace(c) { i += 1; continue }
            if c == hash {
                while i < b.count && b[i] != lf { i += 1 }
                continue
            }
            if c == semicolon || c == close {
                tokens.append(
                    Token(kind: c == semicolon ? .semicolon : .close, text: c == semicolon ? ";" : "}", line: line))
                statementStart = tokens.count
                i += 1
                continue
            }
            if c == open {
                tokens.append(Token(kind: .open, text: "{", line: line))
                i += 1
                if statementStart < tokens.count - 1, tokens[statementStart].text.hasSuffix("_by_lua_block") {
                    let end = try NginxLuaBlock.skip(b, from: i, line: &line, file: file)
                    tokens.append(Token(kind: .close, text: "}", line: line))
                    i = end
                }
                statementStart = tokens.count
                continue
            }
            let start = line
            var w: [UInt8] = []
            if c == dquote || c == squote {
                i += 1
                var closed = false
                while i < b.count {
                    let d = b[i]
                    if d == backslash && i + 1 < b.count {
                        let n = b[i + 1]
                        // nginx unescapes \" \' \\ ; other escapes (\n, \t) stay as written for regexes.
                        if n == c || n == backslash { w.append(n) } else { w.append(d); w.append(n) }
                        if n == lf { line += 1 }
                        i += 2
                        continue
                    }
                    if d == c { closed = true; i += 1; break }
                    if d == lf { line += 1 }
                    w.append(d)
                    i += 1
                }
                guard closed else {
                    throw ConfigParseError(file: file, line: start, reason: "unterminated quoted string")
                }
                // nginx: after a closing quote comes a space, ";", "{" or ")"; anything else is refused.
                if i < b.count, !isSpace(b[i]), b[i] != semicolon, b[i] != open, b[i] != rparen {
                    throw ConfigParseError(
                        file: file, line: line, reason: "unexpected \"\(word([b[i]]))\" after a quoted string")
                }
                tokens.append(Token(kind: .word, text: word(w), line: start))
                continue
            }
            var afterDollar = false
            while i < b.count {
                let d = b[i]
                if isSpace(d) || d == semicolon { break }
                // `${var}`: a { right after $ belongs to the word; any other { ends it. A } is a word character.
                if d == open && !afterDollar { break }
                afterDollar = d == dollar
                if d == backslash && i + 1 < b.count {
                    w.append(d); w.append(b[i + 1])
                    if b[i + 1] == lf { line += 1 }
                    i += 2
                    continue
                }
                w.append(d)
                i += 1
            }
            tokens.append(Token(kind: .word, text: word(w), line: start))
        }
        return tokens
    }
}
