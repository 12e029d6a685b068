import Foundation
import WSTTestSupport
import XCTest

/// `audit --json` carries values, not only display strings (issue 16): the observed number as the kernel states
/// it, the requirement as operator + number, the unit; and `--fail-on warn` that exits 1 says `"ready": false`.
final class AuditValuesTests: XCTestCase {
    struct Report: Decodable {
        struct Bound: Decodable { var op: String; var value: Int }
        typealias Observed = ObservedValue
        struct F: Decodable {
            var id: String; var severity: String; var current: String?; var needed: String?
            var observed: Observed?; var source: String?; var requirement: Bound?; var unit: String?
        }
        var schemaVersion: Int
        var ready: Bool
        var failOn: String?
        var findings: [F]
        func finding(_ id: String) -> F? { findings.first { $0.id == id } }
    }

    static let fixtureRoots = [
        "debian12-stock", "tuned-1m", "low-capacity", "drift", "child-netns", "no-conntrack", "unit-low-nofile",
    ]
    static let profiles = ["dev", "server-100k", "proxy", "gateway-1m"]

    func audit(_ args: [String]) throws -> (CommandResult, Report) {
        let r = try TestSupport.wstune(["audit", "--json"] + args)
        XCTAssertTrue(r.status == 0 || r.status == 1, "exit \(r.status): \(r.stderr)")
        return (r, try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8)))
    }

    func met(_ b: Report.Bound, _ n: Int) -> Bool {
        switch b.op {
        case ">=": return n >= b.value
        case "<=": return n <= b.value
        case "==": return n == b.value
        case ">": return n > b.value
        case "<": return n < b.value
        default: XCTFail("unknown op \(b.op)"); return false
        }
    }

    /// On every fixture root and profile: a finding with a number and a bound passes exactly when the number
    /// meets the bound, and a "≥ N" display string states the same N as the typed requirement.
    func testTypedValuesAgreeWithSeverityAndDisplay() throws {
        var typed = 0
        for root in Self.fixtureRoots {
            for profile in Self.profiles {
                let path = TestSupport.fixtures.appendingPathComponent(root).path
                let (_, report) = try audit(["--root", path, "--profile", profile])
                XCTAssertEqual(report.schemaVersion, 2)
                for f in report.findings where f.severity != "not-applicable" {
                    guard let b = f.requirement, case .number(let n)? = f.observed else { continue }
                    typed += 1
                    XCTAssertNotNil(f.unit, "\(root)/\(profile) \(f.id): a number needs its unit")
                    XCTAssertEqual(
                        f.severity == "pass", met(b, n),
                        "\(root)/\(profile) \(f.id): \(n) \(b.op) \(b.value) vs \(f.severity)")
                    if let needed = f.needed, needed.hasPrefix("≥ "), b.op == ">=" {
                        let digits = needed.dropFirst(2).prefix { $0.isNumber || $0 == "," }.filter(\.isNumber)
                        XCTAssertEqual(Int(digits), b.value, "\(root)/\(profile) \(f.id): display \(needed)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(typed, 100, "typed findings seen")
    }

    /// Live, inside a namespace with values set by `sysctl -w`: each finding read from a sysctl carries the value
    /// `sysctl -n` prints (a number where it is one), and fd limits carry the soft/hard limit /proc states.
    func testObservedEqualsSysctlInNamespace() throws {
        let ns = try NetNamespace("16-values")
        defer { ns.delete() }
        try ns.sysctl("net.core.somaxconn", "128")
        try ns.sysctl("net.ipv4.tcp_max_syn_backlog", "256")
        let r = try ns.exec([TestSupport.wstuneBinary, "audit", "--json", "--profile", "server-100k"])
        let report = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8))
        let somax = try XCTUnwrap(report.finding("net.somaxconn"))
        XCTAssertEqual(somax.observed, .number(128))
        XCTAssertEqual(somax.current, "128", "display string kept")
        XCTAssertEqual(somax.requirement?.op, ">=")
        XCTAssertEqual(somax.unit, "connections")
        var compared = 0
        for f in report.findings {
            guard let key = f.source, key.hasPrefix("net.") || key.hasPrefix("fs."), !key.contains(" "),
                !key.contains("["),
                let observed = f.observed
            else { continue }
            let out = try ns.exec(["sysctl", "-n", key]).stdout.split(whereSeparator: \.isWhitespace).joined(
                separator: " ")
            XCTAssertEqual(observed, Int(out).map { .number($0) } ?? .text(out), "\(f.id) from \(key)")
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 4)
        let soft = try XCTUnwrap(report.finding("fd.soft-limit"))
        let limits = try String(contentsOfFile: "/proc/self/limits", encoding: .utf8)
        let line = try XCTUnwrap(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let fields = line.split(separator: " ")
        // The audit process inherits the test's limits (ip netns exec does not change them).
        XCTAssertEqual(soft.observed, Int(fields[3]).map { .number($0) })
        XCTAssertEqual(soft.unit, "files")
    }

    /// `--fail-on warn` that exits 1 says `"ready": false` in JSON and prints NOT READY, never READY, in text.
    func testFailOnWarnIsNotReady() throws {
        // A fixture/profile with warnings, its failing checks skipped: ready by default, with warnings.
        var found: (String, String, [String])?
        search: for root in Self.fixtureRoots {
            for profile in Self.profiles {
                let path = TestSupport.fixtures.appendingPathComponent(root).path
                let (_, report) = try audit(["--root", path, "--profile", profile])
                let skips = report.findings.filter { $0.severity == "fail" }.flatMap { ["--skip", $0.id] }
                if report.findings.contains(where: { $0.severity == "warn" }) {
                    found = (path, profile, skips); break search
                }
            }
        }
        let (path, profile, skips) = try XCTUnwrap(found, "a fixture with warnings")
        let (r, report) = try audit(["--root", path, "--profile", profile, "--fail-on", "warn"] + skips)
        XCTAssertEqual(r.status, 1)
        XCTAssertFalse(report.ready, "exit 1 under --fail-on warn must say ready: false")
        XCTAssertEqual(report.failOn, "warn")
        let text = try TestSupport.wstune(["audit", "--root", path, "--profile", profile, "--fail-on", "warn"] + skips)
        XCTAssertEqual(text.status, 1)
        XCTAssertFalse(text.stdout.contains("\nREADY"), text.stdout)
        XCTAssertTrue(text.stdout.contains("NOT READY"), text.stdout)
        // Without --fail-on warn the same host is ready.
        let (r0, report0) = try audit(["--root", path, "--profile", profile] + skips)
        XCTAssertEqual(r0.status, 0)
        XCTAssertTrue(report0.ready)
        XCTAssertEqual(report0.failOn, "fail")
    }

    /// lint findings with numbers carry them too: each trigger fixture's failing finding has a number that misses
    /// its bound, and the number is the one the config states.
    func testLintFindingsCarryTypedValues() throws {
        struct Lint: Decodable { var schemaVersion: Int; var findings: [Report.F] }
        let cases: [(String, String, String, Report.Observed)] = [
            ("nginx", "worker-capacity.trigger.conf", "nginx.worker-capacity", .number(2 * 4096)),
            ("haproxy", "maxconn.trigger.cfg", "haproxy.maxconn", .number(-1)),
            ("systemd", "limit-nofile.trigger.service", "systemd.limit-nofile", .number(-1)),
            ("nginx", "read-timeout.trigger.conf", "nginx.read-timeout", .number(-1)),
        ]
        var seen = 0
        for (target, file, id, expected) in cases {
            let path = TestSupport.fixtures.appendingPathComponent("lint/\(target)/\(file)").path
            let r = try TestSupport.wstune(["lint", target, path, "--json", "--profile", "proxy"])
            let report = try JSONDecoder().decode(Lint.self, from: Data(r.stdout.utf8))
            XCTAssertEqual(report.schemaVersion, 2)
            guard let f = report.findings.first(where: { $0.id == id && $0.severity == "fail" }) else { continue }
            seen += 1
            let b = try XCTUnwrap(f.requirement, "\(id) has a requirement")
            guard case .number(let n)? = f.observed else { XCTFail("\(id): observed is a number"); continue }
            XCTAssertFalse(met(b, n), "\(id): failing, so \(n) misses \(b.op) \(b.value)")
            XCTAssertNotNil(f.unit)
            if case .number(let e) = expected, e >= 0 { XCTAssertEqual(n, e, "\(id) observed") }
            // The number is in the display string the config produced.
            XCTAssertTrue(f.current?.contains(String(n)) ?? false, "\(id): \(f.current ?? "") shows \(n)")
        }
        XCTAssertEqual(seen, cases.count, "every trigger fixture fails its check")
    }

    /// apply --json per setting: before = the value the tree held, after = the value it holds once applied;
    /// rollback --json: before = the applied value, after = the restored one. Oracle: the tree's proc/sys files.
    func testApplyAndRollbackCarryBeforeAndAfter() throws {
        let tree = try ApplyFixtureTree()
        func live(_ key: String) -> String {
            (tree.read("proc/sys/" + key.replacingOccurrences(of: ".", with: "/")) ?? "").split(
                whereSeparator: \.isWhitespace
            ).joined(separator: " ")
        }
        func typed(_ text: String) -> Report.Observed { Int(text).map { .number($0) } ?? .text(text) }
        func decode(_ v: Any?) -> Report.Observed? {
            if let n = v as? Int { return .number(n) }
            return (v as? String).map { .text($0) }
        }
        let keys = ["net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_mem"]
        let original = Dictionary(uniqueKeysWithValues: keys.map { ($0, live($0)) })
        let r = try TestSupport.wstune(["apply", "--json", "--yes", "--root", tree.path, "--profile", "dev"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try ApplyJSON.object(r.stdout)
        XCTAssertEqual(report["schemaVersion"] as? Int, 2)
        for key in keys {
            let s = try XCTUnwrap(ApplyJSON.setting(report, key), key)
            XCTAssertEqual(decode(s["before"]), typed(original[key]!), "\(key) before")
            XCTAssertEqual(decode(s["after"]), typed(live(key)), "\(key) after = what the tree holds now")
            XCTAssertEqual(s["changed"] as? Bool, original[key] != live(key))
        }
        let somax = try XCTUnwrap(ApplyJSON.setting(report, "net.core.somaxconn"))
        let req = try XCTUnwrap(somax["requirement"] as? [String: Any])
        XCTAssertEqual(req["op"] as? String, ">=")
        XCTAssertGreaterThanOrEqual(Int(live("net.core.somaxconn")) ?? 0, req["value"] as? Int ?? .max)
        let applied = Dictionary(uniqueKeysWithValues: keys.map { ($0, live($0)) })
        let rb = try TestSupport.wstune(["rollback", "--json", "--root", tree.path])
        XCTAssertEqual(rb.status, 0, rb.stderr)
        let rollback = try ApplyJSON.object(rb.stdout)
        let settings = try XCTUnwrap(rollback["settings"] as? [[String: Any]])
        for key in keys where original[key] != applied[key] {
            let s = try XCTUnwrap(settings.first { $0["id"] as? String == key }, key)
            XCTAssertEqual(decode(s["before"]), typed(applied[key]!), "\(key) rollback before")
            XCTAssertEqual(decode(s["after"]), typed(original[key]!), "\(key) rollback after")
            XCTAssertEqual(live(key), original[key], "\(key) restored in the tree")
            XCTAssertEqual(s["changed"] as? Bool, true)
        }
    }
}
