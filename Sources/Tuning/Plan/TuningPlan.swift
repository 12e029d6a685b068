import Foundation
import HostFacts

/// What `wstune apply` will do: one item per setting (live value, persisted value, target, action) and the
/// files it writes. Built by `PlanBuilder`, carried out by `Applier`, recorded in the `Journal`.
public struct TuningPlan: Sendable, Codable {
    public var profile: String
    public var connections: Int
    /// Root the live values are read and written under (/proc/sys, /sys).
    public var liveRoot: String
    /// Root the persistent files and the journal go under (/etc, /var/lib/wstune).
    public var filesRoot: String
    public var exact: Bool
    public var items: [PlanItem]
    public var files: [FileChange]
    /// Later files that override what this plan persists, ambiguities the user must resolve.
    public var warnings: [String]
    public var notes: [String]
    /// `systemctl daemon-reload` after the unit drop-in changes (systemd runs on the live root).
    public var daemonReload: Bool

    /// Live writes in the order they are carried out.
    public var liveChanges: [LiveChange] { items.compactMap(\.liveChange) }
    public var changedFiles: [FileChange] { files.filter(\.changed) }
    public var hasChanges: Bool { !liveChanges.isEmpty || !changedFiles.isEmpty }
}

/// One setting of the plan.
public struct PlanItem: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        /// Already where it must be: nothing to do (it may still be persisted, see `fileChanged`).
        case keep
        /// The live value changes (and is persisted).
        case set
        /// Only the persisted value changes (the live value already is the target).
        case persist
        /// A global key in a child network namespace or container: set it on the host.
        case global
        /// This kernel lacks the key (or the module is not loaded).
        case absent
    }

    /// The key (`net.core.somaxconn`) or the setting (`nofile (limits.d)`, `conntrack hashsize`).
    public var id: String
    public var live: String?
    /// What a reboot restores and where from ("4096 (/etc/sysctl.d/99-sysctl.conf:3)", "kernel default 4096").
    public var persisted: String?
    /// The need as the capacity model states it ("≥ 4096").
    public var need: String
    public var target: String?
    public var action: Action
    public var liveChange: LiveChange?
    /// The file that persists this setting, if any.
    public var file: String?
    public var fileChanged: Bool
    /// Why the setting matters (written as a comment next to it in the file).
    public var why: String
    public var note: String?

    /// Whether apply changes anything for this setting (the `changed` of `--json`, for Ansible).
    public var changed: Bool { liveChange != nil || fileChanged }
}

/// A live value to write: a /proc/sys key or a module parameter.
public struct LiveChange: Sendable, Codable, Equatable {
    public enum Comparison: String, Sendable, Codable {
        /// Whitespace-normalised text equality (numbers, number lists).
        case text
        /// A port set (ip_local_reserved_ports): the kernel re-formats ranges.
        case portSet
        /// A size the kernel may round up (the conntrack hashsize fills whole pages of buckets).
        case roundedUp
    }

    public var key: String
    /// Path written: absolute (under the live root) in a plan, relative to the live root in a journal entry.
    public var path: String
    public var previous: String
    public var value: String
    public var comparison: Comparison

    public init(key: String, path: String, previous: String, value: String, comparison: Comparison = .text) {
        self.key = key
        self.path = path
        self.previous = previous
        self.value = value
        self.comparison = comparison
    }

    /// Whether the kernel kept a written value: equal, or for a rounded size at least as large.
    public func kept(readBack: String, wrote: String) -> Bool {
        if comparison == .roundedUp, let r = SysctlValue(readBack).int, let w = SysctlValue(wrote).int { return r >= w }
        return same(readBack, wrote)
    }

    /// Whether two texts of this key mean the same value.
    public func same(_ a: String, _ b: String) -> Bool {
        switch comparison {
        case .text, .roundedUp: return SysctlValue(a).sameValue(as: SysctlValue(b))
        case .portSet:
            return EphemeralPorts.parseReserved(a.trimmingCharacters(in: .whitespacesAndNewlines))
                == EphemeralPorts.parseReserved(b.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

/// One persistent file: its previous state and the content the plan wants.
public struct FileChange: Sendable, Codable, Equatable {
    /// Absolute (under the files root) in a plan, relative to the files root in a journal entry.
    public var path: String
    /// What it is ("sysctl.d", "limits.d", "systemd drop-in", "modprobe.d", "modules-load.d").
    public var kind: String
    /// Previous bytes, nil when the file did not exist.
    public var previous: Data?
    /// Previous permission bits and [uid, gid], restored exactly by rollback.
    public var previousMode: UInt32?
    public var previousOwner: [UInt32]?
    /// The link's target when the path was a symbolic link (live root only): rollback puts the link back.
    public var previousLinkTarget: String?
    public var content: Data
    /// False when the file already holds this content (nothing is written).
    public var changed: Bool

    public var previousText: String? { previous.map { String(decoding: $0, as: UTF8.self) } }
    public var contentText: String { String(decoding: content, as: UTF8.self) }
}
