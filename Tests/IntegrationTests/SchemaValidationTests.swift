import Foundation
import XCTest

/// Every `--json` output the suite's commands produce validates against the shipped JSON Schemas (schema/,
/// draft 2020-12), checked by Python's `jsonschema` (an independent validator, installed by scripts/setup).
final class SchemaValidationTests: XCTestCase {
    static let validator = TestSupport.packageRoot.appendingPathComponent("Tests/IntegrationTests/py/validate_json.py")
        .path

    func schema(_ name: String) -> String {
        TestSupport.packageRoot.appendingPathComponent("schema/\(name).schema.json").path
    }

    func fixture(_ name: String) -> String { TestSupport.fixtures.appendingPathComponent(name).path }

    /// Validates a document (or JSON Lines) against a schema; fails the test with the validator's messages.
    func assertValid(
        _ json: String, _ schemaName: String, lines: Bool = false, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertFalse(json.isEmpty, "\(what): no output", file: file, line: line)
        let r = try TestSupport.run(
            [TestSupport.venvPython, Self.validator, schema(schemaName)] + (lines ? ["--lines"] : []), input: json)
        XCTAssertEqual(r.status, 0, "\(what) against \(schemaName).schema.json: \(r.stderr)", file: file, line: line)
    }

    /// Runs wstune and validates its standard output; the exit status must be one of `statuses`.
    func validate(
        _ args: [String], _ schemaName: String, statuses: Set<Int32> = [0, 1], lines: Bool = false,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let r = try TestSupport.wstune(args)
        XCTAssertTrue(
            statuses.contains(r.status), "wstune \(args.joined(separator: " ")): exit \(r.status) \(r.stderr)",
            file: file, line: line)
        try assertValid(
            r.stdout, schemaName, lines: lines, "wstune \(args.joined(separator: " "))", file: file, line: line)
    }

    /// The validator itself rejects what breaks a schema (so a passing validation means something).
    func testValidatorRejectsBrokenDocuments() throws {
        let good = try TestSupport.wstune(["audit", "--json", "--root", fixture("debian12-stock")]).stdout
        try assertValid(good, "audit", "stock audit")
        var obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(good.utf8)) as? [String: Any])
        obj["ready"] = "yes"
        let bad = String(decoding: try JSONSerialization.data(withJSONObject: obj), as: UTF8.self)
        let r = try TestSupport.run([TestSupport.venvPython, Self.validator, schema("audit")], input: bad)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("ready"), r.stderr)
        var findings = try XCTUnwrap(obj["findings"] as? [[String: Any]])
        obj["ready"] = true
        findings[0]["requirement"] = ["op": "≥", "value": 3]
        obj["findings"] = findings
        let bad2 = String(decoding: try JSONSerialization.data(withJSONObject: obj), as: UTF8.self)
        XCTAssertEqual(
            try TestSupport.run([TestSupport.venvPython, Self.validator, schema("audit")], input: bad2).status, 1)
    }

    /// check --via's report (its via section: the hop's limits, prediction and evidence) for both proxies.
    func testCheckViaReportValidates() throws {
        try ProxyTestSupport.requireTool("nginx")
        try ProxyTestSupport.requireTool("haproxy")
        for proxy in ["nginx", "haproxy"] {
            let args = [
                "check", "--profile", "proxy", "--connections", "300", "--via", proxy, "--proxy-workers", "1",
                "--proxy-connections", "250", "--hold", "0", "--handshake-timeout", "3", "--json",
            ]
            try validate(args, "check")
            let r = try TestSupport.wstune(args)
            let j = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            XCTAssertEqual((j["via"] as? [String: Any])?["kind"] as? String, proxy)
        }
    }

    func testAuditAndPlanOnFixturesAndLive() throws {
        for root in AuditValuesTests.fixtureRoots {
            for profile in AuditValuesTests.profiles {
                try validate(["audit", "--json", "--root", fixture(root), "--profile", profile], "audit")
                try validate(["plan", "--json", "--root", fixture(root), "--profile", profile], "plan", statuses: [0])
            }
        }
        try validate(["audit", "--json", "--user", "root", "--fail-on", "warn"], "audit")
        try validate(["plan", "--json", "--profile", "proxy"], "plan", statuses: [0])
    }

    func testApplyDryRunRealApplyAndRollback() throws {
        for root in ["debian12-stock", "tuned-1m", "low-capacity"] {
            try validate(
                ["apply", "--dry-run", "--json", "--root", fixture(root), "--profile", "server-100k"], "apply",
                statuses: [0])
        }
        let tree = try ApplyFixtureTree()
        try validate(
            ["apply", "--json", "--yes", "--root", tree.path, "--profile", "dev", "--unit", "chat"], "apply",
            statuses: [0])
        try validate(
            ["apply", "--json", "--yes", "--root", tree.path, "--profile", "dev", "--unit", "chat"], "apply",
            statuses: [0])
        try validate(["rollback", "--list", "--json", "--root", tree.path], "rollback", statuses: [0])
        try validate(["rollback", "--json", "--root", tree.path], "rollback", statuses: [0])
    }

    func testCountAndTopLive() throws {
        try validate(["count", "--json"], "count", statuses: [0])
        try validate(["count", "--json", "--port", "22", "--port", "80"], "count", statuses: [0])
        try validate(["count", "--json", "--by", "port", "--state", "all"], "count", statuses: [0])
        try validate(["count", "--json", "--by", "peer", "--remote"], "count", statuses: [0])
        try validate(["count", "--json", "--by", "state"], "count", statuses: [0])
        try validate(["count", "--conntrack", "--json"], "count-conntrack", statuses: [0])
        try validate(["top", "--json", "--iterations", "3", "--interval", "0.2"], "top", statuses: [0], lines: true)
    }

    /// Each `top --json` line carries the wall-clock time of its sample: within the run, increasing by ~interval.
    func testTopLinesCarryTimestamps() throws {
        let before = Date().timeIntervalSince1970
        let r = try TestSupport.wstune(["top", "--json", "--iterations", "3", "--interval", "0.3"])
        let after = Date().timeIntervalSince1970
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try r.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(lines.count, 3)
        let stamps = lines.compactMap { $0["unixTimeSeconds"] as? Double }
        XCTAssertEqual(stamps.count, 3)
        for t in stamps { XCTAssertTrue(t >= before - 0.01 && t <= after + 0.01, "\(t) within [\(before), \(after)]") }
        for (a, b) in zip(stamps, stamps.dropFirst()) { XCTAssertGreaterThanOrEqual(b - a, 0.25) }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for l in lines {
            let d = try XCTUnwrap((l["timestamp"] as? String).flatMap { f.date(from: $0) })
            XCTAssertEqual(d.timeIntervalSince1970, l["unixTimeSeconds"] as? Double ?? 0, accuracy: 0.002)
        }
    }

    func testLintFixturesProfilesAndRender() throws {
        for target in ["nginx", "haproxy", "systemd"] {
            let dir = fixture("lint/\(target)")
            for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() {
                try validate(["lint", target, dir + "/" + name, "--json", "--profile", "proxy"], "lint")
            }
        }
        try validate(["profiles", "--json"], "profiles", statuses: [0])
        for p in AuditValuesTests.profiles {
            try validate(["profiles", "show", p, "--json"], "profiles", statuses: [0])
        }
        for target in ["nginx", "haproxy", "systemd"] {
            try validate(["render", target, "--json", "--profile", "proxy"], "render", statuses: [0, 1, 2])
        }
    }

    /// serve's --json start line and a small `load --json` run against it (10 connections on loopback).
    func testServeAndLoad() throws {
        let serve = try ServeProcess(["--json"])
        defer { serve.stop() }
        // Ready means stderr's "listening on" and /healthz; the stdout line may still be in the pipe's handler
        // (a CI run read it empty once): wait for it, bounded.
        let deadline = Date().addingTimeInterval(5)
        while !serve.stdout.contains("\n") && Date() < deadline { usleep(20_000) }
        let first = serve.stdout.split(separator: "\n").first.map(String.init) ?? ""
        try assertValid(first, "serve-event", "serve --json start line")
        try validate(
            ["load", "ws://127.0.0.1:\(serve.port)/ws", "--connections", "10", "--hold", "0.2", "--json"], "load",
            statuses: [0])
    }
}
