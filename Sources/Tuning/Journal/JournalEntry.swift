import Foundation

/// One apply as recorded before anything changed: the previous live values and the previous files (or their
/// absence), enough to put the host back exactly. Stored as JSON under <files root>/var/lib/wstune/journal/ID.json.
public struct JournalEntry: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Written before the first change; an entry left in this state means the apply was interrupted.
        case inProgress = "in-progress"
        case applied
        /// Undone by `wstune rollback`.
        case rolledBack = "rolled-back"
        /// A step failed and everything this run changed was restored.
        case failed = "failed-restored"
    }

    public var id: String
    public var createdAt: Date
    public var profile: String
    public var connections: Int
    public var liveRoot: String
    public var filesRoot: String
    public var state: State
    /// Live writes in apply order (previous and new value).
    public var live: [LiveChange]
    /// Files written in apply order, with their previous bytes and mode (nil: did not exist).
    public var files: [FileChange]
    /// Directories created for those files, outermost first; removed again when empty.
    public var createdDirectories: [String]
    public var daemonReload: Bool
    /// The failing step and error, for a failed apply.
    public var failure: String?
    public var rolledBackAt: Date?
    /// Steps that could not be restored (left as they are, named here).
    public var restoreProblems: [String]

    /// Whether rollback has anything to undo.
    public var isUndoable: Bool { state == .applied || state == .inProgress }

    public init(id: String, createdAt: Date, plan: TuningPlan, createdDirectories: [String]) {
        self.id = id
        self.createdAt = createdAt
        profile = plan.profile
        connections = plan.connections
        liveRoot = plan.liveRoot
        filesRoot = plan.filesRoot
        state = .inProgress
        live = plan.liveChanges
        files = plan.changedFiles
        self.createdDirectories = createdDirectories
        daemonReload = plan.daemonReload
        failure = nil
        rolledBackAt = nil
        restoreProblems = []
    }
}
