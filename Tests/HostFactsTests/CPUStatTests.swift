import Foundation
import XCTest

@testable import HostFacts

/// /proc/stat and /proc/PID/stat, as check's ramp reads them: parsed from strings, malformed input named, and
/// the live files against independent oracles (getconf, getrusage).
final class CPUStatTests: XCTestCase {
    let stat = """
        cpu  100 5 50 1000 20 3 2 1 7 0
        cpu0 50 2 25 500 10 1 1 0 3 0
        cpu1 50 3 25 500 10 2 1 1 4 0
        intr 12345 0 0
        ctxt 999
        procs_running 7
        procs_blocked 1
        """

    func testParsesTicksCoresAndRunQueue() throws {
        let s = try CPUStat.parse(stat)
        XCTAssertEqual(s.totalTicks, 100 + 5 + 50 + 1000 + 20 + 3 + 2 + 1, "guest is inside user: not added twice")
        XCTAssertEqual(s.idleTicks, 1020)
        XCTAssertEqual(s.busyTicks, 161)
        XCTAssertEqual(s.cpus, 2)
        XCTAssertEqual(s.procsRunning, 7)
    }

    func testMalformedStatIsNamed() {
        XCTAssertThrowsError(try CPUStat.parse("cpu  1 2 x 4\nprocs_running 1\n", path: "/p/stat")) { e in
            XCTAssertEqual(
                e as? HostFactsError, .malformed(path: "/p/stat", line: 1, reason: "cpu line: expected tick counts"))
        }
        XCTAssertThrowsError(try CPUStat.parse("cpu  1 2 3 4\n", path: "s")) { e in
            XCTAssertEqual(e as? HostFactsError, .malformed(path: "s", line: 1, reason: "no procs_running line"))
        }
        XCTAssertThrowsError(try CPUStat.parse("procs_running 2\n"))
        XCTAssertThrowsError(try CPUStat.parse("cpu 1 2 3 4\nprocs_running -1\n"))
    }

    func testProcessStatFieldsAfterTheCommandName() throws {
        let line = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 900 0 0 0 321 45 0 0 20 0 3 0 100 2000 300 1844\n"
        XCTAssertEqual(try ProcessCPUTime.parse(line), ProcessCPUTime(userTicks: 321, systemTicks: 45))
        XCTAssertThrowsError(try ProcessCPUTime.parse("4242 no-paren S 1 2 3", path: "/proc/4242/stat"))
        XCTAssertThrowsError(try ProcessCPUTime.parse("1 (x) S 1 2 3 4 5 6 7 8 9 10 -5 3 0"))
    }

    func testLiveStatAgreesWithGetconfAndItsOwnRunQueue() throws {
        let s = try XCTUnwrap(try CPUStat.read(root: HostRoot()))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["getconf", "_NPROCESSORS_ONLN"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let getconf = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(s.cpus, Int(getconf.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertGreaterThanOrEqual(s.procsRunning, 1, "the reading thread itself runs")
        XCTAssertGreaterThan(s.totalTicks, s.idleTicks)
        XCTAssertNil(try CPUStat.read(root: HostRoot("/nonexistent-root")))
    }

    func testLiveProcessTimeAgreesWithGetrusage() throws {
        // Burn ~0.3 s of CPU so the tick counts are well above their 10 ms resolution.
        let end = Date().addingTimeInterval(0.3)
        var x = 0.0
        while Date() < end { x += sin(x + 1) }
        XCTAssertFalse(x.isNaN)
        let mine = try XCTUnwrap(try ProcessCPUTime.read(root: HostRoot(), pid: getpid()))
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let seconds =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        XCTAssertEqual(Double(mine.ticks) / ProcessCPUTime.ticksPerSecond, seconds, accuracy: 0.05)
        XCTAssertNil(try ProcessCPUTime.read(root: HostRoot(), pid: Int32.max))
    }
}
