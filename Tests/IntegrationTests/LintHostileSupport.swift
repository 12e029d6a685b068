import Foundation
import XCTest

/// Helpers for the hostile-input lint tests: run `wstune lint` with a time bound and insist it ended with a
/// documented exit code (a trap, a stack overflow or a hang is a failure, reported instead of killing the suite).
enum LintHostileSupport {
    static let documentedExitCodes: Set<Int32> = [0, 1, 2, 3, 4, 64]

    @discardableResult
    static func lint(
        _ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
        timeoutSeconds: Double = 20, file: StaticString = #filePath, line: UInt = #line
    ) throws -> CommandResult {
        let start = Date()
        let r = try TestSupport.run(
            [TestSupport.wstuneBinary, "lint"] + arguments, input: input, environment: environment,
            timeoutSeconds: timeoutSeconds)
        let took = Date().timeIntervalSince(start)
        XCTAssertLessThan(
            took, timeoutSeconds,
            "wstune lint \(arguments.joined(separator: " ")) did not finish in \(timeoutSeconds)s",
            file: file, line: line)
        XCTAssertTrue(
            documentedExitCodes.contains(r.status),
            "wstune lint \(arguments.joined(separator: " ")) ended with \(r.status) (a crash?): \(r.stderr.suffix(500))",
            file: file, line: line)
        return r
    }

    /// Findings worse than pass in a `lint --json` report, as id → locations.
    static func raised(_ json: String) throws -> [String: [String]] {
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let findings = try XCTUnwrap(obj?["findings"] as? [[String: Any]], json)
        var out: [String: [String]] = [:]
        for f in findings where !["pass", "not-applicable"].contains(f["severity"] as? String ?? "") {
            out[f["id"] as? String ?? "", default: []].append(f["location"] as? String ?? "")
        }
        return out
    }

    /// The `current` texts of the findings with this id.
    static func currents(_ json: String, id: String) throws -> [String] {
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let findings = try XCTUnwrap(obj?["findings"] as? [[String: Any]], json)
        return findings.filter { $0["id"] as? String == id }.compactMap { $0["current"] as? String }
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// `nginx -t` of a file with its own prefix and pid file (never the system's).
    static func nginxTest(_ file: String, prefix: String) throws -> CommandResult {
        try TestSupport.run(
            ["nginx", "-t", "-q", "-p", prefix + "/", "-e", "stderr", "-c", file, "-g", "pid \(prefix)/nginx.pid;"],
            timeoutSeconds: 30)
    }
}
