import HostFacts
import Tuning

/// check's one capacity model: the audit's (`Supply`, the numbers `wstune audit` prints for the profile at N),
/// with the audit's per-process fd limits replaced by the two only a check knows: the nofile of the server
/// processes it runs, and the load client's ephemeral ports per source address. The server's fd reserve is the
/// audit's (`CapacityModel.fdReserve`), so check against a running process predicts what `audit --pid` says.
public struct AuditCapacityPredictor: CapacityPredicting {
    public init() {}

    public func predict(connections: Int, profile: Profile?, plan: CheckPlan, host: HostSnapshot)
        -> CapacityPrediction
    {
        // Without a profile file the model still runs on the profile defaults (the budget of the README).
        let model = (profile ?? Profile(name: "defaults", connections: Sourced(connections, .derived)))
            .withConnections(connections)
        let supply = Supply.of(host, Requirement(profile: model, host: host))
        var limits = [Self.serverLimit(plan)]
        if let ports = Self.clientPortLimit(plan, host) { limits.append(ports) }
        for l in supply.limits where l.id != FdSoftLimitCheck.id && l.id != FdHardLimitCheck.id {
            limits.append(.init(id: l.id, connections: l.connections, detail: l.description))
        }
        let name = profile.map { "profile \($0.name)" } ?? "profile defaults"
        return CapacityPrediction(limits: limits, source: "audit capacity model (\(name)) + check's process limits")
    }

    /// K server processes × (nofile − the audit's fd reserve).
    static func serverLimit(_ plan: CheckPlan) -> CapacityPrediction.Limit {
        let reserve = CapacityModel.fdReserve
        let perServer = max(plan.serverNofile - reserve, 0)
        return .init(
            id: LimitFinding.ID.serverNofile, connections: perServer * plan.serverProcesses,
            detail: "\(plan.serverProcesses) server process(es) × (nofile \(plan.serverNofile) − \(reserve) reserved)")
    }

    /// Ephemeral ports of one 4-tuple (the range less ip_local_reserved_ports and less the ports bind() holds,
    /// as the audit counts them: `EphemeralPortSpace`) × source addresses.
    static func clientPortLimit(_ plan: CheckPlan, _ host: HostSnapshot) -> CapacityPrediction.Limit? {
        guard let space = EphemeralPortSpace.of(host), space.high >= space.low else { return nil }
        let ports = space.perTuple
        let sources = max(plan.workers.reduce(0) { $0 + $1.sources.count }, 1)
        return .init(
            id: LimitFinding.ID.clientEphemeralPorts, connections: ports * sources,
            detail: "\(ports) ports in ip_local_port_range \(space.low)-\(space.high)"
                + (space.heldText.map { " (\($0))" } ?? "") + " × \(sources) source address(es)")
    }

    /// Ports of the range bind() holds (skipped by connect()), for check --via's `explicitlyBoundPorts`; 0 when
    /// not counted.
    public static func explicitlyBoundPorts(_ host: HostSnapshot) -> Int {
        EphemeralPortSpace.of(host)?.heldPorts.count ?? 0
    }
}
