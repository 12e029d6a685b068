import Tuning

/// The result of linting one config: the files read and the findings (JSON: README, "lint --json").
public struct LintReport: Sendable, Codable {
    public static let schemaVersion = 2
    public var schemaVersion = LintReport.schemaVersion
    public var target: String
    /// The main file (or unit) linted, then every file read.
    public var files: [String]
    public var profile: String
    public var connections: Int
    public var pingIntervalSeconds: Int
    public var findings: [Finding]

    public var worst: Severity { findings.map(\.severity).max() ?? .pass }
}
