/// Counters from /proc/net/netstat and /proc/net/snmp ("Prefix: names" / "Prefix: values" line pairs) and
/// /proc/net/sockstat. Keys are "Prefix.Name", e.g. "TcpExt.ListenOverflows", "Tcp.CurrEstab".
public struct KernelCounters: Sendable, Equatable, Codable {
    public var counters: [String: Int]
    /// sockstat: "TCP.inuse", "TCP.tw", "TCP.mem" (pages), "sockets.used", ...
    public var sockstat: [String: Int]

    public subscript(_ key: String) -> Int? { counters[key] }

    public static func read(root: HostRoot) throws -> KernelCounters {
        var counters: [String: Int] = [:]
        for file in ["proc/net/netstat", "proc/net/snmp"] {
            if let text = try root.readText(file) {
                counters.merge(try parsePairs(text, path: root.resolve(file))) { a, _ in a }
            }
        }
        let sock = try root.readText("proc/net/sockstat").map { parseSockstat($0) } ?? [:]
        return KernelCounters(counters: counters, sockstat: sock)
    }

    /// Parses header/value line pairs; a value line whose field count differs from its header is malformed.
    public static func parsePairs(_ text: String, path: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        let lines = text.hostLines(omittingEmpty: true)
        var i = 0
        while i + 1 < lines.count {
            let names = lines[i].split(separator: " ")
            let values = lines[i + 1].split(separator: " ")
            guard let prefix = names.first, prefix == values.first, prefix.hasSuffix(":") else {
                throw HostFactsError.malformed(
                    path: path, line: i + 2, reason: "expected a value line after '\(names.first ?? "")'")
            }
            guard names.count == values.count else {
                throw HostFactsError.malformed(
                    path: path, line: i + 2, reason: "\(names.count - 1) names but \(values.count - 1) values")
            }
            let p = prefix.dropLast()
            for (n, v) in zip(names.dropFirst(), values.dropFirst()) {
                if let x = Int(v) { out["\(p).\(n)"] = x }
            }
            i += 2
        }
        return out
    }

    /// "TCP: inuse 5 orphan 0 tw 2 alloc 8 mem 1" → ["TCP.inuse": 5, ...].
    public static func parseSockstat(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in text.hostLines(omittingEmpty: true) {
            let f = line.split(separator: " ")
            guard let head = f.first, head.hasSuffix(":") else { continue }
            var j = 1
            while j + 1 < f.count {
                if let v = Int(f[j + 1]) { out["\(head.dropLast()).\(f[j])"] = v }
                j += 2
            }
        }
        return out
    }
}
