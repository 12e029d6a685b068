import HostFacts

/// The local ports connect() can choose for one (source address, destination) 4-tuple: ip_local_port_range less
/// ip_local_reserved_ports inside it, less the ports bind() holds inside it (HostFacts' `BoundPorts`: connect()'s
/// own choice skips a port whose bind bucket bind() created, on any local address, TIME-WAIT included).
public struct EphemeralPortSpace: Sendable, Equatable {
    /// ip_local_port_range as read (an inverted range holds no port).
    public var low: Int
    public var high: Int
    /// Reserved ports inside the range.
    public var reserved: Int
    /// Ports inside the range, not reserved, held by bind(); nil when not counted (a --root tree, no census).
    public var held: BoundPorts?
    /// `held` limited to the range less the reserved ports (what is subtracted).
    public var heldPorts: Set<Int>

    /// Pure: the space of `range` (low, high as the sysctl reads) with these reserved and bind()-held ports.
    public init?(range: [Int], reserved: Set<Int>, held: BoundPorts?) {
        guard range.count == 2 else { return nil }
        (low, high) = (range[0], range[1])
        let (lo, hi) = (low, high)
        self.reserved = reserved.filter { $0 >= lo && $0 <= hi }.count
        self.held = held
        heldPorts = (held?.all ?? []).filter { $0 >= lo && $0 <= hi && !reserved.contains($0) }
    }

    /// The space on this host: its sysctls and, on the live root, the bound-port census.
    public static func of(_ host: HostSnapshot) -> EphemeralPortSpace? {
        guard let range = host.ints("net.ipv4.ip_local_port_range") else { return nil }
        return EphemeralPortSpace(
            range: range,
            reserved: EphemeralPorts.parseReserved(host.sysctl("net.ipv4.ip_local_reserved_ports")?.text ?? ""),
            held: host.boundPorts)
    }

    /// Connections one 4-tuple holds: range size − reserved − ports held by bind().
    public var perTuple: Int { max(usable - heldPorts.count, 0) }

    /// Range less reserved only (what `EphemeralPorts.usable` counts).
    public var usable: Int { high < low ? 0 : high.subtractingSaturated(low).addingSaturated(1) - reserved }

    /// "1,500 held by bind() (2 listening, 498 bound only)", or nil when none are held or they were not counted.
    public var heldText: String? {
        guard let held, !heldPorts.isEmpty else { return nil }
        var parts: [String] = []
        func part(_ set: Set<Int>, _ what: String) {
            let n = set.intersection(heldPorts).count
            if n > 0 { parts.append("\(grouped(n)) \(what)") }
        }
        part(held.listening, "listening")
        part(held.boundOnly.subtracting(held.listening), "bound only")
        part(
            held.connectedAfterBind.subtracting(held.listening).subtracting(held.boundOnly),
            "connected or TIME-WAIT after bind(0)")
        return "\(grouped(heldPorts.count)) held by bind() (\(parts.joined(separator: ", ")))"
    }
}
