import Foundation
import XCTest

/// Helpers for the lint integration tests: fixtures with their port placeholders filled in.
enum LintTestSupport {
    static var fixtures: URL { TestSupport.fixtures.appendingPathComponent("lint") }

    static func fixtureFiles(_ kind: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: fixtures.appendingPathComponent(kind), includingPropertiesForKeys: nil
        )
        .sorted { $0.path < $1.path }
    }

    /// A copy of a fixture with @PORT@ (the listen port) and @BACKEND_PORT@/@BACKEND_PORT2@ filled in.
    static func instantiate(_ fixture: URL, into dir: URL, port: Int, backend: Int) throws -> String {
        let text = try String(contentsOf: fixture, encoding: .utf8)
            .replacingOccurrences(of: "@BACKEND_PORT2@", with: "\(backend)")
            .replacingOccurrences(of: "@BACKEND_PORT@", with: "\(backend)")
            .replacingOccurrences(of: "@PORT@", with: "\(port)")
        let out = dir.appendingPathComponent(fixture.lastPathComponent).path
        try text.write(toFile: out, atomically: true, encoding: .utf8)
        return out
    }

    /// A scratch nginx prefix with the logs/ and tmp/ the fixtures' relative paths use.
    static func nginxPrefix(in dir: URL, _ name: String) throws -> String {
        let prefix = dir.appendingPathComponent(name)
        for sub in ["logs", "tmp"] {
            try FileManager.default.createDirectory(
                at: prefix.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        return prefix.path
    }
}
