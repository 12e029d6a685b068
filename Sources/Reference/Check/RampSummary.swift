/// The ramp part of a check report: how the rate was chosen, the sustainable handshake rate with its p50/p99,
/// the back-offs, which side was the bottleneck, and the ticks as evidence.
public struct RampSummary: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable {
        /// The default: `RampController` steers the rate up to the --rate ceiling.
        case closedLoop = "closed-loop"
        /// --fixed-rate: the old open-loop ramp at exactly --rate (observed, not steered).
        case fixed
        /// --rate 0: as fast as the in-flight cap allows.
        case unpaced
    }

    public var mode: Mode
    public var ceilingPerSecond: Double
    public var p50TargetMicros: UInt64
    /// The highest handshake rate held for 1.5 s with p50 under the target (nil: none was).
    public var sustainablePerSecond: Double?
    public var p50AtSustainableMicros: UInt64?
    public var p99AtSustainableMicros: UInt64?
    /// The rate at the first back-off (nil: the ramp never backed off).
    public var kneePerSecond: Double?
    /// Back-offs by signal ("p50", "run-queue", "in-flight").
    public var backoffs: [String: Int]
    public var bottleneck: RampBottleneck
    public var ticks: [RampTick]

    public init(
        mode: Mode, ceilingPerSecond: Double, p50TargetMicros: UInt64, sustainablePerSecond: Double?,
        p50AtSustainableMicros: UInt64?, p99AtSustainableMicros: UInt64?, kneePerSecond: Double?,
        backoffs: [String: Int], bottleneck: RampBottleneck, ticks: [RampTick]
    ) {
        self.mode = mode
        self.ceilingPerSecond = ceilingPerSecond
        self.p50TargetMicros = p50TargetMicros
        self.sustainablePerSecond = sustainablePerSecond
        self.p50AtSustainableMicros = p50AtSustainableMicros
        self.p99AtSustainableMicros = p99AtSustainableMicros
        self.kneePerSecond = kneePerSecond
        self.backoffs = backoffs
        self.bottleneck = bottleneck
        self.ticks = ticks
    }

    /// From a finished controller.
    public static func make(
        mode: Mode, controller c: RampController, cores: Int, clientThreads: Int, failures: [String: Int],
        tickLimit: Int = 120
    ) -> RampSummary {
        let s = c.sustainable()
        var backoffs: [String: Int] = [:]
        for t in c.ticks { if let b = t.backoff { backoffs[b.rawValue, default: 0] += 1 } }
        let bottleneck = RampBottleneck.judge(
            ticks: c.ticks, cores: cores, clientThreads: clientThreads, failures: failures,
            ceilingPerSecond: c.settings.ceilingPerSecond, p50TargetMicros: c.settings.p50TargetMicros)
        var ticks = c.ticks
        if ticks.count > tickLimit {
            // Keep every back-off tick, thin the rest evenly.
            let stride = (ticks.count + tickLimit - 1) / tickLimit
            ticks = ticks.enumerated().filter { i, t in t.backoff != nil || i % stride == 0 }.map(\.element)
        }
        return RampSummary(
            mode: mode, ceilingPerSecond: c.settings.ceilingPerSecond, p50TargetMicros: c.settings.p50TargetMicros,
            sustainablePerSecond: s?.perSecond, p50AtSustainableMicros: s?.p50Micros,
            p99AtSustainableMicros: s?.p99Micros, kneePerSecond: c.kneePerSecond, backoffs: backoffs,
            bottleneck: bottleneck, ticks: ticks)
    }
}
