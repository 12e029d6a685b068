/// Splits one HAProxy config line into words the way haproxy's parse_line does: spaces separate, quotes group,
/// backslash escapes (outside quotes and in double quotes), `#` outside quotes starts a comment, and inside
/// double quotes `$NAME`, `${NAME}` and `${NAME-default}` are replaced from the environment. A variable the
/// environment does not define is kept as written and reported, since the running haproxy's value is unknown.
struct HAProxyLineSplitter {
    let environment: [String: String]

    struct Words: Equatable {
        var words: [String]
        var unknownVariables: [String]
    }

    struct UnterminatedQuote: Error {}

    func split(_ line: String) throws -> Words {
        let chars = Array(line)
        var out = Words(words: [], unknownVariables: [])
        var word = ""
        var inWord = false
        var quote: Character?
        var i = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            if let q = quote {
                if c == q {
                    quote = nil
                } else if c == "\\" && q == "\"" && i < chars.count {
                    word.append(chars[i])
                    i += 1
                } else if c == "$" && q == "\"",
                    let (value, end) = variable(chars, at: i, unknown: &out.unknownVariables)
                {
                    word += value
                    i = end
                } else {
                    word.append(c)
                }
                continue
            }
            switch c {
            case "\\":
                if i < chars.count { word.append(chars[i]); i += 1; inWord = true }
            case "\"", "'":
                quote = c
                inWord = true
            case "#":
                if inWord { out.words.append(word) }
                return out
            case " ", "\t", "\r":
                if inWord { out.words.append(word); word = ""; inWord = false }
            default:
                word.append(c)
                inWord = true
            }
        }
        if quote != nil { throw UnterminatedQuote() }
        if inWord { out.words.append(word) }
        return out
    }

    /// The value of the variable whose name starts at `start` (just after "$") and the index after it; nil when
    /// no name follows (a lone "$" stays literal).
    private func variable(_ chars: [Character], at start: Int, unknown: inout [String]) -> (String, Int)? {
        func isName(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        var i = start
        if i < chars.count && chars[i] == "{" {
            i += 1
            let nameStart = i
            while i < chars.count && isName(chars[i]) { i += 1 }
            let name = String(chars[nameStart..<i])
            var fallback: String?
            if i < chars.count && chars[i] == "-" {
                let d = i + 1
                while i < chars.count && chars[i] != "}" { i += 1 }
                fallback = String(chars[min(d, i)..<i])
            } else if i + 2 < chars.count && chars[i] == "[" && chars[i + 1] == "*" && chars[i + 2] == "]" {
                i += 3
            }
            guard !name.isEmpty, i < chars.count, chars[i] == "}" else { return nil }
            return (
                resolve(name, fallback: fallback, written: String(chars[(start - 1)...i]), unknown: &unknown), i + 1
            )
        }
        while i < chars.count && isName(chars[i]) { i += 1 }
        guard i > start else { return nil }
        let name = String(chars[start..<i])
        return (resolve(name, fallback: nil, written: "$" + name, unknown: &unknown), i)
    }

    private func resolve(_ name: String, fallback: String?, written: String, unknown: inout [String]) -> String {
        if let v = environment[name] { return v }
        if let fallback { return fallback }
        if !unknown.contains(name) { unknown.append(name) }
        return written
    }
}
