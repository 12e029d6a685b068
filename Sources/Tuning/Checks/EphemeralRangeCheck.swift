import HostFacts

/// `ports.ephemeral-range`: a proxy's upstream connections fit in the ephemeral ports of each backend 4-tuple.
public struct EphemeralRangeCheck: Check {
    public static let id = "ports.ephemeral-range"
    public var id: String { Self.id }
    public let title = "Ephemeral ports for upstream connections"
    public let rationale =
        "Each upstream connection from one source IP to one backend IP:port needs its own local port from ip_local_port_range; past it connect() fails with EADDRNOTAVAIL (ip-sysctl.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard req.profile.proxy.value else { return notApplicable("no proxy fronting backends in this profile") }
        guard let space = EphemeralPortSpace.of(host) else { return notApplicable("ip_local_port_range not readable") }
        let range = [space.low, space.high]
        let usable = space.perTuple
        let need = req.needs.ephemeralPortsPerBackend
        let backends = req.profile.backendAddresses.value
        let cur =
            "\(grouped(usable)) ports per backend (\(range[0])-\(range[1])\(space.heldText.map { "; " + $0 } ?? ""))"
        if usable >= need {
            return finding(.pass, current: cur, needed: "≥ \(grouped(need)) per backend × \(backends) backends")
        }
        // Ports bind() holds stay skipped in a wider range too: widen by them.
        let want = need.addingSaturated(space.heldPorts.count)
        let lo = max(1024, 65535 - min(want, 65535) + 1)
        return finding(
            .fail, current: cur, needed: "≥ \(grouped(need)) per backend × \(backends) backends",
            why:
                "\(grouped(req.needs.connections)) upstream connections over \(backends) backend addresses exhaust the range",
            fix: want <= 64511
                ? sysctlFix("net.ipv4.ip_local_port_range", "\(lo) 65535") + " (reserve listen ports)"
                : "add backend addresses (or source IPs on the proxy): one 4-tuple holds at most 64,511 connections")
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension EphemeralRangeCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let space = EphemeralPortSpace.of(host) else { return .none }
        return FindingValues(
            observed: .number(space.perTuple),
            source: "net.ipv4.ip_local_port_range minus net.ipv4.ip_local_reserved_ports"
                + (space.held == nil ? "" : " minus ports held by bind() (sock_diag)"),
            requirement: .atLeast(req.needs.ephemeralPortsPerBackend), unit: .ports)
    }
}
