import HostFacts
import Tuning

/// The audit's capacity model (Tuning's `Supply`, the same numbers `wstune audit` prints) for the profile at N,
/// with the two limits only a check knows replacing the audit's per-process fd limits: the nofile the started
/// server processes get, and the load client's ephemeral ports per source address.
public struct AuditCapacityPredictor: CapacityPredicting {
    public init() {}

    public func predict(connections: Int, profile: Profile?, plan: CheckPlan, root: HostRoot) -> CapacityPrediction {
        let local = HostCapacityPredictor().predict(connections: connections, profile: profile, plan: plan, root: root)
        guard let profile, let host = try? HostSnapshot.read(root: root) else { return local }
        let req = Requirement(profile: profile.withConnections(connections), host: host)
        let supply = Supply.of(host, req)
        var limits = local.limits.filter { $0.id == "server.nofile" || $0.id == "client.ephemeral-ports" }
        for l in supply.limits where !l.id.hasPrefix("fd.") {
            limits.append(.init(id: l.id, connections: l.connections, detail: l.description))
        }
        return CapacityPrediction(
            limits: limits, source: "audit capacity model (profile \(profile.name)) + check's process limits")
    }
}
