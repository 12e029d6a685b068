import Foundation
import HostFacts
import Tuning

/// Predicts capacity from the live host for a loopback check: the server processes' nofile, the client's
/// ephemeral ports per source address, fs.file-max (both ends' fds are on this host), memory against the
/// profile's per-connection budget, and the conntrack table when conntrack tracks this namespace's traffic.
public struct HostCapacityPredictor: CapacityPredicting {
    /// fds a reference server process uses besides client sockets (listener, epoll, eventfds, stdio).
    public static let serverFdReserve = 24

    public init() {}

    public func predict(connections: Int, profile: Profile?, plan: CheckPlan, root: HostRoot) -> CapacityPrediction {
        var limits: [CapacityPrediction.Limit] = []
        let perServer = max(plan.serverNofile - Self.serverFdReserve, 0)
        limits.append(
            .init(
                id: "server.nofile", connections: perServer * plan.serverProcesses,
                detail:
                    "\(plan.serverProcesses) server process(es) × (nofile \(plan.serverNofile) − \(Self.serverFdReserve) reserved)"
            ))
        if let text = try? root.readText("proc/sys/net/ipv4/ip_local_port_range") {
            let r = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
            if r.count == 2, r[1] >= r[0] {
                let sources = max(plan.workers.reduce(0) { $0 + $1.sources.count }, 1)
                let ports = r[1] - r[0] + 1
                limits.append(
                    .init(
                        id: "client.ephemeral-ports", connections: ports * sources,
                        detail: "\(ports) ports in ip_local_port_range \(r[0])-\(r[1]) × \(sources) source address(es)")
                )
            }
        }
        if let text = try? root.readText("proc/sys/fs/file-nr"), let f = HostSampler.parseFileNr(text) {
            let free = max(f.max - f.allocated, 0)
            limits.append(
                .init(
                    id: "fs.file-max", connections: free / 2,
                    detail: "\(free) free file handles of fs.file-max \(f.max), 2 per loopback connection"))
        }
        let budget = profile?.perConnectionBytes.value ?? Profile.defaultPerConnectionBytes
        if let mem = try? MemoryInfo.read(root: root), budget > 0 {
            limits.append(
                .init(
                    id: "memory", connections: mem.availableBytes / budget,
                    detail: "MemAvailable \(mem.availableBytes / 1_048_576) MiB ÷ \(budget) bytes per connection budget"
                ))
        }
        if let count = readInt(root, "proc/sys/net/netfilter/nf_conntrack_count"),
            let max = readInt(root, "proc/sys/net/netfilter/nf_conntrack_max"), count > 0
        {
            limits.append(
                .init(
                    id: "conntrack.max", connections: Swift.max(max - count, 0),
                    detail: "nf_conntrack_max \(max) − \(count) entries in use"))
        }
        return CapacityPrediction(limits: limits, source: "host limits read by check")
    }

    private func readInt(_ root: HostRoot, _ path: String) -> Int? {
        (try? root.readText(path)).flatMap { $0.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
    }
}
