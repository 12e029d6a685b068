import Foundation
import Histogram

/// Percentiles of one latency distribution, in microseconds (recorded with HdrHistogram, 3 significant digits).
public struct LatencySummary: Sendable, Codable, Equatable {
    public var count: UInt64
    public var p50Micros: UInt64
    public var p90Micros: UInt64
    public var p99Micros: UInt64
    public var maxMicros: UInt64

    public init(
        count: UInt64 = 0, p50Micros: UInt64 = 0, p90Micros: UInt64 = 0, p99Micros: UInt64 = 0,
        maxMicros: UInt64 = 0
    ) {
        self.count = count
        self.p50Micros = p50Micros
        self.p90Micros = p90Micros
        self.p99Micros = p99Micros
        self.maxMicros = maxMicros
    }

    public init(_ histogram: Histogram<UInt64>) {
        guard histogram.totalCount > 0 else {
            self.init()
            return
        }
        self.init(
            count: histogram.totalCount, p50Micros: histogram.valueAtPercentile(50),
            p90Micros: histogram.valueAtPercentile(90), p99Micros: histogram.valueAtPercentile(99),
            maxMicros: histogram.max)
    }

    /// "p50 1.2 ms, p90 …" for text output.
    public var text: String {
        guard count > 0 else { return "no samples" }
        return "p50 \(Self.format(p50Micros)), p90 \(Self.format(p90Micros)), p99 \(Self.format(p99Micros)), "
            + "max \(Self.format(maxMicros)) (\(count) samples)"
    }

    public static func format(_ micros: UInt64) -> String {
        if micros < 1000 { return "\(micros) µs" }
        if micros < 1_000_000 { return String(format: "%.1f ms", Double(micros) / 1000) }
        return String(format: "%.2f s", Double(micros) / 1_000_000)
    }
}
