import Foundation
import HostFacts

/// Carries out a plan: journal first (durably, before any change), then the live values (each read back), then
/// the files (atomic), then `systemctl daemon-reload` if asked. If a step fails, everything this run changed is put
/// back from the journal entry and the failure is returned.
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
    }

    /// The host moved between planning and applying (someone else wrote a key or file meanwhile): the journal
    /// would record the wrong "previous", so nothing is changed and the user plans again.
    public struct ChangedSincePlan: Error, CustomStringConvertible {
        public var what: String
        public var description: String { "\(what) changed since the plan was made; nothing was changed, run apply again" }
    }

    public static func apply(_ plan: TuningPlan, store: JournalStore, now: Date = Date(),
                             daemonReload: () throws -> Void = Systemctl.daemonReload) throws -> Result {
        try store.withLock {
            for change in plan.liveChanges {
                let now = try LiveValueWriter.readBack(change.path)
                if !change.same(now, change.previous) { throw ChangedSincePlan(what: "\(change.key) (now \(now))") }
            }
            for f in plan.changedFiles where try AtomicFileWriter.state(of: f.path)?.content != f.previous {
                throw ChangedSincePlan(what: f.path)
            }
            var created: [String] = []
            for f in plan.changedFiles {
                for d in AtomicFileWriter.missingDirectories(for: f.path) where !created.contains(d) { created.append(d) }
            }
            var entry = JournalEntry(id: try store.newID(now: now), createdAt: now, plan: plan, createdDirectories: created)
            try store.save(entry)

            var doneLive: [LiveChange] = []
            var doneFiles: [FileChange] = []
            var failure: Failure?
            for change in entry.live {
                do {
                    try LiveValueWriter.write(change.value, for: change)
                    doneLive.append(change)
                } catch {
                    // A value the kernel took but altered is restored too.
                    if case WriterError.notKept = error { doneLive.append(change) }
                    failure = Failure(step: change.key, error: describe(error))
                    break
                }
            }
            if failure == nil {
                for f in entry.files {
                    do {
                        try AtomicFileWriter.write(f.content, to: f.path, mode: 0o644)
                        doneFiles.append(f)
                    } catch {
                        failure = Failure(step: f.path, error: describe(error))
                        break
                    }
                }
            }
            if let failure {
                let outcome = Restorer.restore(live: doneLive, files: doneFiles, createdDirectories: created)
                entry.state = .failed
                entry.failure = failure.description
                entry.restoreProblems = outcome.problems
                try? store.save(entry)
                return Result(entry: entry, failure: failure, restore: outcome, daemonReloadError: nil)
            }
            var reloadError: String?
            if entry.daemonReload {
                do { try daemonReload() } catch { reloadError = "\(error)" }
            }
            entry.state = .applied
            try store.save(entry)
            return Result(entry: entry, failure: nil, restore: nil, daemonReloadError: reloadError)
        }
    }

    /// The error as one line: the kernel's words for errno (EINVAL → "Invalid argument").
    static func describe(_ error: Error) -> String {
        if let w = error as? WriterError {
            switch w {
            case .syscall(let f, _, let e): return "\(f) failed: \(String(cString: strerror(e))) (errno \(e))"
            case .notKept(_, let wrote, let back): return "wrote '\(wrote)' but the kernel reports '\(back)'"
            }
        }
        return "\(error)"
    }
}
