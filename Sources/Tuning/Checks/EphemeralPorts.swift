import HostFacts

/// Parsing and arithmetic for ip_local_port_range and ip_local_reserved_ports ("8080,9000-9010").
public enum EphemeralPorts {
    public static func parseReserved(_ text: String) -> Set<Int> {
        var out = Set<Int>()
        for part in text.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            let ends = t.split(separator: "-").compactMap { Int($0) }
            if ends.count == 1 { out.insert(ends[0]) }
            if ends.count == 2, ends[0] <= ends[1] { out.formUnion(ends[0]...ends[1]) }
        }
        return out
    }

    public static func formatReserved(_ ports: Set<Int>) -> String {
        var parts: [String] = []
        var run: (Int, Int)?
        for p in ports.sorted() {
            if let r = run, p == r.1 + 1 { run = (r.0, p); continue }
            if let r = run { parts.append(r.0 == r.1 ? "\(r.0)" : "\(r.0)-\(r.1)") }
            run = (p, p)
        }
        if let r = run { parts.append(r.0 == r.1 ? "\(r.0)" : "\(r.0)-\(r.1)") }
        return parts.joined(separator: ",")
    }

    /// Ports usable for outgoing connections: the range minus reserved ports inside it.
    public static func usable(range: [Int], reserved: Set<Int>) -> Int {
        guard range.count == 2, range[1] >= range[0] else { return 0 }
        return range[1] - range[0] + 1 - reserved.filter { $0 >= range[0] && $0 <= range[1] }.count
    }
}
