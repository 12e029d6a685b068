import Foundation
import XCTest

/// Issue 15, item 7: the `sudo wstune apply` a fix suggests repeats the audit's --profile, --connections, --unit and
/// --root. Oracle: the hinted command itself, run with --dry-run, plans the profile and target that were judged.
final class AuditFixHintTests: XCTestCase {
    struct Report: Decodable { struct F: Decodable { var id: String; var fix: String? }; var findings: [F] }
    struct Plan: Decodable { var profile: String }

    /// Every `sudo wstune apply …` in the report's fixes, as argument lists (up to the closing parenthesis or the
    /// end of the hint; the paths involved have no spaces).
    func hints(_ json: String) throws -> [[String]] {
        let report = try JSONDecoder().decode(Report.self, from: Data(json.utf8))
        var out: [[String]] = []
        for fix in report.findings.compactMap(\.fix) {
            for part in fix.components(separatedBy: "sudo wstune apply").dropFirst() {
                let tail = part.prefix { $0 != ")" && $0 != ";" }
                // "--option value" pairs, up to the first word that is not an option ("writes the drop-in").
                let words = tail.split(separator: " ").map(String.init)
                var args: [String] = []
                var i = 0
                while i + 1 < words.count, words[i].hasPrefix("--") { args += [words[i], words[i + 1]]; i += 2 }
                out.append(args)
            }
        }
        return out
    }

    func testHintRepeatsProfileConnectionsAndRoot() throws {
        let root = TestSupport.fixtures.appendingPathComponent("debian12-stock").path
        let text = try TestSupport.wstune([
            "audit", "--root", root, "--profile", "server-100k", "--connections", "50000",
        ])
        XCTAssertEqual(text.status, 1, text.stderr)
        XCTAssertFalse(
            text.stdout.contains("(or: sudo wstune apply)"), "a bare hint applies the dev profile:\n\(text.stdout)")
        XCTAssertTrue(
            text.stdout.contains("sudo wstune apply --profile server-100k --connections 50000 --root \(root)"),
            text.stdout)

        let json = try TestSupport.wstune([
            "audit", "--json", "--root", root, "--profile", "server-100k", "--connections", "50000",
        ])
        let hints = try hints(json.stdout)
        XCTAssertFalse(hints.isEmpty, json.stdout)
        for args in Set(hints.map { $0.joined(separator: " ") }) {
            XCTAssertEqual(
                Array(args.split(separator: " ").prefix(4)).map(String.init),
                ["--profile", "server-100k", "--connections", "50000"], args)
            // Following the hint (as a dry run) plans what was judged: the same profile, target and root.
            let plan = try TestSupport.wstune(
                ["apply"] + args.split(separator: " ").map(String.init) + ["--dry-run", "--json"])
            XCTAssertEqual(plan.status, 0, "\(args): \(plan.stderr)")
            let p = try JSONDecoder().decode(Plan.self, from: Data(plan.stdout.utf8))
            XCTAssertEqual(p.profile, "server-100k", args)
            XCTAssertTrue(
                plan.stdout.contains("50000") || plan.stdout.contains("50,000"),
                "the plan is for 50000 connections: \(args)")
        }
    }

    func testHintNamesTheAuditedUnit() throws {
        let root = TestSupport.fixtures.appendingPathComponent("unit-low-nofile").path
        let r = try TestSupport.wstune(["audit", "--root", root, "--profile", "gateway-1m", "--unit", "chat"])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertFalse(r.stdout.contains("--unit NAME"), r.stdout)
        XCTAssertTrue(r.stdout.contains("sudo wstune apply --profile gateway-1m --unit chat --root \(root)"), r.stdout)
        XCTAssertFalse(r.stdout.contains("(or: sudo wstune apply)"), r.stdout)
    }

    func testDefaultProfileHintStaysShort() throws {
        let root = TestSupport.fixtures.appendingPathComponent("debian12-stock").path
        let r = try TestSupport.wstune(["audit", "--root", root])
        XCTAssertTrue(r.stdout.contains("sudo wstune apply --root \(root)"), r.stdout)
    }
}
