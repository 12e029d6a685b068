import Foundation

/// How a check spreads N connections: server processes on one port and load worker processes, each with its
/// share of connections, rate and source addresses. Pure arithmetic, so it is unit-tested directly.
public struct CheckPlan: Sendable, Equatable, Codable {
    public struct Worker: Sendable, Equatable, Codable {
        public var connections: Int
        public var ratePerSecond: Double
        public var sources: [String]
    }

    public var serverProcesses: Int
    public var serverNofile: Int
    public var workers: [Worker]
    /// Why several processes are used, in one sentence (nil for one of each).
    public var reason: String?

    /// fds one process may hold: this process's hard RLIMIT_NOFILE less 1,000 for everything else.
    public static func defaultFdsPerProcess() -> Int {
        var rl = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0 else { return 19_000 }
        let hard = rl.rlim_max > 1 << 30 ? 1_048_576 : Int(rl.rlim_max)
        return max(hard - 1000, 256)
    }

    /// - Parameters:
    ///   - hardLimit: the nofile a child can be given (this process's hard limit).
    ///   - sources: the source addresses to split between workers (empty: kernel's choice).
    public static func make(
        connections n: Int, ratePerSecond: Double, serverNofile: Int?, serverProcesses: Int?,
        loadWorkers: Int?, fdsPerProcess: Int, hardLimit: Int, sources: [String]
    ) -> CheckPlan {
        let nofile = min(serverNofile ?? hardLimit, hardLimit)
        // An explicit --server-nofile models one production unit with that limit: one process unless told.
        let k = max(1, serverProcesses ?? (serverNofile != nil ? 1 : (n + fdsPerProcess - 1) / fdsPerProcess))
        let w = max(1, loadWorkers ?? (n + fdsPerProcess - 1) / fdsPerProcess)
        var workers: [Worker] = []
        let split = sources.isEmpty ? [] : SourceAddressPool(addresses: sources).split(into: w)
        for i in 0..<w {
            let share = n / w + (i < n % w ? 1 : 0)
            let mine = split.isEmpty ? [] : split[i].addresses
            workers.append(Worker(connections: share, ratePerSecond: ratePerSecond / Double(w), sources: mine))
        }
        var reason: String?
        if k > 1 || w > 1 {
            reason =
                "one process holds at most \(fdsPerProcess) fds here (hard RLIMIT_NOFILE \(hardLimit)), so "
                + "\(n) connections run on \(k) server process(es) sharing one port (SO_REUSEPORT) and "
                + "\(w) load worker process(es), as a fleet of template units would"
        }
        return CheckPlan(
            serverProcesses: k, serverNofile: nofile, workers: workers.filter { $0.connections > 0 },
            reason: reason)
    }
}
