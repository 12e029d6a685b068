import Foundation
import XCTest

/// Issue 15, item 4: on the live host audit finds listeners with a LISTEN-only sock_diag dump (the kernel walks only
/// the listening hash), not by reading /proc/net/tcp and tcp6 (whose cost grows with every established socket);
/// under --root it still reads the copied text tables. Oracles: strace (which files it opens) and `ss -ltnH`.
final class AuditListenersTests: XCTestCase {
    struct Report: Decodable {
        struct F: Decodable { var id: String; var current: String? }
        var findings: [F]
    }

    /// Local ports of `ss -ltnH` rows ("LISTEN 0 128 0.0.0.0:2024 0.0.0.0:*", "[::1]:80", "*:443").
    static func ssListenPorts() throws -> Set<Int> {
        let r = try TestSupport.run(["ss", "-ltnH"])
        XCTAssertEqual(r.status, 0, r.stderr)
        var ports = Set<Int>()
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 4, let colon = f[3].lastIndex(of: ":"), let p = Int(f[3][f[3].index(after: colon)...])
            else { continue }
            ports.insert(p)
        }
        return ports
    }

    /// The ports audit's `ports.reserved-overlap` finding lists as listening ("range a-b; listening 80,443; ...").
    static func auditedPorts(_ json: String) throws -> Set<Int> {
        let report = try JSONDecoder().decode(Report.self, from: Data(json.utf8))
        let current = try XCTUnwrap(report.findings.first { $0.id == "ports.reserved-overlap" }?.current)
        let listed = try XCTUnwrap(current.components(separatedBy: "listening ").dropFirst().first)
        return Set(listed.prefix { $0 != ";" }.split(separator: ",").compactMap { Int($0) })
    }

    /// A process of this test listening on 127.0.0.1 and ::1 (ephemeral ports); stopped by `stop()`.
    final class Listener {
        let process = Process()
        var ports: [Int] = []
        init() throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [
                "-c",
                """
                import socket, sys, time
                a = socket.socket(); a.bind(('127.0.0.1', 0)); a.listen()
                b = socket.socket(socket.AF_INET6); b.bind(('::1', 0)); b.listen()
                print(a.getsockname()[1], b.getsockname()[1], flush=True)
                time.sleep(120)
                """,
            ]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            var line = ""
            while !line.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += String(decoding: chunk, as: UTF8.self)
            }
            ports = line.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
            XCTAssertEqual(ports.count, 2, "listener did not start: \(line)")
        }
        func stop() { process.terminate(); process.waitUntilExit() }
    }

    func strace(_ arguments: [String]) throws -> (CommandResult, String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            XCTFail("strace is not installed (scripts/setup installs it)")
            throw XCTSkip("no strace")
        }
        let dir = try TestSupport.temporaryDirectory("wstune-strace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("trace").path
        let r = try TestSupport.run(
            ["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", trace, TestSupport.wstuneBinary] + arguments)
        return (r, (try? String(contentsOfFile: trace, encoding: .utf8)) ?? "")
    }

    func testLiveAuditFindsListenersOverNetlinkWithoutReadingProcNetTcp() throws {
        let listener = try Listener()
        defer { listener.stop() }
        let before = try Self.ssListenPorts()
        let (r, trace) = try strace(["audit", "--json", "--profile", "dev"])
        let after = try Self.ssListenPorts()
        XCTAssertTrue([0, 1].contains(r.status), r.stderr)
        XCTAssertFalse(trace.isEmpty, "strace wrote no trace")
        XCTAssertFalse(trace.contains("\"/proc/net/tcp\""), "audit read /proc/net/tcp on the live host")
        XCTAssertFalse(trace.contains("\"/proc/net/tcp6\""), "audit read /proc/net/tcp6 on the live host")
        let audited = try Self.auditedPorts(r.stdout)
        // Listeners other processes open or close meanwhile may differ; those ss showed both times must be there.
        for p in before.intersection(after) {
            XCTAssertTrue(audited.contains(p), "ss lists :\(p), audit did not: \(audited.sorted())")
        }
        for p in listener.ports {
            XCTAssertTrue(audited.contains(p), "own listener :\(p) missing: \(audited.sorted())")
        }
        XCTAssertTrue(before.isSuperset(of: listener.ports), "ss oracle sees the test's listeners")
    }

    func testPlanOnTheLiveHostDoesNotReadProcNetTcp() throws {
        let (r, trace) = try strace(["plan", "--profile", "dev"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(trace.contains("\"/proc/net/tcp"), "plan read /proc/net/tcp on the live host")
    }

    func testRootedAuditStillReadsTheCopiedTextTables() throws {
        let root = TestSupport.fixtures.appendingPathComponent("debian12-stock").path
        let (r, trace) = try strace(["audit", "--json", "--root", root, "--profile", "dev"])
        XCTAssertTrue([0, 1].contains(r.status), r.stderr)
        XCTAssertTrue(trace.contains("\"\(root)/proc/net/tcp\""), "audit --root must read the tree's tables")
        // The fixture's own listeners (parsed from its text tables) are reported.
        let text =
            try String(contentsOfFile: root + "/proc/net/tcp", encoding: .utf8)
            + String(contentsOfFile: root + "/proc/net/tcp6", encoding: .utf8)
        var expected = Set<Int>()
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count > 3, f[3] == "0A", let c = f[1].lastIndex(of: ":"),
                let p = Int(f[1][f[1].index(after: c)...], radix: 16)
            {
                expected.insert(p)
            }
        }
        XCTAssertFalse(expected.isEmpty, "fixture has listeners")
        XCTAssertTrue(try Self.auditedPorts(r.stdout).isSuperset(of: expected))
    }
}
