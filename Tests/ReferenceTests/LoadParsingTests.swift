import NIOCore
import XCTest

@testable import Reference

/// URL and source-range parsing of `wstune load`, and how errors map to failure kinds.
final class LoadParsingTests: XCTestCase {
    func testURLParts() throws {
        XCTAssertEqual(
            try WebSocketTarget.parse("ws://127.0.0.1:8080/ws"),
            WebSocketTarget(host: "127.0.0.1", port: 8080, path: "/ws"))
        XCTAssertEqual(
            try WebSocketTarget.parse("ws://localhost"), WebSocketTarget(host: "localhost", port: 80, path: "/"))
        XCTAssertEqual(
            try WebSocketTarget.parse("ws://[::1]:9000/ws/broadcast?x=1"),
            WebSocketTarget(host: "::1", port: 9000, path: "/ws/broadcast?x=1"))
        XCTAssertTrue(try WebSocketTarget.parse("ws://h:1/ws/broadcast").isBroadcast)
        XCTAssertFalse(try WebSocketTarget.parse("ws://h:1/ws").isBroadcast)
        XCTAssertEqual(try WebSocketTarget.parse("ws://[::1]:9000/ws").urlString, "ws://[::1]:9000/ws")
    }

    func testBadURLsAreRejectedWithAReason() {
        XCTAssertThrowsError(try WebSocketTarget.parse("wss://h/ws")) { e in
            XCTAssertTrue("\(e)".contains("scheme must be ws://"))
        }
        XCTAssertThrowsError(try WebSocketTarget.parse("ws:///ws"))
        XCTAssertThrowsError(try WebSocketTarget.parse("not a url"))
    }

    func testSourceRanges() throws {
        let pool = try SourceAddressPool.parse("127.0.0.2-127.0.0.5")
        XCTAssertEqual(pool.addresses, ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"])
        XCTAssertEqual(pool.address(for: 5), "127.0.0.3")
        XCTAssertEqual(
            try SourceAddressPool.parse("10.0.0.255-10.0.1.1").addresses, ["10.0.0.255", "10.0.1.0", "10.0.1.1"])
        XCTAssertEqual(try SourceAddressPool.parse("127.0.0.1, ::1").addresses, ["127.0.0.1", "::1"])
        XCTAssertEqual(SourceAddressPool.loopbackDefault.addresses.count, 39)
    }

    func testBadSourceRanges() {
        XCTAssertThrowsError(try SourceAddressPool.parse("127.0.0.9-127.0.0.2"))
        XCTAssertThrowsError(try SourceAddressPool.parse("127.0.0.300"))
        XCTAssertThrowsError(try SourceAddressPool.parse("10.0.0.0-10.2.0.0"))
        XCTAssertThrowsError(try SourceAddressPool.parse(""))
    }

    func testSplitGivesDisjointSourcesToWorkers() throws {
        let parts = try SourceAddressPool.parse("127.0.0.2-127.0.0.8").split(into: 3)
        XCTAssertEqual(
            parts.map(\.addresses),
            [
                ["127.0.0.2", "127.0.0.5", "127.0.0.8"], ["127.0.0.3", "127.0.0.6"],
                ["127.0.0.4", "127.0.0.7"],
            ])
    }

    func testErrnoKinds() {
        XCTAssertEqual(ConnectionFailure.classify(errno: EMFILE), .emfile)
        XCTAssertEqual(ConnectionFailure.classify(errno: ENFILE), .emfile)
        XCTAssertEqual(ConnectionFailure.classify(errno: EADDRNOTAVAIL), .eaddrnotavail)
        XCTAssertEqual(ConnectionFailure.classify(errno: ECONNREFUSED), .econnrefused)
        XCTAssertEqual(ConnectionFailure.classify(IOError(errnoCode: EADDRNOTAVAIL, reason: "connect")), .eaddrnotavail)
        XCTAssertEqual(ConnectionFailure.classify(ChannelError.connectTimeout(.seconds(1))), .connectTimeout)
        XCTAssertEqual(ConnectionFailure.classify(HandshakeFailure.http(503)), .http503)
        XCTAssertEqual(ConnectionFailure.classify(HandshakeFailure.http(403)), .http403)
        XCTAssertEqual(ConnectionFailure.classify(HandshakeFailure.http(404)), .httpOther)
    }

    func testMergedReportsSumCountsAndMergeHistograms() {
        func part(_ connected: Int, latency: UInt64) -> LoadReport {
            let rec = LatencyRecorder()
            for _ in 0..<connected { rec.record(micros: latency) }
            return LoadReport(
                url: "u", requested: connected, started: connected, connected: connected,
                openAtEnd: connected, peakOpen: connected, failed: 0, failures: ["EMFILE": 1],
                firstErrors: [:], closedByPeer: 0, sourceAddresses: 2, rampSeconds: 2,
                handshakesPerSecond: Double(connected) / 2, handshake: rec.summary, echoSent: 0,
                echo: LatencySummary(), broadcast: nil, holdSeconds: 1,
                handshakeHistogram: rec.histogramCopy)
        }
        let m = LoadReport.merged([part(90, latency: 1000), part(10, latency: 50_000)], url: "u")
        XCTAssertEqual(m.connected, 100)
        XCTAssertEqual(m.failures["EMFILE"], 2)
        XCTAssertEqual(m.sourceAddresses, 4)
        XCTAssertEqual(m.handshakesPerSecond, 50, accuracy: 0.001)
        XCTAssertEqual(m.handshake.count, 100)
        XCTAssertEqual(Double(m.handshake.p50Micros), 1000, accuracy: 2)
        XCTAssertEqual(Double(m.handshake.p99Micros), 50_000, accuracy: 50)
        XCTAssertTrue(m.reached)
    }
}
