import Foundation
import HostFacts

/// Carries out a plan: journal first (durably, before any change), then the live values (each read back), then
/// the files (atomic), then `systemctl daemon-reload` if asked. If a step fails, everything this run changed is put
/// back from the journal entry and the failure is returned; if putting back fails too, the entry stays undoable.
public enum Applier {
    public struct Failure: Sendable, CustomStringConvertible {
        /// The key or file that failed.
        public var step: String
        public var error: String
        public var description: String { "\(step): \(error)" }
    }

    public struct Result: Sendable {
        public var entry: JournalEntry
        public var failure: Failure?
        public var restore: Restorer.Outcome?
        /// `systemctl daemon-reload` failed (files are in place; systemd has not re-read them).
        public var daemonReloadError: String?
        /// Temporary files of killed runs removed before applying.
        public var removedTemporaries: [String] = []
    }

    /// The host moved between planning and applying (someone else wrote a key or file meanwhile): the journal
    /// would record the wrong "previous", so nothing is changed and the user plans again.
    public struct ChangedSincePlan: Error, CustomStringConvertible {
        public var what: String
        public var description: String {
            "\(what) changed since the plan was made; nothing was changed, run apply again"
        }
    }

    public static func apply(
        _ plan: TuningPlan, store: JournalStore, target: ApplyTarget? = nil, now: Date = Date(),
        daemonReload: () throws -> Void = Systemctl.daemonReload
    ) throws -> Result {
        let target = target ?? ApplyTarget.current(liveRoot: plan.liveRoot, filesRoot: plan.filesRoot)
        return try store.withLock {
            let entries = try store.list()
            let removed = Restorer.removeStaleTemporaries(
                files: entries.flatMap(\.files)
                    + plan.files.map { f in
                        var f = f
                        f.path = (try? RootedPath(root: plan.filesRoot, absolute: f.path).relative) ?? f.path
                        return f
                    }, filesRoot: plan.filesRoot, journal: store.location)
            for change in plan.liveChanges {
                let now = try LiveValueWriter.readBack(try RootedPath(root: plan.liveRoot, absolute: change.path))
                if !change.same(now, change.previous) { throw ChangedSincePlan(what: "\(change.key) (now \(now))") }
            }
            var created: [String] = []
            for f in plan.changedFiles {
                let path = try RootedPath(root: plan.filesRoot, absolute: f.path)
                let state = try AtomicFileWriter.state(of: path)
                if state?.linkTarget != f.previousLinkTarget
                    || (f.previousLinkTarget == nil && state?.content != f.previous)
                {
                    throw ChangedSincePlan(what: f.path)
                }
                for d in try AtomicFileWriter.missingDirectories(for: path) where !created.contains(d.relative) {
                    created.append(d.relative)
                }
            }
            let (sequence, id) = try store.newID(now: now)
            var entry = try JournalEntry(
                id: id, sequence: sequence, createdAt: now, plan: plan, target: target,
                createdDirectories: created)
            try store.save(entry)

            var doneLive: [LiveChange] = []
            var doneFiles: [FileChange] = []
            var failure: Failure?
            for change in entry.live {
                // Counted as done before the write: a write that fails after the kernel file was truncated (or a
                // value the kernel took but altered) is put back too; one that changed nothing is skipped on restore.
                doneLive.append(change)
                do {
                    try LiveValueWriter.write(
                        change.value, for: change, at: try RootedPath(root: plan.liveRoot, relative: change.path))
                } catch {
                    failure = Failure(step: change.key, error: describe(error))
                    break
                }
            }
            if failure == nil {
                for f in entry.files {
                    doneFiles.append(f)
                    do {
                        try AtomicFileWriter.write(
                            f.content, to: try RootedPath(root: plan.filesRoot, relative: f.path), mode: 0o644)
                    } catch {
                        failure = Failure(
                            step: RootedPath.display(root: plan.filesRoot, f.path), error: describe(error))
                        break
                    }
                }
            }
            if let failure {
                let outcome = Restorer.restore(
                    live: doneLive, files: doneFiles, createdDirectories: created,
                    liveRoot: plan.liveRoot, filesRoot: plan.filesRoot)
                // Only a complete restore closes the entry; otherwise rollback must still find it.
                entry.state = outcome.problems.isEmpty ? .failed : .failedUnrestored
                entry.failure = failure.description
                entry.restoreProblems = outcome.problems
                try? store.save(entry)
                return Result(
                    entry: entry, failure: failure, restore: outcome, daemonReloadError: nil,
                    removedTemporaries: removed)
            }
            var reloadError: String?
            if entry.daemonReload {
                do { try daemonReload() } catch { reloadError = "\(error)" }
            }
            entry.state = .applied
            try store.save(entry)
            return Result(
                entry: entry, failure: nil, restore: nil, daemonReloadError: reloadError, removedTemporaries: removed)
        }
    }

    /// The error as one line: the kernel's words for errno (EINVAL → "Invalid argument").
    static func describe(_ error: Error) -> String {
        if let w = error as? WriterError {
            switch w {
            case .syscall(let f, _, let e): return "\(f) failed: \(String(cString: strerror(e))) (errno \(e))"
            case .notKept(_, let wrote, let back): return "wrote '\(wrote)' but the kernel reports '\(back)'"
            case .refused(let p, let why): return "\(p): refused: \(why)"
            }
        }
        return "\(error)"
    }
}
