/// The body of a `*_by_lua_block { … }` directive is Lua, not nginx syntax (lua-nginx-module parses it with its
/// own lexer). This finds its closing brace the same way: braces count outside Lua strings ('…', "…", [[…]],
/// [=[…]=]) and comments (-- to end of line, --[[…]]). Hand-written: it is a brace matcher, not a Lua parser.
enum NginxLuaBlock {
    /// Index just after the `}` closing the block whose `{` ends before `start`; `line` advances over the body.
    static func skip(_ b: [UInt8], from start: Int, line: inout Int, file: String) throws -> Int {
        let openedAt = line
        var depth = 1
        var i = start
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x0A:
                line += 1
                i += 1
            case 0x7B:
                depth += 1
                i += 1
            case 0x7D:
                depth -= 1
                i += 1
                if depth == 0 { return i }
            case 0x22, 0x27:
                i = try quoted(b, from: i, line: &line, file: file)
            case 0x5B:
                if let end = try longBracket(b, at: i, line: &line, file: file) { i = end } else { i += 1 }
            case 0x2D where i + 1 < b.count && b[i + 1] == 0x2D:
                i += 2
                if i < b.count, b[i] == 0x5B, let end = try longBracket(b, at: i, line: &line, file: file) {
                    i = end
                } else {
                    while i < b.count && b[i] != 0x0A { i += 1 }
                }
            default:
                i += 1
            }
        }
        throw ConfigParseError(
            file: file, line: openedAt, reason: "unexpected end of file: Lua block opened here is never closed")
    }

    /// A '…' or "…" string with backslash escapes; returns the index after the closing quote.
    private static func quoted(_ b: [UInt8], from start: Int, line: inout Int, file: String) throws -> Int {
        let q = b[start], startLine = line
        var i = start + 1
        while i < b.count {
            if b[i] == 0x5C {
                if i + 1 < b.count && b[i + 1] == 0x0A { line += 1 }
                i += 2
                continue
            }
            if b[i] == 0x0A { line += 1 }
            if b[i] == q { return i + 1 }
            i += 1
        }
        throw ConfigParseError(file: file, line: startLine, reason: "unterminated string in Lua block")
    }

    /// A long bracket `[==[ … ]==]` starting at `start`; nil when `[` does not open one.
    private static func longBracket(_ b: [UInt8], at start: Int, line: inout Int, file: String) throws -> Int? {
        var i = start + 1
        var level = 0
        while i < b.count && b[i] == 0x3D { level += 1; i += 1 }
        guard i < b.count, b[i] == 0x5B else { return nil }
        let startLine = line
        i += 1
        while i < b.count {
            if b[i] == 0x0A { line += 1 }
            if b[i] == 0x5D {
                var j = i + 1, n = 0
                while j < b.count && b[j] == 0x3D { n += 1; j += 1 }
                if n == level, j < b.count, b[j] == 0x5D { return j + 1 }
            }
            i += 1
        }
        throw ConfigParseError(file: file, line: startLine, reason: "unterminated long string or comment in Lua block")
    }
}
