import ArgumentParser
import Foundation
import HostFacts
import Tuning

struct RollbackCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo the last (or a named) `wstune apply` exactly, from its journal entry (needs root).",
        discussion: """
            Restores the live values and the files the apply changed, deleting files that did not exist before. \
            With --to ID, undoes that apply and every later one, newest first. An entry applied in another network \
            namespace or under other --root/--files-root is refused (exit 2, naming both) unless --force. Entries already rolled back are \
            skipped: a second rollback is harmless. --list shows the journal (no root needed).
            Use the same --root / --files-root as the apply: the journal lives under it (var/lib/wstune/journal).
            Example: sudo wstune rollback; wstune rollback --list
            """)

    @OptionGroup var rootOption: RootOption

    @Option(
        name: .customLong("files-root"),
        help: ArgumentHelp("The journal is under DIR (as given to apply --files-root).", valueName: "DIR"))
    var filesRoot: String?

    @Flag(help: "List the journal entries and change nothing.")
    var list = false

    @Option(help: ArgumentHelp("Undo this apply (and every later one).", valueName: "ID"))
    var to: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Roll back even an entry applied in another network namespace or under other roots.")
    var force = false

    struct Listed: Encodable {
        var id: String
        /// ISO 8601, UTC.
        var createdAt: String
        var profile: String
        var connections: Int
        var state: String
        var liveValues: [String]
        var files: [String]
        var failure: String?
    }

    struct Report: Encodable {
        /// One live value the rollback restored (issue 16): the applied value before, the restored value after.
        struct Setting: Encodable {
            var id: String
            var entry: String
            var before: ObservedValue
            var after: ObservedValue
            var changed: Bool
        }
        var schemaVersion = 2
        var changed: Bool
        var rolledBack: [String]
        var restoredLive: [String]
        var restoredFiles: [String]
        var changedSinceApply: [String]
        var problems: [String]
        var settings: [Setting] = []
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let root = rootOption.hostRoot(in: context)
        let liveRoot = ApplyTarget.canonical(root.path)
        let journalRoot = HostRoot(ApplyTarget.canonical(filesRoot ?? root.path))
        if !list && !context.isRoot && (root.isLiveRoot || journalRoot.isLiveRoot) {
            context.printError("rollback needs root: run sudo wstune \(shellQuoted(context.arguments))")
            throw ExitStatus.needsRoot
        }
        let store = JournalStore(filesRoot: journalRoot)
        if list {
            let entries = try changing(in: context) { try store.list() }
            let rows = entries.map {
                Listed(
                    id: $0.id, createdAt: ISO8601DateFormatter().string(from: $0.createdAt), profile: $0.profile,
                    connections: $0.connections, state: $0.state.rawValue,
                    liveValues: $0.live.map(\.key), files: $0.files.map(\.path), failure: $0.failure)
            }
            if json { try context.printJSON(rows); return }
            if rows.isEmpty { context.print("The journal is empty (\(store.directory)).") }
            for r in rows {
                context.print(
                    "\(r.id)  \(r.state.padding(toLength: 15, withPad: " ", startingAt: 0))  profile \(r.profile), \(grouped(r.connections)) connections: \(r.liveValues.count) live value(s), \(r.files.count) file(s)"
                        + (r.failure.map { "; failed at \($0)" } ?? ""))
            }
            return
        }
        let result: Rollback.Result
        do {
            let target = ApplyTarget.current(liveRoot: liveRoot, filesRoot: journalRoot.path)
            result = try changing(in: context) {
                try Rollback.run(store: store, target: target, to: to, force: force, now: context.now())
            }
        } catch let e as JournalStore.StoreError {
            context.printError("wstune: \(e)")
            throw ExitStatus.couldNotRun
        }
        for t in result.removedTemporaries {
            context.printError("wstune: removed a temporary file a killed run left: \(t)")
        }
        let outcomes = result.undone.map(\.outcome)
        var report = Report(
            changed: outcomes.contains { !$0.restoredLive.isEmpty || !$0.restoredFiles.isEmpty },
            rolledBack: result.undone.map(\.id), restoredLive: outcomes.flatMap(\.restoredLive),
            restoredFiles: outcomes.flatMap(\.restoredFiles), changedSinceApply: outcomes.flatMap(\.changedSinceApply),
            problems: outcomes.flatMap(\.problems) + (result.daemonReloadError.map { [$0] } ?? []))
        if json, let entries = try? store.list() {
            for u in result.undone {
                guard let e = entries.first(where: { $0.id == u.id }) else { continue }
                report.settings += e.live.map {
                    Report.Setting(
                        id: $0.key, entry: u.id, before: ObservedValue(kernelText: $0.value),
                        after: ObservedValue(kernelText: $0.previous), changed: u.outcome.restoredLive.contains($0.key))
                }
            }
        }
        if json {
            try context.printJSON(report)
        } else if result.undone.isEmpty {
            context.print("Nothing to roll back: no applied entry in \(store.directory).")
        } else {
            for u in result.undone {
                let o = u.outcome
                context.print(
                    "Rolled back \(u.id): live \(o.restoredLive.isEmpty ? "none changed" : o.restoredLive.joined(separator: ", ")); files \(o.restoredFiles.isEmpty ? "none changed" : o.restoredFiles.joined(separator: ", "))"
                )
                for c in o.changedSinceApply { context.print("  note: changed since the apply: \(c)") }
            }
        }
        if !report.problems.isEmpty {
            context.printError("wstune: not restored: " + report.problems.joined(separator: "; "))
            throw ExitStatus.couldNotRun
        }
    }
}
