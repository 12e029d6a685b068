/// A whole-number config value as nginx (`ngx_atoi`) and HAProxy read it: decimal digits only, at most Int.max.
/// Anything else (a sign, a unit, 99999999999999999999) is `.invalid` so a check can name it instead of trapping.
enum ConfigNumber: Equatable {
    case value(Int)
    case invalid(String)

    init(_ text: String) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int(text) else {
            self = .invalid(text)
            return
        }
        self = .value(v)
    }

    var value: Int? { if case .value(let v) = self { return v } else { return nil } }
}

/// Saturating arithmetic for capacity sums: a config value near Int.max gives Int.max, never a trap.
extension Int {
    func saturatingMultiplied(by other: Int) -> Int {
        let (r, o) = multipliedReportingOverflow(by: other)
        return o ? ((self < 0) != (other < 0) ? .min : .max) : r
    }

    func saturatingAdding(_ other: Int) -> Int {
        let (r, o) = addingReportingOverflow(other)
        return o ? (other < 0 ? .min : .max) : r
    }

    func saturatingSubtracting(_ other: Int) -> Int {
        let (r, o) = subtractingReportingOverflow(other)
        return o ? (other < 0 ? .max : .min) : r
    }
}
