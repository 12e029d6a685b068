/// One piece of arithmetic `render` checks itself because `nginx -t`, `haproxy -c` and `systemd-analyze` do not.
public struct SizingCheck: Sendable, Equatable, Codable {
    /// Stable id (`nginx.worker-capacity`, `haproxy.fd-limit` …).
    public var id: String
    public var passed: Bool
    /// The arithmetic written out: "2 × 125184 = 250368 ≥ 2 × 100000 + 192".
    public var detail: String

    public init(id: String, passed: Bool, detail: String) {
        self.id = id
        self.passed = passed
        self.detail = detail
    }
}
