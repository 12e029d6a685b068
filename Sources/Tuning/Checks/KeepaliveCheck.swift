import HostFacts

/// `net.keepalive`: dead peers are found by the application's pings or, failing that, TCP keepalive.
public struct KeepaliveCheck: Check {
    public static let id = "net.keepalive"
    public var id: String { Self.id }
    public let title = "Dead-peer detection (TCP keepalive and ping interval)"
    public let rationale =
        "A peer that vanished without FIN holds its socket until something is sent: the WebSocket ping every interval does that; TCP keepalive (default 7200 s + 9 × 75 s) is the fallback (tcp(7))."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let time = host.int("net.ipv4.tcp_keepalive_time"), let intvl = host.int("net.ipv4.tcp_keepalive_intvl"),
            let probes = host.int("net.ipv4.tcp_keepalive_probes")
        else { return notApplicable("keepalive sysctls not readable") }
        let ping = req.profile.pingIntervalSeconds.value
        let detect = time.addingSaturated(intvl.multipliedSaturated(by: probes))
        let cur = "keepalive \(time)s + \(probes)×\(intvl)s = \(detect)s; ping every \(ping)s"
        if time <= req.needs.keepaliveTimeSeconds {
            return finding(.pass, current: cur, needed: "keepalive_time ≤ \(req.needs.keepaliveTimeSeconds)s")
        }
        return finding(
            .info, current: cur,
            needed: "keepalive_time ≤ \(req.needs.keepaliveTimeSeconds)s (only used by sockets with SO_KEEPALIVE)",
            why:
                "pings at \(ping)s find dead peers within ~\(ping.multipliedSaturated(by: 2))s; a socket without pings lingers \(detect)s",
            fix: sysctlFix("net.ipv4.tcp_keepalive_time", String(req.needs.keepaliveTimeSeconds)))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension KeepaliveCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        .sysctl(host, "net.ipv4.tcp_keepalive_time", .atMost(req.needs.keepaliveTimeSeconds), .seconds)
    }
}
