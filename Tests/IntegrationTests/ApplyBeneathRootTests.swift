import Foundation
import XCTest

/// Under --root nothing is written outside the tree, no profile text reaches a file unchecked, --exact never goes
/// below the kernel's own values, and temporary files a killed run left are cleaned by the next one.
final class ApplyBeneathRootTests: XCTestCase {
    func testAKeyLinkedOutsideTheTreeIsRefusedAndTheTargetUntouched() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let tree = try ApplyFixtureTree()
        let outside = try TestSupport.temporaryDirectory("wstune-outside")
        defer { try? FileManager.default.removeItem(at: outside) }
        let victim = outside.appendingPathComponent("tcp_keepalive_time").path
        try Data("7200\n".utf8).write(to: URL(fileURLWithPath: victim))
        let key = tree.path + "/proc/sys/net/ipv4/tcp_keepalive_time"
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.createSymbolicLink(atPath: key, withDestinationPath: victim)
        let before = try tree.snapshot()
        let r = try TestSupport.wstune(["apply", "--yes", "--profile", "dev", "--root", tree.path])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains(key) && r.stderr.contains("symbolic link"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "7200\n", "the file outside is untouched")
        XCTAssertEqual(try tree.snapshot(), before)
    }

    func testADirectoryLinkedOutsideTheTreeIsRefusedAndNothingCreatedThere() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let tree = try ApplyFixtureTree()
        let outside = try TestSupport.temporaryDirectory("wstune-outside")
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createDirectory(atPath: tree.path + "/etc/security", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: tree.path + "/etc/security/limits.d", withDestinationPath: outside.path)
        let r = try TestSupport.wstune(["apply", "--yes", "--profile", "dev", "--root", tree.path])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(
            r.stderr.contains(tree.path + "/etc/security/limits.d") && r.stderr.contains("symbolic link"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside.path), [], "nothing created outside")
        XCTAssertEqual(tree.read("proc/sys/net/core/somaxconn"), "128\n", "refused before any change")
    }

    /// A profile whose name carries a newline and a sysctl line: refused at load, naming file and key; nothing written,
    /// nothing rendered.
    func testProfileTextWithANewlineNeverReachesAFile() throws {
        let tree = try ApplyFixtureTree()
        let dir = try TestSupport.temporaryDirectory("wstune-evil-profile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = dir.appendingPathComponent("evil.yaml").path
        try Data("name: \"evil\\nkernel.core_pattern = |/tmp/x\"\nconnections: 10000\n".utf8).write(
            to: URL(fileURLWithPath: profile))
        let before = try tree.snapshot(includingJournal: true)
        for args in [
            ["apply", "--yes", "--unit", "chat", "--root", tree.path], ["apply", "--dry-run", "--root", tree.path],
            ["render", "nginx"], ["render", "systemd"],
        ] {
            let r = try TestSupport.wstune(args + ["--profile", profile])
            XCTAssertEqual(r.status, 2, "\(args): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(profile) && r.stderr.contains("name"), r.stderr)
            XCTAssertFalse(r.stdout.contains("core_pattern"), r.stdout)
        }
        XCTAssertEqual(try tree.snapshot(includingJournal: true), before)
        XCTAssertNil(tree.read("etc/sysctl.d/90-wstune.conf"))
        // Render options: a line separator or a control character in --server-name is refused too.
        for bad in ["a\u{2028}user root", "a\u{0B}b", "é.example"] {
            let r = try TestSupport.wstune(["render", "nginx", "--profile", "dev", "--server-name", bad])
            XCTAssertEqual(r.status, 2, "\(bad.debugDescription): \(r.stdout)")
            XCTAssertTrue(r.stderr.contains("--server-name"), r.stderr)
        }
        // --user and --unit go into limits.d and the drop-in path: their character sets are checked.
        for args in [["--user", "x\u{2028}root"], ["--unit", "chat\u{0B}.service"], ["--unit", ".."]] {
            let r = try TestSupport.wstune(["apply", "--dry-run", "--profile", "dev", "--root", tree.path] + args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stdout) \(r.stderr)")
        }
    }

    /// The tuned-1m tree (24 GiB) with profile dev and --exact: never below what the kernel computes for that memory,
    /// and the plan says so; limits.d keeps the admin's hard limit and adds root's line (the need is 10064).
    func testExactNeverGoesBelowTheKernelsOwnValues() throws {
        let tree = try ApplyFixtureTree(copying: TestSupport.fixtures.appendingPathComponent("tuned-1m").path)
        let memKiB = try XCTUnwrap(
            tree.read("proc/meminfo")?.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
                .flatMap { Int($0.split(separator: " ")[1]) })
        let pages = memKiB * 1024 / 4096
        let r = try TestSupport.wstune(["apply", "--yes", "--exact", "--json", "--profile", "dev", "--root", tree.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let plan = try ApplyJSON.object(r.stdout)
        func target(_ id: String) -> [Int] {
            ((ApplyJSON.setting(plan, id)?["target"] as? String) ?? "").split(separator: " ").compactMap { Int($0) }
        }
        // fs/file_table.c: 10% of memory in KiB; net/ipv4/tcp.c: pages/16; nf_conntrack_core.c: 262144 above 4 GiB.
        XCTAssertGreaterThanOrEqual(target("fs.file-max").first ?? 0, memKiB / 10)
        let limit = pages / 16
        XCTAssertTrue(
            zip(target("net.ipv4.tcp_mem"), [limit / 4 * 3, limit, limit / 4 * 3 * 2]).allSatisfy { $0 >= $1 },
            "\(target("net.ipv4.tcp_mem"))")
        XCTAssertEqual(target("net.ipv4.tcp_mem").count, 3)
        XCTAssertGreaterThanOrEqual(target("net.netfilter.nf_conntrack_max").first ?? 0, 262_144)
        XCTAssertTrue(
            (ApplyJSON.setting(plan, "fs.file-max")?["note"] as? String ?? "").contains("never below"), "\(plan)")
        let text = tree.read("etc/security/limits.d/90-wstune.conf") ?? ""
        XCTAssertTrue(text.contains("* hard nofile 1048576"), "the admin's hard limit is never lowered: \(text)")
        // root: no wildcard line applies; its logins inherit systemd's DefaultLimitNOFILE hard 524288, kept.
        XCTAssertTrue(text.contains("root soft nofile 10064\nroot hard nofile 524288\n"), text)
    }

    /// A temporary file a killed run left (holding the user's original bytes once) goes at the next run; files of
    /// other names stay.
    func testTheNextRunRemovesTemporaryFilesAKilledRunLeft() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let tree = try ApplyFixtureTree()
        try tree.write("etc/sysctl.d/.90-wstune.conf.wstune-Ab12Cd", "net.core.somaxconn = 128\n")
        try tree.write("etc/sysctl.d/.90-wstune.conf.keep", "mine\n")
        try tree.write("var/lib/wstune/journal/.000001-20260101T000000Z.json.wstune-Zz9Yy8", "{")
        let r = try TestSupport.wstune(["apply", "--yes", "--profile", "dev", "--root", tree.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNil(tree.read("etc/sysctl.d/.90-wstune.conf.wstune-Ab12Cd"))
        XCTAssertNil(tree.read("var/lib/wstune/journal/.000001-20260101T000000Z.json.wstune-Zz9Yy8"))
        XCTAssertEqual(tree.read("etc/sysctl.d/.90-wstune.conf.keep"), "mine\n")
        XCTAssertTrue(r.stderr.contains("removed a temporary file"), r.stderr)
    }
}
