/// One step of check's ramp (every ~0.5 s): what was offered and achieved, the latency of the last second,
/// the queue, the host's CPU, and the back-off the controller made (if any). Reported as evidence.
public struct RampTick: Sendable, Codable, Equatable {
    public var elapsedSeconds: Double
    /// Handshakes per second the workers were told to start during this tick, and completed in it.
    public var offeredPerSecond: Double
    public var achievedPerSecond: Double
    /// Handshakes completed in the last second (all workers): count, and p50/p99 (the largest of the workers').
    public var windowCount: UInt64
    public var p50Micros: UInt64
    public var p99Micros: UInt64
    public var inFlight: Int
    /// /proc/stat procs_running, smoothed.
    public var runQueue: Double?
    /// Cores used over the tick: the load workers, the servers, and everything on the host (idle excluded).
    public var clientCPUCores: Double?
    public var serverCPUCores: Double?
    public var hostBusyCores: Double?
    /// Why the controller cut the rate after this tick (nil: it did not).
    public var backoff: RampSignal?

    public init(
        elapsedSeconds: Double, offeredPerSecond: Double, achievedPerSecond: Double, windowCount: UInt64,
        p50Micros: UInt64, p99Micros: UInt64, inFlight: Int, runQueue: Double? = nil, clientCPUCores: Double? = nil,
        serverCPUCores: Double? = nil, hostBusyCores: Double? = nil, backoff: RampSignal? = nil
    ) {
        self.elapsedSeconds = elapsedSeconds
        self.offeredPerSecond = offeredPerSecond
        self.achievedPerSecond = achievedPerSecond
        self.windowCount = windowCount
        self.p50Micros = p50Micros
        self.p99Micros = p99Micros
        self.inFlight = inFlight
        self.runQueue = runQueue
        self.clientCPUCores = clientCPUCores
        self.serverCPUCores = serverCPUCores
        self.hostBusyCores = hostBusyCores
        self.backoff = backoff
    }
}

/// What made the ramp back off.
public enum RampSignal: String, Sendable, Codable, CaseIterable {
    /// p50 of the last second's handshakes passed the target.
    case latency = "p50"
    /// The run queue grew past the baseline by more than the slack while p50 was past half the target.
    case runQueue = "run-queue"
    /// Handshakes in flight stood for more than the queue bound at the achieved rate (Little's law).
    case inFlight = "in-flight"
}
