import Foundation

/// Which side stopped the ramp's rate from growing, judged from the ticks where the controller backed off:
/// the load side (client fds or ports, or the load workers' CPU), the server, other work on the host, or none
/// (the ramp held the --rate ceiling). Client and server share this host's cores, so a load-side bottleneck
/// means the server's real capacity is at least the sustainable rate found here.
public struct RampBottleneck: Sendable, Codable, Equatable {
    public enum Side: String, Sendable, Codable { case load, server, host, none }

    public var side: Side
    /// One sentence with the figures.
    public var statement: String
    public var cores: Int
    /// Mean cores used in the back-off ticks (nil: not sampled).
    public var clientCPUCores: Double?
    public var serverCPUCores: Double?
    public var otherCPUCores: Double?

    public init(
        side: Side, statement: String, cores: Int, clientCPUCores: Double? = nil, serverCPUCores: Double? = nil,
        otherCPUCores: Double? = nil
    ) {
        self.side = side
        self.statement = statement
        self.cores = cores
        self.clientCPUCores = clientCPUCores
        self.serverCPUCores = serverCPUCores
        self.otherCPUCores = otherCPUCores
    }

    /// - Parameters:
    ///   - clientThreads: event-loop threads of all load workers together (what their CPU can reach).
    ///   - failures: the load report's failures by kind (EMFILE, EADDRNOTAVAIL are the client's own limits).
    public static func judge(
        ticks: [RampTick], cores: Int, clientThreads: Int, failures: [String: Int], ceilingPerSecond: Double,
        p50TargetMicros: UInt64
    ) -> RampBottleneck {
        let n = max(cores, 1)
        let target = LatencySummary.format(p50TargetMicros)
        let fds = failures[ConnectionFailure.emfile.rawValue] ?? 0
        let ports = failures[ConnectionFailure.eaddrnotavail.rawValue] ?? 0
        if fds > 0 || ports > 0 {
            let what = [
                fds > 0 ? "fds (EMFILE/ENFILE \(fds))" : nil, ports > 0 ? "ports (EADDRNOTAVAIL \(ports))" : nil,
            ]
            .compactMap { $0 }.joined(separator: " and ")
            return RampBottleneck(
                side: .load, statement: "load side: the load workers ran out of \(what); the server was not the limit",
                cores: n)
        }
        let knee = ticks.filter { $0.backoff != nil }
        let active = ticks.filter { $0.achievedPerSecond > 0 }
        let basis = knee.isEmpty ? active : knee
        func mean(_ key: KeyPath<RampTick, Double?>) -> Double? {
            let v = basis.compactMap { $0[keyPath: key] }
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        let client = mean(\.clientCPUCores)
        let server = mean(\.serverCPUCores)
        let busy = mean(\.hostBusyCores)
        let other = busy.map { max($0 - (client ?? 0) - (server ?? 0), 0) }
        func f(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "?" }
        let usage =
            "load workers \(f(client)), servers \(f(server)), other processes \(f(other)) of \(n) cores"
        var b = RampBottleneck(
            side: .none, statement: "", cores: n, clientCPUCores: client, serverCPUCores: server, otherCPUCores: other)
        if knee.isEmpty {
            let offered = active.map(\.offeredPerSecond).max() ?? 0
            let achieved = active.map(\.achievedPerSecond).max() ?? 0
            if ceilingPerSecond <= 0 {
                b.statement = String(
                    format: "none found: the unpaced ramp completed up to %.0f/s without p50 passing %@ (%@)",
                    achieved, target, usage)
            } else if offered > 0 && achieved < 0.8 * offered {
                b.side = .load
                b.statement = String(
                    format: "load side: the load workers were told %.0f/s but completed at most %.0f/s with p50 "
                        + "under %@ (%@)", offered, achieved, target, usage)
            } else {
                b.statement = String(
                    format: "none found: the ramp ran up to %.0f/s (ceiling %.0f/s) without p50 passing %@ (%@)",
                    offered, ceilingPerSecond, target, usage)
            }
            return b
        }
        let saturated = (busy ?? 0) >= 0.85 * Double(n)
        let clientFull = (client ?? 0) >= 0.9 * Double(min(max(clientThreads, 1), n))
        if clientFull || (saturated && (client ?? 0) >= (server ?? 0) && (client ?? 0) >= (other ?? 0)) {
            b.side = .load
            b.statement =
                "load side: when p50 passed \(target) the load client used the most CPU (\(usage)); client and "
                + "server share the cores, so the server alone would take at least the sustainable rate"
        } else if saturated && (other ?? 0) > max(client ?? 0, server ?? 0) {
            b.side = .host
            b.statement = "host: other work held the cores when p50 passed \(target) (\(usage))"
        } else if saturated {
            b.side = .server
            b.statement = "server: its CPU bound the rate when p50 passed \(target) (\(usage))"
        } else {
            b.side = .server
            b.statement =
                "server: p50 passed \(target) with CPU to spare (\(usage)): not CPU; see the findings"
        }
        return b
    }
}
