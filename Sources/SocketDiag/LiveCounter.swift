import CLiveCount
import Glibc

/// Socket counts kept by the kernel as sockets change state: a BPF program on the tracepoint
/// sock:inet_sock_set_state (Sources/CLiveCount/bpf) moves one count per state change in a per-(state, port)
/// array this process maps. One sock_diag dump seeds the array; a read then costs the same at any number of
/// sockets. The program counts this process's network namespace only, and is detached and unloaded when the
/// counter is released (or, whatever happens, when the process exits and its file descriptors close).
///
/// Full sockets only pass through the tracepoint: SYN-RECV (request sockets), TIME-WAIT and orphaned FIN-WAIT-2
/// are mini sockets, so those three states come from a sock_diag dump restricted to them (the kernel skips every
/// other socket without building a message for it). Queue figures need every socket's queues: they are not sampled.
public final class LiveCounter {
    /// The kernel's id of the loaded program (`bpftool prog show id N`).
    public let programID: UInt32
    /// Sockets the last seed dump counted.
    public private(set) var seededSockets: Int = 0
    /// Seeds after the first: each time the kernel skipped events (see `missedEvents`), the cells are zeroed and
    /// seeded again from a dump before they are read.
    public private(set) var reseeds = 0
    private var missesAtSeed: UInt64 = 0
    private let handle: OpaquePointer
    private let cells: UnsafePointer<Int64>

    /// Why the counter cannot run here (no root, no BTF, a kernel that refuses BPF or the tracepoint).
    public struct Unavailable: Error, CustomStringConvertible, Equatable {
        public let reason: String
        /// The kernel said EPERM (not root or no CAP_BPF/CAP_PERFMON): the CLI exits 4 when BPF was demanded.
        public let needsPrivilege: Bool
        public var description: String { reason }
        public init(reason: String, needsPrivilege: Bool) {
            self.reason = reason
            self.needsPrivilege = needsPrivilege
        }
    }

    /// States the BPF program counts.
    public static let trackedStates: [TCPState] = TCPState.allCases.filter {
        ![.synRecv, .finWait2, .timeWait, .close].contains($0)
    }
    /// States counted by a restricted dump at each read (mini sockets: see the BPF source).
    public static let dumpedStates: [TCPState] = [.synRecv, .finWait2, .timeWait]

    /// Loads and attaches the program, then seeds it from one sock_diag dump of this namespace.
    public init() throws {
        var st = stat()
        guard stat("/proc/self/ns/net", &st) == 0 else {
            throw Unavailable(
                reason: "stat /proc/self/ns/net: \(String(cString: strerror(errno)))", needsPrivilege: false)
        }
        guard access("/sys/kernel/btf/vmlinux", R_OK) == 0 else {
            throw Unavailable(reason: "no kernel BTF (/sys/kernel/btf/vmlinux)", needsPrivilege: false)
        }
        var reason = [CChar](repeating: 0, count: 512)
        errno = 0
        guard let h = wst_live_open(UInt64(st.st_ino), &reason, reason.count) else {
            let text = String(cString: reason)
            throw Unavailable(
                reason: text, needsPrivilege: text.contains(String(cString: strerror(EPERM))) || geteuid() != 0)
        }
        handle = h
        cells = wst_live_cells(h)
        programID = wst_live_program_id(h)
        // Every stored property is set: if the seed throws, deinit runs and closes the handle (once).
        try seed()
    }

    /// Attached first, seeded second: a socket that changes state while the dump runs may be counted twice or
    /// not at all (a window of the dump's length).
    private func seed() throws {
        missesAtSeed = wst_live_missed_events(handle)
        var dump = SockDiagDump(
            query: SocketQuery(states: LiveCounter.trackedStates, queueThresholdBytes: 0), family: nil)
        dump.seed = handle
        seededSockets = try dump.run().total
    }

    /// Without a port filter, `establishedByPort` holds the busiest ports only (a client host has one local port
    /// per connection).
    public static let busiestPortLimit = 64

    /// The `limit` ports with the most established sockets: 65,536 reads of mapped memory, the same at any number
    /// of sockets, and a short sorted list (no dictionary of every port).
    func busiestPorts(side: Int, limit: Int) -> [(UInt16, Int)] {
        var top: [(UInt16, Int)] = []
        top.reserveCapacity(limit + 1)
        let row = TCPState.established.rawValue
        for p in 0..<Int(WST_LIVE_PORTS) {
            let n = cell(side: side, row: row, port: p)
            if n <= 0 || (top.count == limit && n <= top[limit - 1].1) { continue }
            var i = top.count
            while i > 0 && top[i - 1].1 < n { i -= 1 }
            top.insert((UInt16(p), n), at: i)
            if top.count > limit { top.removeLast() }
        }
        return top
    }

    /// State changes the kernel did not run the program for since it was loaded.
    public var missedEvents: UInt64 { wst_live_missed_events(handle) }

    /// Zeroes and seeds again when the kernel skipped events since the last seed (one syscall to find out).
    private func reseedIfEventsWereMissed() throws {
        guard wst_live_missed_events(handle) != missesAtSeed else { return }
        let rc = wst_live_reset(handle)
        if rc != 0 {
            throw SocketDiagError.systemCall(call: "bpf(BPF_MAP_UPDATE_ELEM, live counter generation)", errno: -rc)
        }
        reseeds += 1
        try seed()
    }

    deinit { wst_live_close(handle) }

    @inline(__always)
    func cell(side: Int, row: Int, port: Int) -> Int {
        Int(cells[(side * Int(WST_LIVE_ROWS) + row) * Int(WST_LIVE_PORTS) + port])
    }

    @inline(__always)
    func total(row: Int) -> Int { Int(cells[Int(wst_live_totals_base) + row]) }

    /// State changes the program has seen in this namespace, and sockets its per-socket map had no room for.
    public var events: Int { Int(cells[Int(wst_live_events_slot)]) }
    public var untracked: Int { Int(cells[Int(wst_live_untracked_slot)]) }

    /// The counts for `query` (its ports and side; both families): the program's cells, plus a restricted dump
    /// for SYN-RECV and TIME-WAIT when those are asked for. `openedTotal`/`closedTotal` are set (sockets that
    /// entered and left ESTABLISHED since the program started), the queue figures are not sampled.
    public func counts(_ query: SocketQuery) throws -> SocketCounts {
        try reseedIfEventsWereMissed()
        var c = SocketCounts(queue: QueuePressure(thresholdBytes: query.queueThresholdBytes), dumps: 0)
        let side = query.remote ? 1 : 0
        let opened = Int(WST_LIVE_ROW_OPENED), closed = Int(WST_LIVE_ROW_CLOSED)
        let tracked = query.states.filter { LiveCounter.trackedStates.contains($0) }
        if query.ports.isEmpty {
            for s in tracked { c.byState[s] = total(row: s.rawValue) }
            c.openedTotal = total(row: opened)
            c.closedTotal = total(row: closed)
            if query.establishedByPort || query.grouping == .port {
                for (port, n) in busiestPorts(side: side, limit: LiveCounter.busiestPortLimit) {
                    c.establishedByPort[port] = n
                }
            }
        } else {
            let ports = Set(query.ports).map(Int.init)
            for s in tracked { c.byState[s] = ports.reduce(0) { $0 + cell(side: side, row: s.rawValue, port: $1) } }
            c.openedTotal = ports.reduce(0) { $0 + cell(side: side, row: opened, port: $1) }
            c.closedTotal = ports.reduce(0) { $0 + cell(side: side, row: closed, port: $1) }
            for p in ports {
                c.establishedByPort[UInt16(p)] = cell(side: side, row: TCPState.established.rawValue, port: p)
            }
        }
        let dumped = query.states.filter { LiveCounter.dumpedStates.contains($0) }
        if !dumped.isEmpty {
            let mini = try miniSocketCounts(query, states: dumped)
            for s in dumped { c.byState[s] = mini.byState[s] ?? 0 }
            c.dumps = mini.dumps
        }
        return c
    }

    /// The restricted dump walks the kernel's whole established table (every namespace's sockets), so it is
    /// repeated only once its previous run's time, times `miniDumpBudget`, has passed: it never takes more than
    /// 1/`miniDumpBudget` of one CPU, at any number of sockets. Below ~10k sockets that is every read; at 200k
    /// (a ~50 ms walk) every few seconds, and `miniStatesAgeSeconds` says how old the figures are.
    public static let miniDumpBudget = 50.0
    private var mini: (query: SocketQuery, counts: SocketCounts, taken: Double, cost: Double)?

    /// Seconds since SYN-RECV, FIN-WAIT-2 and TIME-WAIT were last dumped (0 right after a dump).
    public var miniStatesAgeSeconds: Double {
        mini.map { max(0, LiveSample.monotonicSeconds() - $0.taken) } ?? 0
    }

    private func miniSocketCounts(_ query: SocketQuery, states: [TCPState]) throws -> SocketCounts {
        var q = query
        q.states = states
        q.grouping = nil
        q.collectCookies = false
        q.establishedByPort = false
        q.partitions = 1
        q.families = SocketQuery.Family.allCases
        let now = LiveSample.monotonicSeconds()
        if let m = mini, m.query == q, now - m.taken < m.cost * LiveCounter.miniDumpBudget {
            var cached = m.counts
            cached.dumps = 0
            return cached
        }
        let counts = try SocketCounter.count(q)
        let end = LiveSample.monotonicSeconds()
        mini = (q, counts, end, end - now)
        return counts
    }
}
