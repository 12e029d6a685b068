/// Everything the diagnosis looks at after a run: the target, what the load client saw, and the samples.
public struct CheckEvidence: Sendable, Equatable {
    public var requested: Int
    public var openAtEnd: Int
    public var peakOpen: Int
    public var failures: [String: Int]
    public var firstErrors: [String: String]
    public var baseline: HostSample
    /// The sample with the most client connections open (the peak of the ramp).
    public var peak: HostSample
    public var end: HostSample
    public var serverProcesses: Int
    public var serverNofile: Int?
    public var somaxconn: Int?
    public var portRange: String?
    public var sourceAddresses: Int
    public var tcpMemPagesMax: Int?
    /// The broadcast after the hold, when one went out: reaching the target needs every client to get it.
    public var broadcast: BroadcastResult?

    public init(
        requested: Int, openAtEnd: Int, peakOpen: Int, failures: [String: Int],
        firstErrors: [String: String], baseline: HostSample, peak: HostSample, end: HostSample,
        serverProcesses: Int, serverNofile: Int?, somaxconn: Int?, portRange: String?, sourceAddresses: Int,
        tcpMemPagesMax: Int?
    ) {
        self.requested = requested
        self.openAtEnd = openAtEnd
        self.peakOpen = peakOpen
        self.failures = failures
        self.firstErrors = firstErrors
        self.baseline = baseline
        self.peak = peak
        self.end = end
        self.serverProcesses = serverProcesses
        self.serverNofile = serverNofile
        self.somaxconn = somaxconn
        self.portRange = portRange
        self.sourceAddresses = sourceAddresses
        self.tcpMemPagesMax = tcpMemPagesMax
    }

    public func failures(_ kind: ConnectionFailure) -> Int { failures[kind.rawValue] ?? 0 }

    public var reached: Bool { openAtEnd >= requested && (broadcast?.complete ?? true) }

    /// Failures under report keys "HTTP-<status>" other than 403 and 503 (those have kinds of their own).
    public var otherHTTPStatuses: [(status: Int, count: Int)] {
        failures.compactMap { key, count in
            guard ConnectionFailure.kind(ofReportKey: key) == .httpOther, let s = Int(key.dropFirst(5)) else {
                return nil
            }
            return (s, count)
        }.sorted { $0.status < $1.status }
    }
}
