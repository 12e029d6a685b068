/// How bad a finding is. Ordered: pass < notApplicable < info < warn < fail.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case pass
    case notApplicable = "not-applicable"
    case info
    case warn
    case fail

    var rank: Int {
        switch self {
        case .pass: return 0
        case .notApplicable: return 1
        case .info: return 2
        case .warn: return 3
        case .fail: return 4
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One judged concern: data only; renderers turn it into text or JSON. Shared by `audit` and `lint`.
public struct Finding: Sendable, Equatable, Codable {
    /// Stable id (`net.somaxconn`); scripts and `--skip` use it.
    public var id: String
    public var title: String
    public var severity: Severity
    /// The value as found ("128"), nil when not applicable.
    public var current: String?
    /// The value needed ("≥ 4096").
    public var needed: String?
    /// Why it matters, one line, with its source.
    public var why: String
    /// The exact change: a sysctl line, a unit line, a command. Nil when nothing is to be done.
    public var fix: String?
    /// Where the finding points: "file:line" (lint, persisted sysctls), nil otherwise.
    public var location: String?
    /// The observed value as the kernel (or the file) states it: a number where it is one, else the text.
    public var observed: ObservedValue?
    /// Where `observed` was read: a sysctl key, a /proc file, a unit property.
    public var source: String?
    /// The requirement as operator and number (`{"op": ">=", "value": 100064}`).
    public var requirement: Bound?
    /// The unit of `observed` and `requirement.value`.
    public var unit: ValueUnit?

    public init(
        id: String, title: String, severity: Severity, current: String? = nil, needed: String? = nil,
        why: String, fix: String? = nil, location: String? = nil
    ) {
        self.id = id
        self.title = title
        self.severity = severity
        self.current = current
        self.needed = needed
        self.why = why
        self.fix = fix
        self.location = location
    }

    /// This finding with typed values added (the display strings stay as they are).
    public func with(_ v: FindingValues) -> Finding {
        var f = self
        f.observed = v.observed
        f.source = v.source
        f.requirement = v.requirement
        f.unit = v.unit
        return f
    }
}
