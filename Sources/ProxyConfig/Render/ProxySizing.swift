import Tuning

/// Every number a rendered config holds, derived from the profile (through `CapacityModel`) and the options.
/// The README's "Rendered configs" table lists each with its source; `SizingCheck`s re-check the arithmetic
/// that `nginx -t` and `haproxy -c` do not.
public struct ProxySizing: Sendable, Equatable {
    /// Seconds nginx waits to connect to a backend and HAProxy's `timeout connect`.
    public static let connectTimeoutSeconds = 5
    /// Seconds a client may take to send its request headers (HAProxy `timeout http-request`): no slowloris.
    public static let handshakeTimeoutSeconds = 10
    /// Extra seconds systemd gives a stopping server beyond its drain before SIGKILL.
    public static let stopMarginSeconds = 10
    /// Connections each nginx worker keeps besides proxied ones (listeners, health checks), plus upstream keepalive.
    public static let nginxReserveConnections = 16
    /// Files an nginx worker holds besides connections: logs, epoll, eventfd; plus one channel per worker.
    public static let nginxReserveFiles = 16
    /// HAProxy 2.6's fds besides 2 per connection, measured here (`prlimit` until it starts): 11 + 3 per thread
    /// + 1 per server ("Cannot raise FD limit to 2×maxconn+11+3T+S").
    public static let haproxyBaseFiles = 11
    public static let haproxyFilesPerThread = 3
    /// Uneven spread over workers: each may get 25% more than its share (reuseport hashes 4-tuples).
    public static let workerImbalance = 1.25
    /// Restart delay of a failed instance.
    public static let restartSeconds = 2

    /// Target concurrent WebSocket connections (profile `connections`).
    public let connections: Int
    public let pingIntervalSeconds: Int
    /// What the tuning gives the host, with this host running a proxy.
    public let needs: Needs
    /// LimitNOFILE the tuning writes for the proxy's unit (2 fds per connection + reserve).
    public let proxyNofile: Int
    /// LimitNOFILE for one backend server instance.
    public let serverNofile: Int
    public let workerProcesses: Int
    public let workerConnections: Int
    public let workerRlimitNofile: Int
    /// Files an nginx worker holds besides its connections.
    public let workerReserveFiles: Int
    public let upstreamKeepalive: Int
    /// HAProxy global and frontend maxconn.
    public let haproxyMaxconn: Int
    /// HAProxy nbthread (the same count as nginx's workers: `--workers`, default the CPU count).
    public let haproxyThreads: Int
    /// Files HAProxy needs for `haproxyMaxconn`: 2 per connection plus 11 + 3 per thread + 1 per server.
    public let haproxyFilesNeeded: Int
    public let idleTimeoutSeconds: Int
    public let drainSeconds: Int
    /// What the profile says a graceful drain needs: reconnect window + one ping interval.
    public let neededDrainSeconds: Int
    public let stopTimeoutSeconds: Int

    public init(profile: Profile, options: RenderOptions, cpuCount: Int) {
        var proxied = profile
        proxied.proxy = Sourced(true, proxied.proxy.origin)
        needs = CapacityModel.needs(for: proxied)
        connections = needs.connections
        pingIntervalSeconds = profile.pingIntervalSeconds.value
        proxyNofile = needs.proxyNofile ?? CapacityModel.proxyFiles(connections: connections)
        serverNofile = needs.serverNofile
        let workers = max(options.workerProcesses ?? cpuCount, 1)
        workerProcesses = workers
        upstreamKeepalive = options.upstreamKeepalive
        let proxiedFds = 2 * connections
        let share =
            workers == 1
            ? proxiedFds
            : min(proxiedFds, Int((Double(proxiedFds) * Self.workerImbalance / Double(workers)).rounded(.up)))
        // Each worker may use the whole LimitNOFILE the tuning gives the proxy unit; connections get what the
        // worker's own files leave, up to the share plus a small reserve.
        workerReserveFiles = Self.nginxReserveFiles + workers
        workerRlimitNofile = proxyNofile
        let reserve = Self.nginxReserveConnections + options.upstreamKeepalive
        // Above the share and reserve, a fifteenth kept free: nginx drains not-yet-upgraded connections below
        // 1/16 free (CapacityModel.proxyFiles).
        let wanted = share + reserve + CapacityModel.drainHeadroom(share + reserve)
        workerConnections = max(share, min(wanted, proxyNofile - workerReserveFiles))
        haproxyMaxconn = max(connections, 1)
        haproxyThreads = workers
        haproxyFilesNeeded =
            2 * haproxyMaxconn + Self.haproxyBaseFiles + Self.haproxyFilesPerThread * workers
            + max(options.backends.count, 1)
        idleTimeoutSeconds = options.idleTimeoutSeconds ?? 3 * pingIntervalSeconds
        neededDrainSeconds = profile.reconnectWindowSeconds.value + pingIntervalSeconds
        drainSeconds = options.drainSeconds ?? neededDrainSeconds
        stopTimeoutSeconds = drainSeconds + Self.stopMarginSeconds
    }
}
