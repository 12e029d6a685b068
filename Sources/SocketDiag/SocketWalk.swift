import CLiveCount
import Glibc
import HostFacts

/// One-shot socket counts from a BPF iterator over the kernel's TCP tables (iter/tcp: the listening and the
/// established hashes of this process's network namespace; Sources/CLiveCount/bpf/walk_count.bpf.c). The program
/// only adds to counters, so the kernel builds and copies no record per socket: at 100k connections the
/// sock_diag dump spends most of its time filling and copying records that are only counted (Benchmarks/count).
/// Loading it costs a few milliseconds (libbpf reads the kernel's BTF and the verifier checks the program), so it
/// pays only on a namespace with many sockets: `count` picks it by `preferred(for:sockets:)`.
///
/// It counts what the sock_diag dump counts, the way inet_diag reports it (a timewait socket in its substate, a
/// request socket as SYN-RECV, established queues as tcp_diag_get_info computes them); peers and cookies are not
/// kept (they need each socket's record), so those queries stay on netlink.
public enum SocketWalk {
    /// Why the walk cannot answer `query`, or nil when it can.
    public static func unsupported(_ query: SocketQuery) -> String? {
        if query.grouping == .peer { return "counting by peer needs each socket's record (netlink)" }
        if query.collectCookies { return "socket cookies need each socket's record (netlink)" }
        return nil
    }

    /// TCP sockets in the namespace (sockstat's inuse and tw) from which the walk is the default: below it the
    /// program's load (about 5-10 ms) costs more than the records the dump would fill. Benchmarks/count measures
    /// both at 10k, 50k and 100k connections.
    public static let automaticThreshold = 40_000

    /// Whether `auto` takes the walk for `query` on a namespace holding `sockets` TCP sockets.
    public static func preferred(for query: SocketQuery, sockets: Int) -> Bool {
        unsupported(query) == nil && sockets >= automaticThreshold
    }

    /// TCP sockets of this namespace by /proc/net/sockstat (inuse + tw), or nil when it cannot be read.
    public static func namespaceSockets(root: HostRoot = HostRoot()) -> Int? {
        guard let counters = try? KernelCounters.read(root: root) else { return nil }
        guard let inUse = counters.sockstat["TCP.inuse"] else { return nil }
        return inUse + (counters.sockstat["TCP.tw"] ?? 0)
    }

    /// Loads the iterator, walks once, unloads it and returns the tally. Throws `LiveCounter.Unavailable` when BPF
    /// cannot run here (no privilege, no BTF, a kernel that refuses the program), and `SocketDiagError` for a
    /// query it cannot express.
    public static func count(_ query: SocketQuery) throws -> SocketCounts {
        if let reason = unsupported(query) { throw LiveCounter.Unavailable(reason: reason, needsPrivilege: false) }
        if query.ports.count > 1000 {
            throw SocketDiagError.invalidFilter("at most 1000 ports per query (got \(query.ports.count))")
        }
        guard access("/sys/kernel/btf/vmlinux", R_OK) == 0 else {
            throw LiveCounter.Unavailable(reason: "no kernel BTF (/sys/kernel/btf/vmlinux)", needsPrivilege: false)
        }
        let mask = query.states.diagMask
        var config = wst_walk_config()
        config.states = mask
        config.families =
            (query.families.contains(.ipv4) ? 1 : 0) | (query.families.contains(.ipv6) ? 2 : 0)
        config.remote = query.remote ? 1 : 0
        config.have_ports = query.ports.isEmpty ? 0 : 1
        config.by_port = query.grouping == .port ? 1 : 0
        config.established_by_port = query.establishedByPort ? 1 : 0
        config.queue_threshold = query.queueThresholdBytes
        let slots = Int(wst_walk_slots)
        let tally = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
        defer { tally.deallocate() }
        var reason = [CChar](repeating: 0, count: 512)
        let rc = query.ports.withUnsafeBufferPointer { ports in
            wst_walk_count(&config, ports.baseAddress, ports.count, tally, &reason, reason.count)
        }
        if rc != 0 {
            throw LiveCounter.Unavailable(
                reason: String(cString: reason), needsPrivilege: rc == -EPERM || geteuid() != 0)
        }
        return counts(tally, query: query, states: mask)
    }

    /// The tally's cells as `SocketCounts` (the same shape a dump's `DiagTally.counts` gives).
    static func counts(_ tally: UnsafePointer<UInt64>, query: SocketQuery, states mask: UInt32) -> SocketCounts {
        let q = Int(wst_walk_queue_base)
        var queue = QueuePressure(thresholdBytes: query.queueThresholdBytes)
        queue.receiveQueueOver = Int(tally[q])
        queue.sendQueueOver = Int(tally[q + 1])
        queue.sendQueueNonEmpty = Int(tally[q + 2])
        queue.largestReceiveQueueBytes = UInt32(truncatingIfNeeded: tally[q + 3])
        queue.largestSendQueueBytes = UInt32(truncatingIfNeeded: tally[q + 4])
        var c = SocketCounts(queue: queue, dumps: 0)
        for s in TCPState.allCases where mask & s.maskBit != 0 { c.byState[s] = Int(tally[s.rawValue]) }
        if query.grouping == .port {
            for p in 0..<65536 where tally[16 + p] != 0 { c.byPort[UInt16(p)] = Int(tally[16 + p]) }
        }
        if query.establishedByPort {
            let base = 16 + 65536
            for p in 0..<65536 where tally[base + p] != 0 { c.establishedByPort[UInt16(p)] = Int(tally[base + p]) }
        }
        return c
    }
}
