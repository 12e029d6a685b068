/// Arithmetic that stops at Int's bounds instead of trapping. Host files and profiles carry numbers up to
/// Int.max (fs.file-max is LONG_MAX on current kernels); sums and products of them must not crash the audit.
extension Int {
    public func addingSaturated(_ other: Int) -> Int {
        let (v, o) = addingReportingOverflow(other)
        return o ? (other > 0 ? .max : .min) : v
    }

    public func subtractingSaturated(_ other: Int) -> Int {
        let (v, o) = subtractingReportingOverflow(other)
        return o ? (other < 0 ? .max : .min) : v
    }

    public func multipliedSaturated(by other: Int) -> Int {
        let (v, o) = multipliedReportingOverflow(by: other)
        return o ? ((self < 0) == (other < 0) ? .max : .min) : v
    }

    /// ⌈self / divisor⌉ for self ≥ 0, divisor > 0, without the overflow of `(a + b - 1) / b`.
    public func ceilingDivided(by divisor: Int) -> Int {
        guard divisor > 0 else { return self }
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r > 0 ? q + 1 : q
    }

    /// self × numerator / denominator, saturated (percentages and ratios of large host values).
    public func scaled(_ numerator: Int, _ denominator: Int) -> Int {
        guard denominator > 0 else { return self }
        let (p, o) = multipliedReportingOverflow(by: numerator)
        if !o { return p / denominator }
        // The product does not fit: divide first (the result is off by less than `numerator`).
        return (self / denominator).multipliedSaturated(by: numerator)
    }
}
