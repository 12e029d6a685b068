import Foundation
import XCTest

/// The real kernel inside a network namespace the test creates: apply sets the per-namespace net.* keys there,
/// reports global keys as the host's, rollback restores the originals, and the host's own values never move.
/// Persistent files and the journal go to a temporary --files-root, never the real /etc.
final class ApplyNamespaceTests: XCTestCase {
    static let nsKeys = [
        "net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_tw_reuse",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.ip_local_reserved_ports", "net.ipv4.ip_local_port_range",
    ]
    static let hostKeys = nsKeys + ["fs.file-max", "fs.nr_open", "net.netfilter.nf_conntrack_max", "net.ipv4.tcp_mem"]

    func values(_ keys: [String], in ns: NetNamespace?) throws -> [String: String] {
        var out: [String: String] = [:]
        for k in keys {
            let cmd = ["sysctl", "-n", k]
            let r = try ns.map { try $0.exec(cmd) } ?? TestSupport.run(cmd)
            out[k] = r.status == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "absent"
        }
        return out
    }

    func untunedNamespace(_ tag: String) throws -> NetNamespace {
        let ns = try NetNamespace(tag)
        try ns.sysctl("net.core.somaxconn", "128")
        try ns.sysctl("net.ipv4.tcp_max_syn_backlog", "128")
        try ns.sysctl("net.ipv4.tcp_tw_reuse", "0")
        try ns.sysctl("net.ipv4.ip_local_port_range", "1024 65535")
        return ns
    }

    func testApplyAuditRollbackInANamespace() throws {
        let hostBefore = try values(Self.hostKeys, in: nil)
        let ns = try untunedNamespace("apply")
        defer { ns.delete() }
        let files = try TestSupport.temporaryDirectory("wstune-apply-files")
        defer { try? FileManager.default.removeItem(at: files) }
        let bin = TestSupport.wstuneBinary
        let nsBefore = try values(Self.nsKeys, in: ns)

        let apply = try ns.exec([bin, "apply", "--yes", "--json", "--profile", "dev", "--files-root", files.path])
        XCTAssertEqual(apply.status, 0, apply.stderr)
        let report = try ApplyJSON.object(apply.stdout)
        XCTAssertEqual(report["changed"] as? Bool, true)
        XCTAssertEqual(ApplyJSON.setting(report, "net.core.somaxconn")?["liveChanged"] as? Bool, true)
        // nf_conntrack_max is planned only when conntrack tracks something here (profile conntrack: auto): the module
        // is loaded and the namespace's table has entries. A fresh namespace without a ct ruleset has none.
        let count = try ns.exec(["sysctl", "-n", "net.netfilter.nf_conntrack_count"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let conntrack = FileManager.default.fileExists(atPath: "/sys/module/nf_conntrack") && (Int(count) ?? 0) > 0
        if !conntrack {
            XCTAssertNil(
                ApplyJSON.setting(report, "net.netfilter.nf_conntrack_max"), "not planned when nothing is tracked")
        }
        for global in ["fs.file-max", "fs.nr_open"]
            + (conntrack ? ["net.netfilter.nf_conntrack_max", "conntrack hashsize"] : [])
        {
            XCTAssertEqual(ApplyJSON.setting(report, global)?["action"] as? String, "global", global)
            XCTAssertEqual(ApplyJSON.setting(report, global)?["note"] as? String, "global: set it on the host", global)
        }

        // The namespace's kernel values, read by sysctl.
        let tuned = try values(Self.nsKeys, in: ns)
        XCTAssertEqual(tuned["net.core.somaxconn"], "4096")
        XCTAssertEqual(tuned["net.ipv4.tcp_max_syn_backlog"], "4096")
        XCTAssertEqual(tuned["net.ipv4.tcp_tw_reuse"], "1")
        XCTAssertEqual(tuned["net.ipv4.tcp_keepalive_time"], "120")
        XCTAssertEqual(tuned["net.ipv4.ip_local_reserved_ports"], "8080")
        // The persisted file is valid for sysctl itself (applied in the namespace: the same values).
        let conf = files.path + "/etc/sysctl.d/90-wstune.conf"
        let p = try ns.exec(["sysctl", "-p", conf])
        XCTAssertEqual(p.status, 0, p.stderr)
        XCTAssertTrue(p.stdout.contains("net.ipv4.tcp_tw_reuse = 1"), p.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: files.path + "/etc/modprobe.d"), "hashsize is global")

        // Audit in the namespace: the per-namespace checks apply controls pass.
        let audit = try ns.exec([bin, "audit", "--profile", "dev", "--json"])
        let severities = ApplyJSON.severities(try ApplyJSON.object(audit.stdout))
        for id in ["net.somaxconn", "net.syn-backlog", "net.tcp-tw-reuse", "net.keepalive", "ports.reserved-overlap"] {
            XCTAssertEqual(severities[id], "pass", id)
        }

        // A second identical apply: no changes, no new journal entry.
        let again = try ns.exec([bin, "apply", "--yes", "--json", "--profile", "dev", "--files-root", files.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        let againReport = try ApplyJSON.object(again.stdout)
        XCTAssertEqual(againReport["changed"] as? Bool, false)
        XCTAssertEqual(againReport["result"] as? String, "no-changes")
        let journal = try FileManager.default.contentsOfDirectory(atPath: files.path + "/var/lib/wstune/journal").filter
        { $0.hasSuffix(".json") }
        XCTAssertEqual(journal.count, 1)

        let rollback = try ns.exec([bin, "rollback", "--files-root", files.path])
        XCTAssertEqual(rollback.status, 0, rollback.stderr)
        XCTAssertEqual(try values(Self.nsKeys, in: ns), nsBefore)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: files.path + "/etc"), "files that did not exist are deleted")
        let second = try ns.exec([bin, "rollback", "--files-root", files.path])
        XCTAssertEqual(second.status, 0)
        XCTAssertTrue(second.stdout.contains("Nothing to roll back"))
        XCTAssertEqual(try values(Self.nsKeys, in: ns), nsBefore)

        XCTAssertEqual(try values(Self.hostKeys, in: nil), hostBefore, "the host's own values are unchanged")
    }

    func testKernelRejectsAValueHalfWayAndEverythingIsRestored() throws {
        let hostBefore = try values(Self.hostKeys, in: nil)
        let ns = try untunedNamespace("einval")
        defer { ns.delete() }
        let files = try TestSupport.temporaryDirectory("wstune-apply-files")
        defer { try? FileManager.default.removeItem(at: files) }
        // tcp_tw_reuse accepts 0..2: the kernel answers 3 with EINVAL, after somaxconn and the SYN backlog were set.
        let profile = files.path + "/bad.yaml"
        try Data("name: bad\nconnections: 10000\nlisten_ports: [8080]\nsettings:\n  net.ipv4.tcp_tw_reuse: 3\n".utf8)
            .write(to: URL(fileURLWithPath: profile))
        let nsBefore = try values(Self.nsKeys, in: ns)
        let r = try ns.exec([
            TestSupport.wstuneBinary, "apply", "--yes", "--profile", profile, "--files-root", files.path,
        ])
        XCTAssertEqual(r.status, 3, r.stdout + r.stderr)
        XCTAssertTrue(
            r.stderr.contains("apply failed at net.ipv4.tcp_tw_reuse: write failed: Invalid argument"), r.stderr)
        XCTAssertTrue(r.stdout.contains("net.core.somaxconn"), "somaxconn was changed, then restored: \(r.stdout)")
        XCTAssertEqual(try values(Self.nsKeys, in: ns), nsBefore)
        XCTAssertFalse(FileManager.default.fileExists(atPath: files.path + "/etc"))
        XCTAssertEqual(try values(Self.hostKeys, in: nil), hostBefore)
    }
}
