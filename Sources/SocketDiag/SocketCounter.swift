import Dispatch

/// Counts sockets over sock_diag: one dump per family and partition, run in parallel on separate netlink
/// sockets, merged into one `SocketCounts`.
public enum SocketCounter {
    /// Runs the query. Throws `SocketDiagError.netlinkUnavailable` when sock_diag cannot be reached.
    public static func count(_ query: SocketQuery) throws -> SocketCounts {
        if query.ports.count > 1000 {
            throw SocketDiagError.invalidFilter("at most 1000 ports per query (got \(query.ports.count))")
        }
        let mask = query.states.diagMask
        var dumps: [SockDiagDump] = []
        for family in query.families {
            for part in 0..<query.partitions {
                dumps.append(SockDiagDump(
                    family: family, states: mask, filter: query.filter(partition: part), grouping: query.grouping,
                    establishedByPort: query.establishedByPort, remote: query.remote, queueThresholdBytes: query.queueThresholdBytes,
                    collectCookies: query.collectCookies))
            }
        }
        if dumps.count == 1 { return try dumps[0].run() }
        let results = ResultSlots(count: dumps.count)
        DispatchQueue.concurrentPerform(iterations: dumps.count) { i in
            results.set(i, Result { try dumps[i].run() })
        }
        var total = SocketCounts(queue: QueuePressure(thresholdBytes: query.queueThresholdBytes))
        for r in results.all() { total.merge(try r.get()) }
        return total
    }
}

/// Slots each parallel dump writes its own result into (distinct indices, so no two writers share a slot).
private final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<SocketCounts, Error>?]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<SocketCounts, Error>) {
        lock.wait()
        slots[i] = r
        lock.signal()
    }

    func all() -> [Result<SocketCounts, Error>] {
        lock.wait()
        defer { lock.signal() }
        return slots.compactMap { $0 }
    }
}
