import XCTest

@testable import Reference

/// How check names misbehaving servers: other HTTP statuses by status, protocol errors, and a broadcast that
/// did not reach every client (which keeps a check from REACHED even with every connection open).
final class CheckErrorKindTests: XCTestCase {
    private func evidence(open: Int, failures: [String: Int], broadcast: BroadcastResult? = nil) -> CheckEvidence {
        let base = HostSample(elapsedSeconds: 0, clientOpen: 0, serverProcessesAlive: 1)
        let end = HostSample(elapsedSeconds: 5, clientOpen: open, serverProcessesAlive: 1)
        var e = CheckEvidence(
            requested: 50, openAtEnd: open, peakOpen: open, failures: failures, firstErrors: [:], baseline: base,
            peak: end, end: end, serverProcesses: 1, serverNofile: 20_000, somaxconn: 4096, portRange: nil,
            sourceAddresses: 1, tcpMemPagesMax: nil)
        e.broadcast = broadcast
        return e
    }

    func testOtherHTTPStatusIsNamedWithItsStatus() {
        let e = evidence(open: 0, failures: ["HTTP-500": 40, "HTTP-404": 10])
        let f = LimitDiagnosis.diagnose(e)
        let binding = f.first(where: \.binding)
        XCTAssertEqual(binding?.id, "server.http-status")
        XCTAssertEqual(binding?.title, "the server answered upgrades with HTTP 404, HTTP 500 instead of 101")
        XCTAssertFalse(f.contains { $0.id == "unknown" })
        XCTAssertEqual(
            ConnectionFailure.meaning(ofReportKey: "HTTP-500"),
            "HTTP 500 (Internal Server Error) instead of 101 Switching Protocols")
    }

    func testUndeliveredBroadcastKeepsACheckFromReached() {
        let missed = BroadcastResult(expected: 50, delivered: 32, rounds: 4, senders: 4, latency: LatencySummary())
        let e = evidence(open: 50, failures: ["broadcast-undelivered": 18], broadcast: missed)
        XCTAssertFalse(e.reached, "every client must receive the broadcast")
        XCTAssertEqual(LimitDiagnosis.diagnose(e).first(where: \.binding)?.id, "server.broadcast-undelivered")
        let all = BroadcastResult(expected: 50, delivered: 50, rounds: 1, senders: 4, latency: LatencySummary())
        XCTAssertTrue(evidence(open: 50, failures: [:], broadcast: all).reached)
    }

    func testProtocolErrorBinds() {
        let f = LimitDiagnosis.diagnose(evidence(open: 0, failures: ["protocol-error": 50]))
        XCTAssertEqual(f.first(where: \.binding)?.id, "server.protocol-error")
    }

    func testErrorTextsAreForPeople() {
        XCTAssertEqual(
            ConnectionFailure.describe(HandshakeFailure.http(404)),
            "HTTP 404 Not Found instead of 101 Switching Protocols")
        XCTAssertEqual(ConnectionFailure.reportKey(HandshakeFailure.http(404)), "HTTP-404")
        XCTAssertEqual(ConnectionFailure.reportKey(HandshakeFailure.http(503)), "HTTP-503")
        XCTAssertEqual(ConnectionFailure.kind(ofReportKey: "HTTP-418"), .httpOther)
        XCTAssertNil(ConnectionFailure.kind(ofReportKey: "HTTP-x"))
    }
}
