import Foundation
import XCTest

/// check does not overdrive itself: asked for 20,000 handshakes/s (three times what two cores take), the
/// closed-loop ramp finds the knee, keeps handshake p50 under 50 ms, and still opens every connection.
/// Oracles: `ss` (netlink) counts the server side's established sockets while the check holds; Python's
/// jsonschema validates the report. Before the closed loop this run's p50 was its own queue (hundreds of ms).
final class CheckRampTests: XCTestCase {
    /// Cores busy over one second (/proc/stat), before the check starts: other work on a shared machine.
    static func busyCores() -> Double {
        func read() -> (busy: Double, total: Double, cpus: Double) {
            let text = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n")
            let cpu =
                lines.first { $0.hasPrefix("cpu ") }?.split(separator: " ").dropFirst().prefix(8)
                .compactMap { Double($0) } ?? []
            let cpus = Double(lines.filter { $0.hasPrefix("cpu") && !$0.hasPrefix("cpu ") }.count)
            guard cpu.count >= 5 else { return (0, 1, 1) }
            let total = cpu.reduce(0, +)
            return (total - cpu[3] - cpu[4], total, cpus)
        }
        let a = read()
        usleep(1_000_000)
        let b = read()
        return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) * b.cpus : 0
    }

    func testClosedLoopFindsTheKneeAndKeepsP50UnderFiftyMilliseconds() throws {
        // p50 under 50 ms needs the cores: with other work holding them, check rightly says "host" and the
        // assertion below would measure that work, not check.
        let busy = Self.busyCores()
        if busy > 1.0 {
            throw XCTSkip(String(format: "other work holds %.2f cores of this host; needs a quiet one", busy))
        }
        let n = 20_000
        var serverPIDs: Set<Int32> = []
        var ssMax = 0
        var lastCount = Date.distantPast
        let started = Date()
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "check", "--connections", "\(n)", "--rate", "20000", "--hold", "3",
                "--json",
            ], timeoutSeconds: 90
        ) { checkPID in
            for pid in CheckTestSupport.children(of: checkPID, containing: "serve") { serverPIDs.insert(pid) }
            // ss walks every socket: once a second is enough and keeps it from loading the ramp it measures.
            guard Date().timeIntervalSince(lastCount) >= 1, let server = serverPIDs.first,
                let port = CheckTestSupport.portArgument(of: server)
            else { return }
            lastCount = Date()
            ssMax = max(ssMax, CheckTestSupport.established(filter: "( sport = :\(port) )").count)
        }
        let wall = Date().timeIntervalSince(started)
        XCTAssertEqual(r.status, 0, "reached; stderr: \(r.stderr.suffix(2000))")
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual(j["reached"] as? Bool, true)
        XCTAssertEqual(j["openAtEnd"] as? Int, n)
        XCTAssertGreaterThanOrEqual(ssMax, n, "ss saw \(ssMax) established server-side sockets")
        XCTAssertGreaterThanOrEqual(serverPIDs.count, 2, "20,000 fds need two server processes here")
        XCTAssertLessThan(wall, 60)

        let ramp = try XCTUnwrap(j["ramp"] as? [String: Any], "ramp summary in \(r.stdout.prefix(400))")
        XCTAssertEqual(ramp["mode"] as? String, "closed-loop")
        XCTAssertEqual(ramp["ceilingPerSecond"] as? Double, 20_000)
        let sustainable = try XCTUnwrap(ramp["sustainablePerSecond"] as? Double, "\(ramp)")
        let p50 = try XCTUnwrap(ramp["p50AtSustainableMicros"] as? Int)
        XCTAssertGreaterThan(sustainable, 200, "above the floor")
        XCTAssertLessThan(sustainable, 20_000)
        XCTAssertLessThan(p50, 50_000, "p50 at the sustainable rate")
        // The whole run's p50 (every handshake, merged HdrHistograms): the ramp did not queue behind itself.
        let handshake = try XCTUnwrap((j["load"] as? [String: Any])?["handshake"] as? [String: Any])
        XCTAssertLessThan(try XCTUnwrap(handshake["p50Micros"] as? Int), 50_000, "\(handshake)")
        let ticks = try XCTUnwrap(ramp["ticks"] as? [[String: Any]])
        XCTAssertTrue(
            ticks.allSatisfy { ($0["offeredPerSecond"] as? Double ?? .infinity) <= 20_000 }, "never above --rate")
        let bottleneck = try XCTUnwrap(ramp["bottleneck"] as? [String: Any])
        XCTAssertTrue(
            ["load", "server", "host", "none"].contains(bottleneck["side"] as? String ?? ""), "\(bottleneck)")
        XCTAssertFalse((bottleneck["statement"] as? String ?? "").isEmpty)

        let validator = TestSupport.packageRoot.appendingPathComponent("Tests/IntegrationTests/py/validate_json.py")
        let schema = TestSupport.packageRoot.appendingPathComponent("schema/check.schema.json")
        let v = try TestSupport.run([TestSupport.venvPython, validator.path, schema.path], input: r.stdout)
        XCTAssertEqual(v.status, 0, "check --json against check.schema.json: \(v.stderr)")
        for pid in serverPIDs { XCTAssertNotEqual(kill(pid, 0), 0, "server \(pid) left running") }
    }

    /// Every mode's report validates against schema/check.schema.json, names its mode and ceiling, and the text
    /// report has the sustainable-rate and bottleneck lines. Small runs: this holds on a busy host too.
    func testEveryModeReportsItsRampAndValidates() throws {
        let validator = TestSupport.packageRoot.appendingPathComponent("Tests/IntegrationTests/py/validate_json.py")
        let schema = TestSupport.packageRoot.appendingPathComponent("schema/check.schema.json")
        for (extra, mode, ceiling) in [
            ([], "closed-loop", 10_000.0), (["--rate", "300", "--fixed-rate"], "fixed", 300),
        ] {
            let r = try TestSupport.wstune(["check", "--connections", "300", "--hold", "0.5", "--json"] + extra)
            XCTAssertEqual(r.status, 0, "\(extra): \(r.stderr.suffix(1000))")
            let v = try TestSupport.run([TestSupport.venvPython, validator.path, schema.path], input: r.stdout)
            XCTAssertEqual(v.status, 0, "\(extra) against check.schema.json: \(v.stderr)")
            let ramp = try XCTUnwrap(try CheckTestSupport.json(r.stdout)["ramp"] as? [String: Any])
            XCTAssertEqual(ramp["mode"] as? String, mode)
            XCTAssertEqual(ramp["ceilingPerSecond"] as? Double, ceiling)
            let ticks = try XCTUnwrap(ramp["ticks"] as? [[String: Any]])
            XCTAssertFalse(ticks.isEmpty)
            if mode == "fixed" {
                XCTAssertTrue(ticks.allSatisfy { $0["offeredPerSecond"] as? Double == 300 }, "\(ticks)")
            }
        }
        let text = try TestSupport.wstune(["check", "--connections", "100", "--hold", "0.5"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("\n  sustainable: "), text.stdout)
        XCTAssertTrue(text.stdout.contains("\n  bottleneck: "), text.stdout)
        let bad = try TestSupport.wstune(["check", "--connections", "10", "--rate", "-1"])
        XCTAssertEqual(bad.status, 64, "a negative rate is a usage error: \(bad.stderr)")
        XCTAssertTrue(bad.stderr.contains("--rate"), bad.stderr)
    }
}
