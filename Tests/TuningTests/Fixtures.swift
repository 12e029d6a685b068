import Foundation
import HostFacts
import WSTTestSupport

@testable import Tuning

enum Fixtures {
    static let base = FixturePaths.fixtures
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("profiles").path

    static func host(_ name: String, _ options: HostSnapshot.Options = .init()) throws -> HostSnapshot {
        try HostSnapshot.read(root: HostRoot(base.appendingPathComponent(name).path), options: options)
    }

    static func profile(_ name: String, connections: Int? = nil) throws -> Profile {
        let p = try ProfileStore(directories: [profiles]).load(name)
        return connections.map { p.withConnections($0) } ?? p
    }

    /// Evaluates one check by id against a fixture tree and a profile.
    static func evaluate(_ id: String, host: HostSnapshot, profile: Profile) -> Finding {
        let check = CheckRegistry.all.first { $0.id == id }!
        return check.evaluate(host, Requirement(profile: profile, host: host))
    }

    /// A temporary directory of profile files, removed by the caller.
    static func profileDir(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wst-profiles-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir
    }
}
