import Foundation

/// Evaluates a `.if` condition (haproxy 2.6 grammar: terms joined by `&&`, `||`, `!` and parentheses).
/// Terms wstune can judge: integers (non-zero is true), `defined(VAR)`, `streq(a,b)`, `strneq(a,b)`,
/// `strstr(a,b)`. `version_atleast`, `version_before`, `feature`, `enabled` and variables named HAPROXY_*
/// (haproxy sets them itself) are unknown. Hand-written: a tiny recursive-descent parser with a depth cap.
enum HAProxyCondition {
    typealias Truth = HAProxyConditionStack.Truth
    static let maxDepth = 32

    static func evaluate(_ text: String, environment: [String: String]) -> Truth {
        var p = Parser(chars: Array(text), environment: environment)
        let v = p.expression(depth: 0)
        p.skipSpace()
        return p.failed || p.i < p.chars.count ? .unknown : v
    }

    private struct Parser {
        let chars: [Character]
        let environment: [String: String]
        var i = 0
        var failed = false

        mutating func skipSpace() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

        mutating func eat(_ s: String) -> Bool {
            skipSpace()
            let a = Array(s)
            guard i + a.count <= chars.count, Array(chars[i..<i + a.count]) == a else { return false }
            i += a.count
            return true
        }

        mutating func expression(depth: Int) -> Truth {
            var v = conjunction(depth: depth)
            while !failed && eat("||") { v = Truth.or(v, conjunction(depth: depth)) }
            return v
        }

        mutating func conjunction(depth: Int) -> Truth {
            var v = term(depth: depth)
            while !failed && eat("&&") { v = Truth.and(v, term(depth: depth)) }
            return v
        }

        mutating func term(depth: Int) -> Truth {
            guard depth < HAProxyCondition.maxDepth else { failed = true; return .unknown }
            if eat("!") { return term(depth: depth + 1).not }
            if eat("(") {
                let v = expression(depth: depth + 1)
                if !eat(")") { failed = true }
                return v
            }
            skipSpace()
            let start = i
            while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "-") {
                i += 1
            }
            let name = String(chars[start..<i])
            guard !name.isEmpty else { failed = true; return .unknown }
            guard i < chars.count && chars[i] == "(" else {
                guard let n = Int(name) else { return .unknown }
                return n != 0 ? .yes : .no
            }
            i += 1
            let argStart = i
            while i < chars.count && chars[i] != ")" { i += 1 }
            guard i < chars.count else { failed = true; return .unknown }
            let args = String(chars[argStart..<i]).split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            i += 1
            return call(name, args)
        }

        func call(_ name: String, _ args: [String]) -> Truth {
            if args.contains(where: { $0.contains("${") }) { return .unknown }
            switch (name, args.count) {
            case ("defined", 1):
                if args[0].hasPrefix("HAPROXY_") { return .unknown }
                return environment[args[0]] != nil ? .yes : .no
            case ("streq", 2): return args[0] == args[1] ? .yes : .no
            case ("strneq", 2): return args[0] != args[1] ? .yes : .no
            case ("strstr", 2): return args[1].isEmpty || args[0].contains(args[1]) ? .yes : .no
            default: return .unknown
            }
        }
    }
}
