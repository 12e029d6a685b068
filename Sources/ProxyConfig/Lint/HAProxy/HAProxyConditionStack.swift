/// HAProxy's conditional blocks (`.if` / `.elif` / `.else` / `.endif`, haproxy ≥ 2.4): which lines apply.
/// A condition wstune cannot evaluate (a haproxy version or feature, a variable haproxy sets itself) is
/// unknown, never true: lines under it are kept but marked, and checks say their value is uncertain.
struct HAProxyConditionStack {
    enum Truth {
        case yes, no, unknown

        static func and(_ a: Truth, _ b: Truth) -> Truth {
            a == .no || b == .no ? .no : (a == .yes && b == .yes ? .yes : .unknown)
        }
        static func or(_ a: Truth, _ b: Truth) -> Truth {
            a == .yes || b == .yes ? .yes : (a == .no && b == .no ? .no : .unknown)
        }
        var not: Truth { self == .yes ? .no : (self == .no ? .yes : .unknown) }
    }

    private struct Frame {
        var location: SourceLocation
        /// Whether the current branch applies, and whether an earlier branch did.
        var state: Truth
        var taken: Truth
        var sawElse = false
    }

    static let maxDepth = 64
    private var frames: [Frame] = []

    /// nil: lines here are skipped (a false branch). `.some(nil)`: they apply. `.some(loc)`: they depend on the
    /// unknown condition at loc.
    var active: SourceLocation?? {
        var uncertain: SourceLocation?
        for f in frames {
            if f.state == .no { return nil }
            if f.state == .unknown && uncertain == nil { uncertain = f.location }
        }
        return .some(uncertain)
    }

    var unclosed: SourceLocation? { frames.last?.location }

    /// Handles a line starting with "."; returns an error for a misplaced or unknown one.
    mutating func handle(_ words: [String], at loc: SourceLocation, environment: [String: String]) -> ConfigParseError?
    {
        let keyword = words[0]
        let condition = words.dropFirst().joined(separator: " ")
        func error(_ reason: String) -> ConfigParseError {
            ConfigParseError(file: loc.file, line: loc.line, reason: reason)
        }
        switch keyword {
        case ".if":
            guard frames.count < Self.maxDepth else { return error("'.if' nested deeper than \(Self.maxDepth)") }
            let v = HAProxyCondition.evaluate(condition, environment: environment)
            frames.append(Frame(location: loc, state: v, taken: v))
        case ".elif":
            guard var f = frames.popLast(), !f.sawElse else { return error("'.elif' without a matching '.if'") }
            let v = HAProxyCondition.evaluate(condition, environment: environment)
            f.state = Truth.and(f.taken.not, v)
            f.taken = Truth.or(f.taken, v)
            f.location = loc
            frames.append(f)
        case ".else":
            guard var f = frames.popLast(), !f.sawElse else { return error("'.else' without a matching '.if'") }
            f.state = f.taken.not
            f.sawElse = true
            f.location = loc
            frames.append(f)
        case ".endif":
            guard frames.popLast() != nil else { return error("'.endif' without a matching '.if'") }
        case ".diag", ".notice", ".warning", ".alert":
            break
        default:
            return error("unknown directive '\(keyword)'")
        }
        return nil
    }
}
