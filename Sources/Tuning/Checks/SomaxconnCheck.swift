import HostFacts

/// `net.somaxconn`: the accept-queue cap absorbs a reconnect storm.
public struct SomaxconnCheck: Check {
    public static let id = "net.somaxconn"
    public var id: String { Self.id }
    public let title = "Accept queue cap (net.core.somaxconn)"
    public let rationale =
        "listen()'s backlog is silently capped at somaxconn; when the accept queue is full new handshakes are dropped and ListenOverflows grows (listen(2), Documentation/networking/ip-sysctl.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let v = host.int("net.core.somaxconn") else { return notApplicable("net.core.somaxconn not readable") }
        let need = req.needs.somaxconn
        let why =
            "a reconnect storm brings ~\(grouped(req.needs.reconnectRatePerSecond)) handshakes/s (\(grouped(req.needs.connections)) clients in \(req.profile.reconnectWindowSeconds.value) s)"
        return v >= need
            ? finding(.pass, current: grouped(v), needed: "≥ \(grouped(need))", why: why)
            : finding(
                .fail, current: grouped(v), needed: "≥ \(grouped(need))",
                why: why + "; the queue overflows and clients see SYN retries",
                fix: sysctlFix("net.core.somaxconn", String(need))
                    + "; the server must also pass a large backlog to listen()")
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension SomaxconnCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        .sysctl(host, "net.core.somaxconn", .atLeast(req.needs.somaxconn), .connections)
    }
}
