import Foundation
import HostFacts

/// `wstune rollback`: undoes applies from the journal, newest first, restoring live values and files exactly
/// (files that did not exist are deleted). Entries already rolled back are skipped, so a second rollback is harmless.
/// An entry made in another network namespace or under other roots is refused unless `force`.
public enum Rollback {
    public struct EntryOutcome: Sendable {
        public var id: String
        public var outcome: Restorer.Outcome
    }

    public struct Result: Sendable {
        public var undone: [EntryOutcome]
        public var daemonReloadError: String?
        /// Temporary files of killed runs removed on the way.
        public var removedTemporaries: [String] = []
        public var ok: Bool { undone.allSatisfy { $0.outcome.problems.isEmpty } && daemonReloadError == nil }
    }

    /// The entry was made somewhere else: undoing it here would write its old values into the wrong place.
    public struct WrongTarget: Error, CustomStringConvertible {
        public var id: String
        public var why: String
        public var description: String {
            "journal entry \(id) was applied elsewhere (\(why)): refusing to roll it back here; run the Undo command apply printed, or pass --force"
        }
    }

    /// An entry of an earlier version (absolute paths, no recorded target) with its paths made relative where they
    /// lie below this run's roots; anything else stays absolute and is refused, named, by the restore.
    static func upgraded(_ entry: JournalEntry, to target: ApplyTarget) -> JournalEntry {
        func relative(_ path: String, _ root: String) -> String {
            path.hasPrefix("/") ? (try? RootedPath(root: root, absolute: path).relative) ?? path : path
        }
        var e = entry
        e.live = e.live.map {
            var c = $0; c.path = relative(c.path, target.liveRoot); return c
        }
        e.files = e.files.map {
            var f = $0; f.path = relative(f.path, target.filesRoot); return f
        }
        e.createdDirectories = e.createdDirectories.map { relative($0, target.filesRoot) }
        return e
    }

    /// Entries to undo: the newest undoable one, or with `to` that entry and every undoable one after it.
    public static func selection(_ entries: [JournalEntry], to id: String?) throws -> [JournalEntry] {
        let undoable = entries.filter(\.isUndoable)
        guard let id else { return undoable.last.map { [$0] } ?? [] }
        guard let i = entries.firstIndex(where: { $0.id == id }) else {
            throw JournalStore.StoreError.unknownEntry(id, known: entries.map(\.id))
        }
        return entries[i...].filter(\.isUndoable).reversed()
    }

    public static func run(
        store: JournalStore, target: ApplyTarget, to id: String?, force: Bool = false, now: Date = Date(),
        daemonReload: () throws -> Void = Systemctl.daemonReload
    ) throws -> Result {
        try store.withLock {
            let all = try store.list()
            let selected = try selection(all, to: id)
            if !force {
                for entry in selected {
                    let recorded =
                        entry.target
                        ?? ApplyTarget(liveRoot: entry.liveRoot, filesRoot: entry.filesRoot, namespace: nil)
                    if let why = target.mismatch(with: recorded) { throw WrongTarget(id: entry.id, why: why) }
                }
            }
            // Before anything else: temporary files a killed apply or rollback left next to any journalled file.
            let removed = Restorer.removeStaleTemporaries(
                files: all.flatMap(\.files), filesRoot: target.filesRoot,
                journal: store.location)
            var undone: [EntryOutcome] = []
            var reload = false
            for var entry in selected.map({ $0.target == nil ? upgraded($0, to: target) : $0 }) {
                let outcome = Restorer.restore(
                    live: entry.live, files: entry.files, createdDirectories: entry.createdDirectories,
                    liveRoot: target.liveRoot, filesRoot: target.filesRoot)
                entry.state = outcome.problems.isEmpty ? .rolledBack : entry.state
                entry.rolledBackAt = now
                entry.restoreProblems = outcome.problems
                try store.save(entry)
                reload = reload || (entry.daemonReload && !outcome.restoredFiles.isEmpty)
                undone.append(EntryOutcome(id: entry.id, outcome: outcome))
            }
            var reloadError: String?
            if reload {
                do { try daemonReload() } catch { reloadError = "\(error)" }
            }
            return Result(undone: undone, daemonReloadError: reloadError, removedTemporaries: removed)
        }
    }
}
