import Foundation
import XCTest

/// Runs the built `wstune audit` for real: inside a network namespace made with bad values, and on fixture roots.
final class AuditIntegrationTests: XCTestCase {
    struct Report: Decodable {
        struct F: Decodable { var id: String; var severity: String; var current: String?; var fix: String? }
        struct Cap: Decodable { var connections: Int; var bindingLimit: String? }
        var ready: Bool
        var findings: [F]
        var capacity: Cap
        var skipped: [String]
        var networkNamespace: String
        var notes: [String]
        func finding(_ id: String) -> F? { findings.first { $0.id == id } }
    }

    func decode(_ text: String) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(text.utf8))
    }

    func testNamespaceWithBadValues() throws {
        let ns = try NetNamespace("audit")
        defer { ns.delete() }
        try ns.sysctl("net.core.somaxconn", "128")
        try ns.sysctl("net.ipv4.ip_local_port_range", "1024 65535")
        try ns.sysctl("net.ipv4.tcp_tw_reuse", "0")
        // A listener on 8080 inside the namespace, inside the ephemeral range, not reserved.
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listener.arguments = [
            "ip", "netns", "exec", ns.name, "python3", "-c",
            "import socket,time;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('127.0.0.1',8080));s.listen();print('up',flush=True);time.sleep(60)",
        ]
        let out = Pipe()
        listener.standardOutput = out
        try listener.run()
        defer { listener.terminate(); listener.waitUntilExit() }
        _ = out.fileHandleForReading.availableData  // wait for "up"

        let r = try ns.exec([TestSupport.wstuneBinary, "audit", "--json", "--profile", "dev"])
        XCTAssertEqual(r.status, 1, r.stderr)
        let report = try decode(r.stdout)
        XCTAssertFalse(report.ready)
        XCTAssertEqual(report.networkNamespace, "child")
        XCTAssertEqual(report.finding("net.somaxconn")?.severity, "fail")
        XCTAssertEqual(report.finding("net.somaxconn")?.current, "128")
        XCTAssertEqual(report.finding("ports.reserved-overlap")?.severity, "fail")
        XCTAssertTrue(report.finding("ports.reserved-overlap")?.current?.contains("unreserved: 8080") ?? false)
        XCTAssertTrue(
            report.finding("ports.reserved-overlap")?.fix?.contains("ip_local_reserved_ports=\"8080\"") ?? false)
        XCTAssertEqual(report.finding("net.tcp-tw-reuse")?.severity, "warn")
        XCTAssertEqual(report.finding("net.tcp-tw-reuse")?.current, "0")
        // The values match what sysctl itself reads in the namespace.
        XCTAssertEqual(
            try ns.exec(["sysctl", "-n", "net.core.somaxconn"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines),
            "128")
        XCTAssertTrue(report.notes.contains { $0.contains("non-initial network namespace") })

        // Text mode, piped: plain text (no colour escapes), names the failures.
        let text = try ns.exec([TestSupport.wstuneBinary, "audit", "--profile", "dev"])
        XCTAssertEqual(text.status, 1)
        XCTAssertFalse(text.stdout.contains("\u{1B}["), "no colour when piped")
        XCTAssertTrue(text.stdout.contains("NOT READY"))
        XCTAssertTrue(text.stdout.contains("net.somaxconn"))
    }

    func testHostNamespaceUntouched() throws {
        // The namespace test above must not have changed the host's values.
        let r = try TestSupport.run(["sysctl", "-n", "net.core.somaxconn"])
        XCTAssertNotEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "128")
    }

    func fixture(_ name: String) -> String { TestSupport.fixtures.appendingPathComponent(name).path }

    func testTunedFixtureIsReadyAndSkipIsReported() throws {
        let r = try TestSupport.wstune([
            "audit", "--root", fixture("tuned-1m"), "--profile", "gateway-1m", "--json", "--skip", "net.keepalive",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try decode(r.stdout)
        XCTAssertTrue(report.ready)
        XCTAssertEqual(report.skipped, ["net.keepalive"])
        XCTAssertNil(report.finding("net.keepalive"))
        XCTAssertGreaterThanOrEqual(report.capacity.connections, 1_000_000)
    }

    func testFailOnWarn() throws {
        let ok = try TestSupport.wstune(["audit", "--root", fixture("debian12-stock"), "--profile", "dev"])
        XCTAssertEqual(ok.status, 1, "stock Debian has soft nofile 1024 < 10,064: \(ok.stdout)")
        let plain = try TestSupport.wstune(["audit", "--root", fixture("tuned-1m"), "--profile", "dev"])
        XCTAssertEqual(plain.status, 0)
        let drift = try TestSupport.wstune([
            "audit", "--root", fixture("drift"), "--profile", "dev", "--connections", "500",
            "--skip", "fd.soft-limit",
        ])
        XCTAssertEqual(drift.status, 0, drift.stdout)
        let strict = try TestSupport.wstune([
            "audit", "--root", fixture("drift"), "--profile", "dev", "--connections", "500",
            "--skip", "fd.soft-limit", "--fail-on", "warn",
        ])
        XCTAssertEqual(strict.status, 1)
    }

    func testUnitTargetNamesTheDropIn() throws {
        let r = try TestSupport.wstune([
            "audit", "--root", fixture("unit-low-nofile"), "--unit", "chat", "--profile", "gateway-1m",
        ])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("unit chat"), r.stdout)
        XCTAssertTrue(r.stdout.contains("limits.conf does not apply to systemd services"), r.stdout)
    }

    func testMalformedInputExitsTwoNamingFileAndLine() throws {
        let r = try TestSupport.wstune(["audit", "--root", fixture("malformed")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("malformed/proc/self/limits:2"), r.stderr)
        let bad = try TestSupport.wstune(["audit", "--profile", "/nonexistent/x.yaml"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("x.yaml"), bad.stderr)
        let skip = try TestSupport.wstune(["audit", "--skip", "no.such-check"])
        XCTAssertEqual(skip.status, 64, "argument errors use ArgumentParser's usage exit code")
        XCTAssertTrue(skip.stderr.contains("unknown check id no.such-check"), skip.stderr)
    }

    func testPlanAndProfilesShow() throws {
        let plan = try TestSupport.wstune(["plan", "--root", fixture("low-capacity"), "--profile", "dev", "--json"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        struct Plan: Decodable { var bindingLimit: String?; var capacity: Int }
        let p = try JSONDecoder().decode(Plan.self, from: Data(plan.stdout.utf8))
        XCTAssertEqual(p.bindingLimit, "fd.soft-limit")
        XCTAssertEqual(p.capacity, 960)
        let show = try TestSupport.wstune(["profiles", "show", "gateway-1m"])
        XCTAssertEqual(show.status, 0)
        XCTAssertTrue(show.stdout.contains("inherited from dev"), show.stdout)
        XCTAssertTrue(show.stdout.contains("derived"), show.stdout)
    }
}
