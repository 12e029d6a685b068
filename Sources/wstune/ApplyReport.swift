import Foundation
import Tuning

/// `wstune apply --json`: the result, `changed` overall and per setting (Ansible's changed_when), the files and the
/// journal entry. `result` is dry-run, no-changes, applied, failed-restored or failed-not-restored (rollback still undoes it).
struct ApplyReport: Encodable {
    struct Setting: Encodable {
        var id: String
        var live: String?
        var persisted: String?
        var need: String
        var target: String?
        var action: String
        var changed: Bool
        var liveChanged: Bool
        var file: String?
        var fileChanged: Bool
        var note: String?
        /// Typed (issue 16): the live value before, the value after (the target; the live value when kept), the
        /// requirement as operator + number where the need is one.
        var before: ObservedValue?
        var after: ObservedValue?
        var requirement: Bound?

        enum CodingKeys: String, CodingKey {
            case id, live, persisted, need, target, action, changed, liveChanged, file, fileChanged, note
            case before, after, requirement
        }

        /// Every key always present (null when unknown), so consumers can rely on the schema.
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(live, forKey: .live)
            try c.encode(persisted, forKey: .persisted)
            try c.encode(need, forKey: .need)
            try c.encode(target, forKey: .target)
            try c.encode(action, forKey: .action)
            try c.encode(changed, forKey: .changed)
            try c.encode(liveChanged, forKey: .liveChanged)
            try c.encode(file, forKey: .file)
            try c.encode(fileChanged, forKey: .fileChanged)
            try c.encode(note, forKey: .note)
            try c.encode(before, forKey: .before)
            try c.encode(after, forKey: .after)
            try c.encode(requirement, forKey: .requirement)
        }
    }

    struct File: Encodable {
        var path: String
        var kind: String
        var existed: Bool
        var changed: Bool
    }

    var schemaVersion = 2
    var result: String
    var changed: Bool
    var profile: String
    var connections: Int
    var liveRoot: String
    var filesRoot: String
    var journal: String?
    var settings: [Setting]
    var files: [File]
    var warnings: [String]
    var notes: [String]
    var failure: String?
    var restoreProblems: [String]
    var daemonReloadError: String?

    init(plan: TuningPlan, result: String, outcome: Applier.Result? = nil) {
        self.result = result
        let failed = outcome?.failure != nil
        changed = plan.hasChanges && !failed
        profile = plan.profile
        connections = plan.connections
        liveRoot = plan.liveRoot
        filesRoot = plan.filesRoot
        journal = outcome?.entry.id
        settings = plan.items.map {
            Setting(
                id: $0.id, live: $0.live, persisted: $0.persisted, need: $0.need, target: $0.target,
                action: $0.action.rawValue, changed: $0.changed && !failed,
                liveChanged: $0.liveChange != nil && !failed,
                file: $0.file, fileChanged: $0.fileChanged && !failed, note: $0.note,
                before: $0.live.map(ObservedValue.init(kernelText:)),
                after: (failed ? $0.live : ($0.target ?? $0.live)).map(ObservedValue.init(kernelText:)),
                requirement: Self.bound(need: $0.need))
        }
        files = plan.files.map {
            File(path: $0.path, kind: $0.kind, existed: $0.previous != nil, changed: $0.changed && !failed)
        }
        warnings = plan.warnings
        notes = plan.notes
        failure = outcome?.failure?.description
        restoreProblems = outcome?.restore?.problems ?? []
        daemonReloadError = outcome?.daemonReloadError
    }

    /// The need as operator + number when it is one: `SysctlRule.needText` and the nofile items write exactly
    /// "≥ N" / "≤ N" (ungrouped digits); anything else ("pressure ≥ …", "one of 1, 2") has no single bound.
    static func bound(need: String) -> Bound? {
        let parts = need.split(separator: " ")
        guard parts.count == 2, let n = Int(parts[1]) else { return nil }
        switch parts[0] {
        case "≥": return .atLeast(n)
        case "≤": return .atMost(n)
        case "=": return Bound(.equal, n)
        default: return nil
        }
    }
}
