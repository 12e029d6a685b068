import HostFacts

/// The proxy a `check --via` runs in front of the backends it starts.
public enum ProxyKind: String, Sendable, Codable, CaseIterable {
    case nginx
    case haproxy

    /// The proxy's own config check, as its errors name it.
    var validator: String { self == .nginx ? "nginx -t" : "haproxy -c" }
}

/// Why a proxy hop could not be set up or started (nginx and HAProxy alike).
public enum ProxyHopError: Error, CustomStringConvertible, Equatable {
    /// HAProxy needs 2 × maxconn + 11 + 3 × threads (+ its servers as rendered) fds (its own rule; with
    /// `strict-limits` it exits with "Cannot raise FD limit to N, limit is M" otherwise).
    case nofileTooSmall(needed: Int, given: Int, maxconn: Int)
    case invalidConfig(ProxyKind, detail: String)
    case didNotStart(ProxyKind, detail: String)

    public var description: String {
        switch self {
        case .nofileTooSmall(let needed, let given, let maxconn):
            return
                "proxy.nofile: HAProxy needs \(needed) files for maxconn \(maxconn) (2 × maxconn + 11 + 3 × threads + servers) but its nofile is \(given); raise --proxy-nofile to \(needed) or lower maxconn"
        case .invalidConfig(let kind, let detail): return "\(kind.validator) rejected the config: \(detail)"
        case .didNotStart(let kind, let detail): return "\(kind.rawValue) did not start: \(detail)"
        }
    }
}

/// One proxy a check started: where clients reach it, the limits it runs under, what it says about itself.
/// nginx and HAProxy each implement it (NginxHop, HAProxyHop); CheckRunner only sees this protocol.
public protocol ProxyHop: AnyObject, Sendable {
    var kind: ProxyKind { get }
    /// Where the load clients connect (a free loopback port).
    var listen: WebSocketTarget { get }
    /// The limits this hop really runs under (read back from the config it was started with).
    var limits: ProxyHopLimits { get }
    /// The proxy's processes (master and workers), for fd sampling.
    func pids() -> [Int32]
    /// Waits (bounded) until the proxy accepts on `listen`; throws with its stderr if it exits or never does.
    func waitReady(seconds: Double) throws
    /// The proxy's own evidence now: its error log, and stub_status (nginx) or the stats socket (HAProxy).
    func evidence() -> ProxyEvidence
    /// Stops every process this hop started; idempotent and safe from a signal handler's thread.
    func stop()
}

/// A hop's limits, for the prediction (`ProxyPrediction`) and the diagnosis (`ProxyDiagnosis`).
public struct ProxyHopLimits: Sendable, Codable, Equatable {
    public var kind: ProxyKind
    public var workers: Int
    /// nginx: worker_connections of each worker (a proxied client costs two); nil for HAProxy.
    public var workerConnections: Int?
    /// HAProxy: the global (process) maxconn; nil for nginx.
    public var maxconn: Int?
    /// RLIMIT_NOFILE of each proxy process.
    public var nofile: Int
    /// Listening sockets of each process.
    public var listeners: Int
    /// Idle upstream connections each worker may keep (nginx `keepalive`), 0 if none.
    public var upstreamKeepalive: Int
    /// The backend addresses the proxy connects to, "127.0.0.1:PORT".
    public var backends: [String]
    /// The local addresses the proxy connects from (empty: the kernel picks one, the backend's loopback).
    public var sourceAddresses: [String]

    public init(
        kind: ProxyKind, workers: Int, workerConnections: Int? = nil, maxconn: Int? = nil, nofile: Int,
        listeners: Int = 1, upstreamKeepalive: Int = 0, backends: [String], sourceAddresses: [String] = []
    ) {
        self.kind = kind
        self.workers = workers
        self.workerConnections = workerConnections
        self.maxconn = maxconn
        self.nofile = nofile
        self.listeners = listeners
        self.upstreamKeepalive = upstreamKeepalive
        self.backends = backends
        self.sourceAddresses = sourceAddresses
    }
}

/// What the proxy itself reported during a run: error-log lines by kind, and its own connection counters.
public struct ProxyEvidence: Sendable, Codable, Equatable {
    /// The error kinds a proxy's log names, with the exact text each one matches.
    public enum ErrorKind: String, Sendable, Codable, CaseIterable {
        /// nginx: "worker_connections are not enough"
        case workerConnections = "worker-connections"
        /// "(24: Too many open files)" (nginx accept4/socket), HAProxy "Too many open files"/ulimit
        case tooManyOpenFiles = "emfile"
        /// connect() to a backend "(99: Cannot assign requested address)"
        case upstreamAddressNotAvailable = "eaddrnotavail"
        /// HAProxy: connections refused at maxconn (show info's MaxconnReached / queueing)
        case maxconnReached = "maxconn"
        /// connect() to a backend refused or reset (the backend is down or full)
        case upstreamRefused = "upstream-refused"
    }

    public var kind: ProxyKind
    /// Occurrences of each error kind (ErrorKind raw value → count).
    public var errorCounts: [String: Int]
    /// The first log line of each kind seen, for the report's evidence.
    public var firstErrors: [String: String]
    /// Client connections the proxy reports as open (nginx stub_status "Active connections", HAProxy CurrConns).
    public var activeConnections: Int?
    /// The most client connections the proxy reports at once (HAProxy MaxConnRate-independent peak, if known).
    public var peakConnections: Int?
    /// The most fds one proxy process held in any sample.
    public var maxFdsPerProcess: Int?

    public init(
        kind: ProxyKind, errorCounts: [String: Int] = [:], firstErrors: [String: String] = [:],
        activeConnections: Int? = nil, peakConnections: Int? = nil, maxFdsPerProcess: Int? = nil
    ) {
        self.kind = kind
        self.errorCounts = errorCounts
        self.firstErrors = firstErrors
        self.activeConnections = activeConnections
        self.peakConnections = peakConnections
        self.maxFdsPerProcess = maxFdsPerProcess
    }

    public func count(_ kind: ErrorKind) -> Int { errorCounts[kind.rawValue] ?? 0 }
}
