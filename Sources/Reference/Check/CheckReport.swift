/// The outcome of a check: reached or not, the limit that stopped it with evidence, memory per connection,
/// predicted against reached, and the load client's measurements.
public struct CheckReport: Sendable, Codable {
    public var requested: Int
    public var reached: Bool
    public var openAtEnd: Int
    public var peakOpen: Int
    public var target: String
    public var plan: CheckPlan
    public var prediction: CapacityPrediction
    /// The first binding finding (nil when reached).
    public var limit: LimitFinding?
    public var findings: [LimitFinding]
    public var failures: [String: Int]
    /// End minus baseline: TcpExt.ListenOverflows, TcpExt.ListenDrops, conntrack.drops, sockstat.TCP.inuse, …
    public var counterDeltas: [String: Int]
    public var memory: ConnectionMemory
    public var rampSeconds: Double
    public var handshakesPerSecond: Double
    public var load: LoadReport
    public var samples: [HostSample]
    /// Server stderr tails when a server exited or failed.
    public var serverErrors: [String]
    /// How the ramp's rate was chosen, the sustainable handshake rate, and the bottleneck (nil: not measured).
    public var ramp: RampSummary?
    /// The proxy of `check --via`: its limits, its prediction and what it reported (nil: no proxy).
    public var via: ViaReport?

    public init(
        requested: Int, reached: Bool, openAtEnd: Int, peakOpen: Int, target: String, plan: CheckPlan,
        prediction: CapacityPrediction, limit: LimitFinding?, findings: [LimitFinding], failures: [String: Int],
        counterDeltas: [String: Int], memory: ConnectionMemory, rampSeconds: Double,
        handshakesPerSecond: Double, load: LoadReport, samples: [HostSample], serverErrors: [String]
    ) {
        self.requested = requested
        self.reached = reached
        self.openAtEnd = openAtEnd
        self.peakOpen = peakOpen
        self.target = target
        self.plan = plan
        self.prediction = prediction
        self.limit = limit
        self.findings = findings
        self.failures = failures
        self.counterDeltas = counterDeltas
        self.memory = memory
        self.rampSeconds = rampSeconds
        self.handshakesPerSecond = handshakesPerSecond
        self.load = load
        self.samples = samples
        self.serverErrors = serverErrors
    }
}

/// The proxy hop of a `check --via` run.
public struct ViaReport: Sendable, Codable {
    public var kind: ProxyKind
    /// Where the clients connected (the proxy), and the backends behind it.
    public var listen: String
    public var limits: ProxyHopLimits
    /// The hop's own limits (also in the check's prediction).
    public var prediction: [CapacityPrediction.Limit]
    public var evidence: ProxyEvidence

    public init(
        kind: ProxyKind, listen: String, limits: ProxyHopLimits, prediction: [CapacityPrediction.Limit],
        evidence: ProxyEvidence
    ) {
        self.kind = kind
        self.listen = listen
        self.limits = limits
        self.prediction = prediction
        self.evidence = evidence
    }
}
