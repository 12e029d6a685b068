/// One run of a real validator (`nginx -t`, `haproxy -c`, `systemd-analyze`) on a rendered config.
public struct ValidationStep: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case passed, failed
        /// The validator is not installed: said plainly, never taken as a pass.
        case toolMissing = "tool-missing"
    }
    /// `nginx`, `haproxy`, `systemd-analyze verify`, `systemd-analyze security`.
    public var tool: String
    /// The exact command line run.
    public var command: String
    public var outcome: Outcome
    /// What the tool printed (stderr, then stdout), trimmed.
    public var output: String
    /// `systemd-analyze security` exposure score (0 safest … 10), when that step ran.
    public var exposureScore: Double?

    public init(tool: String, command: String, outcome: Outcome, output: String, exposureScore: Double? = nil) {
        self.tool = tool
        self.command = command
        self.outcome = outcome
        self.output = output
        self.exposureScore = exposureScore
    }
}
