import HostFacts

/// How a sysctl's target follows from its live value and the need. Without `--exact` a value already beyond the
/// need is kept (fs.file-max at 9M stays 9M); with it the target is the need itself.
public enum SysctlRule: Sendable, Equatable {
    /// The value must be at least this.
    case atLeast(Int)
    /// The value must be at most this (tcp_keepalive_time).
    case atMost(Int)
    /// The profile pins this value.
    case exactly(String)
    /// Any of `accepted` is fine; otherwise (or with --exact) `preferred`.
    case oneOf(preferred: Int, accepted: Set<Int>)
    /// tcp_mem "min pressure max" in pages: pressure at least this.
    case tcpMem(pressure: Int)
    /// ip_local_port_range: at least `usable` ports per backend 4-tuple, minus `reserved` ports.
    case portRange(usable: Int, reserved: Set<Int>)
    /// ip_local_reserved_ports: a superset of these ports.
    case reservedPorts(Set<Int>)
    /// Keep the live value and persist it (a value another target was derived from).
    case current

    /// The need as people read it.
    public var needText: String {
        switch self {
        case .atLeast(let n): return "≥ \(n)"
        case .atMost(let n): return "≤ \(n)"
        case .exactly(let v): return "= \(v) (pinned by the profile)"
        case .oneOf(let p, let a):
            return a.count > 1 ? "one of \(a.sorted().map(String.init).joined(separator: ", "))" : "= \(p)"
        case .tcpMem(let p): return "pressure ≥ \(p) pages"
        case .portRange(let u, _): return "≥ \(u) usable ports"
        case .reservedPorts(let ports): return "includes \(EphemeralPorts.formatReserved(ports))"
        case .current: return "the live value, persisted"
        }
    }

    /// The target text for a live value, or nil when the live value cannot be read as this rule expects.
    public func target(live: SysctlValue, exact: Bool) -> String? {
        switch self {
        case .atLeast(let n):
            guard let c = live.int else { return nil }
            return String(exact ? n : Swift.max(c, n))
        case .atMost(let n):
            guard let c = live.int else { return nil }
            return String(exact ? n : Swift.min(c, n))
        case .exactly(let v):
            return v
        case .oneOf(let preferred, let accepted):
            guard let c = live.int else { return nil }
            return String(!exact && accepted.contains(c) ? c : preferred)
        case .tcpMem(let p):
            guard let m = live.ints, m.count == 3 else { return nil }
            let want = [p.scaled(3, 4), p, p.scaled(3, 2)]
            if exact { return want.map(String.init).joined(separator: " ") }
            if m[1] >= p { return live.text }
            var t = zip(m, want).map { Swift.max($0, $1) }
            t[1] = Swift.max(t[1], t[0])
            t[2] = Swift.max(t[2], t[1])
            return t.map(String.init).joined(separator: " ")
        case .portRange(let usable, let reserved):
            guard let r = live.ints, r.count == 2 else { return nil }
            if !exact && EphemeralPorts.usable(range: r, reserved: reserved) >= usable { return live.text }
            // Widen downwards from 65535 (ports below 1024 are privileged and never ephemeral).
            var lo = Swift.max(1024, 65535 - Swift.min(usable, 65535) + 1)
            // Counted as the range grows (one usable() per step would make this quadratic in the reserved set).
            var have = EphemeralPorts.usable(range: [lo, 65535], reserved: reserved)
            while lo > 1024 && have < usable {
                lo -= 1
                if !reserved.contains(lo) { have += 1 }
            }
            return exact ? "\(lo) 65535" : "\(Swift.min(lo, r[0])) \(Swift.max(65535, r[1]))"
        case .reservedPorts(let ports):
            let current = EphemeralPorts.parseReserved(live.text)
            return current.isSuperset(of: ports) ? live.text : EphemeralPorts.formatReserved(current.union(ports))
        case .current:
            return live.text
        }
    }

    /// Rules whose --exact target may lower a value (the floor of `KernelFloor` applies to them).
    public var lowersWithExact: Bool {
        switch self {
        case .atLeast, .tcpMem: return true
        default: return false
        }
    }

    /// How the kernel's read-back is compared with the target.
    public var comparison: LiveChange.Comparison {
        if case .reservedPorts = self { return .portSet }
        return .text
    }
}
