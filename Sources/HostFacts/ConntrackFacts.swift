/// nf_conntrack as the host has it: loaded or not, the hash size and the statistics counters.
public struct ConntrackFacts: Sendable, Equatable, Codable {
    public var loaded: Bool
    /// /sys/module/nf_conntrack/parameters/hashsize (equals nf_conntrack_buckets).
    public var hashsize: Int?
    /// Summed over CPUs from /proc/net/stat/nf_conntrack: "drop", "insert_failed", "early_drop", "invalid", ...
    public var stats: [String: Int]

    public static func read(root: HostRoot) throws -> ConntrackFacts {
        let loaded = root.exists("sys/module/nf_conntrack") || root.exists("proc/sys/net/netfilter/nf_conntrack_max")
        let hashsize = try root.readText("sys/module/nf_conntrack/parameters/hashsize").flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var stats: [String: Int] = [:]
        if let text = try root.readText("proc/net/stat/nf_conntrack") {
            stats = try parseStats(text, path: root.resolve("proc/net/stat/nf_conntrack"))
        }
        return ConntrackFacts(loaded: loaded, hashsize: hashsize, stats: stats)
    }

    /// The file has a header of column names and one line of hex values per CPU; "entries" is global (not summed).
    public static func parseStats(_ text: String, path: String) throws -> [String: Int] {
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: " ") else { return [:] }
        var sums: [String: Int] = [:]
        for (i, line) in lines.dropFirst().enumerated() {
            let vals = line.split(separator: " ")
            guard vals.count == header.count else {
                throw HostFactsError.malformed(path: path, line: i + 2, reason: "\(vals.count) values for \(header.count) columns")
            }
            for (name, hex) in zip(header, vals) {
                guard let v = Int(hex, radix: 16) else {
                    throw HostFactsError.malformed(path: path, line: i + 2, reason: "not hex: \(hex)")
                }
                if name == "entries" { sums["entries"] = v } else { sums[String(name), default: 0] += v }
            }
        }
        return sums
    }
}
