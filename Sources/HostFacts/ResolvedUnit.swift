/// A unit as systemd loads it from files: the fragment (unit file), then its drop-ins in the order applied, and
/// every assignment of those files in that order.
public struct ResolvedUnit: Sendable, Equatable {
    /// Full name, e.g. `chat-eu.service`.
    public var name: String
    /// The unit file (resolved path under the root); nil when none exists (then `loadState` is `notFound`).
    public var fragment: String?
    /// Drop-ins in the order systemd applies them (as `systemctl show -p DropInPaths` lists them).
    public var dropIns: [String]
    public var assignments: [UnitAssignment]
    /// Lines systemd warns about and ignores, or that make it refuse the unit.
    public var problems: [UnitFileProblem]
    public var loadState: LoadState

    public enum LoadState: String, Sendable, Equatable, Codable {
        case loaded
        /// No unit file in the search path.
        case notFound = "not-found"
        /// The unit file is empty or a link to /dev/null.
        case masked
        /// A line makes systemd refuse the unit (an invalid section header).
        case error
    }

    public init(
        name: String, fragment: String?, dropIns: [String], assignments: [UnitAssignment],
        problems: [UnitFileProblem], loadState: LoadState
    ) {
        self.name = name
        self.fragment = fragment
        self.dropIns = dropIns
        self.assignments = assignments
        self.problems = problems
        self.loadState = loadState
    }

    /// The unit file, then each drop-in.
    public var files: [String] { (fragment.map { [$0] } ?? []) + dropIns }

    /// `service` for `chat.service`.
    public var type: String { String(name.split(separator: ".").last ?? "") }

    /// The section that holds exec settings such as LimitNOFILE= for this unit type (systemd.exec(5)), nil for
    /// types without processes (target, timer, path …), where systemd ignores LimitNOFILE=.
    public var execSection: String? {
        ["service": "Service", "socket": "Socket", "mount": "Mount", "swap": "Swap"][type]
    }

    /// The assignments of a key in a section, in the order applied.
    public func assignments(_ section: String, _ key: String) -> [UnitAssignment] {
        assignments.filter { $0.section == section && $0.key == key }
    }

    /// LimitNOFILE= (or another rlimit key) as systemd resolves it: the last valid assignment in the exec section
    /// wins; an invalid one (and an empty one: systemd 252 does not reset this key) is ignored, named file:line.
    public func limit(_ key: String = "LimitNOFILE") -> UnitLimitResolution {
        .resolve(key, in: execSection, assignments)
    }
}

/// The resolution of one rlimit key over a list of assignments.
public struct UnitLimitResolution: Sendable, Equatable {
    /// The value in effect and the assignment that set it; nil when no valid assignment exists.
    public var limit: FileLimit?
    public var from: UnitAssignment?
    /// Assignments systemd ignores (invalid values), with the reason.
    public var ignored: [UnitFileProblem]
    /// Assignments of the key in a section where systemd does not read it ([Unit], [Install]).
    public var misplaced: [UnitFileProblem]

    /// Resolves `key` over `assignments` in order, reading it only in `section`.
    public static func resolve(_ key: String, in section: String?, _ assignments: [UnitAssignment])
        -> UnitLimitResolution
    {
        var r = UnitLimitResolution(limit: nil, from: nil, ignored: [], misplaced: [])
        for a in assignments where a.key == key {
            guard a.section == section else {
                r.misplaced.append(
                    UnitFileProblem(
                        file: a.file, line: a.line,
                        reason:
                            "\(key)= in [\(a.section)] is ignored by systemd (it belongs in [\(section ?? "Service")])")
                )
                continue
            }
            switch UnitLimitValue.parse(a.value) {
            case .success(let l):
                r.limit = l
                r.from = a
            case .failure(let why):
                r.ignored.append(
                    UnitFileProblem(
                        file: a.file, line: a.line, reason: "\(key)=\(a.value): \(why); systemd ignores this line"))
            }
        }
        return r
    }
}
