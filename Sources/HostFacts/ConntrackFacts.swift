import Glibc

/// nf_conntrack as the host has it: loaded or not, the hash size and the statistics counters.
public struct ConntrackFacts: Sendable, Equatable, Codable {
    public var loaded: Bool
    /// The hash size: net.netfilter.nf_conntrack_buckets (mode 0444), else
    /// /sys/module/nf_conntrack/parameters/hashsize (mode 0600: root only). Both show the same value.
    public var hashsize: Int?
    /// Summed over CPUs from /proc/net/stat/nf_conntrack: "drop", "insert_failed", "early_drop", "invalid", ...
    public var stats: [String: Int]
    /// Files that exist but this user may not read (EACCES/EPERM): their facts are left out and the report says
    /// "not readable without root" instead of failing.
    public var notReadable: [String]

    public init(loaded: Bool, hashsize: Int?, stats: [String: Int], notReadable: [String] = []) {
        self.loaded = loaded
        self.hashsize = hashsize
        self.stats = stats
        self.notReadable = notReadable
    }

    static let bucketsPath = "proc/sys/net/netfilter/nf_conntrack_buckets"
    static let hashsizePath = "sys/module/nf_conntrack/parameters/hashsize"
    static let statsPath = "proc/net/stat/nf_conntrack"

    public static func read(root: HostRoot) throws -> ConntrackFacts {
        let loaded = root.exists("sys/module/nf_conntrack") || root.exists("proc/sys/net/netfilter/nf_conntrack_max")
        var notReadable: [String] = []
        /// The file's text; nil when absent or, noted, when only root may read it.
        func readPermitted(_ relative: String) throws -> String? {
            do {
                return try root.readText(relative)
            } catch HostFactsError.unreadable(let path, let e) where e == EACCES || e == EPERM {
                notReadable.append(path)
                return nil
            }
        }
        let number = { (text: String) in Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        var hashsize = try readPermitted(bucketsPath).flatMap(number)
        if hashsize == nil { hashsize = try readPermitted(hashsizePath).flatMap(number) }
        var stats: [String: Int] = [:]
        if let text = try readPermitted(statsPath) {
            stats = try parseStats(text, path: root.resolve(statsPath))
        }
        return ConntrackFacts(loaded: loaded, hashsize: hashsize, stats: stats, notReadable: notReadable)
    }

    /// The file has a header of column names and one line of hex values per CPU; "entries" is global (not summed).
    public static func parseStats(_ text: String, path: String) throws -> [String: Int] {
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: " ") else { return [:] }
        var sums: [String: Int] = [:]
        for (i, line) in lines.dropFirst().enumerated() {
            let vals = line.split(separator: " ")
            guard vals.count == header.count else {
                throw HostFactsError.malformed(
                    path: path, line: i + 2, reason: "\(vals.count) values for \(header.count) columns")
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
