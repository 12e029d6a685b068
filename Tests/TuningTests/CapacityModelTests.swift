import XCTest

@testable import Tuning

/// Worked examples of the capacity model, written out by hand (README "Capacity model").
final class CapacityModelTests: XCTestCase {
    func testDev10k() throws {
        let n = CapacityModel.needs(for: try Fixtures.profile("dev"))
        XCTAssertEqual(n.serverNofile, 10_000 + 64)
        XCTAssertNil(n.proxyNofile)
        XCTAssertEqual(n.nrOpen, 1_048_576)  // kernel default already covers it
        XCTAssertEqual(n.fileMax, 10_000 + 64 + 65_536)
        XCTAssertEqual(n.reconnectRatePerSecond, 1_000)  // 10,000 in 10 s
        XCTAssertEqual(n.somaxconn, 4_096)  // 1,000/s × 0.5 s = 500, floor 4,096
        XCTAssertEqual(n.conntrackMax, 12_500)  // 10,000 × 1.25
        XCTAssertEqual(n.conntrackBuckets, 3_125)  // max / 4
        XCTAssertEqual(n.tcpMemPages, 20_000)  // 10,000 × 8,192 B / 4,096
        XCTAssertEqual(n.memoryBytes, 10_000 * 16_384)
        XCTAssertEqual(n.ephemeralPortsPerBackend, 0)
    }

    func testGateway1M() throws {
        let n = CapacityModel.needs(for: try Fixtures.profile("gateway-1m"))
        XCTAssertEqual(n.serverNofile, 1_000_064)
        XCTAssertEqual(n.nrOpen, 1_048_576)
        XCTAssertEqual(n.reconnectRatePerSecond, 16_667)  // ceil(1,000,000 / 60)
        XCTAssertEqual(n.somaxconn, 8_334)  // ceil(16,667 × 0.5)
        XCTAssertEqual(n.conntrackMax, 1_250_000)
        XCTAssertEqual(n.conntrackBuckets, 312_500)
        XCTAssertEqual(n.tcpMemPages, 2_000_000)
        XCTAssertEqual(n.memoryBytes, 12_288_000_000)
        XCTAssertEqual(n.keepaliveTimeSeconds, 180)  // 4 × 45 s pings
    }

    func testProxy100kWithFourBackends() throws {
        let n = CapacityModel.needs(for: try Fixtures.profile("proxy"))
        XCTAssertEqual(n.socketsPerConnection, 2)
        // 2 fds per client, a fifteenth more (nginx drains below 1/16 free), and the reserve.
        XCTAssertEqual(n.proxyNofile, 200_000 + 13_334 + 64)
        XCTAssertEqual(n.fileMax, 200_000 + 64 + 65_536)
        XCTAssertEqual(n.ephemeralPortsPerBackend, 27_500)  // 100,000 / 4 × 1.1
        XCTAssertEqual(n.conntrackMax, 250_000)
        XCTAssertEqual(n.somaxconn, 5_000)  // 10,000/s × 0.5
    }

    func testSomaxconnCeiling() throws {
        let n = CapacityModel.needs(for: try Fixtures.profile("dev", connections: 10_000_000))
        XCTAssertEqual(n.somaxconn, 65_535)
    }

    func testSupplyInvertsNeedsOnTunedHost() throws {
        let host = try Fixtures.host("tuned-1m")
        let profile = try Fixtures.profile("gateway-1m")
        let s = Supply.of(host, Requirement(profile: profile, host: host))
        let byId = Dictionary(uniqueKeysWithValues: s.limits.map { ($0.id, $0.connections) })
        XCTAssertEqual(byId["fd.soft-limit"], 1_048_576 - 64)
        XCTAssertEqual(byId["fs.file-max"], 4_194_304 - 1_200 - 64)  // minus handles in use (file-nr)
        XCTAssertEqual(byId["conntrack.max"], 2_097_152)  // 2,621,440 / 1.25
        XCTAssertEqual(byId["net.tcp-mem"], 3_145_728 * 4096 / 8192)
        XCTAssertEqual(s.binding?.id, "fd.soft-limit")
    }

    func testSupplyBindsOnHardLimitWithoutCapability() throws {
        let host = try Fixtures.host("low-capacity")
        let s = Supply.of(host, Requirement(profile: try Fixtures.profile("dev"), host: host))
        XCTAssertEqual(s.binding?.id, "fd.soft-limit")
        XCTAssertEqual(s.connections, 1024 - 64)
        XCTAssertEqual(s.limits.first { $0.id == "fd.hard-limit" }?.connections, 20_000 - 64)
    }
}
