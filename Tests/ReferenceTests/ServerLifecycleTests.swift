import Foundation
import WSTTestSupport
import XCTest

@testable import Reference

/// The public API that `check` and the load client use in-process: start on a free port, read metrics,
/// drain, shut down. HTTP answers are read with plain sockets (no NIO on the client side).
final class ServerLifecycleTests: XCTestCase {
    private func get(_ path: String, port: Int) throws -> Int {
        try Loopback.request(port: port, "GET \(path) HTTP/1.0\r\n\r\n", timeoutSeconds: 5).status
    }

    func testStartOnAFreePortServeDrainAndShutDown() throws {
        let server = ReferenceServer(configuration: ServerConfiguration(port: 0, threads: 2, drainTimeoutSeconds: 1))
        try server.start()
        defer { server.shutdown() }
        let port = try XCTUnwrap(server.localPort)
        XCTAssertGreaterThan(port, 0)
        XCTAssertEqual(try get("/healthz", port: port), 200)
        XCTAssertEqual(try get("/readyz", port: port), 200)
        let before = try server.metricsSnapshot()
        XCTAssertEqual(before.counters.httpRequests, 2)
        XCTAssertEqual(before.counters.activeConnections, 0)
        XCTAssertFalse(before.draining)

        server.beginDrain()
        XCTAssertTrue(server.isDraining)
        XCTAssertEqual(try get("/readyz", port: port), 503)
        XCTAssertTrue(try server.metricsSnapshot().draining)
        XCTAssertEqual(server.drain(), 0, "no WebSocket clients were open")
        XCTAssertThrowsError(try get("/healthz", port: port), "the listener is closed after the drain")
        server.shutdown()  // idempotent
    }

    func testInvalidConfigurationIsRefusedBeforeBinding() {
        var c = ServerConfiguration(port: 0)
        c.maxConnections = 0
        XCTAssertThrowsError(try ReferenceServer(configuration: c).start()) { error in
            guard case ReferenceServerError.invalidConfiguration(let problems) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(problems.count, 1)
        }
    }

    func testPortInUseWithoutReusePortFailsWithTheAddress() throws {
        let first = ReferenceServer(configuration: ServerConfiguration(port: 0, threads: 1))
        try first.start()
        defer { first.shutdown() }
        let port = try XCTUnwrap(first.localPort)
        let second = ReferenceServer(configuration: ServerConfiguration(port: port, threads: 1))
        XCTAssertThrowsError(try second.start()) { error in
            XCTAssertTrue("\(error)".contains("cannot listen on 127.0.0.1:\(port)"), "\(error)")
        }
    }
}
