import Foundation
import HostFacts
import WSTTestSupport

/// Fixture host trees under Tests/Fixtures (written by Tests/Fixtures/make_fixtures.py).
enum FixtureRoots {
    static let base = FixturePaths.fixtures
    static func root(_ name: String) -> HostRoot { HostRoot(base.appendingPathComponent(name).path) }
}
