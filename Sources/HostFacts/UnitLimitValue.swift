/// A `LimitNOFILE=` / `DefaultLimitNOFILE=` value read exactly as systemd 252 reads it (rlimit_parse with
/// rlimit_parse_u64 in src/basic/rlimit-util.c): `N`, `SOFT:HARD`, `infinity` on either side. N is an unsigned
/// integer as strtoull reads it with base 0 (`0x1000`, `010` is octal, `0b`/`0o` prefixes, a leading `+`, `-0`);
/// no K/M/G suffix (systemd refuses `1K` for NOFILE), soft above hard is refused. systemd ignores a refused
/// assignment with a warning and keeps the value before it; callers do the same. Checked against `systemctl
/// show` of a real systemd in Tests/IntegrationTests/SystemdResolverTests.swift.
public enum UnitLimitValue {
    /// Why systemd refuses a value.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notANumber(String)
        case outOfRange(String)
        case softAboveHard(String)
        case empty

        public var description: String {
            switch self {
            case .notANumber(let v): return "'\(v)' is not N, SOFT:HARD or infinity (no K/M/G suffix for LimitNOFILE)"
            case .outOfRange(let v): return "'\(v)' is out of range (0 … 18446744073709551614)"
            case .softAboveHard(let v): return "'\(v)': soft limit above the hard limit"
            case .empty: return "empty value (systemd does not reset LimitNOFILE= with an empty assignment)"
            }
        }
    }

    /// The limit, `nil` fields for infinity. Values beyond Int.max (systemd accepts up to 2^64-2) saturate to
    /// Int.max: the kernel caps nofile at fs.nr_open either way.
    public static func parse(_ value: String) -> Result<FileLimit, Refusal> {
        if value.isEmpty { return .failure(.empty) }
        let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let soft = one(parts[0]) else { return .failure(refusal(parts[0], value)) }
        var hard = soft
        if parts.count == 2 {
            guard let h = one(parts[1]) else { return .failure(refusal(parts[1], value)) }
            hard = h
            // infinity is the largest value.
            if soft ?? UInt64.max > h ?? UInt64.max { return .failure(.softAboveHard(value)) }
        }
        return .success(FileLimit(soft: soft.map(saturated), hard: hard.map(saturated)))
    }

    /// One side: nil inner for infinity, nil outer when refused.
    static func one(_ s: Substring) -> UInt64?? {
        if s == "infinity" { return .some(nil) }
        guard case .success(let v) = strtoull(s), v != UInt64.max else { return nil }
        return .some(v)
    }

    static func refusal(_ part: Substring, _ whole: String) -> Refusal {
        if case .failure(let e) = strtoull(part), e == .range { return .outOfRange(whole) }
        if case .success(let v) = strtoull(part), v == UInt64.max { return .outOfRange(whole) }
        return .notANumber(whole)
    }

    static func saturated(_ v: UInt64) -> Int { v > UInt64(Int.max) ? Int.max : Int(v) }

    enum NumberError: Error { case invalid, range }

    /// systemd's safe_atou64 (leading whitespace, mangle_base's 0b/0o) over glibc's strtoull(…, 0): sign,
    /// 0x hex, leading-0 octal; the whole string must be digits; negative values other than -0 are refused.
    static func strtoull(_ text: Substring) -> Result<UInt64, NumberError> {
        let whitespace: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        var s = Array(text.unicodeScalars.drop { whitespace.contains($0) })
        var base: UInt64 = 0
        if s.count >= 2, s[0] == "0", ["b", "B"].contains(s[1]) {
            base = 2; s.removeFirst(2)
        } else if s.count >= 2, s[0] == "0", ["o", "O"].contains(s[1]) {
            base = 8; s.removeFirst(2)
        }
        var i = 0
        while i < s.count, whitespace.contains(s[i]) { i += 1 }
        var negative = false
        if i < s.count, s[i] == "+" || s[i] == "-" { negative = s[i] == "-"; i += 1 }
        if base == 0, i + 2 < s.count, s[i] == "0", ["x", "X"].contains(s[i + 1]), digit(s[i + 2], 16) != nil {
            base = 16
            i += 2
        } else if base == 0 {
            base = (i < s.count && s[i] == "0") ? 8 : 10
        }
        var value: UInt64 = 0
        var digits = 0
        var overflow = false
        while i < s.count, let d = digit(s[i], base) {
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { overflow = true }
            value = a
            digits += 1
            i += 1
        }
        guard digits > 0, i == s.count else { return .failure(.invalid) }
        if overflow { return .failure(.range) }
        if negative && value != 0 { return .failure(.range) }
        return .success(value)
    }

    static func digit(_ c: Unicode.Scalar, _ base: UInt64) -> UInt64? {
        let v: UInt64
        switch c {
        case "0"..."9": v = UInt64(c.value - 48)
        case "a"..."z": v = UInt64(c.value - 97 + 10)
        case "A"..."Z": v = UInt64(c.value - 65 + 10)
        default: return nil
        }
        return v < base ? v : nil
    }
}
