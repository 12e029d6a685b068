import Foundation
import XCTest

@testable import HostFacts
@testable import Tuning

/// Profiles and the capacity model against hostile numbers and files (issue 13 items 2, 3, 4, 7).
final class HostileProfileTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wst-13a-prof-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testNumbersAboveTheMaximumNameFileLineKey() {
        XCTAssertThrowsError(try ProfileDocument.parse("name: x\nconnections: 9223372036854775807\n", path: "p.yaml")) {
            e in
            XCTAssertEqual(
                e as? ProfileError,
                .invalidValue(
                    path: "p.yaml", line: 2, key: "connections",
                    reason: "9223372036854775807 is above the maximum 100000000"))
        }
        XCTAssertThrowsError(
            try ProfileDocument.parse("connections: 10\nsettings:\n  nofile: 4611686018427387904\n", path: "p.yaml")
        ) { e in
            XCTAssertEqual(
                e as? ProfileError,
                .invalidValue(
                    path: "p.yaml", line: 3, key: "settings.nofile",
                    reason: "4611686018427387904 is above the maximum 1073741816"))
        }
        XCTAssertThrowsError(
            try ProfileDocument.parse("connections: 10\nper_connection_bytes: 4611686018427387904\n", path: "p.yaml"))
        XCTAssertNoThrow(
            try ProfileDocument.parse(
                "connections: 100000000\nsettings:\n  fs.file-max: 9223372036854775807\n", path: "p.yaml"))
    }

    func testCapacityModelSaturatesInsteadOfTrapping() {
        let p = Profile(
            name: "x", connections: Sourced(Int.max, .derived), pingIntervalSeconds: Sourced(Int.max, .derived),
            perConnectionBytes: Sourced(Int.max, .derived), proxy: Sourced(true, .derived),
            settings: ["net.netfilter.nf_conntrack_max": Sourced(Int.max, .derived)])
        let n = CapacityModel.needs(for: p, minBufferBytes: Int.max)
        XCTAssertEqual(n.memoryBytes, Int.max)
        XCTAssertEqual(n.tcpMemPages, Int.max / 4096 + 1)
        XCTAssertEqual(n.conntrackBuckets, Int.max / 4 + 1)
        XCTAssertEqual(n.fileMax, Int.max)
    }

    func testReservedPortsAreClippedRangesNotExpansions() {
        let start = Date()
        let all = EphemeralPorts.parseReserved("0-9223372036854775807")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertEqual(all.count, 65536)
        XCTAssertEqual(EphemeralPorts.parseReserved("8080,9000-9002,-5-3,70000,9001-9001"), [8080, 9000, 9001, 9002])
        XCTAssertEqual(EphemeralPorts.usable(range: [Int.min, Int.max], reserved: []), Int.max)
        let many = Array(repeating: "0-65535", count: 20000).joined(separator: ",")
        let t = Date()
        XCTAssertEqual(EphemeralPorts.parseReserved(many).count, 65536)
        XCTAssertLessThan(Date().timeIntervalSince(t), 2)
    }

    func testIncludeDepthIsCapped() throws {
        try "connections: 5\n".write(to: dir.appendingPathComponent("p0.yaml"), atomically: false, encoding: .utf8)
        for i in 1..<4000 {
            // Plain write(2): Foundation's String.write is slow enough here to dominate the test.
            let fd = open(dir.appendingPathComponent("p\(i).yaml").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            XCTAssertGreaterThanOrEqual(fd, 0)
            let line = Array("include: p\(i - 1)\n".utf8)
            XCTAssertEqual(line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }, line.count)
            close(fd)
        }
        let store = ProfileStore(directories: [dir.path])
        XCTAssertThrowsError(try store.load(dir.appendingPathComponent("p3999.yaml").path)) { e in
            guard case .includeTooDeep(_, let limit)? = e as? ProfileError else { return XCTFail("\(e)") }
            XCTAssertEqual(limit, ProfileStore.maximumIncludeDepth)
        }
        XCTAssertEqual(try store.load(dir.appendingPathComponent("p31.yaml").path).connections.value, 5)
    }

    func testYAMLErrorsCarryTheirLine() {
        XCTAssertThrowsError(try ProfileDocument.parse("connections: 1\nname: a\n\nconnections: 2\n", path: "d.yaml")) {
            e in
            guard case .syntax(_, let line, let reason)? = e as? ProfileError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 4)
            XCTAssertTrue(reason.contains("connections"), reason)
        }
        XCTAssertThrowsError(
            try ProfileDocument.parse("settings:\n  nofile: 1\n  nofile: 2\nconnections: 3\n", path: "d.yaml")
        ) { e in
            guard case .syntax(_, let line, _)? = e as? ProfileError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 3)
        }
        XCTAssertThrowsError(try ProfileDocument.parse("connections: 1\nname: *missing\n", path: "a.yaml")) { e in
            guard case .syntax(_, let line, let reason)? = e as? ProfileError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 2)
            XCTAssertTrue(reason.contains("alias"), reason)
        }
    }

    func testCRLFProfileLoads() throws {
        let url = dir.appendingPathComponent("crlf.yaml")
        try "name: crlf\r\nconnections: 1000\r\nping_interval_seconds: 20\r\n".write(
            to: url, atomically: false, encoding: .utf8)
        let p = try ProfileStore(directories: []).load(url.path)
        XCTAssertEqual(p.name, "crlf")
        XCTAssertEqual(p.pingIntervalSeconds.value, 20)
    }
}
