import HostFacts

/// `net.memory-pressure`: TCP has hit its memory limits since boot.
public struct MemoryPressureCheck: Check {
    public static let id = "net.memory-pressure"
    public var id: String { Self.id }
    public let title = "TCP memory pressure since boot"
    public let rationale =
        "TCPMemoryPressures counts entries into tcp_mem pressure, TCPAbortOnMemory connections killed at its max (/proc/net/netstat)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let p = host.counters["TcpExt.TCPMemoryPressures"], let a = host.counters["TcpExt.TCPAbortOnMemory"]
        else {
            return notApplicable("/proc/net/netstat not readable")
        }
        let cur = "TCPMemoryPressures \(grouped(p)), TCPAbortOnMemory \(grouped(a))"
        if p == 0 && a == 0 { return finding(.pass, current: cur, needed: "0") }
        return finding(
            a > 0 ? .warn : .info, current: cur, needed: "0", why: "TCP ran short of memory since boot",
            fix: "raise net.ipv4.tcp_mem (see net.tcp-mem)")
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension MemoryPressureCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let p = host.counters["TcpExt.TCPMemoryPressures"], let a = host.counters["TcpExt.TCPAbortOnMemory"]
        else { return .none }
        return FindingValues(
            observed: .number(p.addingSaturated(a)),
            source: "/proc/net/netstat TcpExt.TCPMemoryPressures+TCPAbortOnMemory",
            requirement: .atMost(0), unit: .count)
    }
}
