import Foundation
import XCTest

@testable import Reference

/// The public API that `check` and the load client use in-process: start on a free port, read metrics,
/// drain, shut down. HTTP answers are read with plain sockets (no NIO on the client side).
final class ServerLifecycleTests: XCTestCase {
    private func get(_ path: String, port: Int) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard ok else { throw POSIXError(.ECONNREFUSED) }
        let request = Array("GET \(path) HTTP/1.0\r\n\r\n".utf8)
        _ = send(fd, request, request.count, Int32(MSG_NOSIGNAL))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var data = [UInt8]()
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        let line = String(decoding: data, as: UTF8.self).split(separator: " ")
        guard line.count > 1, let status = Int(line[1]) else { throw POSIXError(.EPROTO) }
        return status
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
