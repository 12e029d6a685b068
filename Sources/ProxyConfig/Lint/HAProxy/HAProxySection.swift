/// A HAProxy section (`global`, `defaults`, `frontend`, `backend`, `listen`, …) and its lines.
public struct HAProxySection: Sendable, Equatable {
    public static let proxyKinds: Set<String> = ["frontend", "backend", "listen"]
    public static let kinds: Set<String> = [
        "global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist", "cache", "program",
        "mailers", "http-errors", "ring", "traces",
    ]

    public var kind: String
    public var name: String?
    /// `from NAME`: the defaults section this proxy inherits from explicitly.
    public var from: String?
    public var location: SourceLocation
    public var lines: [HAProxyLine]
    /// Index into `HAProxyConfig.sections` of the defaults section this proxy inherits (the last one before it,
    /// or the one named by `from`); nil when none precedes it.
    public var defaultsIndex: Int?

    public var isProxy: Bool { Self.proxyKinds.contains(kind) }

    /// The last line of this section starting with `prefix` (later lines override earlier ones).
    public func last(_ prefix: [String]) -> HAProxyLine? { lines.last { $0.starts(with: prefix) } }

    public var label: String { name.map { "\(kind) \($0)" } ?? kind }
}
