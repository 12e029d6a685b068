import Foundation
import XCTest

/// `wstune count --conntrack` against `conntrack -C` and `conntrack -L`, inside a namespace whose nftables rule
/// turns tracking on (the host's own namespace tracks nothing).
final class CountConntrackTests: XCTestCase {
    func testConntrackCountsMatchConntrackTool() throws {
        guard (try? TestSupport.run(["conntrack", "--version"]))?.status == 0 else {
            throw XCTSkip("conntrack missing")
        }
        let ns = try NetNamespace("ct")
        var peers: CountTestPeers?
        defer {
            peers?.stop()
            ns.delete()
        }
        for cmd in [
            ["nft", "add", "table", "inet", "t"],
            ["nft", "add", "chain", "inet", "t", "c", "{ type filter hook output priority 0; }"],
            ["nft", "add", "rule", "inet", "t", "c", "ct", "state", "established,new", "accept"],
        ] {
            let r = try ns.exec(cmd)
            guard r.status == 0 else { throw XCTSkip("nftables unavailable: \(r.stderr)") }
        }
        peers = try CountTestPeers(
            namespace: ns, portA: 8811, portB: 8812, ipv4A: 300, ipv4B: 200, ipv6A: 150,
            ipv6B: 100, timeWait: 40, closeWait: 25)
        // Oracle: conntrack -C (CT_GET_STATS) and the listing of both families.
        let total = Int(try ns.exec(["conntrack", "-C"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        XCTAssertGreaterThanOrEqual(total, 800, "the nft rule should have made entries")
        var listed: [String: Int] = [:]
        var listedTotal = 0
        for family in ["ipv4", "ipv6"] {
            let l = try ns.exec(["conntrack", "-L", "-f", family])
            for line in l.stdout.split(separator: "\n") {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count > 3 else { continue }
                listedTotal += 1
                if f[0] == "tcp" { listed[String(f[3]), default: 0] += 1 }
            }
        }
        for engine in ["raw", "library"] {
            let r = try ns.exec([
                TestSupport.wstuneBinary, "count", "--conntrack", "--conntrack-engine", engine, "--json",
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
            let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(report["loaded"] as? Bool, true)
            XCTAssertEqual(report["entries"] as? Int, total, engine)
            XCTAssertEqual(report["entriesSource"] as? String, "netlink")
            let max = try ns.exec(["sysctl", "-n", "net.netfilter.nf_conntrack_max"]).stdout
            XCTAssertEqual(report["max"] as? Int, Int(max.trimmingCharacters(in: .whitespacesAndNewlines)))
            XCTAssertEqual(report["tcpByState"] as? [String: Int], listed, engine)
            let protocols = try XCTUnwrap(report["byProtocol"] as? [String: Int])
            XCTAssertEqual(protocols.values.reduce(0, +), listedTotal, engine)
            // The by-state listing has the states made on purpose.
            XCTAssertGreaterThanOrEqual(listed["ESTABLISHED"] ?? 0, 750)
            XCTAssertEqual(listed["TIME_WAIT"], 40)
            XCTAssertGreaterThanOrEqual(listed["CLOSE_WAIT"] ?? 0, 25)
        }
        // Statistics: the same counters `conntrack -S` prints, summed over CPUs.
        let stats = try ns.exec(["conntrack", "-S"]).stdout
        var sums: [String: Int] = [:]
        for line in stats.split(separator: "\n") {
            for field in line.split(separator: " ") {
                let kv = field.split(separator: "=")
                if kv.count == 2, let v = Int(kv[1]) { sums[String(kv[0]), default: 0] += v }
            }
        }
        let r = try ns.exec([TestSupport.wstuneBinary, "count", "--conntrack", "--json"])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ours = try XCTUnwrap(report["stats"] as? [String: Int])
        for key in ["drop", "early_drop", "insert_failed", "error", "invalid", "search_restart"] where sums[key] != nil
        {
            XCTAssertEqual(ours[key], sums[key], key)
        }
        // Prometheus: entries and max as gauges.
        let prom = try ns.exec([TestSupport.wstuneBinary, "count", "--conntrack", "--prometheus"]).stdout
        XCTAssertTrue(prom.contains("# TYPE wstune_conntrack_entries gauge\nwstune_conntrack_entries \(total)\n"), prom)
    }

    func testConntrackNotLoadedUnderARootWithoutIt() throws {
        let dir = try TestSupport.temporaryDirectory("wst-noct")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("proc/sys/net/ipv4"),
            withIntermediateDirectories: true)
        let r = try TestSupport.wstune(["count", "--conntrack", "--root", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "conntrack: not loaded\n")
        // The oracle: the root really has no nf_conntrack_max.
        XCTAssertFalse(
            FileManager.default.fileExists(
                atPath: dir.appendingPathComponent(
                    "proc/sys/net/netfilter/nf_conntrack_max"
                ).path))
    }
}
