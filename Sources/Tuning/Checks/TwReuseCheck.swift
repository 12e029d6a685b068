import HostFacts

/// `net.tcp-tw-reuse`: outgoing connections may reuse TIME-WAIT ports.
public struct TwReuseCheck: Check {
    public static let id = "net.tcp-tw-reuse"
    public var id: String { Self.id }
    public let title = "Reuse of TIME-WAIT sockets for new outgoing connections"
    public let rationale =
        "With tcp_tw_reuse 0, ports of closed outgoing connections stay blocked for 60 s in TIME-WAIT; 1 lets new connections reuse them safely with timestamps, 2 (the default) only on loopback (ip-sysctl.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let v = host.int("net.ipv4.tcp_tw_reuse") else { return notApplicable("tcp_tw_reuse not readable") }
        if v == 1 { return finding(.pass, current: "1", needed: "1") }
        if v == 2 && !req.profile.proxy.value {
            return finding(
                .pass, current: "2 (loopback only)", needed: "1 for a proxy, 2 is fine for a server",
                why:
                    "a server's sockets are accepted, not connected, so TIME-WAIT reuse matters only for its outgoing connections"
            )
        }
        let sev: Severity = req.profile.proxy.value ? .warn : (v == 0 ? .warn : .info)
        return finding(
            sev, current: String(v), needed: "1",
            why:
                "reconnect churn leaves outgoing ports in TIME-WAIT for 60 s; without reuse they are unusable meanwhile",
            fix: sysctlFix("net.ipv4.tcp_tw_reuse", "1"))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension TwReuseCheck {
    /// A proxy needs 1 (reuse for every outgoing connection); a server passes with 1 or 2 (loopback only).
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        .sysctl(host, "net.ipv4.tcp_tw_reuse", req.profile.proxy.value ? Bound(.equal, 1) : .atLeast(1), .count)
    }
}
