import Foundation
import XCTest

/// Options several subcommands share parse one way: --fail-on is one enum, --root one option that checks its
/// directory, and count's conntrack timing comes from the one conntrack reader.
final class SharedOptionsTests: XCTestCase {
    func testFailOnTakesFailOrWarnOnly() throws {
        for args in [["audit"], ["lint", "nginx", "/dev/null"]] {
            let bad = try TestSupport.run([TestSupport.wstuneBinary] + args + ["--fail-on", "info"])
            XCTAssertEqual(bad.status, 64, "\(args): usage error; stderr: \(bad.stderr)")
            XCTAssertTrue(bad.stderr.contains("--fail-on"), bad.stderr)
        }
        let root = TestSupport.fixtures.appendingPathComponent("debian12-stock").path
        let warn = try TestSupport.run(
            [TestSupport.wstuneBinary, "audit", "--root", root, "--connections", "100000", "--fail-on", "warn"])
        XCTAssertEqual(warn.status, 1, "the stock tree warns (and fails) at 100k; stderr: \(warn.stderr)")
    }

    func testCountAndTopRejectAMissingRoot() throws {
        for args in [["count", "--conntrack"], ["top", "--iterations", "1"]] {
            let r = try TestSupport.run([TestSupport.wstuneBinary] + args + ["--root", "/nonexistent-wst-18"])
            XCTAssertEqual(r.status, 64, "\(args); stderr: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--root /nonexistent-wst-18: no such directory"), r.stderr)
        }
    }

    /// Both phases are timed by the reader itself (Benchmarks/count/run greps these two lines), in a namespace
    /// whose nftables rule turns tracking on.
    func testConntrackTimingNamesBothPhases() throws {
        let ns = try NetNamespace("18-cttiming")
        defer { ns.delete() }
        for cmd in [
            ["nft", "add", "table", "inet", "t"],
            ["nft", "add", "chain", "inet", "t", "c", "{ type filter hook output priority 0; }"],
            ["nft", "add", "rule", "inet", "t", "c", "ct", "state", "established,new", "accept"],
        ] {
            let r = try ns.exec(cmd)
            XCTAssertEqual(r.status, 0, "\(cmd): \(r.stderr)")
        }
        let r = try ns.exec([TestSupport.wstuneBinary, "count", "--conntrack", "--timing", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("timing: conntrack entries and statistics "), r.stderr)
        XCTAssertTrue(r.stderr.contains("timing: conntrack dump (raw) "), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 2, r.stderr)
        XCTAssertNotNil(try CheckTestSupport.json(r.stdout)["tcpByState"], r.stdout)
    }
}
