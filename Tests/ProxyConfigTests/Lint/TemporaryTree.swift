import Foundation
import WSTTestSupport
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
        let d = try TreeWriter.temporaryDirectory("wst-\(tag)")
        for (path, text) in files { try TreeWriter.write(path, text, under: d) }
        dirs.append(d)
        return d
    }
}
