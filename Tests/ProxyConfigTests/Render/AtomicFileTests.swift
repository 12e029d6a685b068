import Foundation
import XCTest

@testable import ProxyConfig

final class AtomicFileTests: XCTestCase {
    func testReplacesContentAndLeavesNoTempFile() throws {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wst-atomic-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: d) }
        let f = d.appendingPathComponent("out.conf").path
        try "old\n".write(toFile: f, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(f, 0o640), 0)
        let inodeBefore = try FileManager.default.attributesOfItem(atPath: f)[.systemFileNumber] as? Int
        try AtomicFile.write("new\n", to: f)
        XCTAssertEqual(try String(contentsOfFile: f, encoding: .utf8), "new\n")
        var st = stat()
        XCTAssertEqual(stat(f, &st), 0)
        XCTAssertEqual(st.st_mode & 0o7777, 0o640, "the replaced file keeps its mode")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d.path), ["out.conf"])
        // rename() put a new inode in place: readers saw old or new, never a truncated file.
        XCTAssertNotEqual(try FileManager.default.attributesOfItem(atPath: f)[.systemFileNumber] as? Int, inodeBefore)
    }

    func testMissingDirectoryIsAWriteError() {
        XCTAssertThrowsError(try AtomicFile.write("x", to: "/nonexistent-wst/dir/out.conf")) { error in
            guard case .writeFailed(let path, _)? = error as? RenderError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent-wst/dir/out.conf")
        }
    }
}
