/// One keyword line inside a HAProxy section: its words (quotes and escapes resolved) and where it was written.
public struct HAProxyLine: Sendable, Equatable {
    public var words: [String]
    public var location: SourceLocation
    /// The `.if` this line depends on when wstune could not evaluate that condition (nil: the line applies).
    public var condition: SourceLocation?
    /// "${VAR}" names in the line that the environment wstune runs in does not define (kept as written).
    public var unknownVariables: [String]

    public init(
        words: [String], location: SourceLocation, condition: SourceLocation? = nil, unknownVariables: [String] = []
    ) {
        self.words = words
        self.location = location
        self.condition = condition
        self.unknownVariables = unknownVariables
    }

    /// True when the line starts with these words (`["timeout", "tunnel"]`).
    public func starts(with prefix: [String]) -> Bool {
        words.count >= prefix.count && zip(words, prefix).allSatisfy { $0.lowercased() == $1 }
    }

    /// Why the line's value is not known for sure (an unevaluated `.if`, an undefined variable), or nil.
    public var uncertainty: String? {
        if !unknownVariables.isEmpty {
            return
                "set from the environment (\(unknownVariables.map { "${\($0)}" }.joined(separator: ", "))), which wstune's environment does not define"
        }
        if let c = condition { return "set under the .if at \(c), which wstune cannot evaluate" }
        return nil
    }
}
