import Foundation
import Histogram

/// A thread-safe HdrHistogram of microseconds (1 µs to 1 hour), shared by all event loops of the load client.
public final class LatencyRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
        numberOfSignificantValueDigits: .three)

    public init() {}

    public func record(micros: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        _ = histogram.record(min(max(micros, 1), 3_600_000_000))
    }

    /// Records the time since `startNanos` (a `DispatchTime.now().uptimeNanoseconds` reading).
    public func recordSince(uptimeNanos startNanos: UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        record(micros: now > startNanos ? (now - startNanos) / 1000 : 0)
    }

    public var histogramCopy: Histogram<UInt64> {
        lock.lock()
        defer { lock.unlock() }
        return histogram
    }

    public var summary: LatencySummary {
        lock.lock()
        defer { lock.unlock() }
        return LatencySummary(histogram)
    }
}
