/// A rendered config file and the arithmetic checked while rendering it.
public struct RenderedConfig: Sendable, Equatable {
    public var target: ProxyTarget
    public var text: String
    /// Template the text came from (`nginx`, `nginx-site`, `haproxy`, `systemd-unit`).
    public var templateName: String
    public var sizing: ProxySizing
    public var checks: [SizingCheck]

    public var allChecksPassed: Bool { checks.allSatisfy(\.passed) }
}
