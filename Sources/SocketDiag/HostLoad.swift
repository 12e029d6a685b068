import HostFacts

/// The host-wide figures `top` shows next to the socket counts: file handles and the listen-queue counters.
public struct HostLoad: Sendable, Equatable {
    /// fs.file-nr's first field (allocated file handles) and fs.file-max.
    public var openFiles: Int?
    public var fileMax: Int?
    /// TcpExt.ListenOverflows / TcpExt.ListenDrops (cumulative since boot, per namespace).
    public var listenOverflows: Int?
    public var listenDrops: Int?
    /// Tcp.PassiveOpens and Tcp.ActiveOpens (cumulative) for namespace-wide open rates.
    public var passiveOpens: Int?
    public var activeOpens: Int?

    public init(
        openFiles: Int? = nil, fileMax: Int? = nil, listenOverflows: Int? = nil, listenDrops: Int? = nil,
        passiveOpens: Int? = nil, activeOpens: Int? = nil
    ) {
        self.openFiles = openFiles
        self.fileMax = fileMax
        self.listenOverflows = listenOverflows
        self.listenDrops = listenDrops
        self.passiveOpens = passiveOpens
        self.activeOpens = activeOpens
    }

    /// Reads fs.file-nr, fs.file-max, /proc/net/netstat and /proc/net/snmp under `root` (HostFacts' readers).
    public static func read(root: HostRoot = HostRoot()) throws -> HostLoad {
        let sysctls = Sysctls(root: root)
        var load = HostLoad()
        load.openFiles = try sysctls.read("fs.file-nr")?.ints?.first
        load.fileMax = try sysctls.read("fs.file-max")?.int
        let counters = try KernelCounters.read(root: root)
        load.listenOverflows = counters["TcpExt.ListenOverflows"]
        load.listenDrops = counters["TcpExt.ListenDrops"]
        load.passiveOpens = counters["Tcp.PassiveOpens"]
        load.activeOpens = counters["Tcp.ActiveOpens"]
        return load
    }
}
