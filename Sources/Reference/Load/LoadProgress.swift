/// A snapshot of a running load, handed to the progress callback a few times a second.
public struct LoadProgress: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable { case ramp, settle, hold, broadcast, closing, done }

    public var phase: Phase
    public var elapsedSeconds: Double
    public var requested: Int
    public var started: Int
    public var connected: Int
    public var open: Int
    public var failed: Int
    /// Handshakes completed per second over the last interval.
    public var handshakesPerSecond: Double
    /// Handshakes started and not yet finished, and the latency of those completed in the last second: what
    /// check's closed-loop ramp steers by (absent from clients that do not report them).
    public var inFlight: Int?
    public var handshakeWindow: LatencySummary?

    public init(
        phase: Phase, elapsedSeconds: Double, requested: Int, started: Int, connected: Int, open: Int,
        failed: Int, handshakesPerSecond: Double
    ) {
        self.phase = phase
        self.elapsedSeconds = elapsedSeconds
        self.requested = requested
        self.started = started
        self.connected = connected
        self.open = open
        self.failed = failed
        self.handshakesPerSecond = handshakesPerSecond
    }

    /// Seconds left at the current rate, or nil when unknown.
    public var etaSeconds: Double? {
        let left = requested - connected - failed
        guard handshakesPerSecond > 0, left > 0 else { return left <= 0 ? 0 : nil }
        return Double(left) / handshakesPerSecond
    }
}
