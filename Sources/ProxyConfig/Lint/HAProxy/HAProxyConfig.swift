import Foundation
import HostFacts

/// A parsed haproxy.cfg: sections in order, with defaults inheritance resolved.
public struct HAProxyConfig: Sendable, Equatable {
    public var file: String
    public var sections: [HAProxySection]
    public var errors: [ConfigParseError]

    public init(file: String, sections: [HAProxySection], errors: [ConfigParseError]) {
        self.file = file
        self.sections = sections
        self.errors = errors
    }

    public var global: HAProxySection? { sections.first { $0.kind == "global" } }
    public var proxies: [HAProxySection] { sections.filter(\.isProxy) }

    /// The defaults section a proxy inherits from.
    public func defaults(of section: HAProxySection) -> HAProxySection? { section.defaultsIndex.map { sections[$0] } }

    /// The line in effect for a proxy: its own, else its defaults section's.
    public func effective(_ prefix: [String], in section: HAProxySection) -> HAProxyLine? {
        section.last(prefix) ?? defaults(of: section)?.last(prefix)
    }

    /// `mode` in effect (HAProxy's default is tcp).
    public func mode(of section: HAProxySection) -> String {
        effective(["mode"], in: section)?.words.dropFirst().first?.lowercased() ?? "tcp"
    }

    /// Reads and parses a file under the root; throws only when it is absent or unreadable. `environment` expands
    /// the config's "${VAR}" words.
    public static func load(
        _ path: String, root: HostRoot = HostRoot(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> HAProxyConfig {
        if let id = root.identity(path), !id.isRegularFile {
            throw ConfigParseError(
                file: root.resolve(path), line: 0, reason: "not a regular file (a FIFO, device or directory): not read")
        }
        guard let text = try root.readText(path) else {
            throw ConfigParseError(file: root.resolve(path), line: 0, reason: "no such file")
        }
        return parse(text, file: root.resolve(path), environment: environment)
    }
}
