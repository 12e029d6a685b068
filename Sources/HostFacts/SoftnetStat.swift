/// /proc/net/softnet_stat: per-CPU counters of the network input path. Only "dropped" is kept: packets lost
/// because a CPU's input backlog (net.core.netdev_max_backlog) was full; loopback traffic passes through it too.
public struct SoftnetStat: Sendable, Equatable, Codable {
    /// Column 2 summed over the CPUs.
    public var dropped: Int
    public var cpus: Int

    public init(dropped: Int, cpus: Int) {
        self.dropped = dropped
        self.cpus = cpus
    }

    public static func read(root: HostRoot) throws -> SoftnetStat? {
        let path = "proc/net/softnet_stat"
        guard let text = try root.readText(path) else { return nil }
        return try parse(text, path: root.resolve(path))
    }

    /// One line per CPU of hex columns (the kernel prints at least 11 on every version we support).
    public static func parse(_ text: String, path: String = "softnet_stat") throws -> SoftnetStat {
        var dropped = 0
        var cpus = 0
        for (i, line) in text.split(separator: "\n").enumerated() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 2, let d = Int(f[1], radix: 16), Int(f[0], radix: 16) != nil else {
                throw HostFactsError.malformed(path: path, line: i + 1, reason: "expected hex columns")
            }
            let (sum, overflow) = dropped.addingReportingOverflow(d)
            guard !overflow else { throw HostFactsError.malformed(path: path, line: i + 1, reason: "sum overflows") }
            dropped = sum
            cpus += 1
        }
        guard cpus > 0 else { throw HostFactsError.malformed(path: path, line: 1, reason: "no CPU lines") }
        return SoftnetStat(dropped: dropped, cpus: cpus)
    }
}
