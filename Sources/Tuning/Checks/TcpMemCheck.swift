import HostFacts

/// `net.tcp-mem`: the TCP memory limits hold N sockets at their minimum buffers.
public struct TcpMemCheck: Check {
    public static let id = "net.tcp-mem"
    public var id: String { Self.id }
    public let title = "TCP memory (net.ipv4.tcp_mem) against N sockets"
    public let rationale =
        "tcp_mem (pages) caps memory of all TCP sockets: above its pressure value buffers are squeezed, above its max new sends fail and TCPAbortOnMemory grows (tcp(7)). Worst case every socket holds tcp_rmem[0] + tcp_wmem[0]."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let mem = host.ints("net.ipv4.tcp_mem"), mem.count == 3 else {
            return notApplicable("tcp_mem not readable")
        }
        let need = req.needs.tcpMemPages
        let cur = "\(mem.map(grouped).joined(separator: " ")) pages"
        let needed = "pressure ≥ \(grouped(need)) pages"
        if mem[1] >= need { return finding(.pass, current: cur, needed: needed) }
        let fixValue = "\(max(mem[0], need.scaled(3, 4))) \(need) \(need.scaled(3, 2))"
        if mem[2] >= need {
            return finding(
                .warn, current: cur, needed: needed,
                why: "N sockets at minimum buffers pass the pressure threshold: buffers get squeezed under load",
                fix: sysctlFix("net.ipv4.tcp_mem", fixValue))
        }
        return finding(
            .fail, current: cur, needed: needed,
            why: "N sockets at minimum buffers exceed tcp_mem's max: sends fail and sockets are aborted",
            fix: sysctlFix("net.ipv4.tcp_mem", fixValue))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension TcpMemCheck {
    /// Observed: the pressure threshold, the second of tcp_mem's three page counts.
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let mem = host.ints("net.ipv4.tcp_mem"), mem.count == 3 else { return .none }
        return FindingValues(
            observed: .number(mem[1]), source: "net.ipv4.tcp_mem[1]", requirement: .atLeast(req.needs.tcpMemPages),
            unit: .pages)
    }
}
