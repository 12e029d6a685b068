import Foundation
import HostFacts
import XCTest

@testable import Tuning

/// Unit checks of the safety rules: rooted paths, live-root links kept as links, profile strings, kernel floors.
final class ApplySafetyTests: XCTestCase {
    func testRootedPathsRefuseAbsoluteAndClimbingPaths() throws {
        for bad in ["/etc/passwd", "../x", "etc/../../x", "", "etc/./x"] {
            XCTAssertThrowsError(try RootedPath(root: "/tmp/t", relative: bad), bad) { error in
                guard case WriterError.refused(let p, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(p, bad)
            }
        }
        XCTAssertThrowsError(try RootedPath(root: "/tmp/t", absolute: "/tmp/tx/etc/f"))
        XCTAssertEqual(try RootedPath(root: "/tmp/t/", absolute: "/tmp/t/etc/f").relative, "etc/f")
        XCTAssertEqual(try RootedPath(root: "/", relative: "etc/f").absolute, "/etc/f")
    }

    /// On the live root a link at the target is replaced by our file (never written through) and rollback puts the
    /// link back, pointing where it pointed, with the target's bytes untouched.
    func testALinkOnTheLiveRootComesBackAsALink() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wstune-live-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("net.core.somaxconn = 1\n".utf8).write(to: URL(fileURLWithPath: dir + "/sysctl.conf"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/90-wstune.conf", withDestinationPath: "sysctl.conf")
        let path = try RootedPath.live(dir + "/90-wstune.conf")
        let state = try XCTUnwrap(try AtomicFileWriter.state(of: path))
        XCTAssertEqual(state.linkTarget, "sysctl.conf")
        XCTAssertTrue(try AtomicFileWriter.write(Data("ours\n".utf8), to: path))
        XCTAssertEqual(
            try String(contentsOfFile: dir + "/sysctl.conf", encoding: .utf8), "net.core.somaxconn = 1\n",
            "not written through")
        let change = FileChange(
            path: path.relative, kind: "sysctl.d", previous: nil, previousMode: state.mode,
            previousOwner: [state.uid, state.gid], previousLinkTarget: "sysctl.conf", content: Data("ours\n".utf8),
            changed: true)
        let outcome = Restorer.restore(live: [], files: [change], createdDirectories: [], liveRoot: "/", filesRoot: "/")
        XCTAssertEqual(outcome.problems, [])
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/90-wstune.conf"), "sysctl.conf")
        XCTAssertEqual(try String(contentsOfFile: dir + "/sysctl.conf", encoding: .utf8), "net.core.somaxconn = 1\n")
        // Below any other root the same link is refused.
        XCTAssertThrowsError(try AtomicFileWriter.state(of: RootedPath(root: dir, relative: "90-wstune.conf")))
    }

    func testProfileStringsHaveADocumentedCharacterSet() throws {
        XCTAssertNil(ProfileStrings.nameProblem("server-100k"))
        for bad in [
            "evil\nkernel.core_pattern = |/tmp/x", "", "-x", "a b", "é", "a;b", String(repeating: "a", count: 65),
        ] {
            XCTAssertNotNil(ProfileStrings.nameProblem(bad), bad.debugDescription)
        }
        XCTAssertNil(ProfileStrings.textProblem("Chat servers, 100k (ünïcode ok)"))
        XCTAssertNotNil(ProfileStrings.textProblem("a\u{2028}b"))
        XCTAssertNotNil(ProfileStrings.textProblem("a\rb"))
        XCTAssertNil(ProfileStrings.unitNameProblem("chat@8080.service"))
        XCTAssertNotNil(ProfileStrings.unitNameProblem("chat\n.service"))
        XCTAssertNil(ProfileStrings.limitsDomainProblem("@www-data"))
        XCTAssertNotNil(ProfileStrings.limitsDomainProblem("bob soft nofile 1\nroot"))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wstune-prof-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "name: \"evil\\nkernel.core_pattern = |/tmp/x\"\nconnections: 10\n".write(
            toFile: dir + "/evil.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ProfileStore(directories: [dir]).load("evil")) { error in
            guard case ProfileError.invalidValue(let path, _, let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, dir + "/evil.yaml")
            XCTAssertEqual(key, "name")
        }
        // A profile made in code is checked by the plan too.
        let f = try PlanFixture()
        var p = f.profile()
        p.name = "x\n[Service]\nExecStartPre=/tmp/x"
        XCTAssertThrowsError(try f.plan(p, unit: "chat"))
    }

    func testKernelFloorsFollowTheKernelsFormulas() throws {
        var m = try MemoryInfo.parse("MemTotal: \(8 << 20) kB\nMemAvailable: \(4 << 20) kB\n")
        m.pageSize = 4096
        XCTAssertEqual(KernelFloor.floor("fs.file-max", memory: m)?.value, String((8 << 20) / 10))
        let limit = (8 << 30) / 4096 / 16
        XCTAssertEqual(
            KernelFloor.floor("net.ipv4.tcp_mem", memory: m)?.value, "\(limit / 4 * 3) \(limit) \(limit / 4 * 3 * 2)")
        XCTAssertEqual(KernelFloor.floor("net.netfilter.nf_conntrack_max", memory: m)?.value, "262144")
        XCTAssertEqual(KernelFloor.conntrackBuckets(pages: (2 << 30) / 4096, pageSize: 4096), 65536)
        XCTAssertEqual(KernelFloor.conntrackBuckets(pages: (512 << 20) / 4096, pageSize: 4096), 4096)
        XCTAssertEqual(KernelFloor.floor("net.core.somaxconn", memory: nil)?.value, "4096")
        XCTAssertEqual(KernelFloor.raise("15000 20000 30000", to: "294912 393216 589824"), "294912 393216 589824")
        XCTAssertNil(KernelFloor.raise("500000 600000 700000", to: "294912 393216 589824"))
    }

    func testTemporaryNamesAreOursOnly() {
        XCTAssertTrue(AtomicFileWriter.isTemporaryName(".90-wstune.conf.wstune-Ab12Cd"))
        for other in [
            ".90-wstune.conf.keep", "90-wstune.conf", ".wstune-Ab12Cd", ".x.wstune-Ab12C", ".x.wstune-Ab12Cd.tmp",
        ] {
            XCTAssertFalse(AtomicFileWriter.isTemporaryName(other), other)
        }
    }
}
