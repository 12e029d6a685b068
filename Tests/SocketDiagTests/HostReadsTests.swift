import Foundation
import HostFacts
import XCTest

@testable import SocketDiag

/// Conntrack and host figures read under a root: the live host's files compared with what the readers return,
/// and a root without conntrack reported as "not loaded".
final class HostReadsTests: XCTestCase {
    func testNotLoadedWhenTheRootHasNoConntrack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wst-sd-\(getpid())")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("proc/sys/net"),
            withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try ConntrackReader.read(root: HostRoot(dir.path), byState: true)
        XCTAssertFalse(s.loaded)
        XCTAssertNil(s.entries)
        XCTAssertNil(s.tcpByState)
    }

    func testCountFromProcUnderAFixtureRoot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wst-sd2-\(getpid())")
        let nf = dir.appendingPathComponent("proc/sys/net/netfilter")
        try FileManager.default.createDirectory(at: nf, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("proc/net/stat"),
            withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "1000\n".write(to: nf.appendingPathComponent("nf_conntrack_max"), atomically: true, encoding: .utf8)
        try "250\n".write(to: nf.appendingPathComponent("nf_conntrack_count"), atomically: true, encoding: .utf8)
        try "entries  clashres found drop\n000000fa  00000001 00000002 00000003\n000000fa  00000000 00000010 00000001\n"
            .write(to: dir.appendingPathComponent("proc/net/stat/nf_conntrack"), atomically: true, encoding: .utf8)
        let s = try ConntrackReader.read(root: HostRoot(dir.path))
        XCTAssertTrue(s.loaded)
        XCTAssertEqual(s.entries, 250)
        XCTAssertEqual(s.maxEntries, 1000)
        XCTAssertEqual(s.usage, 0.25)
        XCTAssertEqual(s.stats["drop"], 4)
        XCTAssertEqual(s.stats["found"], 0x12)
        XCTAssertNil(s.stats["entries"])
    }

    /// The live host: file-nr and file-max as /proc shows them (file-nr moves, so within a margin).
    func testHostLoadMatchesProc() throws {
        let load = try HostLoad.read()
        let fileMax = try String(contentsOfFile: "/proc/sys/fs/file-max", encoding: .utf8)
        XCTAssertEqual(load.fileMax, Int(fileMax.trimmingCharacters(in: .whitespacesAndNewlines)))
        let nr = try String(contentsOfFile: "/proc/sys/fs/file-nr", encoding: .utf8).split(
            whereSeparator: \.isWhitespace)
        let now = Int(nr[0])!
        XCTAssertLessThan(abs((load.openFiles ?? -1) - now), 2000)
        XCTAssertNotNil(load.listenOverflows)
        XCTAssertNotNil(load.listenDrops)
    }

    /// A live conntrack read agrees with /proc/sys/net/netfilter/nf_conntrack_count in this namespace.
    func testLiveEntriesAgreeWithProc() throws {
        guard FileManager.default.fileExists(atPath: "/proc/sys/net/netfilter/nf_conntrack_count") else {
            throw XCTSkip("nf_conntrack not loaded")
        }
        let s = try ConntrackReader.read()
        let proc = try String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_count", encoding: .utf8)
        XCTAssertTrue(s.loaded)
        XCTAssertEqual(s.entries, Int(proc.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
