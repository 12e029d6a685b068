import Foundation
import HostFacts

/// A value as observed: a JSON number when the kernel states a number, else its text ("188 250 376").
public enum ObservedValue: Sendable, Equatable, Codable {
    case number(Int)
    case text(String)

    /// The kernel's text, as a number when it is one integer; lists whitespace-normalised ("188 250 376").
    public init(kernelText: String) {
        let t = SysctlValue(kernelText).text
        if let n = Int(t) { self = .number(n) } else { self = .text(t) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .text(let t): try c.encode(t)
        }
    }
}

/// A requirement as operator and number: `{"op": ">=", "value": 100064}`.
public struct Bound: Sendable, Equatable, Codable {
    public enum Op: String, Sendable, Codable {
        case atLeast = ">="
        case atMost = "<="
        case equal = "=="
        case greater = ">"
        case less = "<"
    }

    public var op: Op
    public var value: Int

    public init(_ op: Op, _ value: Int) {
        self.op = op
        self.value = value
    }

    public static func atLeast(_ v: Int) -> Bound { Bound(.atLeast, v) }
    public static func atMost(_ v: Int) -> Bound { Bound(.atMost, v) }

    /// Whether a number meets the bound.
    public func isMet(by n: Int) -> Bool {
        switch op {
        case .atLeast: return n >= value
        case .atMost: return n <= value
        case .equal: return n == value
        case .greater: return n > value
        case .less: return n < value
        }
    }
}

/// The unit of an observed value and its requirement.
public enum ValueUnit: String, Sendable, Codable, CaseIterable {
    case files, connections, entries, buckets, ports, packets, pages, bytes, seconds, count
}

/// The typed side of a finding, stated by its check next to the display strings.
public struct FindingValues: Sendable, Equatable {
    public var observed: ObservedValue?
    public var source: String?
    public var requirement: Bound?
    public var unit: ValueUnit?

    public init(
        observed: ObservedValue? = nil, source: String? = nil, requirement: Bound? = nil, unit: ValueUnit? = nil
    ) {
        self.observed = observed
        self.source = source
        self.requirement = requirement
        self.unit = unit
    }

    public static let none = FindingValues()

    /// A sysctl as the kernel states it, with its requirement.
    public static func sysctl(_ host: HostSnapshot, _ key: SysctlKey, _ requirement: Bound?, _ unit: ValueUnit)
        -> FindingValues
    {
        FindingValues(
            observed: host.sysctl(key).map { ObservedValue(kernelText: $0.text) }, source: key.name,
            requirement: requirement, unit: unit)
    }
}
