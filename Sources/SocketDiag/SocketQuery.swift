import CSockDiag
import HostFacts

/// What to ask the kernel for and what to tally: the input of `SocketCounter.count(_:)`.
public struct SocketQuery: Equatable, Sendable {
    public enum Family: String, CaseIterable, Sendable, Codable {
        case ipv4, ipv6
    }
    /// What to group by, beyond the per-state totals that are always kept.
    public enum Grouping: String, CaseIterable, Sendable, Codable {
        case state, port, peer
    }

    /// Ports to match (any of them); empty matches every port.
    public var ports: [UInt16]
    /// Match `ports` against the remote (peer) port instead of the local one.
    public var remote: Bool
    /// States to dump; the kernel skips the others.
    public var states: [TCPState]
    public var families: [Family]
    public var grouping: Grouping?
    /// A socket whose receive or send queue holds more than this many bytes counts as "under pressure".
    public var queueThresholdBytes: UInt32
    /// Collect the cookies of established sockets (for opened/closed rates between two samples).
    public var collectCookies: Bool
    /// Count established sockets per port (local, or remote with `remote`) even without grouping `.port`;
    /// always on when `ports` is not empty.
    public var establishedByPort: Bool
    /// When both families are asked for, dump them in one walk (the original inet_diag request) instead of one
    /// dump per family in parallel. Faster on a busy or small machine: each dump walks the whole hash.
    public var bothFamiliesInOneDump: Bool = true
    /// Dumps per family run in parallel, each on its own netlink socket over a slice of the peer-port space.
    /// 1 dumps each family whole; families always run in parallel when both are asked for.
    public var partitions: Int

    public init(
        ports: [UInt16] = [], remote: Bool = false, states: [TCPState] = [.established],
        families: [Family] = [.ipv4, .ipv6], grouping: Grouping? = nil, queueThresholdBytes: UInt32 = 65536,
        collectCookies: Bool = false, establishedByPort: Bool = false, partitions: Int = 1
    ) {
        self.ports = ports
        self.remote = remote
        self.states = states
        self.families = families
        self.grouping = grouping
        self.queueThresholdBytes = queueThresholdBytes
        self.collectCookies = collectCookies
        self.establishedByPort = establishedByPort || !ports.isEmpty
        self.partitions = max(1, partitions)
    }

    /// The port filter as the kernel sees it (nil: no bytecode attribute at all).
    public var portFilter: DiagFilter? { DiagFilter.anyPort(ports, remote: remote) }

    /// The filter for partition `index` of `partitions`: the port filter and'ed with a range of the other side's
    /// port (the peer port when matching local ports), so each dump returns a disjoint slice.
    public func filter(partition index: Int) -> DiagFilter? {
        guard partitions > 1 else { return portFilter }
        let bounds = SocketQuery.partitionBounds(count: partitions)
        let (low, high) = bounds[index]
        let otherSide = !remote
        var range: DiagFilter
        if low == 0 {
            range = .portAtMost(high, remote: otherSide)
        } else if high == UInt16.max {
            range = .portAtLeast(low, remote: otherSide)
        } else {
            range = .and(.portAtLeast(low, remote: otherSide), .portAtMost(high, remote: otherSide))
        }
        if let portFilter { range = .and(portFilter, range) }
        return range
    }

    /// The partitions `count` and `top` use when none are asked for: 2 when this process may run on at least two
    /// CPUs and one of them is idle at this moment (fewer runnable tasks host-wide, this one included, than usable
    /// CPUs), else 1. Each slice walks the kernel's whole established hash again and splits only the filling of the
    /// replies, so a second slice pays only on an idle CPU: Benchmarks/count on an idle 2-CPU host measured two
    /// slices at 0.67-0.82 of one dump's time (10k-100k connections), and on a busy one at 1.07-1.21 of it.
    public static func automaticPartitions(usableCPUs: Int, runnableTasks: Int) -> Int {
        usableCPUs >= 2 && runnableTasks < usableCPUs ? 2 : 1
    }

    /// `automaticPartitions` for this process now: its CPU affinity and /proc/loadavg's runnable count. A host
    /// whose /proc/loadavg cannot be read gets one dump, the choice that never pays for an extra walk.
    public static func automaticPartitions() -> Int {
        let cpus = Int(wst_usable_cpus())
        guard let runQueue = try? RunQueue.read(root: HostRoot()) else { return 1 }
        return automaticPartitions(usableCPUs: cpus, runnableTasks: runQueue.runnable)
    }

    /// Contiguous port ranges covering 0...65535. Clients' ephemeral ports mostly sit in 32768...65535 (Linux
    /// 32768-60999, Windows 49152-65535), so that span is cut evenly and the first range takes everything below.
    public static func partitionBounds(count: Int) -> [(UInt16, UInt16)] {
        let n = max(1, count)
        if n == 1 { return [(0, UInt16.max)] }
        let start = 32768
        let span = 61000 - 32768
        var result: [(UInt16, UInt16)] = []
        var low = 0
        for i in 1..<n {
            let cut = start + span * i / n
            result.append((UInt16(low), UInt16(cut - 1)))
            low = cut
        }
        result.append((UInt16(low), UInt16.max))
        return result
    }
}
