import HostFacts
import Tuning

/// What one `check` run does.
public struct CheckOptions: Sendable {
    public var connections: Int
    public var profile: Profile?
    /// Soft and hard nofile of each started server process (nil: this process's hard limit).
    public var serverNofile: Int?
    /// Server processes on one port (nil: 1 when --server-nofile is given, else as many as N needs).
    public var serverProcesses: Int?
    /// A running server to target instead of starting one, and its PIDs for sampling.
    public var externalURL: WebSocketTarget?
    public var externalPIDs: [Int32]
    public var host: String
    /// Handshakes per second across all workers: the ceiling of the closed-loop ramp (`RampController`), the
    /// rate itself with `fixedRate`; 0 starts them as fast as the in-flight cap allows (unpaced, open loop).
    public var ratePerSecond: Double
    public var sources: SourceAddressPool?
    public var holdSeconds: Double
    public var connectTimeoutSeconds: Double
    public var handshakeTimeoutSeconds: Double
    /// Load worker processes (nil: as many as the per-process fd budget needs).
    public var loadWorkers: Int?
    /// The wstune binary to run as `serve` and `load --worker`.
    public var wstuneBinary: String
    /// Replaces the server command: words with {host}, {port} and {threads} filled in (default: wstune serve).
    public var serverCommand: [String]?
    public var root: HostRoot
    /// fds one process may hold here: its hard RLIMIT_NOFILE (20,000 on this machine) less a reserve.
    public var fdsPerProcess: Int
    /// Start the servers with `--deflate` and count permessage-deflate's zlib state in the memory budget.
    public var deflate = false
    /// The open-loop ramp at exactly `ratePerSecond` (the closed loop only observes and reports).
    public var fixedRate = false
    /// `check --via`: the proxy started in front of the servers, which the clients connect through.
    public var via: ProxyLaunch?

    public init(
        connections: Int, profile: Profile? = nil, serverNofile: Int? = nil, serverProcesses: Int? = nil,
        externalURL: WebSocketTarget? = nil, externalPIDs: [Int32] = [], host: String = "127.0.0.1",
        ratePerSecond: Double = 2000, sources: SourceAddressPool? = nil, holdSeconds: Double = 5,
        connectTimeoutSeconds: Double = 10, handshakeTimeoutSeconds: Double = 15, loadWorkers: Int? = nil,
        wstuneBinary: String, serverCommand: [String]? = nil, root: HostRoot = HostRoot(),
        fdsPerProcess: Int = CheckPlan.defaultFdsPerProcess()
    ) {
        self.connections = connections
        self.profile = profile
        self.serverNofile = serverNofile
        self.serverProcesses = serverProcesses
        self.externalURL = externalURL
        self.externalPIDs = externalPIDs
        self.host = host
        self.ratePerSecond = ratePerSecond
        self.sources = sources
        self.holdSeconds = holdSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.handshakeTimeoutSeconds = handshakeTimeoutSeconds
        self.loadWorkers = loadWorkers
        self.wstuneBinary = wstuneBinary
        self.serverCommand = serverCommand
        self.root = root
        self.fdsPerProcess = fdsPerProcess
    }
}
