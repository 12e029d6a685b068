import Foundation
import XCTest

/// The built binary against a temporary root: apply, audit, idempotence, rollback, dry run, refusals.
final class ApplyRootTests: XCTestCase {
    /// Checks whose subject apply sets (under a root every key is writable, so all of them must pass after apply).
    static let controlled = [
        "fd.soft-limit", "fd.hard-limit", "fs.nr-open", "fs.file-max", "net.somaxconn", "net.syn-backlog",
        "net.netdev-backlog", "ports.reserved-overlap", "net.tcp-tw-reuse", "net.keepalive", "net.tcp-mem",
        "conntrack.max", "conntrack.buckets", "conntrack.boot-order", "sysctl.persisted",
    ]

    func testApplyAuditIdempotenceAndExactRollbackUnderARoot() throws {
        guard TestSupport.isRoot else { throw XCTSkip("apply needs root") }
        let tree = try ApplyFixtureTree()
        let before = try tree.snapshot()
        let common = ["--profile", "dev", "--root", tree.path]

        // Untuned: the audit fails.
        let pre = try TestSupport.wstune(["audit", "--unit", "chat", "--json"] + common)
        XCTAssertEqual(pre.status, 1, pre.stderr)

        // --dry-run prints the plan and writes nothing, not even a journal.
        let dry = try TestSupport.wstune(["apply", "--dry-run", "--unit", "chat"] + common)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("~ net.core.somaxconn"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("+ net.core.somaxconn = 4096"), "the file diff shows the new line")
        XCTAssertEqual(try tree.snapshot(includingJournal: true), before)

        // Not on a terminal and no --yes: refuses, changes nothing.
        let noYes = try TestSupport.wstune(["apply", "--unit", "chat"] + common)
        XCTAssertEqual(noYes.status, 2)
        XCTAssertTrue(noYes.stderr.contains("--yes"), noYes.stderr)
        XCTAssertEqual(try tree.snapshot(), before)

        let apply = try TestSupport.wstune(["apply", "--yes", "--json", "--unit", "chat"] + common)
        XCTAssertEqual(apply.status, 0, apply.stderr)
        let report = try ApplyJSON.object(apply.stdout)
        XCTAssertEqual(report["result"] as? String, "applied")
        XCTAssertEqual(report["changed"] as? Bool, true)
        XCTAssertEqual(ApplyJSON.setting(report, "net.core.somaxconn")?["changed"] as? Bool, true)
        XCTAssertEqual(ApplyJSON.setting(report, "net.core.somaxconn")?["target"] as? String, "4096")
        XCTAssertEqual(ApplyJSON.setting(report, "fs.nr_open")?["changed"] as? Bool, false)
        XCTAssertEqual(tree.read("proc/sys/net/core/somaxconn"), "4096\n")
        XCTAssertEqual(tree.read("proc/sys/net/ipv4/ip_local_reserved_ports"), "8080\n")
        let nofile = try XCTUnwrap(ApplyJSON.setting(report, "nofile (chat.service)"))
        let need = try XCTUnwrap(Int((nofile["need"] as? String ?? "").filter(\.isNumber)))
        XCTAssertEqual(
            nofile["target"] as? String, "soft \(need), hard 524288",
            "systemd's default hard limit is above the need: kept")
        let dropIn = tree.read("etc/systemd/system/chat.service.d/90-wstune.conf") ?? ""
        XCTAssertTrue(dropIn.contains("[Service]\nLimitNOFILE=\(need):524288\n"), dropIn)
        XCTAssertEqual(tree.read("etc/modules-load.d/wstune-conntrack.conf")?.hasSuffix("nf_conntrack\n"), true)

        // Audit with the same profile: every check apply controls passes.
        let post = try TestSupport.wstune(["audit", "--unit", "chat", "--json"] + common)
        let severities = ApplyJSON.severities(try ApplyJSON.object(post.stdout))
        for id in Self.controlled {
            XCTAssertTrue(
                ["pass", "not-applicable"].contains(severities[id] ?? "missing"),
                "\(id): \(severities[id] ?? "missing")")
        }
        // 10-local.conf's somaxconn = 128 loses to ours: audit reports that as information.
        XCTAssertEqual(severities["sysctl.overridden"], "info")

        // Idempotent: nothing written the second time, no new journal entry.
        let tuned = try tree.snapshot(includingJournal: true)
        let again = try TestSupport.wstune(["apply", "--yes", "--unit", "chat"] + common)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("No changes"), again.stdout)
        XCTAssertEqual(try tree.snapshot(includingJournal: true), tuned)

        let list = try TestSupport.wstune(["rollback", "--list", "--root", tree.path])
        XCTAssertTrue(list.stdout.contains("applied"), list.stdout)
        let rollback = try TestSupport.wstune(["rollback", "--root", tree.path])
        XCTAssertEqual(rollback.status, 0, rollback.stderr)
        XCTAssertEqual(
            try tree.snapshot(), before, "files deleted or restored, live values back, created directories gone")
        let second = try TestSupport.wstune(["rollback", "--root", tree.path])
        XCTAssertEqual(second.status, 0)
        XCTAssertTrue(second.stdout.contains("Nothing to roll back"), second.stdout)
        XCTAssertEqual(try tree.snapshot(), before)
    }

    /// The lead's stock Debian 12 tree (copied): apply for 100k with a unit, audit is ready, rollback is exact.
    func testStockDebianFixtureTunedForServer100kAndBack() throws {
        guard TestSupport.isRoot else { throw XCTSkip("apply needs root") }
        let tree = try ApplyFixtureTree(copying: TestSupport.fixtures.appendingPathComponent("debian12-stock").path)
        let before = try tree.snapshot()
        let common = ["--profile", "server-100k", "--unit", "chat", "--root", tree.path]
        let apply = try TestSupport.wstune(["apply", "--yes"] + common)
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        // The stock tree has no chat.service yet (only apply's drop-in): a unit not installed yet needs the flag.
        let audit = try TestSupport.wstune(["audit", "--json", "--unit-may-not-exist"] + common)
        XCTAssertEqual(audit.status, 0, audit.stdout)
        let severities = ApplyJSON.severities(try ApplyJSON.object(audit.stdout))
        for id in Self.controlled + ["sysctl.overridden"] {
            XCTAssertTrue(
                ["pass", "not-applicable"].contains(severities[id] ?? "missing"),
                "\(id): \(severities[id] ?? "missing")")
        }
        XCTAssertEqual(try TestSupport.wstune(["rollback", "--root", tree.path]).status, 0)
        XCTAssertEqual(try tree.snapshot(), before)
    }

    /// The lead's tuned-1m tree: values above the dev profile's needs are kept (never lowered) unless --exact.
    func testTunedFixtureIsNeverLoweredWithoutExact() throws {
        let tree = try ApplyFixtureTree(copying: TestSupport.fixtures.appendingPathComponent("tuned-1m").path)
        let plain = try ApplyJSON.object(
            try TestSupport.wstune(["apply", "--dry-run", "--json", "--profile", "dev", "--root", tree.path]).stdout)
        for id in [
            "fs.file-max", "fs.nr_open", "net.core.somaxconn", "net.netfilter.nf_conntrack_max", "net.ipv4.tcp_mem",
        ] {
            let s = try XCTUnwrap(ApplyJSON.setting(plain, id), id)
            XCTAssertEqual(s["action"] as? String, "keep", id)
            XCTAssertEqual(s["target"] as? String, s["live"] as? String, id)
        }
        XCTAssertEqual(
            ApplyJSON.setting(plain, "fs.file-max")?["live"] as? String,
            tree.read("proc/sys/fs/file-max")?.trimmingCharacters(in: .whitespacesAndNewlines))
        let exact = try ApplyJSON.object(
            try TestSupport.wstune(["apply", "--dry-run", "--exact", "--json", "--profile", "dev", "--root", tree.path])
                .stdout)
        XCTAssertEqual(ApplyJSON.setting(exact, "fs.file-max")?["action"] as? String, "set")
        XCTAssertEqual(exact["result"] as? String, "dry-run")
    }

    /// On a terminal (a pty from script(1)) apply asks first: "n" changes nothing, "y" applies.
    func testAsksForConfirmationOnATerminal() throws {
        guard TestSupport.isRoot else { throw XCTSkip("apply needs root") }
        let tree = try ApplyFixtureTree()
        let before = try tree.snapshot(includingJournal: true)
        let cmd = "\(TestSupport.wstuneBinary) apply --profile dev --root \(tree.path)"
        let no = try TestSupport.run(["script", "-qec", cmd, "/dev/null"], input: "n\n", timeoutSeconds: 30)
        XCTAssertTrue(no.stdout.contains("Apply these changes? [y/N]"), no.stdout)
        XCTAssertEqual(no.status, 2)
        XCTAssertEqual(try tree.snapshot(includingJournal: true), before)
        let yes = try TestSupport.run(["script", "-qec", cmd, "/dev/null"], input: "y\n", timeoutSeconds: 30)
        XCTAssertEqual(yes.status, 0, yes.stdout)
        XCTAssertEqual(tree.read("proc/sys/net/core/somaxconn"), "4096\n")
    }

    func testReadOnlyKeyHalfWayRestoresAndExitsThree() throws {
        guard TestSupport.isRoot else { throw XCTSkip("apply needs root") }
        let tree = try ApplyFixtureTree()
        // tcp_tw_reuse becomes a read-only kernel file (procfs 0444: EACCES even for root), written after somaxconn:
        // a bind mount, not a link (apply refuses links below a root).
        let key = tree.path + "/proc/sys/net/ipv4/tcp_tw_reuse"
        XCTAssertEqual(try TestSupport.run(["mount", "--bind", "/proc/sys/kernel/cap_last_cap", key]).status, 0)
        defer { _ = try? TestSupport.run(["umount", key]); _ = tree.path }
        let before = try tree.snapshot()
        let r = try TestSupport.wstune(["apply", "--yes", "--profile", "dev", "--root", tree.path])
        XCTAssertEqual(r.status, 3, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("apply failed at net.ipv4.tcp_tw_reuse"), r.stderr)
        XCTAssertTrue(r.stderr.contains("Permission denied"), r.stderr)
        XCTAssertTrue(r.stdout.contains("Restored live: ") && r.stdout.contains("net.core.somaxconn"), r.stdout)
        XCTAssertEqual(try tree.snapshot(), before)
        let list = try TestSupport.wstune(["rollback", "--list", "--root", tree.path])
        XCTAssertTrue(list.stdout.contains("failed-restored"), list.stdout)
    }

    func testRefusesWithoutRootBeforeTouchingAnything() throws {
        guard TestSupport.isRoot else { throw XCTSkip("setpriv to nobody needs root") }
        let bin = try TestSupport.temporaryDirectory("wstune-bin")
        defer { try? FileManager.default.removeItem(at: bin) }
        chmod(bin.path, 0o755)
        let copy = bin.path + "/wstune"
        try FileManager.default.copyItem(atPath: TestSupport.wstuneBinary, toPath: copy)
        chmod(copy, 0o755)
        let tree = try ApplyFixtureTree()
        let before = try tree.snapshot(includingJournal: true)
        let nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", copy]
        let id = try TestSupport.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "id", "-u"])
        XCTAssertNotEqual(id.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0")

        // Live values on this host's /proc/sys, files and journal to the tree: refused before anything is read or written.
        let apply = try TestSupport.run(nobody + ["apply", "--yes", "--profile", "dev", "--files-root", tree.path])
        XCTAssertEqual(apply.status, 4, apply.stderr)
        XCTAssertTrue(
            apply.stderr.contains(
                "apply needs root: run sudo wstune apply --yes --profile dev --files-root \(tree.path)"), apply.stderr)
        let plain = try TestSupport.run(nobody + ["apply", "--yes"])
        XCTAssertEqual(plain.status, 4, plain.stderr)
        XCTAssertTrue(plain.stderr.hasPrefix("apply needs root: run sudo wstune apply --yes"), plain.stderr)
        let rollback = try TestSupport.run(nobody + ["rollback", "--files-root", tree.path])
        XCTAssertEqual(rollback.status, 4, rollback.stderr)
        XCTAssertTrue(rollback.stderr.contains("rollback needs root"), rollback.stderr)
        XCTAssertEqual(try tree.snapshot(includingJournal: true), before)
        // A dry run needs no root.
        let dry = try TestSupport.run(nobody + ["apply", "--dry-run", "--profile", "dev", "--root", tree.path])
        XCTAssertNotEqual(dry.status, 4, dry.stderr)
    }
}
