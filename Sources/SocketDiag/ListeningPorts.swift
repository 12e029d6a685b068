import HostFacts

/// TCP ports in LISTEN state in this network namespace, from one sock_diag dump asking only for LISTEN: the
/// kernel then walks only its listening hash (net/ipv4/inet_diag.c, inet_diag_dump_icsk skips the established
/// hash when no other state is asked for), so the cost does not grow with established or TIME-WAIT sockets the
/// way reading /proc/net/tcp and tcp6 does (2.58 s with 200k established; Benchmarks/audit).
public enum ListeningPorts {
    /// Local ports of listening TCP sockets, both families, sorted.
    public static func read() throws -> [Int] {
        let counts = try SocketCounter.count(SocketQuery(states: [.listen], grouping: .port))
        return counts.byPort.keys.map(Int.init).sorted()
    }

    /// The reader audit and plan hand to `HostSnapshot` for the live root (HostFacts does not import netlink).
    public static let provider: Listeners.LivePorts = { try read() }
}
