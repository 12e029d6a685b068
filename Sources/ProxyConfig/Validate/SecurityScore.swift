/// Reads the overall exposure from `systemd-analyze security` output.
public enum SecurityScore {
    /// "→ Overall exposure level for x@8080.service: 1.9 OK 🙂" → 1.9.
    public static func parse(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.contains("Overall exposure level") {
            guard let colon = line.lastIndex(of: ":") else { continue }
            let rest = line[line.index(after: colon)...].split(separator: " ")
            if let first = rest.first, let v = Double(first) { return v }
        }
        return nil
    }
}
