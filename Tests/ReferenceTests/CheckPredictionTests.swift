import HostFacts
import Tuning
import WSTTestSupport
import XCTest

@testable import Reference

/// check's prediction from a host tree under a temporary root (never the live host's files): the audit's model
/// with the check's process limits, under the audit's ids.
final class CheckPredictionTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wstune-predict-\(UUID().uuidString.prefix(8))")
        try write("proc/sys/net/ipv4/ip_local_port_range", "40000\t40199\n")
        try write("proc/sys/net/ipv4/ip_local_reserved_ports", "40000-40009\n")
        try write("proc/sys/fs/file-nr", "1000\t0\t11000\n")
        try write("proc/sys/fs/file-max", "11000\n")
        try write("proc/sys/fs/nr_open", "1048576\n")
        try write("proc/meminfo", "MemTotal:  8000000 kB\nMemAvailable:  1600000 kB\n")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func write(_ relative: String, _ text: String) throws {
        try TreeWriter.write(relative, text, under: root)
    }

    private func plan() -> CheckPlan {
        CheckPlan.make(
            connections: 3000, ratePerSecond: 1000, serverNofile: 1024, serverProcesses: nil,
            loadWorkers: nil, fdsPerProcess: 19_000, hardLimit: 20_000,
            sources: ["127.0.0.2", "127.0.0.3"])
    }

    func testSmallestLimitBindsWithTheAuditsFormulas() throws {
        let host = try HostSnapshot.read(root: HostRoot(root.path))
        let p = AuditCapacityPredictor().predict(connections: 3000, profile: nil, plan: plan(), host: host)
        let byID = Dictionary(uniqueKeysWithValues: p.limits.map { ($0.id, $0.connections) })
        XCTAssertEqual(byID[LimitFinding.ID.serverNofile], 1024 - CapacityModel.fdReserve, "the audit's fd reserve")
        XCTAssertEqual(byID[LimitFinding.ID.clientEphemeralPorts], (200 - 10) * 2, "reserved ports are not usable")
        XCTAssertEqual(byID[FileMaxCheck.id], 11000 - 1000 - CapacityModel.fdReserve)
        XCTAssertEqual(byID[MemoryBudgetCheck.id], 1_600_000 * 1024 / Profile.defaultPerConnectionBytes)
        XCTAssertNil(byID[ConntrackMaxCheck.id], "no conntrack files under this root")
        XCTAssertNil(byID[FdSoftLimitCheck.id], "the check's own server limit replaces the audit's process limit")
        XCTAssertEqual(p.binding?.id, LimitFinding.ID.clientEphemeralPorts)
        XCTAssertEqual(p.connections, 380)
    }

    /// Issue 19: ports bind() holds inside the range (the live census) are skipped by connect(): the client's
    /// ephemeral limit, the audit's ephemeral supply and the `explicitlyBoundPorts` figure for check --via shrink by
    /// the held ports that are not already reserved, and the detail says how many.
    func testPortsHeldByBindShrinkTheClientPortLimit() throws {
        var host = try HostSnapshot.read(root: HostRoot(root.path))
        XCTAssertNil(host.boundPorts, "a root that is not / is never counted")
        XCTAssertEqual(AuditCapacityPredictor.explicitlyBoundPorts(host), 0)
        // 40005 is reserved already, 50000 is outside the range: 3 + 2 + 1 counted.
        host.boundPorts = BoundPorts(
            listening: [40199], boundOnly: [40011, 40013, 40005, 50000], connectedAfterBind: [40015, 40017, 40011])
        let p = AuditCapacityPredictor().predict(connections: 3000, profile: nil, plan: plan(), host: host)
        let ports = try XCTUnwrap(p.limits.first { $0.id == LimitFinding.ID.clientEphemeralPorts })
        XCTAssertEqual(ports.connections, (200 - 10 - 5) * 2)
        XCTAssertTrue(
            ports.detail.contains(
                "5 held by bind() (1 listening, 2 bound only, 2 connected or TIME-WAIT after bind(0))"),
            ports.detail)
        XCTAssertEqual(AuditCapacityPredictor.explicitlyBoundPorts(host), 5)
        let proxy = Profile(
            name: "p", connections: Sourced(3000, .derived), proxy: Sourced(true, .derived),
            backendAddresses: Sourced(1, .derived))
        let supply = Supply.of(host, Requirement(profile: proxy, host: host))
        let eph = try XCTUnwrap(supply.limits.first { $0.id == EphemeralRangeCheck.id })
        XCTAssertEqual(eph.connections, 185.scaled(100, CapacityModel.ephemeralHeadroomPercent))
        let finding = EphemeralRangeCheck().judge(host, Requirement(profile: proxy, host: host))
        XCTAssertTrue(finding.current?.contains("185 ports per backend (40000-40199; 5 held by bind()") ?? false)
    }

    /// Every limit but the check's two process limits is one the audit computes, with the same number.
    func testSharedLimitsAreTheAuditsSupply() throws {
        let host = try HostSnapshot.read(root: HostRoot(root.path))
        let profile = Profile(name: "t", connections: Sourced(3000, .derived))
        let p = AuditCapacityPredictor().predict(connections: 3000, profile: profile, plan: plan(), host: host)
        let supply = Supply.of(host, Requirement(profile: profile, host: host))
        let audit = Dictionary(uniqueKeysWithValues: supply.limits.map { ($0.id, $0.connections) })
        for limit in p.limits
        where limit.id != LimitFinding.ID.serverNofile
            && limit.id != LimitFinding.ID.clientEphemeralPorts
        {
            XCTAssertTrue(CheckRegistry.ids.contains(limit.id), "\(limit.id) is an audit check id")
            XCTAssertEqual(limit.connections, audit[limit.id], limit.id)
        }
    }

    /// A malformed host file stops the check before it starts anything (it used to read as absent).
    func testMalformedSampleFileThrows() throws {
        try write("proc/sys/fs/file-nr", "lots\n")
        let sampler = HostSampler(root: HostRoot(root.path), serverPIDs: [])
        XCTAssertThrowsError(try sampler.sample(elapsedSeconds: 0, clientOpen: 0)) { error in
            XCTAssertTrue("\(error)".contains("proc/sys/fs/file-nr"), "\(error)")
        }
        try write("proc/sys/fs/file-nr", "1000\t0\t11000\n")
        let s = try sampler.sample(elapsedSeconds: 0, clientOpen: 0)
        XCTAssertEqual(s.filesAllocated, 1000)
        XCTAssertNil(s.softnetDrops, "absent stays nil")
    }
}
