import Foundation
import XCTest

/// audit and check predict with one capacity model: for the same running server process and profile, both CLIs'
/// --json give the same numbers under the same ids. The server runs with nofile 2000 (prlimit), so both must say
/// 2000 − 64 = 1936 for its fd limit.
final class CheckAuditAgreementTests: XCTestCase {
    func testAuditAndCheckPredictTheSameForOneProcess() throws {
        let port = try CheckTestSupport.freePort()
        let server = try CheckTestSupport.startReferenceServer(
            port: port, prefix: ["/usr/bin/prlimit", "--nofile=2000:2000", "--"])
        defer { CheckTestSupport.stop(server) }
        // prlimit execs the server: the pid Process knows is the server's.
        let pid = server.processIdentifier

        let audit = try TestSupport.run(
            [TestSupport.wstuneBinary, "audit", "--pid", "\(pid)", "--connections", "20", "--json"], timeoutSeconds: 60)
        XCTAssertTrue([0, 1].contains(audit.status), "audit ran; stderr: \(audit.stderr)")
        let capacity = try XCTUnwrap(try CheckTestSupport.json(audit.stdout)["capacity"] as? [String: Any])
        let auditLimits = try limits(capacity["limits"])

        let check = try TestSupport.run(
            [
                TestSupport.wstuneBinary, "check", "--url", "ws://127.0.0.1:\(port)/ws/broadcast", "--pid", "\(pid)",
                "--connections", "20", "--rate", "200", "--hold", "0.5", "--json",
            ], timeoutSeconds: 90)
        XCTAssertEqual(check.status, 0, "20 connections reach the server; stderr: \(check.stderr)")
        let prediction = try XCTUnwrap(try CheckTestSupport.json(check.stdout)["prediction"] as? [String: Any])
        let checkLimits = try limits(prediction["limits"])

        XCTAssertEqual(auditLimits["fd.soft-limit"], 1936, "audit: \(auditLimits)")
        XCTAssertEqual(checkLimits["server.nofile"], auditLimits["fd.soft-limit"], "check: \(checkLimits)")
        XCTAssertEqual(capacity["connections"] as? Int, 1936)
        XCTAssertEqual(checkLimits.values.min(), capacity["connections"] as? Int, "the same binding number")
        for (id, n) in checkLimits where id != "server.nofile" && id != "client.ephemeral-ports" {
            let a = try XCTUnwrap(
                auditLimits[id], "check's \(id) is one of the audit's ids \(auditLimits.keys.sorted())")
            // Free memory and handles in use move a little between the two runs; the rest is exact.
            let drift = ["mem.budget", "fs.file-max"].contains(id) ? max(a / 50, 100) : 0
            XCTAssertLessThanOrEqual(abs(n - a), drift, "\(id): check \(n), audit \(a)")
        }
    }

    private func limits(_ value: Any?) throws -> [String: Int] {
        let rows = try XCTUnwrap(value as? [[String: Any]])
        var out: [String: Int] = [:]
        for r in rows {
            out[try XCTUnwrap(r["id"] as? String)] = try XCTUnwrap(r["connections"] as? Int)
        }
        return out
    }
}
