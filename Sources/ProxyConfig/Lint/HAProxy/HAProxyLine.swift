/// One keyword line inside a HAProxy section: its words (quotes and escapes resolved) and where it was written.
public struct HAProxyLine: Sendable, Equatable {
    public var words: [String]
    public var location: SourceLocation

    public init(words: [String], location: SourceLocation) {
        self.words = words
        self.location = location
    }

    /// True when the line starts with these words (`["timeout", "tunnel"]`).
    public func starts(with prefix: [String]) -> Bool {
        words.count >= prefix.count && zip(words, prefix).allSatisfy { $0.lowercased() == $1 }
    }
}
