import Foundation

/// Where the checkout's test data lives, found from this file's path (the tests run from any directory).
public enum FixturePaths {
    /// The package root: Tests/WSTTestSupport/FixturePaths.swift, three levels up.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Tests/Fixtures: the host trees (make_fixtures.py) and the lint fixtures.
    public static var fixtures: URL { packageRoot.appendingPathComponent("Tests/Fixtures") }
}
