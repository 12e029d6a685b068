import Foundation
import XCTest

/// A test case that writes small file trees under a temporary directory and removes them in tearDown.
class TemporaryTreeTestCase: XCTestCase {
    private var dirs: [URL] = []

    override func tearDown() {
        for d in dirs { try? FileManager.default.removeItem(at: d) }
        dirs = []
        super.tearDown()
    }

    /// Writes `files` (relative path → text) under a fresh directory named `wst-<tag>-…` and returns it.
    func tree(_ files: [String: String], tag: String = "tree") throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("wst-\(tag)-\(UUID().uuidString.prefix(8))")
        for (path, text) in files {
            let u = d.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: u, atomically: true, encoding: .utf8)
        }
        dirs.append(d)
        return d
    }
}
