/// One `{{…}}` tag of a Mustache template, as `TemplateVariableCheck` sees it.
struct TemplateTag: Equatable {
    enum Kind: Equatable {
        case variable, section, invertedSection, sectionEnd, partial, comment, pragma
    }
    var kind: Kind
    /// The name with any transform stripped: `uppercased(name)` → `name`.
    var name: String
    var line: Int

    /// Lists the tags of `text`. Hand-written: swift-mustache keeps its token list internal, and the
    /// unknown-variable check needs every name, including those in sections a given context would skip.
    static func scan(_ text: String, file: String) throws -> [TemplateTag] {
        var tags: [TemplateTag] = []
        let chars = Array(text.unicodeScalars)
        var i = 0, line = 1
        func at(_ j: Int, _ s: String) -> Bool {
            let u = Array(s.unicodeScalars)
            return j + u.count <= chars.count && Array(chars[j..<j + u.count]) == u
        }
        while i < chars.count {
            if chars[i] == "\n" { line += 1; i += 1; continue }
            guard at(i, "{{") else { i += 1; continue }
            let startLine = line
            let triple = at(i, "{{{")
            let close = triple ? "}}}" : "}}"
            var j = i + (triple ? 3 : 2)
            var body = ""
            while j < chars.count, !at(j, close) {
                if chars[j] == "\n" { line += 1 }
                body.unicodeScalars.append(chars[j])
                j += 1
            }
            guard j < chars.count else {
                throw RenderError.templateSyntax(
                    file: file, line: startLine, reason: "unclosed tag '{{\(body.prefix(20))'")
            }
            i = j + close.count
            var content = body.trimmingCharacters(in: .whitespaces)
            var kind = Kind.variable
            if !triple, let sigil = content.first {
                switch sigil {
                case "#": kind = .section
                case "^": kind = .invertedSection
                case "/": kind = .sectionEnd
                case ">": kind = .partial
                case "!": kind = .comment
                case "%": kind = .pragma
                case "&": kind = .variable
                case "=", "$", "<":
                    throw RenderError.templateSyntax(
                        file: file, line: startLine,
                        reason:
                            "'{{\(sigil)' tags (set delimiters, inheritance) are not supported by wstune's templates")
                default: break
                }
                if "#^/>!%&".contains(sigil) {
                    content = String(content.dropFirst()).trimmingCharacters(in: .whitespaces)
                }
            }
            if let open = content.lastIndex(of: "("), let end = content.firstIndex(of: ")"), open < end {
                content = String(content[content.index(after: open)..<end]).trimmingCharacters(in: .whitespaces)
            }
            tags.append(TemplateTag(kind: kind, name: content, line: startLine))
        }
        return tags
    }
}
