import Foundation
import HostFacts
import XCTest

@testable import Tuning

/// apply → journal → rollback under a temporary root: every file and live value restored exactly.
final class JournalTests: XCTestCase {
    func testApplyThenRollbackRestoresTheTreeExactly() throws {
        let f = try PlanFixture()
        try f.write("etc/sysctl.d/90-wstune.conf", "# hand-made\nnet.core.somaxconn = 200\n", mode: 0o600)
        let before = try f.snapshot()
        let plan = try f.plan(unit: "chat")
        XCTAssertTrue(plan.hasChanges)
        let result = try Applier.apply(
            plan, store: f.store, daemonReload: { XCTFail("no daemon-reload for a fixture tree") })
        XCTAssertNil(result.failure)
        XCTAssertEqual(result.entry.state, .applied)

        // Live values were written, persistent files exist with mode 0644.
        XCTAssertEqual(f.sysctl("net.core.somaxconn"), try f.item(plan, "net.core.somaxconn").target)
        XCTAssertEqual(
            f.read("sys/module/nf_conntrack/parameters/hashsize")?.trimmingCharacters(in: .whitespacesAndNewlines),
            try f.item(plan, "conntrack hashsize").target)
        for rel in [
            "etc/sysctl.d/90-wstune.conf", "etc/security/limits.d/90-wstune.conf",
            "etc/modprobe.d/wstune-conntrack.conf",
            "etc/modules-load.d/wstune-conntrack.conf", "etc/systemd/system/chat.service.d/90-wstune.conf",
        ] {
            XCTAssertEqual(try AtomicFileWriter.state(of: f.url.path + "/" + rel)?.mode, 0o644, rel)
        }

        // The journal on disk has the previous values and the previous file (content and mode) or its absence.
        let entries = try f.store.list()
        XCTAssertEqual(entries.map(\.id), [result.entry.id])
        let entry = entries[0]
        XCTAssertEqual(entry.live.first { $0.key == "net.core.somaxconn" }?.previous, "128")
        let sysctlFile = try XCTUnwrap(entry.files.first { $0.path.hasSuffix("etc/sysctl.d/90-wstune.conf") })
        XCTAssertEqual(sysctlFile.previousText, "# hand-made\nnet.core.somaxconn = 200\n")
        XCTAssertEqual(sysctlFile.previousMode, 0o600)
        XCTAssertNil(entry.files.first { $0.path.hasSuffix("limits.d/90-wstune.conf") }?.previous)
        XCTAssertTrue(
            entry.createdDirectories.contains("etc/systemd/system/chat.service.d"), "\(entry.createdDirectories)")
        XCTAssertTrue(
            entry.files.allSatisfy { !$0.path.hasPrefix("/") } && entry.live.allSatisfy { !$0.path.hasPrefix("/") },
            "journal paths are relative to the roots")

        let undo = try Rollback.run(store: f.store, target: f.target, to: nil)
        XCTAssertTrue(undo.ok)
        XCTAssertEqual(undo.undone.map(\.id), [entry.id])
        XCTAssertEqual(try f.snapshot(), before, "rollback restores every file, mode, live value and directory exactly")
        XCTAssertEqual(try f.store.list().first?.state, .rolledBack)

        // A second rollback finds nothing to undo and changes nothing.
        let again = try Rollback.run(store: f.store, target: f.target, to: nil)
        XCTAssertTrue(again.undone.isEmpty)
        XCTAssertEqual(try f.snapshot(), before)
    }

    func testSecondIdenticalApplyHasNoChanges() throws {
        let f = try PlanFixture()
        let first = try f.plan(unit: "chat")
        _ = try Applier.apply(first, store: f.store)
        let after = try f.snapshot()
        let second = try f.plan(unit: "chat")
        XCTAssertFalse(
            second.hasChanges,
            "changed: \(second.items.filter(\.changed).map(\.id)) files: \(second.changedFiles.map(\.path))")
        XCTAssertTrue(second.items.allSatisfy { !$0.changed })
        XCTAssertEqual(try f.snapshot(), after)
        XCTAssertEqual(try f.store.list().count, 1)
    }

    func testKernelRejectionHalfWayRestoresEverythingThisRunChanged() throws {
        guard getuid() == 0 else { throw XCTSkip("bind mounts need root") }
        let f = try PlanFixture()
        // tcp_max_syn_backlog becomes a real read-only kernel file (bind mount, not a link: links are refused below a
        // root): writing it fails with EACCES after fs.file-max and somaxconn were already written.
        let key = f.url.path + "/proc/sys/net/ipv4/tcp_max_syn_backlog"
        XCTAssertEqual(try TestShell.run(["mount", "--bind", "/proc/sys/kernel/cap_last_cap", key]).status, 0)
        defer { _ = try? TestShell.run(["umount", key]); _ = f.url }
        let before = try f.snapshot()
        let plan = try f.plan()
        let order = plan.liveChanges.map(\.key)
        let failing = try XCTUnwrap(order.firstIndex(of: "net.ipv4.tcp_max_syn_backlog"))
        XCTAssertTrue(order[..<failing].contains("net.core.somaxconn"), "somaxconn is written before the failing key")

        let result = try Applier.apply(plan, store: f.store)
        let failure = try XCTUnwrap(result.failure)
        XCTAssertEqual(failure.step, "net.ipv4.tcp_max_syn_backlog")
        XCTAssertTrue(failure.error.contains("Permission denied"), failure.error)
        XCTAssertEqual(result.restore?.problems, [])
        XCTAssertEqual(Set(result.restore?.restoredLive ?? []), Set(order[..<failing]))
        XCTAssertEqual(try f.snapshot(), before, "live values restored, no file written")
        let entry = try XCTUnwrap(try f.store.list().first)
        XCTAssertEqual(entry.state, .failed)
        XCTAssertTrue(entry.failure?.contains("net.ipv4.tcp_max_syn_backlog") ?? false)
        XCTAssertTrue(
            try Rollback.run(store: f.store, target: f.target, to: nil).undone.isEmpty,
            "a restored failure is not rolled back again")
    }

    func testFileFailureHalfWayRestoresLiveValuesAndFilesAlreadyWritten() throws {
        let f = try PlanFixture()
        // limits.d is a regular file: the limits.d write fails after sysctl.d, modprobe.d and modules-load.d.
        try f.write("etc/security/limits.d", "blocker\n")
        let before = try f.snapshot()
        let plan = try f.plan()
        let result = try Applier.apply(plan, store: f.store)
        let failure = try XCTUnwrap(result.failure)
        XCTAssertEqual(failure.step, f.url.path + "/etc/security/limits.d/90-wstune.conf")
        XCTAssertTrue(failure.error.contains("not a directory"), failure.error)
        XCTAssertTrue(result.restore?.restoredFiles.contains(f.url.path + "/etc/sysctl.d/90-wstune.conf") ?? false)
        XCTAssertFalse(result.restore?.restoredLive.isEmpty ?? true)
        XCTAssertEqual(try f.snapshot(), before)
    }

    func testRollbackToAnEarlierEntryUndoesLaterOnesFirst() throws {
        let f = try PlanFixture()
        let before = try f.snapshot()
        let first = try Applier.apply(try f.plan(), store: f.store, now: Date(timeIntervalSince1970: 1_800_000_000))
        let second = try Applier.apply(
            try f.plan(f.profile(100_000)), store: f.store, now: Date(timeIntervalSince1970: 1_800_000_060))
        XCTAssertNil(second.failure)
        XCTAssertEqual(
            f.sysctl("net.netfilter.nf_conntrack_max"),
            String(CapacityModel.needs(for: f.profile(100_000)).conntrackMax))
        XCTAssertThrowsError(try Rollback.run(store: f.store, target: f.target, to: "nope"))
        let undo = try Rollback.run(store: f.store, target: f.target, to: first.entry.id)
        XCTAssertEqual(undo.undone.map(\.id), [second.entry.id, first.entry.id])
        XCTAssertEqual(try f.snapshot(), before)
    }

    func testRollbackRestoresAValueChangedSinceTheApplyAndSaysSo() throws {
        let f = try PlanFixture()
        _ = try Applier.apply(try f.plan(), store: f.store)
        try f.write("proc/sys/net/core/somaxconn", "777\n")
        let undo = try Rollback.run(store: f.store, target: f.target, to: nil)
        XCTAssertEqual(f.sysctl("net.core.somaxconn"), "128")
        XCTAssertTrue(
            undo.undone[0].outcome.changedSinceApply.contains {
                $0.contains("net.core.somaxconn") && $0.contains("777")
            })
    }

    func testAuditPassesEveryCheckApplyControlsAfterApply() throws {
        let f = try PlanFixture()
        try f.write("etc/passwd", "chat:x:1001:1001::/home/chat:/bin/sh\n")
        try f.write("etc/group", "chat:x:1001:\n")
        let profile = f.profile()
        let controlled = [
            "fd.soft-limit", "fd.hard-limit", "limits.conf", "fs.nr-open", "fs.file-max", "net.somaxconn",
            "net.syn-backlog", "net.netdev-backlog", "ports.reserved-overlap", "net.tcp-tw-reuse", "net.keepalive",
            "net.tcp-mem", "conntrack.max", "conntrack.buckets", "conntrack.boot-order", "sysctl.persisted",
            "sysctl.overridden",
        ]
        let options = HostSnapshot.Options(target: .unit("chat"), user: "chat")
        let beforeAudit = Audit.run(host: try HostSnapshot.read(root: f.root, options: options), profile: profile)
        XCTAssertFalse(
            beforeAudit.findings.filter { controlled.contains($0.id) && $0.severity >= .warn }.isEmpty,
            "the fixture starts untuned")
        _ = try Applier.apply(try f.plan(profile, unit: "chat", user: "chat"), store: f.store)
        let audit = Audit.run(host: try HostSnapshot.read(root: f.root, options: options), profile: profile)
        for finding in audit.findings where controlled.contains(finding.id) {
            XCTAssertTrue(
                [.pass, .notApplicable].contains(finding.severity),
                "\(finding.id): \(finding.severity) \(finding.current ?? "") \(finding.fix ?? "")")
        }
        XCTAssertEqual(audit.findings.first { $0.id == "conntrack.boot-order" }?.severity, .pass)
        XCTAssertEqual(audit.findings.first { $0.id == "fd.soft-limit" }?.severity, .pass)
        XCTAssertEqual(audit.findings.first { $0.id == "limits.conf" }?.severity, .pass)
    }

    /// An apply interrupted after its live writes (power loss, kill -9) leaves an in-progress entry: rollback undoes it.
    func testRollbackUndoesAnInterruptedApply() throws {
        let f = try PlanFixture()
        let before = try f.snapshot()
        let plan = try f.plan()
        let (seq, id) = try f.store.newID(now: Date())
        let entry = try JournalEntry(
            id: id, sequence: seq, createdAt: Date(), plan: plan, target: f.target, createdDirectories: [])
        try f.store.save(entry)
        for change in entry.live {
            try LiveValueWriter.write(
                change.value, for: change, at: RootedPath(root: f.root.path, relative: change.path))
        }
        try AtomicFileWriter.write(
            entry.files[0].content, to: RootedPath(root: f.root.path, relative: entry.files[0].path))
        XCTAssertNotEqual(try f.snapshot(), before)
        let undo = try Rollback.run(store: f.store, target: f.target, to: nil)
        XCTAssertEqual(undo.undone.map(\.id), [entry.id])
        XCTAssertEqual(
            try f.snapshot(), before, "values written and the file written are undone; unwritten files stay absent")
    }

    func testAHostChangedSinceThePlanIsNotTouched() throws {
        let f = try PlanFixture()
        let plan = try f.plan()
        try f.write("proc/sys/net/core/somaxconn", "300\n")
        let before = try f.snapshot()
        XCTAssertThrowsError(try Applier.apply(plan, store: f.store)) { error in
            XCTAssertTrue("\(error)".contains("net.core.somaxconn (now 300) changed since the plan"), "\(error)")
        }
        XCTAssertEqual(try f.snapshot(), before)
        XCTAssertTrue(try f.store.list().isEmpty, "no journal entry either")
    }

    func testJournalLockRefusesAConcurrentRun() throws {
        let f = try PlanFixture()
        try f.store.withLock {
            XCTAssertThrowsError(try f.store.withLock {}) { error in
                XCTAssertTrue("\(error)".contains("lock"), "\(error)")
            }
        }
    }
}
