import Foundation
import XCTest

/// Journal ids stay unique and ordered whatever the wall clock did: an entry made while the clock was ahead
/// (its id and time in 2099) is followed by two applies at today's time; three rollbacks undo all three, newest first.
final class ApplyJournalOrderTests: XCTestCase {
    func testIdsAreUniqueAndOrderedWhenTheClockSteppedBack() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let tree = try ApplyFixtureTree()
        let before = try tree.snapshot()
        let common = ["--yes", "--profile", "dev", "--root", tree.path]
        XCTAssertEqual(try TestSupport.wstune(["apply"] + common).status, 0)
        // The first entry as a clock set far ahead would have named it.
        let dir = tree.path + "/var/lib/wstune/journal"
        let first = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".json") })
        let oldID = String(first.dropLast(5))
        let aheadID = oldID.replacingOccurrences(
            of: #"\d{8}T\d{6}Z"#, with: "20991231T235959Z", options: .regularExpression)
        let text = try String(contentsOfFile: dir + "/" + first, encoding: .utf8).replacingOccurrences(
            of: oldID, with: aheadID)
        try FileManager.default.removeItem(atPath: dir + "/" + first)
        try text.write(toFile: dir + "/\(aheadID).json", atomically: true, encoding: .utf8)

        XCTAssertEqual(try TestSupport.wstune(["apply", "--connections", "100000"] + common).status, 0)
        XCTAssertEqual(try TestSupport.wstune(["apply", "--connections", "200000"] + common).status, 0)
        let list = try TestSupport.wstune(["rollback", "--list", "--json", "--root", tree.path])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 3, "three entries, none replaced: \(rows.map { $0["id"] ?? "" })")
        XCTAssertEqual(Set(rows.compactMap { $0["id"] as? String }).count, 3)
        XCTAssertEqual(
            rows.compactMap { $0["connections"] as? Int }, [10_000, 100_000, 200_000], "listed in apply order")
        for _ in 0..<3 { XCTAssertEqual(try TestSupport.wstune(["rollback", "--root", tree.path]).status, 0) }
        XCTAssertEqual(try tree.snapshot(), before)
    }

    /// An entry written by an earlier version (absolute paths, no sequence, no recorded target) is still undone:
    /// its paths are taken relative to the roots where they lie below them, and resolved beneath them.
    func testAnEntryOfAnEarlierVersionIsStillRolledBack() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let tree = try ApplyFixtureTree()
        let before = try tree.snapshot()
        XCTAssertEqual(
            try TestSupport.wstune(["apply", "--yes", "--profile", "dev", "--unit", "chat", "--root", tree.path])
                .status, 0)
        let dir = tree.path + "/var/lib/wstune/journal"
        let name = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".json") })
        var entry = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
                as? [String: Any])
        entry.removeValue(forKey: "target")
        entry.removeValue(forKey: "sequence")
        for key in ["live", "files"] {
            entry[key] = (entry[key] as? [[String: Any]] ?? []).map { item in
                var item = item
                item["path"] = tree.path + "/" + (item["path"] as? String ?? "")
                return item
            }
        }
        entry["createdDirectories"] = (entry["createdDirectories"] as? [String] ?? []).map { tree.path + "/" + $0 }
        try JSONSerialization.data(withJSONObject: entry).write(to: URL(fileURLWithPath: dir + "/" + name))
        let r = try TestSupport.wstune(["rollback", "--root", tree.path])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(try tree.snapshot(), before)
    }
}
