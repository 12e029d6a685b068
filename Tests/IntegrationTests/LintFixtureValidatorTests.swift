import Foundation
import XCTest

/// The linter catches what the validators pass: every nginx and HAProxy lint fixture, triggering or not, is
/// accepted by the real `nginx -t` and `haproxy -c`, and `wstune lint` flags each triggering one.
final class LintFixtureValidatorTests: XCTestCase {
    func testNginxFixturesPassNginxTestAndTriggersAreFlagged() throws {
        try ProxyTestSupport.requireTool("nginx")
        let dir = try TestSupport.temporaryDirectory("wst-lint-ngx")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try ProxyTestSupport.freePort()
        for f in try LintTestSupport.fixtureFiles("nginx") {
            let prefix = try LintTestSupport.nginxPrefix(in: dir, f.deletingPathExtension().lastPathComponent)
            let file = try LintTestSupport.instantiate(f, into: URL(fileURLWithPath: prefix), port: port, backend: 9)
            let t = try TestSupport.run(
                [
                    "nginx", "-t", "-q", "-p", prefix + "/", "-e", "stderr", "-c", file,
                    "-g", "pid \(prefix)/nginx.pid;",
                ], timeoutSeconds: 30)
            XCTAssertEqual(t.status, 0, "\(f.lastPathComponent): nginx -t: \(t.stderr)")
            let id = "nginx." + f.lastPathComponent.split(separator: ".")[0]
            let lint = try TestSupport.wstune([
                "lint", "nginx", file, "--json", "--connections", "10000", "--profile", "dev",
            ])
            let flagged = try Self.raised(lint.stdout).contains(id)
            XCTAssertEqual(flagged, f.lastPathComponent.contains(".trigger."), "\(f.lastPathComponent): \(lint.stdout)")
        }
    }

    func testHAProxyFixturesPassHAProxyCheckAndTriggersAreFlagged() throws {
        try ProxyTestSupport.requireTool("haproxy")
        let dir = try TestSupport.temporaryDirectory("wst-lint-hap")
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in try LintTestSupport.fixtureFiles("haproxy") {
            let file = try LintTestSupport.instantiate(f, into: dir, port: try ProxyTestSupport.freePort(), backend: 9)
            // Plain `haproxy -c` as users run it (without -dW warnings exit 0).
            let t = try TestSupport.run(["haproxy", "-dr", "-c", "-f", file], timeoutSeconds: 30)
            XCTAssertEqual(t.status, 0, "\(f.lastPathComponent): haproxy -c: \(t.stdout)\(t.stderr)")
            let id = "haproxy." + f.lastPathComponent.split(separator: ".")[0]
            let lint = try TestSupport.wstune([
                "lint", "haproxy", file, "--json", "--connections", "10000", "--profile", "dev",
            ])
            let flagged = try Self.raised(lint.stdout).contains(id)
            XCTAssertEqual(flagged, f.lastPathComponent.contains(".trigger."), "\(f.lastPathComponent): \(lint.stdout)")
            if f.lastPathComponent.contains(".pass.") {
                XCTAssertEqual(lint.status, 0, "\(f.lastPathComponent): \(lint.stdout)")
            }
        }
    }

    func testLintReadsNginxDashTFromStandardInput() throws {
        try ProxyTestSupport.requireTool("nginx")
        let dir = try TestSupport.temporaryDirectory("wst-lint-dump")
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = LintTestSupport.fixtures.appendingPathComponent("nginx/read-timeout.trigger.conf")
        let prefix = try LintTestSupport.nginxPrefix(in: dir, "p")
        let file = try LintTestSupport.instantiate(
            f, into: URL(fileURLWithPath: prefix), port: try ProxyTestSupport.freePort(), backend: 9)
        let dump = try TestSupport.run([
            "nginx", "-T", "-q", "-p", prefix + "/", "-e", "stderr", "-c", file, "-g", "pid \(prefix)/nginx.pid;",
        ])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let lint = try TestSupport.run([TestSupport.wstuneBinary, "lint", "nginx", "-", "--json"], input: dump.stdout)
        XCTAssertEqual(lint.status, 1, lint.stderr)
        XCTAssertTrue(lint.stdout.contains("\"location\" : \"\(file):"), lint.stdout)
        XCTAssertTrue(try Self.raised(lint.stdout).contains("nginx.read-timeout"))
    }

    /// Ids of findings worse than pass in a `lint --json` report.
    static func raised(_ json: String) throws -> Set<String> {
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let findings = try XCTUnwrap(obj?["findings"] as? [[String: Any]], json)
        return Set(
            findings.filter { ($0["severity"] as? String) != "pass" && ($0["severity"] as? String) != "not-applicable" }
                .compactMap { $0["id"] as? String })
    }
}
