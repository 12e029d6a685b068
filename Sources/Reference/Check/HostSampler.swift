import HostFacts

/// Takes `HostSample`s through a `HostRoot`: the server processes' /proc entries and the host-wide counters
/// (sockstat, netstat, conntrack, file-nr, meminfo, softnet_stat), each through its HostFacts reader. A file the
/// host lacks leaves its field nil; a malformed one throws, naming the file.
public struct HostSampler: Sendable {
    public let root: HostRoot
    public let serverPIDs: [Int32]

    public init(root: HostRoot, serverPIDs: [Int32]) {
        self.root = root
        self.serverPIDs = serverPIDs
    }

    public func sample(elapsedSeconds: Double, clientOpen: Int) throws -> HostSample {
        var s = HostSample(elapsedSeconds: elapsedSeconds, clientOpen: clientOpen)
        for pid in serverPIDs {
            guard let p = try ProcessStatus.read(root: root, pid: pid) else { continue }
            s.serverProcessesAlive += 1
            s.serverRSSBytes += p.rssBytes ?? 0
            s.serverFds += p.openFds
            s.maxServerFdsPerProcess = max(s.maxServerFdsPerProcess, p.openFds)
        }
        let k = try KernelCounters.read(root: root)
        s.tcpInUse = k.sockstat["TCP.inuse"]
        s.tcpMemPages = k.sockstat["TCP.mem"]
        s.tcpTimeWait = k.sockstat["TCP.tw"]
        s.listenOverflows = k["TcpExt.ListenOverflows"]
        s.listenDrops = k["TcpExt.ListenDrops"]
        s.conntrackCount = try Sysctls(root: root).read("net.netfilter.nf_conntrack_count")?.int
        if let stats = try ConntrackFacts.readStats(root: root), !stats.isEmpty {
            s.conntrackDrops = (stats["drop"] ?? 0) + (stats["early_drop"] ?? 0) + (stats["insert_failed"] ?? 0)
        }
        let files = try FileHandles.read(root: root)
        s.filesAllocated = files?.allocated
        s.fileMax = files?.max
        s.slabBytes = try MemoryInfo.readSlabBytes(root: root)
        s.softnetDrops = try SoftnetStat.read(root: root)?.dropped
        return s
    }
}
