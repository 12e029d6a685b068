import HostFacts

/// How many connections the host holds as configured, per limit, and which limit binds first.
/// Each figure inverts the matching need formula in `CapacityModel`, so "capacity ≥ N" and "every check passes"
/// agree.
public struct Supply: Sendable, Equatable, Codable {
    public struct Limit: Sendable, Equatable, Codable {
        /// Stable name, the id of the check that judges it (`fd.soft-limit`, `fs.file-max`, …).
        public var id: String
        public var description: String
        public var connections: Int
    }

    public var limits: [Limit]

    /// The smallest supply: the limit that binds first.
    public var binding: Limit? { limits.min { $0.connections < $1.connections } }
    public var connections: Int { binding?.connections ?? 0 }

    public static func of(_ host: HostSnapshot, _ req: Requirement) -> Supply {
        let s = req.needs.socketsPerConnection
        let reserve = CapacityModel.fdReserve
        var out: [Limit] = []
        func add(_ id: String, _ d: String, _ n: Int) {
            out.append(Limit(id: id, description: d, connections: max(n, 0)))
        }
        if let lim = host.resolvedFileLimit {
            add(
                FdSoftLimitCheck.id, "soft nofile \(grouped(lim.soft)) of \(host.fileLimitSource)",
                lim.soft.subtractingSaturated(reserve) / s)
            if host.canRaiseHardLimit == false {
                add(
                    FdHardLimitCheck.id, "hard nofile \(grouped(lim.hard)) (cannot be raised)",
                    lim.hard.subtractingSaturated(reserve) / s)
            }
        }
        add(NrOpenCheck.id, "fs.nr_open \(grouped(host.nrOpen))", host.nrOpen.subtractingSaturated(reserve) / s)
        if let fm = host.int("fs.file-max") {
            // Handles other processes hold now (fs.file-nr) stay in use; the rest is ours.
            let inUse = host.ints("fs.file-nr")?.first ?? CapacityModel.systemFileReserve
            add(
                FileMaxCheck.id, "fs.file-max \(grouped(fm)) with \(grouped(inUse)) handles in use now",
                fm.subtractingSaturated(inUse).subtractingSaturated(reserve) / s)
        }
        if req.profile.proxy.value, let space = EphemeralPortSpace.of(host) {
            let usable = space.perTuple
            let backends = req.profile.backendAddresses.value
            add(
                EphemeralRangeCheck.id,
                "\(grouped(usable)) ephemeral ports\(space.heldText.map { " (\($0))" } ?? "") × \(backends) backends",
                usable.multipliedSaturated(by: backends).scaled(100, CapacityModel.ephemeralHeadroomPercent))
        }
        if req.conntrackApplies(host), let max = host.int("net.netfilter.nf_conntrack_max") {
            add(
                ConntrackMaxCheck.id, "nf_conntrack_max \(grouped(max))",
                max.scaled(100, s * CapacityModel.conntrackHeadroomPercent))
        }
        if let mem = host.ints("net.ipv4.tcp_mem"), mem.count == 3 {
            let minBuf = Swift.max(
                (host.ints("net.ipv4.tcp_rmem")?.first ?? 4096).addingSaturated(
                    host.ints("net.ipv4.tcp_wmem")?.first ?? 4096), 1)
            let page = host.memory?.pageSize ?? 4096
            add(
                TcpMemCheck.id, "tcp_mem pressure \(grouped(mem[1])) pages at \(minBuf) B per socket",
                mem[1].multipliedSaturated(by: page) / minBuf.multipliedSaturated(by: s))
        }
        if let m = host.memory {
            add(
                MemoryBudgetCheck.id,
                "\(Bytes.format(m.availableBytes)) available at \(Bytes.format(req.profile.perConnectionBytes.value)) per connection",
                m.availableBytes / max(req.profile.perConnectionBytes.value, 1))
        }
        return Supply(limits: out)
    }
}
