import Foundation
import XCTest

/// apply and rollback under injected faults (strace -e inject): every step (openat, write, fsync, rename, fchmod,
/// mkdir, unlink) failing or killed with SIGKILL, each followed by a clean rollback; the tree must then be byte for
/// byte, mode for mode and owner for owner what it was (a user's 0640 uid-1000 file among it), with no temporary
/// file left. K values come from a clean traced run: the calls made once the journal lock is taken, spread.
final class ApplyFaultInjectionTests: XCTestCase {
    static func apply(_ root: String) -> [String] {
        ["apply", "--yes", "--profile", "dev", "--unit", "chat", "--root", root]
    }

    /// Ordinals of each syscall of a clean apply (or rollback, after an apply) on a fresh tree, from the journal lock on.
    func ordinals(rollback: Bool = false) throws -> [String: [Int]] {
        guard TestSupport.isRoot else { throw XCTSkip("apply --root with owners needs root") }
        let t = try ApplyFaultTree()
        if rollback { XCTAssertEqual(try TestSupport.wstune(Self.apply(t.path)).status, 0) }
        let args = rollback ? ["rollback", "--root", t.path] : Self.apply(t.path)
        let o = try Strace.ordinals(args, from: "wstune/journal")
        XCTAssertFalse(o.isEmpty, "the traced run made no call of interest")
        return o
    }

    /// One faulted apply, then a clean rollback: the tree is what it was. Returns a line for the report.
    @discardableResult
    func faultedApply(_ syscall: String, _ inject: String, when: String) throws -> String {
        let t = try ApplyFaultTree()
        let before = try t.snapshot()
        let started = Date()
        let r = try Strace.run(Self.apply(t.path), syscall: syscall, inject: inject, when: when)
        let label = "apply \(syscall) \(inject) when=\(when)"
        report(["\(label): apply exit \(r.status) after \(String(format: "%.1f", Date().timeIntervalSince(started)))s"])
        if !inject.contains("KILL") {
            XCTAssertTrue([0, 2, 3].contains(r.status), "\(label): exit \(r.status): \(r.stderr)")
        }
        let undo = try TestSupport.wstune(["rollback", "--root", t.path])
        XCTAssertEqual(undo.status, 0, "\(label): rollback: \(undo.stderr)")
        XCTAssertEqual(
            try t.snapshot(), before, "\(label): apply exit \(r.status) \(r.stderr), rollback \(undo.stdout)")
        XCTAssertEqual(try t.temporaries(), [], label)
        return "\(label): apply exit \(r.status), rollback exit \(undo.status), tree restored"
    }

    /// A clean apply, a rollback with a fault, then a clean rollback: the tree is what it was.
    @discardableResult
    func faultedRollback(_ syscall: String, _ inject: String, when: String) throws -> String {
        let t = try ApplyFaultTree()
        let before = try t.snapshot()
        XCTAssertEqual(try TestSupport.wstune(Self.apply(t.path)).status, 0)
        let r = try Strace.run(["rollback", "--root", t.path], syscall: syscall, inject: inject, when: when)
        let label = "rollback \(syscall) \(inject) when=\(when)"
        let undo = try TestSupport.wstune(["rollback", "--root", t.path])
        XCTAssertEqual(undo.status, 0, "\(label): second rollback: \(undo.stderr)")
        XCTAssertEqual(try t.snapshot(), before, "\(label): first rollback exit \(r.status) \(r.stderr)")
        XCTAssertEqual(try t.temporaries(), [], label)
        return "\(label): rollback exit \(r.status), next rollback exit \(undo.status), tree restored"
    }

    func report(_ lines: [String]) {
        print(lines.joined(separator: "\n"))
        if let path = ProcessInfo.processInfo.environment["WST_FAULT_REPORT"] {
            let old = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            try? (old + lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// Every syscall of interest failing (EIO; ENOSPC for write) at spread points, and from one point on for good.
    func testEveryStepFailingThenRollbackRestoresExactly() throws {
        var lines: [String] = []
        for (name, all) in try ordinals().sorted(by: { $0.key < $1.key }) {
            let error = name == "write" ? "error=ENOSPC" : "error=EIO"
            for k in Strace.spread(all, 5) { lines.append(try faultedApply(name, error, when: "\(k)")) }
            // From this call on, every one fails: the restore and the journal's last save fail too.
            lines.append(try faultedApply(name, error, when: "\(all[all.count / 2])+"))
        }
        report(lines)
    }

    /// SIGKILL at every kind of step of apply, and of rollback (the next rollback finishes the job).
    func testKilledAtEveryStepThenRollbackRestoresExactly() throws {
        var lines: [String] = []
        for (name, all) in try ordinals().sorted(by: { $0.key < $1.key }) {
            for k in Strace.spread(all, 3) { lines.append(try faultedApply(name, "signal=KILL", when: "\(k)")) }
        }
        for (name, all) in try ordinals(rollback: true).sorted(by: { $0.key < $1.key }) {
            for k in Strace.spread(all, 2) { lines.append(try faultedRollback(name, "signal=KILL", when: "\(k)")) }
        }
        report(lines)
    }

    /// rollback's own steps failing (EIO; ENOSPC for write): the entry stays undoable and the next rollback finishes.
    func testRollbackFailingThenRollbackAgainRestoresExactly() throws {
        var lines: [String] = []
        for (name, all) in try ordinals(rollback: true).sorted(by: { $0.key < $1.key }) where name != "openat" {
            let error = name == "write" ? "error=ENOSPC" : "error=EIO"
            for k in Strace.spread(all, 2) { lines.append(try faultedRollback(name, error, when: "\(k)")) }
        }
        report(lines)
    }

    /// The issue's case: the write after the user's file fails, and so does putting the user's file back. The journal
    /// must not say failed-restored; rollback must restore the user's bytes, mode 0640 and uid 1000.
    func testFailedApplyWhoseRestoreFailedStaysRollbackable() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let renames = try ordinalsOfLines(matching: ["rename"], containing: "limits.d")
        let k = try XCTUnwrap(renames.first, "the apply renames over the user's limits.d file")
        let t = try ApplyFaultTree()
        let before = try t.snapshot()
        // k: the user's file replaced; k+1: the next file fails; k+2: putting the user's file back fails.
        let r = try Strace.run(
            Self.apply(t.path), syscall: renames.syscall, inject: "error=EIO", when: "\(k + 1)..\(k + 2)")
        XCTAssertNotEqual(r.status, 0, r.stdout)
        XCTAssertTrue(r.stderr.contains("NOT restored") && r.stderr.contains("limits.d/90-wstune.conf"), r.stderr)
        XCTAssertNotEqual(try t.snapshot(), before, "the user's file is not back yet")
        let states = try t.journalStates()
        XCTAssertFalse(states.contains("failed-restored"), "\(states)")
        let undo = try TestSupport.wstune(["rollback", "--root", t.path])
        XCTAssertEqual(undo.status, 0, undo.stderr)
        XCTAssertFalse(undo.stdout.contains("Nothing to roll back"), undo.stdout)
        XCTAssertEqual(try t.snapshot(), before, "bytes, mode 0640 and uid 1000 of the user's file are back")
        var st = stat()
        XCTAssertEqual(lstat(t.path + "/" + ApplyFaultTree.userFile, &st), 0)
        XCTAssertEqual([st.st_mode & 0o7777, st.st_uid, st.st_gid], [0o640, 1000, 1000])
        XCTAssertEqual(t.tree.read(ApplyFaultTree.userFile), ApplyFaultTree.userText)
    }

    /// ENOSPC on the write to a live file the open had already truncated (O_TRUNC): apply restores it itself.
    func testWriteFailingAfterTruncatingALiveFileIsRestored() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let writes = try ordinalsOfLines(matching: ["write"], containing: "/proc/sys/")
        let k = try XCTUnwrap(writes.first, "apply writes a live value")
        let t = try ApplyFaultTree()
        let before = try t.snapshot()
        let r = try Strace.run(Self.apply(t.path), syscall: "write", inject: "error=ENOSPC", when: "\(k)")
        XCTAssertEqual(r.status, 3, r.stdout + r.stderr)
        XCTAssertEqual(try t.snapshot(), before, "the truncated key holds its old value again, right after apply")
    }

    /// Ordinals of the worker thread's calls named `names` (prefix: rename matches renameat) whose line holds `text`.
    func ordinalsOfLines(matching names: [String], containing text: String) throws -> (syscall: String, first: Int?) {
        let t = try ApplyFaultTree()
        let hits = try Strace.trace(Self.apply(t.path)).filter { c in
            c.worker && names.contains { c.name.hasPrefix($0) } && c.line.contains(text)
        }
        return (hits.first?.name ?? names[0], hits.first?.ordinal)
    }
}
