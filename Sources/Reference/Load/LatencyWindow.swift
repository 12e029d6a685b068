import Foundation

/// Latency of the handshakes completed in the last second, for check's closed-loop ramp: four 250 ms slots of a
/// small log histogram (8 buckets per octave, so a percentile is within 12.5 %), reused as time moves on.
/// Unlike `LatencyRecorder` (everything since the start) it shows what the host does now. Thread-safe.
public final class LatencyWindow: @unchecked Sendable {
    static let slotNanos: UInt64 = 250_000_000
    static let slotCount = 4
    static let bucketsPerOctave = 8
    /// Octaves up to 2^34 µs (about 4.8 hours); larger values land in the last bucket.
    static let bucketCount = 35 * bucketsPerOctave

    private let lock = NSLock()
    private var counts: [[UInt32]]
    private var maxima: [UInt64]
    /// Which 250 ms period (uptime / slotNanos) each slot holds now.
    private var periods: [UInt64]

    public init() {
        counts = Array(repeating: Array(repeating: 0, count: Self.bucketCount), count: Self.slotCount)
        maxima = Array(repeating: 0, count: Self.slotCount)
        periods = Array(repeating: UInt64.max, count: Self.slotCount)
    }

    /// Records one latency completed at `atNanos` (a `DispatchTime.now().uptimeNanoseconds` reading).
    public func record(micros: UInt64, atNanos: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        let period = atNanos / Self.slotNanos
        let slot = Int(period % UInt64(Self.slotCount))
        let bucket = Self.bucket(of: micros)
        lock.lock()
        defer { lock.unlock() }
        if periods[slot] != period {
            for b in 0..<Self.bucketCount { counts[slot][b] = 0 }
            maxima[slot] = 0
            periods[slot] = period
        }
        counts[slot][bucket] &+= 1
        maxima[slot] = max(maxima[slot], micros)
    }

    /// Percentiles over the slots of the last second before `atNanos` (the current one included).
    public func summary(atNanos: UInt64 = DispatchTime.now().uptimeNanoseconds) -> LatencySummary {
        let now = atNanos / Self.slotNanos
        var merged = [UInt64](repeating: 0, count: Self.bucketCount)
        var top: UInt64 = 0
        lock.lock()
        for s in 0..<Self.slotCount
        where periods[s] != UInt64.max && periods[s] <= now
            && now - periods[s] < UInt64(Self.slotCount)
        {
            for b in 0..<Self.bucketCount { merged[b] += UInt64(counts[s][b]) }
            top = max(top, maxima[s])
        }
        lock.unlock()
        let total = merged.reduce(0, +)
        guard total > 0 else { return LatencySummary() }
        func percentile(_ p: Double) -> UInt64 {
            let rank = max(UInt64((Double(total) * p / 100).rounded(.up)), 1)
            var seen: UInt64 = 0
            for (b, c) in merged.enumerated() {
                seen += c
                if seen >= rank { return min(Self.midpoint(of: b), top) }
            }
            return top
        }
        return LatencySummary(
            count: total, p50Micros: percentile(50), p90Micros: percentile(90), p99Micros: percentile(99),
            maxMicros: top)
    }

    /// Values below 8 µs have a bucket each; above, 8 per octave.
    static func bucket(of micros: UInt64) -> Int {
        guard micros >= 8 else { return Int(micros) }
        let octave = 63 - micros.leadingZeroBitCount
        let sub = Int((micros >> UInt64(octave - 3)) & 7)
        return min(octave * bucketsPerOctave + sub, bucketCount - 1)
    }

    static func midpoint(of bucket: Int) -> UInt64 {
        guard bucket >= 3 * bucketsPerOctave else { return UInt64(bucket) }
        let octave = bucket / bucketsPerOctave
        let sub = UInt64(bucket % bucketsPerOctave)
        let low = (8 + sub) << UInt64(octave - 3)
        let width = UInt64(1) << UInt64(octave - 3)
        return low + width / 2
    }
}
