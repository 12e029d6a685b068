/// check's closed-loop ramp: AIMD on the offered handshake rate, fed every ~0.5 s with the workers' counts and
/// last-second latency and the host's run queue. It starts low and grows ×1.5 a tick (slow start) up to the
/// --rate ceiling; when p50 passes the target, or the run queue grows while p50 is past half of it, or handshakes queue
/// in flight while the check's processes are busy, it cuts the rate to 0.7 × what was achieved and waits a second (the latency window's length)
/// before judging again; after the first cut it grows additively, by 5 % of the rate where the knee was found.
/// Pure: no clock, no I/O, so tests drive it with synthetic samples.
public struct RampController: Sendable {
    public struct Settings: Sendable, Equatable, Codable {
        public var ceilingPerSecond: Double
        public var floorPerSecond: Double
        public var initialPerSecond: Double
        /// Back off when the last second's p50 passes this (half the 50 ms the ramp must keep p50 under).
        public var p50TargetMicros: UInt64 = 25_000
        /// Back off when the smoothed run queue exceeds its baseline by this and p50 passed half the target.
        public var runQueueSlack: Double
        /// Back off when in flight ÷ achieved rate (Little's law: the mean time in the queue) exceeds this.
        public var queueSeconds = 0.5
        public var slowStartFactor = 1.5
        public var decreaseFactor = 0.7
        public var increaseFraction = 0.05
        public var holdSecondsAfterDecrease = 1.0
        public var cores: Int

        public init(ceilingPerSecond: Double, cores: Int) {
            self.ceilingPerSecond = ceilingPerSecond
            floorPerSecond = min(max(ceilingPerSecond / 100, 20), ceilingPerSecond)
            initialPerSecond = min(max(ceilingPerSecond / 20, 200), ceilingPerSecond)
            self.cores = max(cores, 1)
            runQueueSlack = Double(2 * self.cores)
        }
    }

    /// The workers' totals and the host's state at one moment.
    public struct Sample: Sendable, Equatable {
        public var elapsedSeconds: Double
        /// Handshakes completed so far (cumulative).
        public var connected: Int
        public var inFlight: Int
        public var window: LatencySummary
        public var runQueue: Double?
        public var clientCPUCores: Double?
        public var serverCPUCores: Double?
        public var hostBusyCores: Double?
        /// Some server process holds all the fds its nofile allows (less the reserve): more rate cannot help.
        public var serversAtFdLimit = false

        public init(
            elapsedSeconds: Double, connected: Int, inFlight: Int, window: LatencySummary, runQueue: Double? = nil,
            clientCPUCores: Double? = nil, serverCPUCores: Double? = nil, hostBusyCores: Double? = nil
        ) {
            self.elapsedSeconds = elapsedSeconds
            self.connected = connected
            self.inFlight = inFlight
            self.window = window
            self.runQueue = runQueue
            self.clientCPUCores = clientCPUCores
            self.serverCPUCores = serverCPUCores
            self.hostBusyCores = hostBusyCores
        }
    }

    public let settings: Settings
    /// false: only observe (a --fixed-rate ramp), so the report still shows where p50 passed the target.
    public let steers: Bool
    public private(set) var ratePerSecond: Double
    public private(set) var ticks: [RampTick] = []
    /// The rate at the first back-off: slow start is over once it is set.
    public private(set) var kneePerSecond: Double?
    private var last: Sample?
    private var runQueueBaseline: Double?
    private var runQueueSmoothed: Double?
    private var holdUntil = -Double.infinity

    public init(settings: Settings, steers: Bool = true) {
        self.settings = settings
        self.steers = steers
        ratePerSecond = steers ? settings.initialPerSecond : settings.ceilingPerSecond
    }

    /// The run queue before the ramp (other work on the host), which growth is measured from.
    public mutating func setBaseline(runQueue: Double) {
        runQueueBaseline = runQueue
    }

    /// Takes a sample; returns the rate to offer from now on.
    @discardableResult
    public mutating func step(_ s: Sample) -> Double {
        guard let prev = last else {
            last = s
            return ratePerSecond
        }
        let dt = s.elapsedSeconds - prev.elapsedSeconds
        guard dt >= 0.05 else { return ratePerSecond }
        last = s
        let achieved = Double(max(s.connected - prev.connected, 0)) / dt
        if let rq = s.runQueue { runQueueSmoothed = runQueueSmoothed.map { 0.5 * $0 + 0.5 * rq } ?? rq }
        let signal = congestion(s, achieved: achieved)
        var tick = RampTick(
            elapsedSeconds: s.elapsedSeconds, offeredPerSecond: ratePerSecond, achievedPerSecond: achieved,
            windowCount: s.window.count, p50Micros: s.window.p50Micros, p99Micros: s.window.p99Micros,
            inFlight: s.inFlight, runQueue: runQueueSmoothed, clientCPUCores: s.clientCPUCores,
            serverCPUCores: s.serverCPUCores, hostBusyCores: s.hostBusyCores)
        if s.elapsedSeconds >= holdUntil {
            if let signal {
                tick.backoff = signal
                if kneePerSecond == nil { kneePerSecond = max(min(ratePerSecond, achieved), settings.floorPerSecond) }
                if steers {
                    let base = min(ratePerSecond, max(achieved, settings.floorPerSecond))
                    ratePerSecond = max(settings.floorPerSecond, base * settings.decreaseFactor)
                }
                holdUntil = s.elapsedSeconds + settings.holdSecondsAfterDecrease
            } else if steers && achieved >= 0.8 * ratePerSecond {
                // Grow only while the offered rate is delivered: a load side that cannot start more gains nothing.
                let next =
                    kneePerSecond.map { ratePerSecond + max(settings.floorPerSecond, $0 * settings.increaseFraction) }
                    ?? ratePerSecond * settings.slowStartFactor
                ratePerSecond = min(settings.ceilingPerSecond, next)
            }
        }
        ticks.append(tick)
        return ratePerSecond
    }

    func congestion(_ s: Sample, achieved: Double) -> RampSignal? {
        let target = settings.p50TargetMicros
        // A window of a handful of handshakes says little; wait for a few.
        let latencyKnown = s.window.count >= 5
        if latencyKnown && s.window.p50Micros > target { return .latency }
        if let rq = runQueueSmoothed, let base = runQueueBaseline, rq - base > settings.runQueueSlack,
            latencyKnown, s.window.p50Micros > target / 2
        {
            return .runQueue
        }
        // Handshakes waiting on servers that hold all the fds their nofile allows, or while the host has cores
        // to spare and the check's own processes idle, are a limit to find, not an overdrive to back off from.
        let ownCores = (s.clientCPUCores ?? 0) + (s.serverCPUCores ?? 0)
        let working =
            s.clientCPUCores == nil || ownCores >= 0.5 * Double(settings.cores)
            || (s.hostBusyCores ?? 0) >= 0.85 * Double(settings.cores)
        if working && !s.serversAtFdLimit && s.inFlight >= 50
            && Double(s.inFlight) / max(achieved, 1) > settings.queueSeconds
        {
            return .inFlight
        }
        return nil
    }

    /// The highest rate held for `windowTicks` ticks in a row with p50 under the target and no back-off, with
    /// the worst p50 and p99 of those ticks; nil when no tick was healthy.
    public func sustainable(windowTicks: Int = 3) -> (perSecond: Double, p50Micros: UInt64, p99Micros: UInt64)? {
        var runs: [[RampTick]] = []
        var current: [RampTick] = []
        for t in ticks {
            if t.backoff == nil && t.windowCount > 0 && t.p50Micros <= settings.p50TargetMicros {
                current.append(t)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        guard let longest = runs.map(\.count).max(), longest > 0 else { return nil }
        let k = min(windowTicks, longest)
        var best: (perSecond: Double, p50Micros: UInt64, p99Micros: UInt64)?
        for run in runs where run.count >= k {
            for start in 0...(run.count - k) {
                let w = run[start..<(start + k)]
                let mean = w.map(\.achievedPerSecond).reduce(0, +) / Double(k)
                if mean > (best?.perSecond ?? -1) {
                    best = (mean, w.map(\.p50Micros).max() ?? 0, w.map(\.p99Micros).max() ?? 0)
                }
            }
        }
        return best
    }
}
