import Tuning
import XCTest

@testable import Reference

/// The diagnosis names host limits with the audit's check ids, and exactly one finding binds.
final class CheckDiagnosisIDTests: XCTestCase {
    private func evidence(
        open: Int = 1000, failures: [String: Int] = [:], fds: Int = 100, softnet: (Int, Int) = (0, 0),
        tcpMemPages: Int? = nil, ctDrops: (Int, Int) = (0, 0), overflows: (Int, Int) = (0, 0)
    ) -> CheckEvidence {
        var base = HostSample(elapsedSeconds: 0, clientOpen: 0, serverProcessesAlive: 1)
        base.softnetDrops = softnet.0
        base.conntrackDrops = ctDrops.0
        base.listenOverflows = overflows.0
        var end = HostSample(elapsedSeconds: 5, clientOpen: open, maxServerFdsPerProcess: fds, serverProcessesAlive: 1)
        end.softnetDrops = softnet.1
        end.conntrackDrops = ctDrops.1
        end.listenOverflows = overflows.1
        end.tcpMemPages = tcpMemPages
        end.filesAllocated = 995
        end.fileMax = 1000
        return CheckEvidence(
            requested: 3000, openAtEnd: open, peakOpen: open, failures: failures, firstErrors: [:],
            baseline: base, peak: end, end: end, serverProcesses: 1, serverNofile: 1024, somaxconn: 16,
            portRange: "32768-60999", sourceAddresses: 1, tcpMemPagesMax: 100)
    }

    func testHostLimitsCarryTheAuditsIDs() {
        let f = LimitDiagnosis.diagnose(
            evidence(
                failures: ["ENOBUFS": 10, "EADDRNOTAVAIL": 5], softnet: (1, 9), tcpMemPages: 100, ctDrops: (0, 3),
                overflows: (0, 4)))
        let ids = Set(f.map(\.id))
        for id in [NetdevBacklogCheck.id, TcpMemCheck.id, ConntrackMaxCheck.id, FileMaxCheck.id, SomaxconnCheck.id] {
            XCTAssertTrue(ids.contains(id), "\(id) in \(ids.sorted())")
        }
        let own: Set = [
            LimitFinding.ID.serverNofile, LimitFinding.ID.clientEphemeralPorts, LimitFinding.ID.clientNofile,
            LimitFinding.ID.serverExited, LimitFinding.ID.serverConnectionCap, LimitFinding.ID.serverOrigin,
            LimitFinding.ID.serverDown, LimitFinding.ID.serverSaturated, LimitFinding.ID.serverClosedConnections,
            LimitFinding.ID.unknown,
        ]
        for id in ids { XCTAssertTrue(own.contains(id) || CheckRegistry.ids.contains(id), "\(id) is no audit id") }
    }

    /// The rules run from the most specific proof on; the first that can bind is the one that binds.
    func testOnlyTheFirstFindingOfAShortRunBinds() {
        let f = LimitDiagnosis.diagnose(
            evidence(failures: ["EADDRNOTAVAIL": 400, "EMFILE": 3], fds: 1024, ctDrops: (0, 9)))
        XCTAssertEqual(
            f.filter(\.binding).map(\.id), [LimitFinding.ID.serverNofile], "\(f.map { ($0.id, $0.binding) })")
        XCTAssertGreaterThanOrEqual(f.count, 4)
        let softnetFirst = LimitDiagnosis.diagnose(evidence(failures: ["ENOBUFS": 10], softnet: (0, 5)))
        XCTAssertEqual(softnetFirst.filter(\.binding).map(\.id), [FileMaxCheck.id], "softnet drops never bind")
        let reached = LimitDiagnosis.diagnose(evidence(open: 3000, fds: 1024))
        XCTAssertTrue(reached.allSatisfy { !$0.binding })
    }
}
