import Histogram

/// What a load run measured. Workers of `check` also carry their raw histograms so the coordinator can merge
/// percentiles exactly rather than averaging them.
public struct LoadReport: Sendable, Codable {
    public var url: String
    public var requested: Int
    public var started: Int
    public var connected: Int
    /// Open at the end of the hold (before the client closed them).
    public var openAtEnd: Int
    public var peakOpen: Int
    public var failed: Int
    /// Failures and losses by kind ("EADDRNOTAVAIL": 12, …), including closes by the peer during the hold.
    public var failures: [String: Int]
    /// The first error text seen for each kind, as evidence.
    public var firstErrors: [String: String]
    public var closedByPeer: Int
    public var sourceAddresses: Int
    public var rampSeconds: Double
    public var handshakesPerSecond: Double
    public var handshake: LatencySummary
    public var echoSent: Int
    public var echo: LatencySummary
    public var broadcast: BroadcastResult?
    public var holdSeconds: Double
    public var handshakeHistogram: Histogram<UInt64>?
    public var broadcastHistogram: Histogram<UInt64>?

    public init(
        url: String, requested: Int, started: Int, connected: Int, openAtEnd: Int, peakOpen: Int,
        failed: Int, failures: [String: Int], firstErrors: [String: String], closedByPeer: Int,
        sourceAddresses: Int, rampSeconds: Double, handshakesPerSecond: Double, handshake: LatencySummary,
        echoSent: Int, echo: LatencySummary, broadcast: BroadcastResult?, holdSeconds: Double,
        handshakeHistogram: Histogram<UInt64>? = nil, broadcastHistogram: Histogram<UInt64>? = nil
    ) {
        self.url = url
        self.requested = requested
        self.started = started
        self.connected = connected
        self.openAtEnd = openAtEnd
        self.peakOpen = peakOpen
        self.failed = failed
        self.failures = failures
        self.firstErrors = firstErrors
        self.closedByPeer = closedByPeer
        self.sourceAddresses = sourceAddresses
        self.rampSeconds = rampSeconds
        self.handshakesPerSecond = handshakesPerSecond
        self.handshake = handshake
        self.echoSent = echoSent
        self.echo = echo
        self.broadcast = broadcast
        self.holdSeconds = holdSeconds
        self.handshakeHistogram = handshakeHistogram
        self.broadcastHistogram = broadcastHistogram
    }

    /// True when every requested connection was open at the end of the hold and, when a broadcast went out,
    /// every open client received it.
    public var reached: Bool { openAtEnd >= requested && (broadcast?.complete ?? true) }

    /// Combines the reports of parallel workers: sums counts, merges histograms, takes the longest ramp.
    public static func merged(_ parts: [LoadReport], url: String) -> LoadReport {
        var failures: [String: Int] = [:]
        var firstErrors: [String: String] = [:]
        var hs: Histogram<UInt64>?
        var bh: Histogram<UInt64>?
        for p in parts {
            failures.merge(p.failures, uniquingKeysWith: +)
            firstErrors.merge(p.firstErrors) { a, _ in a }
            if let h = p.handshakeHistogram { if hs == nil { hs = h } else { hs!.add(h) } }
            if let h = p.broadcastHistogram { if bh == nil { bh = h } else { bh!.add(h) } }
        }
        let ramp = parts.map(\.rampSeconds).max() ?? 0
        let connected = parts.reduce(0) { $0 + $1.connected }
        let bparts = parts.compactMap(\.broadcast)
        let broadcast: BroadcastResult? =
            bparts.isEmpty
            ? nil
            : BroadcastResult(
                expected: bparts.reduce(0) { $0 + $1.expected }, delivered: bparts.reduce(0) { $0 + $1.delivered },
                rounds: bparts.map(\.rounds).max() ?? 0, senders: bparts.reduce(0) { $0 + $1.senders },
                latency: bh.map { LatencySummary($0) } ?? bparts.map(\.latency).max { $0.p99Micros < $1.p99Micros }!)
        return LoadReport(
            url: url, requested: parts.reduce(0) { $0 + $1.requested }, started: parts.reduce(0) { $0 + $1.started },
            connected: connected, openAtEnd: parts.reduce(0) { $0 + $1.openAtEnd },
            peakOpen: parts.reduce(0) { $0 + $1.peakOpen }, failed: parts.reduce(0) { $0 + $1.failed },
            failures: failures, firstErrors: firstErrors, closedByPeer: parts.reduce(0) { $0 + $1.closedByPeer },
            sourceAddresses: parts.reduce(0) { $0 + $1.sourceAddresses }, rampSeconds: ramp,
            handshakesPerSecond: ramp > 0 ? Double(connected) / ramp : 0,
            handshake: hs.map { LatencySummary($0) } ?? LatencySummary(),
            echoSent: parts.reduce(0) { $0 + $1.echoSent },
            echo: parts.map(\.echo).max { $0.p99Micros < $1.p99Micros } ?? LatencySummary(),
            broadcast: broadcast, holdSeconds: parts.map(\.holdSeconds).max() ?? 0)
    }
}
