import Foundation
import HostFacts
import Tuning
import WSTTestSupport
import XCTest

@testable import ProxyConfig

/// Every lint check against its fixtures in Tests/Fixtures/lint: `ID.trigger.*` must raise it at the marked
/// line (`# <- ID`, or `expect ID at line N` in unit files), `ID.pass.*` must not raise anything.
final class LintFixtureTests: XCTestCase {
    static let fixtures = FixturePaths.fixtures.appendingPathComponent("lint")

    /// The profile the fixtures are written for: 10,000 connections, 30 s pings, 10 s reconnect window.
    static var requirement: LintRequirement {
        let p = Profile(
            name: "fixture", connections: Sourced(10_000, .derived), pingIntervalSeconds: Sourced(30, .derived),
            reconnectWindowSeconds: Sourced(10, .derived))
        return LintRequirement(
            profile: p, cpuCount: 2, unitLimit: FileLimit(soft: 1024, hard: 524_288), unitLimitOrigin: "fixture")
    }

    static func files(_ kind: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: fixtures.appendingPathComponent(kind), includingPropertiesForKeys: nil
        )
        .sorted { $0.path < $1.path }
    }

    private func report(_ kind: String, _ url: URL) throws -> LintReport {
        switch kind {
        case "nginx": return Lint.run(nginx: try NginxConfigLoader().load(url.path), Self.requirement)
        case "haproxy": return Lint.run(haproxy: try HAProxyConfig.load(url.path), Self.requirement)
        default: return Lint.run(unit: try SystemdUnitLoader().load(url.path), Self.requirement)
        }
    }

    private func expectedLine(_ text: String, id: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let i = lines.firstIndex(where: { $0.hasSuffix("# <- \(id)") || $0.contains("# <- \(id) ") }) {
            return i + 1
        }
        if let l = lines.first(where: { $0.contains("expect \(id) at line ") }),
            let n = Int(l.split(separator: " ").last ?? "")
        {
            return n
        }
        return nil
    }

    func testEveryCheckHasATriggeringAndAPassingFixture() throws {
        var ids = Set<String>()
        for kind in ["nginx", "haproxy", "systemd"] {
            for f in try Self.files(kind) {
                let parts = f.lastPathComponent.split(separator: ".")
                ids.insert("\(kind).\(parts[0]).\(parts[1])")
            }
        }
        for id in LintRegistry.ids where id != Lint.parseErrorID {
            XCTAssertTrue(ids.contains("\(id).trigger"), "no trigger fixture for \(id)")
            XCTAssertTrue(ids.contains("\(id).pass"), "no pass fixture for \(id)")
        }
    }

    func testTriggerFixturesRaiseTheirCheckAtTheMarkedLine() throws {
        for kind in ["nginx", "haproxy", "systemd"] {
            for f in try Self.files(kind) where f.lastPathComponent.contains(".trigger.") {
                let id = "\(kind).\(f.lastPathComponent.split(separator: ".")[0])"
                let text = try String(contentsOf: f, encoding: .utf8)
                let line = try XCTUnwrap(expectedLine(text, id: id), "\(f.lastPathComponent): no marker")
                let r = try report(kind, f)
                XCTAssertEqual(r.findings.filter { $0.id == Lint.parseErrorID }, [], f.lastPathComponent)
                let raised = r.findings.filter { $0.id == id && $0.severity > .notApplicable }
                XCTAssertFalse(raised.isEmpty, "\(f.lastPathComponent): \(id) not raised")
                XCTAssertTrue(
                    raised.contains { $0.location == "\(f.path):\(line)" },
                    "\(f.lastPathComponent): \(id) at \(raised.map { $0.location ?? "-" }), expected line \(line)")
                XCTAssertNotNil(raised.first?.fix, id)
            }
        }
    }

    func testPassFixturesAreClean() throws {
        for kind in ["nginx", "haproxy", "systemd"] {
            for f in try Self.files(kind) where f.lastPathComponent.contains(".pass.") {
                let r = try report(kind, f)
                let raised = r.findings.filter { $0.severity > .notApplicable }
                XCTAssertEqual(
                    raised.map(\.id), [], "\(f.lastPathComponent): \(raised.map { "\($0.id) \($0.current ?? "")" })")
            }
        }
    }

    func testHttpServerCloseIsNotFlagged() throws {
        let f = Self.fixtures.appendingPathComponent("haproxy/httpchk-path.pass.cfg")
        XCTAssertTrue(try String(contentsOf: f, encoding: .utf8).contains("option http-server-close"))
        let r = try report("haproxy", f)
        XCTAssertFalse(r.findings.contains { $0.severity > .pass || ($0.current ?? "").contains("http-server-close") })
    }
}
