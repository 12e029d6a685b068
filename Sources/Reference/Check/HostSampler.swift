import Foundation
import HostFacts

/// Takes `HostSample`s through a `HostRoot`: the server processes' /proc entries and the host-wide counters
/// (sockstat, netstat, conntrack, file-nr, meminfo). Reads only; every file is optional.
public struct HostSampler: Sendable {
    public let root: HostRoot
    public let serverPIDs: [Int32]

    public init(root: HostRoot, serverPIDs: [Int32]) {
        self.root = root
        self.serverPIDs = serverPIDs
    }

    public func sample(elapsedSeconds: Double, clientOpen: Int) -> HostSample {
        var s = HostSample(elapsedSeconds: elapsedSeconds, clientOpen: clientOpen)
        for pid in serverPIDs {
            guard let p = try? ProcessStatus.read(root: root, pid: pid) else { continue }
            s.serverProcessesAlive += 1
            s.serverRSSBytes += p.rssBytes
            s.serverFds += p.openFds
            s.maxServerFdsPerProcess = max(s.maxServerFdsPerProcess, p.openFds)
        }
        if let k = try? KernelCounters.read(root: root) {
            s.tcpInUse = k.sockstat["TCP.inuse"]
            s.tcpMemPages = k.sockstat["TCP.mem"]
            s.tcpTimeWait = k.sockstat["TCP.tw"]
            s.listenOverflows = k["TcpExt.ListenOverflows"]
            s.listenDrops = k["TcpExt.ListenDrops"]
        }
        s.conntrackCount = readInt("proc/sys/net/netfilter/nf_conntrack_count")
        if let ct = try? ConntrackFacts.read(root: root), !ct.stats.isEmpty {
            s.conntrackDrops =
                (ct.stats["drop"] ?? 0) + (ct.stats["early_drop"] ?? 0) + (ct.stats["insert_failed"] ?? 0)
        }
        if let text = try? root.readText("proc/sys/fs/file-nr") {
            let f = Self.parseFileNr(text)
            s.filesAllocated = f?.allocated
            s.fileMax = f?.max
        }
        if let text = try? root.readText("proc/meminfo") { s.slabBytes = Self.parseSlab(text) }
        if let text = try? root.readText("proc/net/softnet_stat") { s.softnetDrops = Self.parseSoftnetDrops(text) }
        return s
    }

    func readInt(_ relative: String) -> Int? {
        guard let text = try? root.readText(relative) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// fs.file-nr is "allocated  unused  max".
    public static func parseFileNr(_ text: String) -> (allocated: Int, max: Int)? {
        let f = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard f.count == 3 else { return nil }
        return (f[0], f[2])
    }

    /// One line per CPU of hex columns; the second is "dropped" (backlog full).
    public static func parseSoftnetDrops(_ text: String) -> Int? {
        var sum = 0
        var lines = 0
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 2, let d = Int(f[1], radix: 16) else { return nil }
            sum += d
            lines += 1
        }
        return lines > 0 ? sum : nil
    }

    /// "Slab:  123456 kB" → bytes.
    public static func parseSlab(_ meminfo: String) -> Int? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("Slab:") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            if f.count >= 2, let kb = Int(f[1]) { return kb * 1024 }
        }
        return nil
    }
}
