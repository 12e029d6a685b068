import Tuning
import XCTest

@testable import Reference

/// The pure parts of `check --via`: nginx's error-log lines (copied from the real nginx 1.22.1 runs of
/// CheckViaTests on this machine) by kind, the hop's prediction, and the one binding finding.
final class ProxyDiagnosisTests: XCTestCase {
    static let log = """
        2026/12/02 14:24:09 [alert] 15372#15372: 1000 worker_connections are not enough
        2026/12/02 14:24:13 [alert] 15409#15409: *1009 socket() failed (24: Too many open files) while connecting \
        to upstream, client: 127.0.0.39, server: _, request: "GET /ws/broadcast HTTP/1.1"
        2026/12/02 14:38:30 [crit] 28954#28954: *1997 connect() to 127.0.0.1:40745 failed (99: Cannot assign \
        requested address) while connecting to upstream, client: 127.0.0.25, server: _
        2026/12/02 14:38:31 [error] 28954#28954: *2001 connect() failed (111: Connection refused) while connecting \
        to upstream
        2026/12/02 14:23:37 [warn] 15184#15184: 1000 worker_connections are not enough, reusing connections
        2026/12/02 14:23:38 [notice] 15184#15184: signal process started
        """

    func testNginxLogLinesAreCountedByKind() {
        let e = NginxHop.evidence(log: Self.log)
        XCTAssertEqual(e.count(.workerConnections), 2)
        XCTAssertEqual(e.count(.tooManyOpenFiles), 1)
        XCTAssertEqual(e.count(.upstreamAddressNotAvailable), 1)
        XCTAssertEqual(e.count(.upstreamRefused), 1)
        XCTAssertTrue(e.firstErrors["worker-connections"]?.contains("15372") ?? false)
        XCTAssertEqual(NginxHop.evidence(log: "").errorCounts, [:])
    }

    func testPredictionCoversEveryHop() {
        let nginx = ProxyHopLimits(
            kind: .nginx, workers: 2, workerConnections: 600, nofile: 1024, listeners: 1, backends: ["127.0.0.1:9"])
        let space = EphemeralPortSpace(range: [40000, 40999], reserved: [], held: nil)
        let limits = Dictionary(
            uniqueKeysWithValues: ProxyPrediction.limits(nginx, ports: space).map { ($0.id, $0.connections) })
        XCTAssertEqual(limits[LimitFinding.ID.proxyWorkerConnections], 2 * 299)
        XCTAssertEqual(limits[LimitFinding.ID.proxyNofile], 2 * 506)
        XCTAssertEqual(limits[LimitFinding.ID.proxyUpstreamPorts], 1000)
        let haproxy = ProxyHopLimits(kind: .haproxy, workers: 1, maxconn: 600, nofile: 1024, backends: ["a", "b"])
        let h = Dictionary(
            uniqueKeysWithValues: ProxyPrediction.limits(haproxy, ports: space).map { ($0.id, $0.connections) })
        XCTAssertEqual(h[LimitFinding.ID.proxyMaxconn], 600)
        XCTAssertEqual(h[LimitFinding.ID.proxyNofile], (1024 - 16) / 2)
        XCTAssertEqual(h[LimitFinding.ID.proxyUpstreamPorts], 2000)
    }

    func testExactlyOneFindingBindsAndABackendLimitWins() {
        let limits = ProxyHopLimits(kind: .nginx, workers: 1, workerConnections: 600, nofile: 1024, backends: ["x"])
        let proxy = ProxyDiagnosis.diagnose(
            NginxHop.evidence(log: Self.log), limits: limits, exited: false, reached: false)
        XCTAssertEqual(proxy.filter(\.binding).map(\.id), [LimitFinding.ID.proxyWorkerConnections])
        let check = [
            LimitFinding(id: LimitFinding.ID.serverClosedConnections, title: "", evidence: [], binding: true)
        ]
        let merged = ProxyDiagnosis.merge(proxy: proxy, check: check, reached: false)
        XCTAssertEqual(merged.filter(\.binding).map(\.id), [LimitFinding.ID.proxyWorkerConnections])
        // The backend at its fd limit: nginx's slots filled only because its upstream connects piled up.
        let backend = [LimitFinding(id: LimitFinding.ID.serverNofile, title: "", evidence: [], binding: true)]
        let m2 = ProxyDiagnosis.merge(proxy: proxy, check: backend, reached: false)
        XCTAssertEqual(m2.filter(\.binding).map(\.id), [LimitFinding.ID.serverNofile])
        // A run that reached its target binds nothing.
        XCTAssertTrue(
            ProxyDiagnosis.diagnose(NginxHop.evidence(log: Self.log), limits: limits, exited: false, reached: true)
                .allSatisfy { !$0.binding })
    }
}
