import Foundation
import HostFacts

/// Fixture host trees under Tests/Fixtures (written by Tests/Fixtures/make_fixtures.py).
enum FixtureRoots {
    static let base = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func root(_ name: String) -> HostRoot { HostRoot(base.appendingPathComponent(name).path) }
}
