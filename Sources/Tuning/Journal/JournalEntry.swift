import Foundation

/// One apply as recorded before anything changed: the previous live values and the previous files (or their
/// absence), enough to put the host back exactly. Stored as JSON under <files root>/var/lib/wstune/journal/ID.json.
/// Paths are relative to the roots (live values to `liveRoot`, files to `filesRoot`): rollback resolves them
/// beneath its own roots and refuses absolute paths or "..".
public struct JournalEntry: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Written before the first change; an entry left in this state means the apply was interrupted.
        case inProgress = "in-progress"
        case applied
        /// Undone by `wstune rollback`.
        case rolledBack = "rolled-back"
        /// A step failed and everything this run changed was restored.
        case failed = "failed-restored"
        /// A step failed and restoring failed too: rollback still has this to undo.
        case failedUnrestored = "failed-not-restored"
    }

    public var id: String
    /// Monotonic: one more than the highest in the journal, whatever the clock says. Nil in entries of old versions.
    public var sequence: Int?
    public var createdAt: Date
    public var profile: String
    public var connections: Int
    public var liveRoot: String
    public var filesRoot: String
    /// Where the apply ran (roots and network namespace); nil in entries of old versions.
    public var target: ApplyTarget?
    public var state: State
    /// Live writes in apply order (previous and new value), paths relative to the live root.
    public var live: [LiveChange]
    /// Files written in apply order, with their previous bytes and mode (nil: did not exist), paths relative to the files root.
    public var files: [FileChange]
    /// Directories created for those files (relative), outermost first; removed again when empty.
    public var createdDirectories: [String]
    public var daemonReload: Bool
    /// The failing step and error, for a failed apply.
    public var failure: String?
    public var rolledBackAt: Date?
    /// Steps that could not be restored (left as they are, named here).
    public var restoreProblems: [String]

    /// Whether rollback has anything to undo.
    public var isUndoable: Bool { state == .applied || state == .inProgress || state == .failedUnrestored }

    /// An entry for `plan`, its paths made relative to the plan's roots (a path outside them is refused).
    public init(
        id: String, sequence: Int, createdAt: Date, plan: TuningPlan, target: ApplyTarget,
        createdDirectories: [String]
    ) throws {
        self.id = id
        self.sequence = sequence
        self.createdAt = createdAt
        self.target = target
        profile = plan.profile
        connections = plan.connections
        liveRoot = target.liveRoot
        filesRoot = target.filesRoot
        state = .inProgress
        live = try plan.liveChanges.map { c in
            var c = c
            c.path = try RootedPath(root: plan.liveRoot, absolute: c.path).relative
            return c
        }
        files = try plan.changedFiles.map { f in
            var f = f
            f.path = try RootedPath(root: plan.filesRoot, absolute: f.path).relative
            return f
        }
        self.createdDirectories = createdDirectories
        daemonReload = plan.daemonReload
        failure = nil
        rolledBackAt = nil
        restoreProblems = []
    }
}
