import Foundation
import XCTest

@testable import Reference

/// The worker side of the closed loop: the pacer's schedule, "rate N" commands over a real pipe, and the
/// last-second latency window.
final class RampPacingTests: XCTestCase {
    func testWithoutCommandsThePacerKeepsTheOpenLoopSchedule() {
        var p = RampPacer()
        let control = LoadControl()
        // Started on time: due times are i / rate.
        for i in 0..<5 {
            XCTAssertEqual(p.nextDueSeconds, Double(i) / 100, accuracy: 1e-9)
            p.started(at: p.nextDueSeconds, control: control, defaultRate: 100)
        }
        // A 2 s stall: the open loop catches up the whole schedule (due stays in the past).
        p.started(at: 2.0, control: control, defaultRate: 100)
        XCTAssertEqual(p.nextDueSeconds, 0.06, accuracy: 1e-9)
        var unpaced = RampPacer()
        unpaced.started(at: 1.5, control: control, defaultRate: 0)
        XCTAssertEqual(unpaced.nextDueSeconds, 1.5)
    }

    func testUnderARateCommandAStallCatchesUpAtMostATenthOfASecond() {
        var p = RampPacer()
        let control = LoadControl()
        control.setRate(1000)
        p.started(at: 0, control: control, defaultRate: 100)
        XCTAssertEqual(p.nextDueSeconds, 0.001, accuracy: 1e-9, "the commanded rate, not --rate")
        p.started(at: 2.0, control: control, defaultRate: 100)
        XCTAssertEqual(p.nextDueSeconds, 1.901, accuracy: 1e-9, "100 handshakes of catch-up, not 2,000")
        control.setRate(-5)
        control.setRate(.nan)
        XCTAssertEqual(control.rateCommand, 1000, "nonsense rates are ignored")
    }

    func testRateCommandsArriveOverAPipe() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[1]) }
        let control = LoadControl()
        control.listen(fd: fds[0])
        let text = "rate 2500.5\nrate x\nbroadcast\n"
        XCTAssertEqual(
            text.utf8CString.withUnsafeBufferPointer { write(fds[1], $0.baseAddress, text.utf8.count) },
            text.utf8.count)
        let deadline = Date().addingTimeInterval(5)
        while control.rateCommand == nil && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(control.rateCommand, 2500.5)
        while !control.takeBroadcastRequest() && Date() < deadline { usleep(10_000) }
        XCTAssertFalse(control.shouldStop)
    }

    func testLatencyWindowPercentilesAndExpiry() {
        let w = LatencyWindow()
        let t0: UInt64 = 1_000_000_000_000
        for v in 1...1000 { w.record(micros: UInt64(v) * 100, atNanos: t0) }  // 100 µs … 100 ms, uniform
        let s = w.summary(atNanos: t0)
        XCTAssertEqual(s.count, 1000)
        XCTAssertEqual(Double(s.p50Micros), 50_000, accuracy: 50_000 * 0.125)
        XCTAssertEqual(Double(s.p99Micros), 99_000, accuracy: 99_000 * 0.125)
        XCTAssertEqual(s.maxMicros, 100_000)
        // 0.9 s later the slot still counts; 1.1 s later it has left the window.
        XCTAssertEqual(w.summary(atNanos: t0 + 900_000_000).count, 1000)
        XCTAssertEqual(w.summary(atNanos: t0 + 1_100_000_000).count, 0)
        // A new slot reuses the old one's place and starts empty.
        w.record(micros: 3, atNanos: t0 + 1_000_000_000)
        let n = w.summary(atNanos: t0 + 1_000_000_000)
        XCTAssertEqual(n.count, 1)
        XCTAssertEqual(n.p50Micros, 3)
    }

    func testLatencyWindowBucketsCoverTheRange() {
        for v: UInt64 in [0, 1, 7, 8, 15, 16, 1_000, 65_537, 3_600_000_000] {
            let mid = LatencyWindow.midpoint(of: LatencyWindow.bucket(of: v))
            XCTAssertEqual(Double(mid), Double(v), accuracy: max(Double(v) * 0.07, 1), "\(v)")
        }
        XCTAssertEqual(LatencyWindow.bucket(of: .max), LatencyWindow.bucketCount - 1)
    }
}
