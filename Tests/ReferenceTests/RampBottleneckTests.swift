import XCTest

@testable import Reference

/// Which side the ramp names as the bottleneck, from the ticks where it backed off.
final class RampBottleneckTests: XCTestCase {
    func tick(client: Double, server: Double, busy: Double, backoff: RampSignal? = .latency, offered: Double = 5000)
        -> RampTick
    {
        RampTick(
            elapsedSeconds: 1, offeredPerSecond: offered, achievedPerSecond: 4000, windowCount: 100, p50Micros: 30_000,
            p99Micros: 60_000, inFlight: 100, clientCPUCores: client, serverCPUCores: server, hostBusyCores: busy,
            backoff: backoff)
    }

    func judge(_ ticks: [RampTick], failures: [String: Int] = [:], clientThreads: Int = 2) -> RampBottleneck {
        RampBottleneck.judge(
            ticks: ticks, cores: 2, clientThreads: clientThreads, failures: failures, ceilingPerSecond: 6000,
            p50TargetMicros: 25_000)
    }

    func testClientFdsAndPortsAreTheLoadSide() {
        let b = judge([tick(client: 0.2, server: 0.2, busy: 0.5)], failures: ["EMFILE": 12, "HTTP-503": 3])
        XCTAssertEqual(b.side, .load)
        XCTAssertTrue(b.statement.contains("EMFILE/ENFILE 12"), b.statement)
        let p = judge([], failures: ["EADDRNOTAVAIL": 7])
        XCTAssertEqual(p.side, .load)
        XCTAssertTrue(p.statement.contains("ports"), p.statement)
    }

    func testSaturatedHostWithTheClientUsingMostIsTheLoadSide() {
        let b = judge([tick(client: 1.1, server: 0.8, busy: 1.95), tick(client: 1.0, server: 0.9, busy: 2)])
        XCTAssertEqual(b.side, .load, b.statement)
        XCTAssertEqual(b.clientCPUCores ?? 0, 1.05, accuracy: 1e-9)
        XCTAssertTrue(b.statement.contains("load workers 1.05, servers 0.85"), b.statement)
    }

    func testOneWorkerAtItsThreadIsTheLoadSideEvenWithCoresIdle() {
        let b = judge([tick(client: 0.95, server: 0.3, busy: 1.3)], clientThreads: 1)
        XCTAssertEqual(b.side, .load, b.statement)
    }

    func testSaturatedHostWithTheServerUsingMostIsTheServer() {
        let b = judge([tick(client: 0.6, server: 1.3, busy: 1.97)])
        XCTAssertEqual(b.side, .server, b.statement)
        XCTAssertTrue(b.statement.contains("CPU bound"), b.statement)
    }

    func testOtherWorkHoldingTheCoresIsTheHost() {
        let b = judge([tick(client: 0.3, server: 0.4, busy: 1.9)])
        XCTAssertEqual(b.side, .host, b.statement)
        XCTAssertEqual(b.otherCPUCores ?? 0, 1.2, accuracy: 1e-9)
    }

    func testLatencyWithCoresToSpareIsTheServerNotCPU() {
        let b = judge([tick(client: 0.2, server: 0.3, busy: 0.6)])
        XCTAssertEqual(b.side, .server)
        XCTAssertTrue(b.statement.contains("not CPU"), b.statement)
    }

    func testNoBackOffIsNoneOrALoadSideThatCouldNotOffer() {
        let held = judge([tick(client: 0.5, server: 0.5, busy: 1, backoff: nil, offered: 4000)])
        XCTAssertEqual(held.side, .none, held.statement)
        XCTAssertTrue(held.statement.contains("ceiling 6000/s"), held.statement)
        let short = judge([tick(client: 1, server: 0.5, busy: 1.6, backoff: nil, offered: 6000)])
        XCTAssertEqual(short.side, .load, "told 6,000/s, completed 4,000/s without latency: the client lagged")
    }

    func testSummaryKeepsBackOffTicksWhenThinning() {
        var c = RampController(settings: .init(ceilingPerSecond: 1000, cores: 2), steers: false)
        var connected = 0
        c.step(.init(elapsedSeconds: 0, connected: 0, inFlight: 0, window: LatencySummary()))
        for i in 1...300 {
            connected += 400
            let p50: UInt64 = i == 151 ? 90_000 : 2_000
            c.step(
                .init(
                    elapsedSeconds: Double(i) * 0.5, connected: connected, inFlight: 5,
                    window: LatencySummary(count: 50, p50Micros: p50, p90Micros: p50, p99Micros: p50, maxMicros: p50)))
        }
        let s = RampSummary.make(mode: .fixed, controller: c, cores: 2, clientThreads: 2, failures: [:])
        XCTAssertLessThanOrEqual(s.ticks.count, 121)
        XCTAssertEqual(s.ticks.filter { $0.backoff != nil }.count, 1)
        XCTAssertEqual(s.backoffs, ["p50": 1])
        XCTAssertEqual(s.sustainablePerSecond ?? 0, 800, accuracy: 0.01)
    }
}
