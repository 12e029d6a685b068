import Foundation
import HostFacts

/// `wstune rollback`: undoes applies from the journal, newest first, restoring live values and files exactly
/// (files that did not exist are deleted). Entries already rolled back are skipped, so a second rollback is harmless.
public enum Rollback {
    public struct EntryOutcome: Sendable {
        public var id: String
        public var outcome: Restorer.Outcome
    }

    public struct Result: Sendable {
        public var undone: [EntryOutcome]
        public var daemonReloadError: String?
        public var ok: Bool { undone.allSatisfy { $0.outcome.problems.isEmpty } && daemonReloadError == nil }
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

    public static func run(store: JournalStore, to id: String?, now: Date = Date(),
                           daemonReload: () throws -> Void = Systemctl.daemonReload) throws -> Result {
        try store.withLock {
            var undone: [EntryOutcome] = []
            var reload = false
            for var entry in try selection(try store.list(), to: id) {
                let outcome = Restorer.restore(live: entry.live, files: entry.files, createdDirectories: entry.createdDirectories)
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
            return Result(undone: undone, daemonReloadError: reloadError)
        }
    }
}
