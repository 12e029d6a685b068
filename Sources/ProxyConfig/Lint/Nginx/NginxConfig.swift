/// An nginx configuration as read: the main file's directives with every `include` expanded in place, the
/// files read, and the files that could not be parsed (each skipped on its own).
public struct NginxConfig: Sendable, Equatable {
    public var mainFile: String
    public var directives: [NginxDirective]
    public var files: [String]
    public var errors: [ConfigParseError]

    public init(mainFile: String, directives: [NginxDirective], files: [String], errors: [ConfigParseError]) {
        self.mainFile = mainFile
        self.directives = directives
        self.files = files
        self.errors = errors
    }

    /// A main-context directive.
    public func main(_ name: String) -> NginxDirective? { directives.first { $0.name == name } }

    /// The `events` block's directive.
    public func events(_ name: String) -> NginxDirective? { main("events")?.first(name) }

    /// Every `http` block (normally one).
    public var httpBlocks: [NginxDirective] { directives.filter { $0.name == "http" && $0.block != nil } }
}
