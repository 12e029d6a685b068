/// One nginx directive with its arguments, where it was written, and its block (nil for a simple directive).
/// `include`s are already replaced by the directives of the files they name, each keeping its own file:line.
public struct NginxDirective: Sendable, Equatable {
    public var name: String
    public var args: [String]
    public var location: SourceLocation
    public var block: [NginxDirective]?

    public init(name: String, args: [String], location: SourceLocation, block: [NginxDirective]? = nil) {
        self.name = name
        self.args = args
        self.location = location
        self.block = block
    }

    /// Directives named `name` directly inside this block.
    public func children(_ name: String) -> [NginxDirective] { (block ?? []).filter { $0.name == name } }

    /// The first directive named `name` directly inside this block.
    public func first(_ name: String) -> NginxDirective? { block?.first { $0.name == name } }
}
