import Foundation
import HostFacts
import WSTTestSupport
import XCTest

/// The readers check samples through (file-nr, softnet_stat, Slab, VmRSS and fds, conntrack statistics): a
/// pure parse that throws on a malformed file, and a read that returns nil when the file is absent.
final class SamplingReadersTests: XCTestCase {
    private var tree: URL!

    override func setUpWithError() throws {
        tree = FileManager.default.temporaryDirectory.appendingPathComponent("wst-18-readers-\(getpid())-\(UUID())")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tree)
    }

    private func write(_ relative: String, _ text: String) throws {
        try TreeWriter.write(relative, text, under: tree)
    }

    private var root: HostRoot { HostRoot(tree.path) }

    private func assertMalformed(
        _ body: () throws -> Any?, path: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case .malformed(let p, _, _)? = error as? HostFactsError else {
                return XCTFail("expected malformed, got \(error)", file: file, line: line)
            }
            XCTAssertTrue(p.hasSuffix(path), "\(p) names \(path)", file: file, line: line)
        }
    }

    func testAbsentFilesReadAsNil() throws {
        XCTAssertNil(try FileHandles.read(root: root))
        XCTAssertNil(try SoftnetStat.read(root: root))
        XCTAssertNil(try RunQueue.read(root: root))
        XCTAssertNil(try MemoryInfo.readSlabBytes(root: root))
        XCTAssertNil(try ProcessStatus.read(root: root, pid: 1))
        XCTAssertNil(try ConntrackFacts.readStats(root: root))
    }

    func testFileNr() throws {
        XCTAssertEqual(try FileHandles.parse("2304\t0\t9223372036854775807\n"), FileHandles(allocated: 2304, max: .max))
        try write("proc/sys/fs/file-nr", "1000\t0\t800\n")
        XCTAssertEqual(try FileHandles.read(root: root)?.free, 0, "more allocated than the max leaves none free")
        for bad in ["garbage", "1 2", "1 0 x", "1 0 2 3", ""] {
            try write("proc/sys/fs/file-nr", bad)
            assertMalformed({ try FileHandles.read(root: self.root) }, path: "proc/sys/fs/file-nr")
        }
    }

    func testSoftnetDroppedSumsColumnTwoOverCPUs() throws {
        let two = "00531ce3 00000086 00000000\n0043bd2e 00000072 00000000\n"
        XCTAssertEqual(try SoftnetStat.parse(two), SoftnetStat(dropped: 0x86 + 0x72, cpus: 2))
        for bad in ["zz yy\n", "00000001\n", "", "00000001 0000zz00\n", "7fffffffffffffff 7fffffffffffffff\n1 1\n"] {
            try write("proc/net/softnet_stat", bad)
            assertMalformed({ try SoftnetStat.read(root: self.root) }, path: "proc/net/softnet_stat")
        }
    }

    func testRunQueueIsTheFourthFieldOfLoadavg() throws {
        XCTAssertEqual(
            try RunQueue.parse("0.52 0.58 0.59 3/467 12345\n"), RunQueue(runnable: 3, tasks: 467))
        for bad in ["", "0.52 0.58 0.59\n", "0.5 0.5 0.5 3 12\n", "0.5 0.5 0.5 x/467 12\n", "0.5 0.5 0.5 -1/4 9\n"] {
            try write("proc/loadavg", bad)
            assertMalformed({ try RunQueue.read(root: self.root) }, path: "proc/loadavg")
        }
        // This process is running while it reads, so the live host has at least one runnable task.
        let live = try XCTUnwrap(try RunQueue.read(root: HostRoot()))
        XCTAssertGreaterThanOrEqual(live.runnable, 1)
        XCTAssertGreaterThan(live.tasks, live.runnable - 1)
    }

    func testSlab() throws {
        XCTAssertEqual(try MemoryInfo.parseSlabBytes("MemTotal: 1 kB\nSlab:     2048 kB\n"), 2048 * 1024)
        XCTAssertNil(try MemoryInfo.parseSlabBytes("MemTotal: 1 kB\n"), "no Slab line: absent")
        for bad in ["Slab: lots kB\n", "Slab: 12\n", "Slab: 9223372036854775807 kB\n"] {
            try write("proc/meminfo", bad)
            assertMalformed({ try MemoryInfo.readSlabBytes(root: self.root) }, path: "proc/meminfo")
        }
    }

    func testVmRSS() throws {
        XCTAssertEqual(try ProcessStatus.parseRSS("Name:\twstune\nVmRSS:\t   12345 kB\nThreads: 3\n"), 12345 * 1024)
        XCTAssertNil(try ProcessStatus.parseRSS("Name:\tkthreadd\n"), "kernel threads have no VmRSS")
        try write("proc/42/status", "Name:\tx\nVmRSS:\t  many kB\n")
        assertMalformed({ try ProcessStatus.read(root: self.root, pid: 42) }, path: "proc/42/status")
        try write("proc/42/status", "Name:\tx\nVmRSS:\t  10 kB\n")
        try write("proc/42/fd/0", "")
        try write("proc/42/fd/1", "")
        XCTAssertEqual(try ProcessStatus.read(root: root, pid: 42), ProcessStatus(rssBytes: 10_240, openFds: 2))
    }

    func testConntrackStatsMalformed() throws {
        try write("proc/net/stat/nf_conntrack", "entries drop\n00000001\n")
        assertMalformed({ try ConntrackFacts.readStats(root: self.root) }, path: "proc/net/stat/nf_conntrack")
    }

    /// Oracles on the live host: `sysctl -n fs.file-nr` (procps) and `ps -o rss=` for this test process.
    func testLiveValuesMatchProcps() throws {
        let live = try XCTUnwrap(try FileHandles.read(root: HostRoot()))
        let fields = try run(["sysctl", "-n", "fs.file-nr"]).split(whereSeparator: \.isWhitespace).compactMap {
            Int($0)
        }
        XCTAssertEqual(fields.count, 3)
        XCTAssertEqual(live.max, fields[2])
        XCTAssertLessThan(abs(live.allocated - fields[0]), 2000, "allocated moves a little between the two reads")
        let me = try XCTUnwrap(try ProcessStatus.read(root: HostRoot(), pid: getpid()))
        let psKB = try XCTUnwrap(
            Int(try run(["ps", "-o", "rss=", "-p", "\(getpid())"]).trimmingCharacters(in: .whitespacesAndNewlines)))
        let rss = try XCTUnwrap(me.rssBytes)
        XCTAssertLessThan(abs(rss / 1024 - psKB), max(psKB / 10, 4096), "VmRSS \(rss / 1024) kB vs ps \(psKB) kB")
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        XCTAssertLessThan(abs(me.openFds - fds), 5)
        XCTAssertNotNil(try SoftnetStat.read(root: HostRoot()))
        XCTAssertGreaterThan(try XCTUnwrap(try MemoryInfo.readSlabBytes(root: HostRoot())), 0)
    }

    /// A tree's CPU count and page size come from the tree, never from this machine.
    func testMemoryInfoUnderARootUsesTheTree() throws {
        try write("proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 500 kB\n")
        XCTAssertEqual(try MemoryInfo.read(root: root)?.cpus, 1, "no cpuinfo in the tree: not this machine's CPUs")
        XCTAssertEqual(try MemoryInfo.read(root: root)?.pageSize, 4096)
        try write("proc/cpuinfo", (0..<7).map { "processor\t: \($0)\nmodel name\t: x\n\n" }.joined())
        XCTAssertEqual(try MemoryInfo.read(root: root)?.cpus, 7)
        let live = try XCTUnwrap(try MemoryInfo.read(root: HostRoot()))
        XCTAssertEqual(
            live.cpus, Int(try run(["getconf", "_NPROCESSORS_ONLN"]).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(
            live.pageSize, Int(try run(["getconf", "PAGESIZE"]).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    private func run(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
