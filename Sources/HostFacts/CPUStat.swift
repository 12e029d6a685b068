/// /proc/stat: the CPU time all cores spent (the aggregate "cpu" line, in clock ticks), how many cores there are,
/// and the run queue now (procs_running: threads running or waiting for a core, the reader included).
public struct CPUStat: Sendable, Equatable {
    /// All columns of the "cpu" line summed (user … steal; guest time is already inside user and nice).
    public var totalTicks: Int
    /// idle + iowait: ticks no thread was running.
    public var idleTicks: Int
    public var cpus: Int
    public var procsRunning: Int

    public init(totalTicks: Int, idleTicks: Int, cpus: Int, procsRunning: Int) {
        self.totalTicks = totalTicks
        self.idleTicks = idleTicks
        self.cpus = cpus
        self.procsRunning = procsRunning
    }

    public var busyTicks: Int { totalTicks - idleTicks }

    /// nil when the root has no /proc/stat (a fixture tree without it).
    public static func read(root: HostRoot) throws -> CPUStat? {
        let path = "proc/stat"
        guard let text = try root.readText(path) else { return nil }
        return try parse(text, path: root.resolve(path))
    }

    public static func parse(_ text: String, path: String = "stat") throws -> CPUStat {
        var total: Int?
        var idle = 0
        var cpus = 0
        var running: Int?
        for (i, line) in text.split(separator: "\n").enumerated() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let key = f.first else { continue }
            if key == "cpu" {
                // user nice system idle iowait irq softirq steal [guest guest_nice]: guest is counted in user.
                let v = f.dropFirst().prefix(8).map { Int($0) }
                guard v.count >= 4, v.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                    throw HostFactsError.malformed(path: path, line: i + 1, reason: "cpu line: expected tick counts")
                }
                let ticks = v.map { $0! }
                total = ticks.reduce(0, &+)
                idle = ticks[3] + (ticks.count > 4 ? ticks[4] : 0)
            } else if key.hasPrefix("cpu") && key.dropFirst(3).allSatisfy(\.isNumber) {
                cpus += 1
            } else if key == "procs_running" {
                guard f.count == 2, let n = Int(f[1]), n >= 0 else {
                    throw HostFactsError.malformed(path: path, line: i + 1, reason: "procs_running: expected a count")
                }
                running = n
            }
        }
        guard let total else { throw HostFactsError.malformed(path: path, line: 1, reason: "no aggregate cpu line") }
        guard let running else { throw HostFactsError.malformed(path: path, line: 1, reason: "no procs_running line") }
        return CPUStat(totalTicks: total, idleTicks: idle, cpus: max(cpus, 1), procsRunning: running)
    }
}
