import HostFacts
import XCTest

@testable import Reference

/// The check's own prediction from a host tree under a temporary root (never the live host's files).
final class CheckPredictionTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wstune-predict-\(UUID().uuidString.prefix(8))")
        try write("proc/sys/net/ipv4/ip_local_port_range", "40000\t40199\n")
        try write("proc/sys/fs/file-nr", "1000\t0\t11000\n")
        try write("proc/meminfo", "MemTotal:  8000000 kB\nMemAvailable:  1600000 kB\n")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func testSmallestLimitBinds() {
        let plan = CheckPlan.make(
            connections: 3000, ratePerSecond: 1000, serverNofile: 1024, serverProcesses: nil,
            loadWorkers: nil, fdsPerProcess: 19_000, hardLimit: 20_000,
            sources: ["127.0.0.2", "127.0.0.3"])
        let p = HostCapacityPredictor().predict(connections: 3000, profile: nil, plan: plan, root: HostRoot(root.path))
        let byID = Dictionary(uniqueKeysWithValues: p.limits.map { ($0.id, $0.connections) })
        XCTAssertEqual(byID["server.nofile"], 1024 - HostCapacityPredictor.serverFdReserve)
        XCTAssertEqual(byID["client.ephemeral-ports"], 200 * 2)
        XCTAssertEqual(byID["fs.file-max"], 5000, "10,000 free handles, two per loopback connection")
        XCTAssertEqual(byID["memory"], 1_600_000 * 1024 / 16_384)
        XCTAssertNil(byID["conntrack.max"], "no conntrack files under this root")
        XCTAssertEqual(p.binding?.id, "client.ephemeral-ports")
        XCTAssertEqual(p.connections, 400)
    }
}
