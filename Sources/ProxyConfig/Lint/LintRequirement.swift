import HostFacts
import Tuning

/// What a config is judged against: the profile's target and ping interval, and the fd limit the proxy's
/// systemd unit gets on this host.
public struct LintRequirement: Sendable {
    public var profile: Profile
    public var connections: Int
    public var pingIntervalSeconds: Int
    /// Reconnect window + ping interval: how long a graceful stop needs (same rule as `render`).
    public var neededDrainSeconds: Int
    /// The WebSocket path (`--path`, default /ws): health checks must not use it.
    public var webSocketPath: String
    /// CPUs nginx's `worker_processes auto` resolves to.
    public var cpuCount: Int
    /// RLIMIT_NOFILE the proxy's unit (nginx.service, haproxy.service) gives, and where that came from.
    public var unitLimit: FileLimit
    public var unitLimitOrigin: String
    /// DefaultLimitNOFILE (system.conf or systemd's built-in 1024:524288): what a unit without LimitNOFILE gets.
    public var defaultUnitLimit: FileLimit
    public var defaultUnitLimitOrigin: String
    /// LimitNOFILE a unit needs: the proxy's (2N + reserve) for nginx/HAProxy units, else the server's.
    public var proxyNofile: Int
    public var serverNofile: Int

    public init(
        profile: Profile, webSocketPath: String = "/ws", cpuCount: Int,
        unitLimit: FileLimit = FileLimit(soft: 1024, hard: 524288),
        unitLimitOrigin: String = "systemd's built-in DefaultLimitNOFILE=1024:524288",
        defaultUnitLimit: FileLimit = FileLimit(soft: 1024, hard: 524288),
        defaultUnitLimitOrigin: String = "systemd's built-in DefaultLimitNOFILE=1024:524288"
    ) {
        self.profile = profile
        connections = profile.connections.value
        pingIntervalSeconds = profile.pingIntervalSeconds.value
        neededDrainSeconds = profile.reconnectWindowSeconds.value + profile.pingIntervalSeconds.value
        self.webSocketPath = webSocketPath
        self.cpuCount = cpuCount
        self.unitLimit = unitLimit
        self.unitLimitOrigin = unitLimitOrigin
        self.defaultUnitLimit = defaultUnitLimit
        self.defaultUnitLimitOrigin = defaultUnitLimitOrigin
        var proxied = profile
        proxied.proxy = Sourced(true, .derived)
        let needs = CapacityModel.needs(for: proxied)
        proxyNofile = needs.proxyNofile ?? 2 * connections + CapacityModel.fdReserve
        serverNofile = needs.serverNofile
    }

    /// Whether a location or health-check path looks like the WebSocket endpoint.
    public func looksLikeWebSocket(_ path: String) -> Bool {
        let p = path.lowercased()
        if webSocketPath != "/" && p.contains(webSocketPath.lowercased()) { return true }
        return ["/ws", "socket", "websocket", "cable", "realtime", "/live", "/hub"].contains { p.contains($0) }
    }
}
