/// A snapshot while a check runs: the phase, the load workers' totals and the latest host sample.
public struct CheckProgress: Sendable {
    public enum Phase: String, Sendable { case starting, ramp, hold, broadcast, stopping }

    public var phase: Phase
    public var load: LoadProgress
    public var sample: HostSample?

    public init(phase: Phase, load: LoadProgress, sample: HostSample?) {
        self.phase = phase
        self.load = load
        self.sample = sample
    }
}
