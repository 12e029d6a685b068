import HostFacts

/// Parsing and arithmetic for ip_local_port_range and ip_local_reserved_ports ("8080,9000-9010").
public enum EphemeralPorts {
    /// Highest TCP/UDP port: reserved ranges are clipped to 0...65535 before they are expanded, so a hostile
    /// "0-9223372036854775807" costs 65,536 entries, not 2^63.
    public static let maxPort = 65535

    public static func parseReserved(_ text: String) -> Set<Int> {
        // Ranges first, clipped, sorted and merged (linear in the text, then k log k); expanded once at the end.
        var ranges: [ClosedRange<Int>] = []
        for part in text.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespacesAndNewlines)
            let ends = t.split(separator: "-").compactMap { Int($0) }
            let lo: Int, hi: Int
            if ends.count == 1 {
                (lo, hi) = (ends[0], ends[0])
            } else if ends.count == 2, ends[0] <= ends[1] {
                (lo, hi) = (ends[0], ends[1])
            } else {
                continue
            }
            guard hi >= 0, lo <= maxPort else { continue }
            ranges.append(max(lo, 0)...min(hi, maxPort))
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var out = Set<Int>()
        var next = 0  // first port not yet inserted
        for r in ranges where r.upperBound >= next {
            out.formUnion(max(r.lowerBound, next)...r.upperBound)
            next = r.upperBound + 1
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
        let width = range[1].subtractingSaturated(range[0]).addingSaturated(1)
        return width - reserved.filter { $0 >= range[0] && $0 <= range[1] }.count
    }
}
