/// A config file that could not be parsed: it names the file and line; only that file is skipped.
public struct ConfigParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        location = SourceLocation(file: file, line: line)
        self.reason = reason
    }

    public var description: String { location.line > 0 ? "\(location): \(reason)" : "\(location.file): \(reason)" }
}
