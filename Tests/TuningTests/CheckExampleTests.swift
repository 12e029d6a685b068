import HostFacts
import XCTest

@testable import Tuning

/// For every check, examples that pass and examples that fail, each a fixture tree + profile (like SwiftLint's
/// triggering / non-triggering examples).
final class CheckExampleTests: XCTestCase {
    struct Example {
        var check: String
        var fixture: String
        var profile = "dev"
        var connections: Int?
        var options = HostSnapshot.Options()
        var expect: Severity
        var line: UInt = #line
    }

    static let examples: [Example] = [
        Example(check: "fd.soft-limit", fixture: "tuned-1m", profile: "gateway-1m", expect: .pass),
        Example(check: "fd.soft-limit", fixture: "debian12-stock", expect: .fail),
        Example(
            check: "fd.soft-limit", fixture: "unit-low-nofile", options: .init(target: .unit("chat")), expect: .pass),
        Example(
            check: "fd.soft-limit", fixture: "unit-low-nofile", profile: "server-100k",
            options: .init(target: .unit("chat")), expect: .pass),
        Example(
            check: "fd.soft-limit", fixture: "unit-low-nofile", profile: "gateway-1m",
            options: .init(target: .unit("chat")), expect: .fail),
        Example(
            check: "fd.soft-limit", fixture: "unit-low-nofile", options: .init(target: .unit("ws.service")),
            expect: .fail),
        Example(check: "fd.hard-limit", fixture: "unit-low-nofile", options: .init(target: .unit("ws")), expect: .fail),
        Example(check: "fd.hard-limit", fixture: "debian12-stock", expect: .pass),
        Example(check: "fd.hard-limit", fixture: "low-capacity", profile: "server-100k", expect: .fail),
        Example(check: "limits.conf", fixture: "unit-low-nofile", options: .init(user: "alice"), expect: .pass),
        Example(check: "limits.conf", fixture: "unit-low-nofile", options: .init(user: "dave"), expect: .warn),
        Example(check: "limits.conf", fixture: "unit-low-nofile", options: .init(target: .unit("chat")), expect: .info),
        Example(check: "limits.conf", fixture: "debian12-stock", expect: .notApplicable),
        Example(check: "fs.nr-open", fixture: "debian12-stock", profile: "server-100k", expect: .pass),
        Example(check: "fs.nr-open", fixture: "low-capacity", profile: "server-100k", expect: .fail),
        Example(check: "fs.file-max", fixture: "debian12-stock", profile: "gateway-1m", expect: .pass),
        Example(check: "fs.file-max", fixture: "low-capacity", profile: "server-100k", expect: .fail),
        Example(check: "fs.file-nr", fixture: "debian12-stock", expect: .pass),
        Example(check: "fs.file-nr", fixture: "low-capacity", connections: 47_000, expect: .warn),
        Example(check: "fs.file-nr", fixture: "low-capacity", profile: "server-100k", expect: .fail),
        Example(check: "net.somaxconn", fixture: "debian12-stock", expect: .pass),
        Example(check: "net.somaxconn", fixture: "low-capacity", expect: .fail),
        Example(check: "net.somaxconn", fixture: "debian12-stock", profile: "gateway-1m", expect: .fail),
        Example(check: "net.syn-backlog", fixture: "tuned-1m", profile: "gateway-1m", expect: .pass),
        Example(check: "net.syn-backlog", fixture: "debian12-stock", expect: .warn),
        Example(check: "net.netdev-backlog", fixture: "tuned-1m", profile: "gateway-1m", expect: .pass),
        Example(check: "net.netdev-backlog", fixture: "debian12-stock", profile: "server-100k", expect: .warn),
        Example(check: "net.netdev-backlog", fixture: "child-netns", profile: "server-100k", expect: .notApplicable),
        Example(check: "ports.reserved-overlap", fixture: "debian12-stock", expect: .pass),  // 8080 below 32768
        Example(check: "ports.reserved-overlap", fixture: "tuned-1m", expect: .pass),  // 8080 reserved
        // 80, 443 below the range
        Example(check: "ports.reserved-overlap", fixture: "tuned-1m", profile: "proxy", expect: .pass),
        Example(check: "ports.reserved-overlap", fixture: "low-capacity", expect: .fail),  // 8080 in 1024-65535
        Example(check: "ports.ephemeral-range", fixture: "debian12-stock", expect: .notApplicable),
        // 28,232 ≥ 27,500
        Example(check: "ports.ephemeral-range", fixture: "debian12-stock", profile: "proxy", expect: .pass),
        Example(
            check: "ports.ephemeral-range", fixture: "debian12-stock", profile: "proxy", connections: 200_000,
            expect: .fail),
        Example(check: "net.tcp-tw-reuse", fixture: "tuned-1m", expect: .pass),
        Example(check: "net.tcp-tw-reuse", fixture: "debian12-stock", expect: .pass),
        Example(check: "net.tcp-tw-reuse", fixture: "debian12-stock", profile: "proxy", expect: .warn),
        Example(check: "net.keepalive", fixture: "tuned-1m", profile: "gateway-1m", expect: .pass),
        Example(check: "net.keepalive", fixture: "debian12-stock", expect: .info),
        Example(check: "net.tcp-mem", fixture: "debian12-stock", profile: "server-100k", expect: .pass),
        Example(check: "net.tcp-mem", fixture: "debian12-stock", connections: 250_000, expect: .warn),
        Example(check: "net.tcp-mem", fixture: "debian12-stock", profile: "gateway-1m", expect: .fail),
        Example(check: "net.memory-pressure", fixture: "debian12-stock", expect: .pass),
        Example(check: "conntrack.max", fixture: "debian12-stock", profile: "server-100k", expect: .pass),
        Example(check: "conntrack.max", fixture: "debian12-stock", profile: "gateway-1m", expect: .fail),
        Example(check: "conntrack.max", fixture: "no-conntrack", profile: "gateway-1m", expect: .notApplicable),
        Example(check: "conntrack.buckets", fixture: "tuned-1m", profile: "gateway-1m", expect: .pass),
        Example(check: "conntrack.buckets", fixture: "debian12-stock", profile: "gateway-1m", expect: .warn),
        Example(check: "conntrack.usage", fixture: "debian12-stock", expect: .pass),
        Example(check: "conntrack.drops", fixture: "debian12-stock", expect: .pass),
        Example(check: "conntrack.drops", fixture: "drift", expect: .warn),
        Example(check: "conntrack.drops", fixture: "no-conntrack", expect: .notApplicable),
        Example(check: "conntrack.boot-order", fixture: "tuned-1m", expect: .pass),
        Example(check: "conntrack.boot-order", fixture: "drift", expect: .warn),
        Example(check: "conntrack.boot-order", fixture: "debian12-stock", expect: .notApplicable),
        Example(check: "net.listen-drops", fixture: "debian12-stock", expect: .pass),
        Example(check: "net.listen-drops", fixture: "drift", expect: .warn),
        Example(check: "sysctl.persisted", fixture: "tuned-1m", expect: .pass),
        Example(check: "sysctl.persisted", fixture: "debian12-stock", expect: .pass),
        Example(check: "sysctl.persisted", fixture: "drift", expect: .warn),
        Example(check: "sysctl.persisted", fixture: "low-capacity", expect: .warn),
        Example(check: "sysctl.overridden", fixture: "tuned-1m", expect: .pass),
        Example(check: "sysctl.overridden", fixture: "drift", expect: .warn),
        Example(check: "mem.budget", fixture: "debian12-stock", profile: "gateway-1m", expect: .pass),
        Example(check: "mem.budget", fixture: "debian12-stock", connections: 5_000_000, expect: .fail),
    ]

    func testExamples() throws {
        for e in Self.examples {
            let host = try Fixtures.host(e.fixture, e.options)
            let f = Fixtures.evaluate(
                e.check, host: host, profile: try Fixtures.profile(e.profile, connections: e.connections))
            XCTAssertEqual(f.severity, e.expect, "\(e.check) on \(e.fixture)/\(e.profile): \(f)", line: e.line)
            XCTAssertEqual(f.id, e.check)
            if f.severity == .fail || f.severity == .warn {
                XCTAssertNotNil(f.fix, "\(e.check) \(e.severityLabel) needs a fix", line: e.line)
                XCTAssertNotNil(f.current, line: e.line)
            }
        }
    }

    func testEveryCheckHasAPassingAndANonPassingExample() {
        for id in CheckRegistry.ids where id != "net.memory-pressure" && id != "conntrack.usage" {
            XCTAssertTrue(
                Self.examples.contains { $0.check == id && $0.expect == .pass }, "\(id) lacks a passing example")
            XCTAssertTrue(
                Self.examples.contains { $0.check == id && $0.expect != .pass }, "\(id) lacks a non-passing example")
        }
        XCTAssertEqual(Set(CheckRegistry.ids).count, CheckRegistry.ids.count, "ids are unique")
    }

    func testReservedPortsFailsWhenListenerInsideRange() throws {
        var host = try Fixtures.host("debian12-stock")
        host.sysctls["net.ipv4.ip_local_port_range"] = SysctlValue("1024 65535")
        let f = Fixtures.evaluate("ports.reserved-overlap", host: host, profile: try Fixtures.profile("dev"))
        XCTAssertEqual(f.severity, .fail)
        XCTAssertTrue(f.fix?.contains("net.ipv4.ip_local_reserved_ports=\"8080\"") ?? false, f.fix ?? "")
    }

    func testOverriddenNamesWinnerAndLoserFiles() throws {
        let f = Fixtures.evaluate(
            "sysctl.overridden", host: try Fixtures.host("drift"), profile: try Fixtures.profile("dev"))
        let text = f.current ?? ""
        XCTAssertTrue(text.contains("30-vendor.conf:1 wins with 2048"), text)
        XCTAssertTrue(text.contains("10-web.conf:1 (1024)"), text)
        XCTAssertTrue(text.contains("`sysctl --system` applies 0"), text)
    }

    func testPersistedSaysWhatRebootRestores() throws {
        let f = Fixtures.evaluate(
            "sysctl.persisted", host: try Fixtures.host("drift"), profile: try Fixtures.profile("dev"))
        XCTAssertTrue(
            f.current?.contains("net.core.somaxconn: live 65535, boot restores 2048") ?? false, f.current ?? "")
    }

    /// A live value below the profile's need is lost at reboot too, but the line to persist is the need, not the
    /// too-low live value: the fix must never tell the user to keep somaxconn at 128 when audit asks for 4096.
    func testPersistedFixNeverPersistsAValueBelowTheNeed() throws {
        let host = try Fixtures.host("low-capacity")
        let f = Fixtures.evaluate("sysctl.persisted", host: host, profile: try Fixtures.profile("server-100k"))
        let fix = try XCTUnwrap(f.fix)
        let somaxconnNeed = Fixtures.evaluate(
            "net.somaxconn", host: host, profile: try Fixtures.profile("server-100k"))
        XCTAssertEqual(somaxconnNeed.severity, .fail, "\(somaxconnNeed)")
        XCTAssertFalse(fix.contains("net.core.somaxconn = 128"), fix)
        XCTAssertTrue(fix.contains("net.core.somaxconn = 4096"), fix)
        XCTAssertFalse(fix.contains("fs.nr_open = 20000"), fix)
        // A live value that is already good enough is persisted as it is (dev needs less than the live range).
        let dev = Fixtures.evaluate("sysctl.persisted", host: host, profile: try Fixtures.profile("dev"))
        XCTAssertTrue(dev.fix?.contains("net.ipv4.ip_local_port_range = 1024 65535") ?? false, dev.fix ?? "")
    }

    func testAuditSummaryAndSkip() throws {
        let host = try Fixtures.host("low-capacity")
        let r = Audit.run(host: host, profile: try Fixtures.profile("dev"), skip: ["net.somaxconn"])
        XCTAssertFalse(r.ready)
        XCTAssertEqual(r.skipped, ["net.somaxconn"])
        XCTAssertFalse(r.findings.contains { $0.id == "net.somaxconn" })
        XCTAssertEqual(r.capacity.bindingLimit, "fd.soft-limit")
        let tuned = Audit.run(host: try Fixtures.host("tuned-1m"), profile: try Fixtures.profile("gateway-1m"))
        XCTAssertTrue(tuned.ready)
        XCTAssertGreaterThanOrEqual(tuned.capacity.connections, 1_000_000)
    }
}

extension CheckExampleTests.Example {
    var severityLabel: String { expect.rawValue }
}
