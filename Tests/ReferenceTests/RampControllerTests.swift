import XCTest

@testable import Reference

/// check's closed-loop ramp with synthetic samples: it backs off when p50 rises, recovers, converges below the
/// knee of a simulated host, and never leaves [floor, ceiling].
final class RampControllerTests: XCTestCase {
    /// A host that completes at most `capacity` handshakes/s: above it the excess queues, and latency is the
    /// queue's wait (queue ÷ capacity) on top of `baseMicros`, as the 100k run's 2.65 s p50 was.
    struct SimulatedHost {
        var capacity: Double
        var baseMicros: Double = 2_000
        var queue: Double = 0
        var connected = 0.0
        var runQueue: Double { queue > 0 ? 12 : 2 }

        mutating func advance(offered: Double, seconds dt: Double) -> (achieved: Double, p50Micros: UInt64) {
            queue = max(queue + (offered - capacity) * dt, 0)
            let achieved = min(offered + (queue > 0 ? capacity : 0), capacity)
            connected += achieved * dt
            return (achieved, UInt64(baseMicros + queue / capacity * 1e6))
        }
    }

    func sample(_ t: Double, connected: Double, p50: UInt64, inFlight: Int = 10, runQueue: Double? = nil)
        -> RampController.Sample
    {
        RampController.Sample(
            elapsedSeconds: t, connected: Int(connected), inFlight: inFlight,
            window: LatencySummary(count: 100, p50Micros: p50, p90Micros: p50, p99Micros: p50 * 2, maxMicros: p50 * 3),
            runQueue: runQueue)
    }

    /// Runs the controller against a simulated host for `ticks` half-second steps.
    func drive(_ c: inout RampController, host: inout SimulatedHost, ticks: Int) -> [(Double, UInt64)] {
        var t = 0.0
        c.step(sample(t, connected: 0, p50: 2_000))
        var seen: [(Double, UInt64)] = []
        for _ in 0..<ticks {
            let offered = c.ratePerSecond
            let (_, p50) = host.advance(offered: offered, seconds: 0.5)
            t += 0.5
            let inFlight = Int(host.queue + offered * 0.002)
            c.step(sample(t, connected: host.connected, p50: p50, inFlight: inFlight, runQueue: host.runQueue))
            seen.append((offered, p50))
        }
        return seen
    }

    func testSlowStartReachesTheCeilingOnAHealthyHost() {
        var c = RampController(settings: .init(ceilingPerSecond: 6000, cores: 2))
        var host = SimulatedHost(capacity: 1e9)
        let seen = drive(&c, host: &host, ticks: 30)
        XCTAssertEqual(c.settings.initialPerSecond, 300)
        XCTAssertEqual(seen[1].0, 450, "x1.5 per healthy tick")
        XCTAssertEqual(c.ratePerSecond, 6000, "grows to the ceiling")
        XCTAssertTrue(seen.allSatisfy { $0.0 <= 6000 })
        XCTAssertNil(c.kneePerSecond)
        let s = try? XCTUnwrap(c.sustainable())
        XCTAssertEqual(s?.perSecond ?? 0, 6000, accuracy: 1)
        XCTAssertLessThan(s?.p50Micros ?? .max, 25_000)
    }

    func testBacksOffWhenP50PassesTheTargetThenHoldsThenRecoversAdditively() {
        var c = RampController(settings: .init(ceilingPerSecond: 10_000, cores: 2))
        c.step(sample(0, connected: 0, p50: 2_000))
        c.step(sample(0.5, connected: 250, p50: 2_000))
        XCTAssertEqual(c.ratePerSecond, 750)
        c.step(sample(1.0, connected: 250 + 350, p50: 40_000))  // achieved 700/s, p50 40 ms
        XCTAssertEqual(c.ticks.last?.backoff, .latency)
        XCTAssertEqual(c.ratePerSecond, 700 * 0.7, accuracy: 0.01, "0.7 x min(offered, achieved)")
        XCTAssertEqual(c.kneePerSecond ?? 0, 700, accuracy: 0.01)
        // Within the hold: neither another cut nor growth, even with p50 still high.
        c.step(sample(1.5, connected: 600 + 245, p50: 60_000))
        XCTAssertEqual(c.ratePerSecond, 490, accuracy: 0.01)
        XCTAssertNil(c.ticks.last?.backoff)
        // Healthy again after the hold: additive growth by max(floor, 5 % of the knee) = 100 (floor).
        c.step(sample(2.0, connected: 845 + 245, p50: 3_000))
        XCTAssertEqual(c.ratePerSecond, 590, accuracy: 0.01)
        c.step(sample(2.5, connected: 1090 + 295, p50: 3_000))
        XCTAssertEqual(c.ratePerSecond, 690, accuracy: 0.01)
    }

    func testConvergesBelowTheKneeOfAnOverdrivenHost() throws {
        // The 100k case: a host that takes ~4,100 handshakes/s, asked for up to 6,000.
        var c = RampController(settings: .init(ceilingPerSecond: 6000, cores: 2))
        var host = SimulatedHost(capacity: 4100)
        let seen = drive(&c, host: &host, ticks: 160)
        let late = seen.suffix(80)
        let meanOffered = late.map { $0.0 }.reduce(0, +) / Double(late.count)
        XCTAssertGreaterThan(meanOffered, 0.6 * 4100, "does not collapse")
        XCTAssertLessThan(meanOffered, 1.05 * 4100, "does not sit above the knee")
        let healthy = late.filter { $0.1 < 50_000 }.count
        XCTAssertGreaterThan(Double(healthy) / Double(late.count), 0.9, "p50 under 50 ms most of the time: \(late)")
        XCTAssertGreaterThan(c.ticks.filter { $0.backoff != nil }.count, 1, "found the knee and probed it again")
        let s = try XCTUnwrap(c.sustainable())
        XCTAssertGreaterThan(s.perSecond, 0.6 * 4100)
        XCTAssertLessThanOrEqual(s.perSecond, 4100 * 1.001)
        XCTAssertLessThan(s.p50Micros, 50_000)
        // The open loop at 6,000/s on the same host: the queue grows without end and nothing is sustainable.
        var fixed = RampController(settings: .init(ceilingPerSecond: 6000, cores: 2), steers: false)
        var host2 = SimulatedHost(capacity: 4100)
        let open = drive(&fixed, host: &host2, ticks: 40)
        XCTAssertTrue(open.allSatisfy { $0.0 == 6000 }, "an observer does not steer")
        XCTAssertGreaterThan(open.last?.1 ?? 0, 2_000_000, "seconds of queue, as measured on the 100k run")
        XCTAssertNil(fixed.sustainable())
        XCTAssertTrue(fixed.ticks.contains { $0.backoff == .latency }, "the observer still notes where p50 passed")
    }

    func testRunQueueGrowthCountsOnlyWithRisingLatency() {
        var c = RampController(settings: .init(ceilingPerSecond: 10_000, cores: 2))
        c.setBaseline(runQueue: 3)
        c.step(sample(0, connected: 0, p50: 2_000, runQueue: 3))
        c.step(sample(0.5, connected: 250, p50: 2_000, runQueue: 20))
        XCTAssertNil(c.ticks.last?.backoff, "a busy run queue with fast handshakes is other work, not a queue")
        c.step(sample(1.0, connected: 625, p50: 10_000, runQueue: 20))
        XCTAssertNil(c.ticks.last?.backoff, "p50 10 ms: under half the target, still fine")
        c.step(sample(1.5, connected: 1_000, p50: 14_000, runQueue: 20))
        XCTAssertEqual(c.ticks.last?.backoff, .runQueue, "grown by more than 2 x cores while p50 passed 12.5 ms")
    }

    func testHandshakesQueuedInFlightBackOff() {
        var c = RampController(settings: .init(ceilingPerSecond: 10_000, cores: 2))
        c.step(sample(0, connected: 0, p50: 2_000))
        // 250 completed in 0.5 s (500/s) while 1,000 wait: 2 s in the queue by Little's law.
        c.step(sample(0.5, connected: 250, p50: 2_000, inFlight: 1_000))
        XCTAssertEqual(c.ticks.last?.backoff, .inFlight)
        XCTAssertLessThan(c.ratePerSecond, 500)
    }

    func testHandshakesWaitingOnAnIdleServerAreALimitNotAnOverdrive() {
        var c = RampController(settings: .init(ceilingPerSecond: 3000, cores: 2))
        var s = sample(0, connected: 0, p50: 2_000)
        c.step(s)
        // A server at its fd limit: 1,000 wait, few complete, and the check's processes use 0.2 of 2 cores.
        s = sample(0.5, connected: 20, p50: 2_000, inFlight: 1_000)
        s.window.count = 2
        s.clientCPUCores = 0.1
        s.serverCPUCores = 0.1
        c.step(s)
        XCTAssertNil(c.ticks.last?.backoff)
        XCTAssertEqual(c.ratePerSecond, 200, "no cut; no growth either (40/s achieved of 200/s offered)")
        // The same queue on a host whose cores are all busy: starved, so back off.
        s = sample(1.0, connected: 40, p50: 2_000, inFlight: 1_200)
        s.window.count = 2
        s.clientCPUCores = 0.1
        s.serverCPUCores = 0.1
        s.hostBusyCores = 2
        c.step(s)
        XCTAssertEqual(c.ticks.last?.backoff, .inFlight)
        // A busy host whose servers hold all the fds their nofile allows: a limit again, no cut.
        var d = RampController(settings: .init(ceilingPerSecond: 3000, cores: 2))
        d.step(sample(0, connected: 0, p50: 2_000))
        s.elapsedSeconds = 0.5
        s.serversAtFdLimit = true
        d.step(s)
        XCTAssertNil(d.ticks.last?.backoff)
    }

    func testNeverBelowTheFloorNorAboveTheCeiling() {
        var c = RampController(settings: .init(ceilingPerSecond: 4000, cores: 2))
        var connected = 0.0
        c.step(sample(0, connected: 0, p50: 2_000))
        for i in 1...60 {
            connected += 5
            c.step(sample(Double(i) * 0.5, connected: connected, p50: 900_000))
            XCTAssertGreaterThanOrEqual(c.ratePerSecond, c.settings.floorPerSecond)
        }
        XCTAssertEqual(c.ratePerSecond, 40, "floor: 1 % of the ceiling, at least 20/s")
        XCTAssertNil(c.sustainable(), "no tick held p50 under the target")
    }

    func testSustainableIsTheBestHealthyWindowWithItsWorstLatency() {
        var c = RampController(settings: .init(ceilingPerSecond: 10_000, cores: 2), steers: false)
        let rates: [(Double, UInt64)] = [(1000, 2_000), (2000, 3_000), (3000, 9_000), (3200, 4_000), (900, 30_000)]
        var connected = 0.0
        c.step(sample(0, connected: 0, p50: 2_000))
        for (i, (r, p50)) in rates.enumerated() {
            connected += r * 0.5
            c.step(sample(Double(i + 1) * 0.5, connected: connected, p50: p50))
        }
        let s = try? XCTUnwrap(c.sustainable())
        XCTAssertEqual(s?.perSecond ?? 0, (2000 + 3000 + 3200) / 3, accuracy: 0.5)
        XCTAssertEqual(s?.p50Micros, 9_000)
        XCTAssertEqual(s?.p99Micros, 18_000)
    }
}
