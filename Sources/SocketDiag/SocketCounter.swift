import Glibc

/// Counts sockets over sock_diag: one dump per family and partition, run in parallel on separate netlink
/// sockets, merged into one `SocketCounts`.
public enum SocketCounter {
    /// Runs the query. Throws `SocketDiagError.netlinkUnavailable` when sock_diag cannot be reached, and the
    /// first failing call (with its errno) otherwise.
    public static func count(_ query: SocketQuery) throws -> SocketCounts {
        if query.ports.count > 1000 {
            throw SocketDiagError.invalidFilter("at most 1000 ports per query (got \(query.ports.count))")
        }
        let bothFamilies = Set(query.families) == Set(SocketQuery.Family.allCases)
        if bothFamilies && query.bothFamiliesInOneDump {
            // One walk for both families; only a kernel that refuses the old request gets one dump per family.
            do {
                return try run(dumps(query, families: [nil]))
            } catch let error as SocketDiagError where refusesBothFamiliesRequest(error) {}
        }
        return try run(dumps(query, families: query.families.map { Optional($0) }))
    }

    /// The kernel's own answer that it has no TCPDIAG_GETSOCK handler: EOPNOTSUPP (no inet_rcv_compat) or EINVAL
    /// (an unknown message type), net/core/sock_diag.c sock_diag_rcv_msg; ENOENT as for a missing family. A
    /// failing system call around the request is not one of these and is the error the caller sees.
    static func refusesBothFamiliesRequest(_ error: SocketDiagError) -> Bool {
        switch error {
        case .kernelRefused(let request, let e), .netlinkUnavailable(let request, let e):
            return request == SockDiagDump.bothFamiliesRequest && [EOPNOTSUPP, EINVAL, ENOENT].contains(e)
        default:
            return false
        }
    }

    static func dumps(_ query: SocketQuery, families: [SocketQuery.Family?]) -> [SockDiagDump] {
        families.flatMap { family in
            (0..<query.partitions).map { SockDiagDump(query: query, family: family, partition: $0) }
        }
    }

    /// Runs the dumps in parallel (one thread each beyond the first) and merges them.
    static func run(_ dumps: [SockDiagDump]) throws -> SocketCounts {
        if dumps.count == 1 { return try dumps[0].run() }
        // One plain thread per extra dump (the first runs here): cheaper to start than a dispatch pool for a
        // short-lived command, and each dump blocks in recvmsg on its own socket anyway.
        let results = ResultSlots(count: dumps.count)
        var threads: [pthread_t] = []
        for i in 1..<dumps.count {
            let job = DumpJob(dump: dumps[i], index: i, results: results)
            var thread = pthread_t()
            let rc = pthread_create(
                &thread, nil,
                { raw in
                    let job = Unmanaged<DumpJob>.fromOpaque(raw!).takeRetainedValue()
                    job.results.set(job.index, Result { try job.dump.run() })
                    return nil
                }, Unmanaged.passRetained(job).toOpaque())
            if rc == 0 {
                threads.append(thread)
            } else {
                // No thread: run it here instead.
                Unmanaged.passUnretained(job).release()
                results.set(i, Result { try dumps[i].run() })
            }
        }
        results.set(0, Result { try dumps[0].run() })
        for t in threads { pthread_join(t, nil) }
        var total = SocketCounts(queue: QueuePressure(thresholdBytes: dumps[0].query.queueThresholdBytes))
        for r in results.all() { total.merge(try r.get()) }
        return total
    }
}

private final class DumpJob {
    let dump: SockDiagDump
    let index: Int
    let results: ResultSlots
    init(dump: SockDiagDump, index: Int, results: ResultSlots) {
        self.dump = dump
        self.index = index
        self.results = results
    }
}

/// Slots each parallel dump writes its own result into (distinct indices, so no two writers share a slot).
private final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<SocketCounts, Error>?]
    private var lock = pthread_mutex_t()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    func set(_ i: Int, _ r: Result<SocketCounts, Error>) {
        pthread_mutex_lock(&lock)
        slots[i] = r
        pthread_mutex_unlock(&lock)
    }

    func all() -> [Result<SocketCounts, Error>] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return slots.compactMap { $0 }
    }
}
