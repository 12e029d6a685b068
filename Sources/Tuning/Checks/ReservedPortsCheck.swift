import HostFacts

/// `ports.reserved-overlap`: a listen port inside the ephemeral range must be reserved.
public struct ReservedPortsCheck: Check {
    public static let id = "ports.reserved-overlap"
    public var id: String { Self.id }
    public let title = "Listen ports inside the ephemeral range"
    public let rationale =
        "The kernel hands out ephemeral ports for outgoing connections from ip_local_port_range; a listen port inside it can be taken by an outgoing socket, and the server then fails to bind on restart (EADDRINUSE) unless it is in ip_local_reserved_ports (ip-sysctl.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let range = host.ints("net.ipv4.ip_local_port_range"), range.count == 2 else {
            return notApplicable("ip_local_port_range not readable")
        }
        let reserved = EphemeralPorts.parseReserved(host.sysctl("net.ipv4.ip_local_reserved_ports")?.text ?? "")
        let inside = req.listenPorts.filter { $0 >= range[0] && $0 <= range[1] }
        let exposed = inside.filter { !reserved.contains($0) }
        // The profile's own listen ports must be reserved (fail); other listeners found inside the range may be
        // sockets that bound port 0 and got an ephemeral port on purpose, so they only warn.
        let profilePorts = Set(req.profile.listenPorts.value)
        let severity: Severity = exposed.contains { profilePorts.contains($0) } ? .fail : .warn
        let cur =
            "range \(range[0])-\(range[1]); listening \(req.listenPorts.map(String.init).joined(separator: ",").ifEmpty("none"))"
        if exposed.isEmpty {
            return finding(
                .pass, current: cur, needed: "listen ports outside the range or reserved",
                why: inside.isEmpty
                    ? "no listen port inside the ephemeral range"
                    : "ports \(inside.map(String.init).joined(separator: ",")) are reserved")
        }
        let all = EphemeralPorts.formatReserved(reserved.union(exposed))
        return finding(
            severity, current: cur + "; unreserved: \(exposed.map(String.init).joined(separator: ","))",
            needed: "in ip_local_reserved_ports", fix: sysctlFix("net.ipv4.ip_local_reserved_ports", all))
    }
}

extension String {
    func ifEmpty(_ s: String) -> String { isEmpty ? s : self }
}
