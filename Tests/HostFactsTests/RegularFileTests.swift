import Foundation
import XCTest

@testable import HostFacts

/// The one reader (issue 13 item 1) and the parsers it feeds, with CR LF and hostile files.
final class RegularFileTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wst-13a-rf-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testCRLFSysctlDFileParsesAsSeparateLines() throws {
        try "net.core.somaxconn = 4096\r\n# c\r\nfs.file-max = 2097152\r\n".write(
            to: dir.appendingPathComponent("a.conf"), atomically: false, encoding: .utf8)
        let text = try XCTUnwrap(try HostRoot(dir.path).readText("a.conf"))
        let a = try SysctlPersistence.parse(text, path: "a.conf")
        XCTAssertEqual(a.map(\.key), ["net.core.somaxconn", "fs.file-max"])
        XCTAssertEqual(a.map(\.value.text), ["4096", "2097152"])
        XCTAssertEqual(a.map(\.line), [1, 3])
    }

    /// Text that did not come through the reader (a test string, stdin) splits the same way.
    func testParsersSplitCRLFTextThemselves() throws {
        XCTAssertEqual(try SysctlPersistence.parse("a.b = 1\r\nc.d = 2\r\n", path: "x").map(\.value.text), ["1", "2"])
        let e = try LimitsConf.parse("* soft nofile 100\r\n* hard nofile 200\r\n", path: "l")
        XCTAssertEqual(e.map(\.value), [100, 200])
        XCTAssertEqual(try MemoryInfo.parse("MemTotal: 1000 kB\r\nMemAvailable: 500 kB\r\n").availableBytes, 500 * 1024)
        XCTAssertEqual(SysctlValue("1024\t65535\r\n").ints, [1024, 65535])
        XCTAssertEqual("a\r\nb\nc\r".hostLines(), ["a", "b", "c"])
        XCTAssertEqual(RegularFile.normalizingLineEnds("x\r\ny\r"), "x\ny")
        XCTAssertEqual(RegularFile.normalizingLineEnds("lone\rcr"), "lone\rcr")
    }

    func testFIFODeviceAndDirectoryAreRefusedByName() throws {
        let fifo = dir.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try RegularFile.readText(atPath: fifo)) { e in
            XCTAssertEqual(e as? HostFactsError, .notRegularFile(path: fifo, kind: "a FIFO"))
        }
        let zero = dir.appendingPathComponent("zero").path
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        XCTAssertThrowsError(try RegularFile.readText(atPath: zero)) { e in
            XCTAssertEqual(e as? HostFactsError, .notRegularFile(path: zero, kind: "a character device"))
        }
        XCTAssertThrowsError(try RegularFile.readText(atPath: dir.path)) { e in
            XCTAssertEqual(e as? HostFactsError, .notRegularFile(path: dir.path, kind: "a directory"))
        }
        // /dev/null is systemd's mask: empty, not an error.
        XCTAssertEqual(try RegularFile.readText(atPath: "/dev/null"), "")
        XCTAssertNil(try RegularFile.readText(atPath: dir.appendingPathComponent("absent").path))
    }

    func testSizeIsCappedByBytesReadNotStSize() throws {
        let big = dir.appendingPathComponent("big").path
        XCTAssertTrue(FileManager.default.createFile(atPath: big, contents: Data(count: RegularFile.maxBytes + 1)))
        XCTAssertThrowsError(try RegularFile.readText(atPath: big)) { e in
            XCTAssertEqual(e as? HostFactsError, .tooLarge(path: big, limitBytes: RegularFile.maxBytes))
        }
        // /proc files report st_size 0 and are still read in full (oracle: the same file read by Foundation).
        let viaReader = try XCTUnwrap(try RegularFile.readText(atPath: "/proc/self/status"))
        XCTAssertTrue(viaReader.contains("CapEff:"))
        XCTAssertThrowsError(try RegularFile.readText(atPath: "/proc/self/status", maxBytes: 16))
    }

    /// /proc/net/tcp grows with the sockets a busy host holds: kernel files under proc/ are not held to 16 MiB.
    func testKernelFilesUnderProcAreNotHeldToTheConfigCap() throws {
        let root = HostRoot(dir.path)
        for rel in ["proc/net/tcp", "etc/sysctl.d/big.conf"] {
            let url = dir.appendingPathComponent(rel)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            XCTAssertTrue(
                FileManager.default.createFile(
                    atPath: url.path, contents: Data(repeating: 0x20, count: RegularFile.maxBytes + 10)))
        }
        XCTAssertEqual(try root.readText("proc/net/tcp")?.utf8.count, RegularFile.maxBytes + 10)
        XCTAssertThrowsError(try root.readText("etc/sysctl.d/big.conf")) { e in
            XCTAssertEqual(
                e as? HostFactsError,
                .tooLarge(path: root.resolve("etc/sysctl.d/big.conf"), limitBytes: RegularFile.maxBytes))
        }
    }

    func testMeminfoNearIntMaxIsMalformedNotATrap() {
        XCTAssertThrowsError(try MemoryInfo.parse("MemTotal: 9223372036854775807 kB\n", path: "/r/proc/meminfo")) { e in
            XCTAssertEqual(
                e as? HostFactsError,
                .malformed(path: "/r/proc/meminfo", line: 1, reason: "MemTotal: 9223372036854775807 kB is out of range")
            )
        }
        XCTAssertThrowsError(try MemoryInfo.parse("MemTotal: 1 kB\nMemAvailable: -5 kB\n", path: "m")) { e in
            XCTAssertEqual(
                e as? HostFactsError, .malformed(path: "m", line: 2, reason: "MemAvailable: not a number: -5"))
        }
    }

    func testSaturatingArithmetic() {
        XCTAssertEqual(Int.max.addingSaturated(1), .max)
        XCTAssertEqual(Int.min.subtractingSaturated(1), .min)
        XCTAssertEqual(Int.max.subtractingSaturated(-5), .max)
        XCTAssertEqual((Int.max / 2).multipliedSaturated(by: 3), .max)
        XCTAssertEqual((Int.max / 2).multipliedSaturated(by: -3), .min)
        XCTAssertEqual(Int.max.ceilingDivided(by: 4), Int.max / 4 + 1)
        XCTAssertEqual(10.ceilingDivided(by: 4), 3)
        XCTAssertEqual(Int.max.scaled(9, 10), Int.max / 10 * 9)
        XCTAssertEqual(1000.scaled(9, 10), 900)
    }
}
