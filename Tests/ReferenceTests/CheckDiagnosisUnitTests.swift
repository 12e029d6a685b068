import XCTest

@testable import Reference

/// The pure parts of `check`: the process plan and the limit diagnosis rules, each with
/// examples that fire and examples that do not.
final class CheckDiagnosisUnitTests: XCTestCase {
    func testPlanSpreadsOverProcessesWhenOneCannotHoldTheFds() {
        let p = CheckPlan.make(
            connections: 100_000, ratePerSecond: 3000, serverNofile: nil, serverProcesses: nil,
            loadWorkers: nil, fdsPerProcess: 19_000, hardLimit: 20_000,
            sources: SourceAddressPool.loopbackDefault.addresses)
        XCTAssertEqual(p.serverProcesses, 6)
        XCTAssertEqual(p.workers.count, 6)
        XCTAssertEqual(p.workers.reduce(0) { $0 + $1.connections }, 100_000)
        XCTAssertEqual(p.workers.reduce(0) { $0 + $1.ratePerSecond }, 3000, accuracy: 0.001)
        XCTAssertEqual(Set(p.workers.flatMap(\.sources)).count, 39, "every source used once")
        XCTAssertEqual(p.serverNofile, 20_000)
        XCTAssertNotNil(p.reason)
    }

    func testExplicitServerNofileMeansOneProductionUnit() {
        let p = CheckPlan.make(
            connections: 3000, ratePerSecond: 1000, serverNofile: 1024, serverProcesses: nil,
            loadWorkers: nil, fdsPerProcess: 19_000, hardLimit: 20_000, sources: [])
        XCTAssertEqual(p.serverProcesses, 1)
        XCTAssertEqual(p.serverNofile, 1024)
        XCTAssertEqual(p.workers.count, 1)
        XCTAssertNil(p.reason)
        let capped = CheckPlan.make(
            connections: 10, ratePerSecond: 1, serverNofile: 50_000, serverProcesses: nil,
            loadWorkers: nil, fdsPerProcess: 19_000, hardLimit: 20_000, sources: [])
        XCTAssertEqual(capped.serverNofile, 20_000, "cannot exceed the hard limit")
    }

    private func evidence(
        open: Int = 1000, requested: Int = 3000, failures: [String: Int] = [:],
        fds: Int = 100, nofile: Int? = 1024, overflows: (Int, Int) = (0, 0),
        ctDrops: (Int, Int) = (0, 0), alive: Int = 1
    ) -> CheckEvidence {
        var base = HostSample(elapsedSeconds: 0, clientOpen: 0, serverProcessesAlive: 1)
        base.listenOverflows = overflows.0
        base.listenDrops = overflows.0
        base.conntrackDrops = ctDrops.0
        var peak = HostSample(
            elapsedSeconds: 5, clientOpen: open, maxServerFdsPerProcess: fds, serverProcessesAlive: alive)
        peak.listenOverflows = overflows.1
        var end = peak
        end.listenDrops = overflows.1
        end.conntrackDrops = ctDrops.1
        return CheckEvidence(
            requested: requested, openAtEnd: open, peakOpen: open, failures: failures,
            firstErrors: [:], baseline: base, peak: peak, end: end, serverProcesses: 1,
            serverNofile: nofile, somaxconn: 16, portRange: "32768-60999", sourceAddresses: 1,
            tcpMemPagesMax: nil)
    }

    func testServerFdLimitBinds() {
        let f = LimitDiagnosis.diagnose(evidence(failures: ["handshake-timeout": 2000], fds: 1024, nofile: 1024))
        XCTAssertEqual(f.first(where: \.binding)?.id, "server.nofile")
        XCTAssertFalse(f.contains { $0.id == "server.saturated" }, "timeouts are explained by the fd limit")
    }

    func testPortExhaustionBinds() {
        let f = LimitDiagnosis.diagnose(evidence(open: 200, requested: 600, failures: ["EADDRNOTAVAIL": 400]))
        XCTAssertEqual(f.first(where: \.binding)?.id, "client.ephemeral-ports")
    }

    func testListenOverflowsAreSeenEvenWhenReached() {
        let f = LimitDiagnosis.diagnose(evidence(open: 3000, overflows: (5, 900)))
        let s = f.first { $0.id == "net.somaxconn" }
        XCTAssertNotNil(s)
        XCTAssertEqual(s?.binding, false, "reached: a warning, not the binding limit")
        XCTAssertTrue(s?.evidence.first?.contains("+895") ?? false)
    }

    func testConntrackDropsBind() {
        let f = LimitDiagnosis.diagnose(evidence(failures: ["connect-timeout": 2000], ctDrops: (0, 1500)))
        XCTAssertEqual(f.first(where: \.binding)?.id, "conntrack.max")
    }

    func testTimeoutsWithNoCounterAreSaturation() {
        let f = LimitDiagnosis.diagnose(evidence(failures: ["handshake-timeout": 2000]))
        XCTAssertEqual(f.first(where: \.binding)?.id, "server.saturated")
    }

    func testServerExitAndRefusals() {
        let f = LimitDiagnosis.diagnose(evidence(open: 0, failures: ["ECONNREFUSED": 3000], alive: 0))
        XCTAssertEqual(f.first(where: \.binding)?.id, "server.exited")
        XCTAssertTrue(f.contains { $0.id == "server.down" })
        let cap = LimitDiagnosis.diagnose(evidence(failures: ["HTTP-503": 2000]))
        XCTAssertEqual(cap.first(where: \.binding)?.id, "server.connection-cap")
    }

    func testReachedCleanRunHasNoFinding() {
        XCTAssertTrue(LimitDiagnosis.diagnose(evidence(open: 3000)).isEmpty)
    }

    func testShortRunWithNoEvidenceSaysUnknown() {
        XCTAssertEqual(LimitDiagnosis.diagnose(evidence(open: 2990)).first?.id, "unknown")
    }

    func testMemoryPerConnectionUsesLoopbackPairs() {
        var a = HostSample(elapsedSeconds: 0, clientOpen: 0, serverRSSBytes: 10_000_000, serverProcessesAlive: 1)
        a.slabBytes = 100_000_000
        a.tcpInUse = 10
        var b = HostSample(elapsedSeconds: 1, clientOpen: 1000, serverRSSBytes: 15_000_000, serverProcessesAlive: 1)
        b.slabBytes = 120_000_000
        b.tcpInUse = 2010
        let m = ConnectionMemory(baseline: a, end: b, connections: 1000, budgetBytes: 16_384)
        XCTAssertEqual(m.userBytesPerConnection, 5000)
        XCTAssertEqual(m.kernelBytesPerConnection, 20_000)
        XCTAssertEqual(m.withinBudget, false)
    }
}
