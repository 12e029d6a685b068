/// Durations as nginx, HAProxy and systemd write them, in seconds.
public enum DurationParser {
    /// nginx: "90", "90s", "1m", "1m30s", "500ms", "2h", "1d" (default unit seconds).
    public static func nginx(_ text: String) -> Double? { parse(text, defaultUnit: 1) }

    /// HAProxy timeouts: "30s", "1m", "500ms", "90000" (default unit milliseconds).
    public static func haproxy(_ text: String) -> Double? { parse(text, defaultUnit: 0.001) }

    /// systemd time spans: "90", "90s", "1min 30s", "2m", "1h"; "infinity" → nil-free .infinity.
    public static func systemd(_ text: String) -> Double? {
        if text.trimmingCharacters(in: .whitespaces) == "infinity" { return .infinity }
        return parse(text.replacingOccurrences(of: " ", with: ""), defaultUnit: 1)
    }

    private static let units: [(String, Double)] = [
        ("msec", 0.001), ("ms", 0.001), ("usec", 0.000001), ("us", 0.000001), ("seconds", 1), ("second", 1), ("sec", 1),
        ("s", 1), ("minutes", 60), ("minute", 60), ("min", 60), ("m", 60), ("hours", 3600), ("hour", 3600),
        ("hr", 3600),
        ("h", 3600), ("days", 86400), ("day", 86400), ("d", 86400), ("w", 604800), ("y", 31_536_000),
    ]

    private static func parse(_ text: String, defaultUnit: Double) -> Double? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let v = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(letters.count)
            if letters.isEmpty {
                guard rest.isEmpty else { return nil }
                total += v * defaultUnit
            } else {
                guard let u = units.first(where: { $0.0 == letters }) else { return nil }
                total += v * u.1
            }
        }
        return total
    }
}
