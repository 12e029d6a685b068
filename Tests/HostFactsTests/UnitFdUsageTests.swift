import Foundation
import XCTest

@testable import HostFacts

/// `UnitFdUsage` over a tiny tree: cgroup.procs lists the unit's PIDs; /proc/PID/fd entries and limits are read.
final class UnitFdUsageTests: XCTestCase {
    func testParsePidsSkipsBlankAndJunk() {
        XCTAssertEqual(UnitFdUsage.parsePids("12\n\n 13 \nx\n0\n"), [12, 13])
    }

    func testUnitNamesAndPathSafety() {
        XCTAssertEqual(UnitFdUsage.unitName("chat"), "chat.service")
        XCTAssertEqual(UnitFdUsage.unitName("nginx.service"), "nginx.service")
        for bad in ["", "..", ".", "a/b", "../etc"] { XCTAssertFalse(UnitFdUsage.isValidUnitName(bad), bad) }
        XCTAssertTrue(UnitFdUsage.isValidUnitName("wstune-serve@8080.service"))
    }

    func testReadsFdsAndSoftLimitPerProcessAndSkipsExitedOnes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wst-16-unitfd-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        func write(_ rel: String, _ text: String) throws {
            let url = root.appendingPathComponent(rel)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        // PID 99 is listed but gone (exited between the listing and the read).
        try write("sys/fs/cgroup/system.slice/chat.service/cgroup.procs", "7\n99\n")
        for fd in 0..<5 { try write("proc/7/fd/\(fd)", "") }
        try write(
            "proc/7/limits",
            "Limit Soft Limit Hard Limit Units\nMax open files            4096                 8192                 files\n"
        )
        let u = try UnitFdUsage.read(root: HostRoot(root.path), unit: "chat")
        XCTAssertEqual(u.unit, "chat.service")
        XCTAssertEqual(u.processes, [.init(pid: 7, openFds: 5, softLimit: 4096)])
        // A unit that is not running: no processes, no error.
        XCTAssertEqual(try UnitFdUsage.read(root: HostRoot(root.path), unit: "other").processes, [])
    }
}
