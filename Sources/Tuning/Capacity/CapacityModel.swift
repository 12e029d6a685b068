import HostFacts

/// The capacity model: from a connection target to the host settings it needs ("need"), and from the host as
/// configured to the connections it holds per limit ("supply"). Every constant here is documented with its
/// source in the README's "Capacity model" section; tests in TuningTests write the worked examples out.
public enum CapacityModel {
    /// File descriptors a server keeps besides its client sockets: listeners, epoll, eventfds, logs, a few outbound
    /// (a bare NIO server opens ~20 at start; 64 leaves room).
    public static let fdReserve = 64

    /// The proxy's files for N proxied WebSockets: two each, a fifteenth more, and the reserve. nginx closes
    /// connections that are still reading their request (a WebSocket before its upgrade) whenever fewer than 1/16
    /// of worker_connections are free (src/core/ngx_connection.c, ngx_get_connection → ngx_drain_connections,
    /// nginx ≥ 1.19.1), so worker_connections at full load must keep 2N/15 free: measured, `check --via nginx`
    /// with 2N + 47 slots lost 3 of 1,000 clients during the ramp.
    public static func proxyFiles(connections n: Int) -> Int {
        let sockets = n.multipliedSaturated(by: 2)
        return sockets.addingSaturated(drainHeadroom(sockets)).addingSaturated(fdReserve)
    }

    /// Slots nginx must keep free above `slots` in use: ⌈slots / 15⌉ (then free ≥ worker_connections / 16).
    public static func drainHeadroom(_ slots: Int) -> Int { slots / 15 + (slots % 15 == 0 ? 0 : 1) }
    /// Accept-queue depth needed = arrival rate × this stall (seconds the accept loop may fall behind).
    public static let acceptStallSeconds = 0.5
    /// Clamp for somaxconn and the SYN backlog: 4096 is the kernel default since 5.4, 65535 the usual ceiling.
    public static let backlogFloor = 4096
    public static let backlogCeiling = 65535
    /// Conntrack entries per tracked connection, plus 25% headroom for TIME_WAIT/closing entries (percent).
    public static let conntrackHeadroomPercent = 125
    /// Average hash-chain length we accept: buckets ≥ max / 4.
    public static let conntrackChainLength = 4
    /// Ephemeral-port headroom per backend 4-tuple for sockets still in TIME_WAIT after churn (percent).
    public static let ephemeralHeadroomPercent = 110
    /// Minimum receive + send buffer a TCP socket is charged with data queued (tcp_rmem[0] + tcp_wmem[0]).
    public static let defaultMinBufferBytes = 4096 + 4096
    public static let pageSize = 4096
    /// System-wide files besides the WebSocket sockets (other daemons, the desktop, caches).
    public static let systemFileReserve = 65536

    /// Needs of a profile. `minBufferBytes` is tcp_rmem[0] + tcp_wmem[0] as configured on the host, if known.
    public static func needs(
        for profile: Profile, minBufferBytes: Int = defaultMinBufferBytes,
        pageSize: Int = pageSize
    ) -> Needs {
        // Profiles are range-checked when loaded (Profile.maximum…) but host facts are not: tcp_rmem/tcp_wmem may
        // say anything up to Int.max, so every product and sum below saturates instead of trapping.
        let n = max(profile.connections.value, 0)
        let proxy = profile.proxy.value
        let sockets = proxy ? 2 : 1
        let serverNofile = profile.setting("nofile") ?? n.addingSaturated(fdReserve)
        let proxyNofile: Int? =
            proxy ? (profile.setting("proxy_nofile") ?? proxyFiles(connections: n)) : nil
        let biggestProcess = max(serverNofile, proxyNofile ?? 0)
        let nrOpen = profile.setting("fs.nr_open") ?? max(biggestProcess, 1_048_576)
        let socketCount = n.multipliedSaturated(by: sockets)
        // System-wide: client sockets (and upstream sockets with a proxy) plus every other process's files.
        let fileMax = profile.setting("fs.file-max") ?? socketCount.addingSaturated(fdReserve + systemFileReserve)
        let window = max(profile.reconnectWindowSeconds.value, 1)
        let rate = n.ceilingDivided(by: window)
        let backlog = clamp(Int((Double(rate) * acceptStallSeconds).rounded(.up)), backlogFloor, backlogCeiling)
        let somaxconn = profile.setting("net.core.somaxconn") ?? backlog
        let synBacklog = profile.setting("net.ipv4.tcp_max_syn_backlog") ?? max(backlog, somaxconn)
        let ctMax =
            profile.setting("net.netfilter.nf_conntrack_max")
            ?? socketCount.multipliedSaturated(by: conntrackHeadroomPercent).ceilingDivided(by: 100)
        let ctBuckets =
            profile.setting("net.netfilter.nf_conntrack_buckets") ?? ctMax.ceilingDivided(by: conntrackChainLength)
        let backends = max(profile.backendAddresses.value, 1)
        let portsPerBackend =
            proxy
            ? (profile.setting("ephemeral_ports")
                ?? n.ceilingDivided(by: backends).multipliedSaturated(by: ephemeralHeadroomPercent).ceilingDivided(
                    by: 100))
            : 0
        let tcpMemPages = socketCount.multipliedSaturated(by: max(minBufferBytes, 0)).ceilingDivided(
            by: max(pageSize, 1))
        let keepalive =
            profile.setting("net.ipv4.tcp_keepalive_time")
            ?? max(profile.pingIntervalSeconds.value.multipliedSaturated(by: 4), 120)
        return Needs(
            connections: n, serverNofile: serverNofile, proxyNofile: proxyNofile, nrOpen: nrOpen, fileMax: fileMax,
            somaxconn: somaxconn, synBacklog: synBacklog, conntrackMax: ctMax, conntrackBuckets: ctBuckets,
            ephemeralPortsPerBackend: portsPerBackend, tcpMemPages: tcpMemPages,
            memoryBytes: n.multipliedSaturated(by: profile.perConnectionBytes.value), reconnectRatePerSecond: rate,
            keepaliveTimeSeconds: keepalive, socketsPerConnection: sockets)
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { a.ceilingDivided(by: b) }

    static func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { min(max(v, lo), hi) }
}
