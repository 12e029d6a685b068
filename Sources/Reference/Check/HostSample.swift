/// One sample of the host and the server processes during a check. Optional fields are absent on hosts that
/// lack the file (no conntrack module, a fixture root).
public struct HostSample: Sendable, Codable, Equatable {
    public var elapsedSeconds: Double
    /// Connections the load client has open at this moment.
    public var clientOpen: Int
    /// Summed over the server processes (VmRSS, entries of /proc/PID/fd).
    public var serverRSSBytes: Int
    public var serverFds: Int
    /// The most fds any one server process holds (the per-process limit binds on this one).
    public var maxServerFdsPerProcess: Int
    public var serverProcessesAlive: Int
    /// /proc/net/sockstat: TCP sockets in use, TCP memory (pages), TIME_WAIT.
    public var tcpInUse: Int?
    public var tcpMemPages: Int?
    public var tcpTimeWait: Int?
    /// /proc/net/netstat TcpExt.
    public var listenOverflows: Int?
    public var listenDrops: Int?
    /// nf_conntrack_count and the sum of drop + early_drop + insert_failed.
    public var conntrackCount: Int?
    public var conntrackDrops: Int?
    /// fs.file-nr: allocated file handles, and fs.file-max.
    public var filesAllocated: Int?
    public var fileMax: Int?
    /// /proc/meminfo Slab (bytes): kernel objects, sockets included.
    public var slabBytes: Int?
    /// /proc/net/softnet_stat column 2 summed over CPUs: packets dropped because a CPU's input backlog
    /// (net.core.netdev_max_backlog) was full; loopback traffic passes through it too.
    public var softnetDrops: Int?

    public init(
        elapsedSeconds: Double, clientOpen: Int, serverRSSBytes: Int = 0, serverFds: Int = 0,
        maxServerFdsPerProcess: Int = 0, serverProcessesAlive: Int = 0
    ) {
        self.elapsedSeconds = elapsedSeconds
        self.clientOpen = clientOpen
        self.serverRSSBytes = serverRSSBytes
        self.serverFds = serverFds
        self.maxServerFdsPerProcess = maxServerFdsPerProcess
        self.serverProcessesAlive = serverProcessesAlive
    }
}
