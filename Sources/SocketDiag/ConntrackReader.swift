import HostFacts

/// Reads conntrack's state for this network namespace: fast figures always, a full dump only when asked.
public enum ConntrackReader {
    /// Which decoder a by-state dump goes through.
    public enum Engine: String, CaseIterable, Sendable {
        /// Raw libmnl IPCTNL_MSG_CT_GET walk (fastest).
        case raw
        /// libnetfilter_conntrack's NFCT_Q_DUMP.
        case library
    }

    /// The two costs of a read, reported to `read`'s `timed` (`count --timing` and Benchmarks/count print them).
    public enum Phase: String, Sendable {
        case entriesAndStatistics = "conntrack entries and statistics"
        case dump = "conntrack dump"
    }

    /// The summary. `root` is where /proc is read; netlink is used only on the live root, since a fixture tree
    /// has no kernel behind it. "Not loaded" (no nf_conntrack_max) is a normal answer, not an error.
    public static func read(
        root: HostRoot = HostRoot(), byState: Bool = false, engine: Engine = .raw,
        timed: ((Phase, _ seconds: Double) -> Void)? = nil
    ) throws -> ConntrackSummary {
        let started = LiveSample.monotonicSeconds()
        let sysctls = Sysctls(root: root)
        guard root.exists(SysctlKey("net.netfilter.nf_conntrack_max").procPath) else {
            return ConntrackSummary(loaded: false)
        }
        var s = ConntrackSummary(loaded: true)
        s.maxEntries = try sysctls.read("net.netfilter.nf_conntrack_max")?.int
        if root.isLiveRoot, let global = try? ConntrackNetlink.globalStats() {
            s.entries = global.entries
            s.entriesSource = "netlink"
            if s.maxEntries == nil { s.maxEntries = global.maxEntries }
        } else if let count = try sysctls.read("net.netfilter.nf_conntrack_count")?.int {
            s.entries = count
            s.entriesSource = root.resolve(SysctlKey("net.netfilter.nf_conntrack_count").procPath)
        }
        if root.isLiveRoot, let stats = try? ConntrackNetlink.cpuStats() {
            s.stats = stats
        } else {
            var stats = try ConntrackFacts.read(root: root).stats
            stats["entries"] = nil
            s.stats = stats
        }
        timed?(.entriesAndStatistics, LiveSample.monotonicSeconds() - started)
        if byState && root.isLiveRoot {
            let dumpStarted = LiveSample.monotonicSeconds()
            let counts = try countByState(engine: engine)
            s.tcpByState = counts.tcpByState
            s.byProtocol = counts.byProtocol
            timed?(.dump, LiveSample.monotonicSeconds() - dumpStarted)
        }
        return s
    }

    /// A full dump of this namespace's table: TCP entries per state and entries per protocol.
    public static func countByState(engine: Engine = .raw) throws
        -> (tcpByState: [ConntrackTCPState: Int], byProtocol: [String: Int])
    {
        let counts = engine == .raw ? try ConntrackNetlink.dumpCounts() : try ConntrackLibraryDump.dumpCounts()
        var states: [ConntrackTCPState: Int] = [:]
        for st in ConntrackTCPState.allCases where counts.tcpByState[st.rawValue] > 0 {
            states[st] = counts.tcpByState[st.rawValue]
        }
        var protocols: [String: Int] = [:]
        for (num, n) in counts.byProtocol.enumerated() where n > 0 {
            protocols[ConntrackSummary.protocolNames[UInt8(num)] ?? String(num)] = n
        }
        return (states, protocols)
    }
}
