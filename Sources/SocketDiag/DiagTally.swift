import CLiveCount
import CMnl

/// The per-dump accumulator the libmnl callback writes into. A plain struct reached through a pointer (no
/// reference counting on the hot path); its buffers are allocated only for the groupings asked for.
struct DiagTally {
    // inet_diag_msg offsets (checked by _Static_assert in CSockDiag/shim.c).
    static let messageSize = 72
    /// IPPROTO_TCP (its Glibc import is ambiguous next to the kernel headers in release builds).
    static let tcpProtocol: UInt8 = 6
    static let stateOffset = 1, sportOffset = 4, dportOffset = 6, dstOffset = 24, cookieOffset = 44
    static let rqueueOffset = 56, wqueueOffset = 60

    var states: UnsafeMutablePointer<Int>
    var ports: UnsafeMutablePointer<Int>?
    var establishedPorts: UnsafeMutablePointer<Int>?
    var peers: [PeerAddress: Int] = [:]
    var cookies: Set<UInt64> = []
    let byPeer: Bool
    let remote: Bool
    let collectCookies: Bool
    var queue: QueuePressure
    /// A live counter (wst_live) each socket is also added to, in its (state, local port, remote port) cells.
    var seed: OpaquePointer?

    /// Buffers for what `query` groups by; the side, threshold and cookies from it as well.
    init(query: SocketQuery) {
        states = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        states.initialize(repeating: 0, count: 16)
        if query.grouping == .port {
            ports = UnsafeMutablePointer<Int>.allocate(capacity: 65536)
            ports!.initialize(repeating: 0, count: 65536)
        }
        if query.establishedByPort {
            establishedPorts = UnsafeMutablePointer<Int>.allocate(capacity: 65536)
            establishedPorts!.initialize(repeating: 0, count: 65536)
        }
        byPeer = query.grouping == .peer
        remote = query.remote
        collectCookies = query.collectCookies
        queue = QueuePressure(thresholdBytes: query.queueThresholdBytes)
    }

    func release() {
        states.deallocate()
        ports?.deallocate()
        establishedPorts?.deallocate()
    }

    /// Tallies one inet_diag_msg.
    @inline(__always)
    mutating func add(_ msg: UnsafeRawPointer) {
        let state = Int(msg.load(fromByteOffset: DiagTally.stateOffset, as: UInt8.self))
        states[state & 15] += 1
        if let seed { seedCells(seed, state: state & 15, msg) }
        if let ports {
            ports[Int(port(msg))] += 1
        }
        guard state == TCPState.established.rawValue else {
            if byPeer { addPeer(msg) }
            return
        }
        if let establishedPorts {
            establishedPorts[Int(port(msg))] += 1
        }
        let rq = msg.load(fromByteOffset: DiagTally.rqueueOffset, as: UInt32.self)
        let wq = msg.load(fromByteOffset: DiagTally.wqueueOffset, as: UInt32.self)
        if rq > queue.thresholdBytes { queue.receiveQueueOver += 1 }
        if wq > queue.thresholdBytes { queue.sendQueueOver += 1 }
        if wq > 0 { queue.sendQueueNonEmpty += 1 }
        if rq > queue.largestReceiveQueueBytes { queue.largestReceiveQueueBytes = rq }
        if wq > queue.largestSendQueueBytes { queue.largestSendQueueBytes = wq }
        if byPeer { addPeer(msg) }
        if collectCookies {
            let lo = UInt64(msg.load(fromByteOffset: DiagTally.cookieOffset, as: UInt32.self))
            let hi = UInt64(msg.load(fromByteOffset: DiagTally.cookieOffset + 4, as: UInt32.self))
            cookies.insert(lo | hi << 32)
        }
    }

    /// Seeds the live counter's cells exactly as its BPF program counts a socket entering `state`.
    func seedCells(_ seed: OpaquePointer, state: Int, _ msg: UnsafeRawPointer) {
        let local = UInt32(UInt16(bigEndian: msg.load(fromByteOffset: DiagTally.sportOffset, as: UInt16.self)))
        let remote = UInt32(UInt16(bigEndian: msg.load(fromByteOffset: DiagTally.dportOffset, as: UInt16.self)))
        let row = UInt32(state)
        wst_live_add(seed, row * WST_LIVE_PORTS + local, 1)
        wst_live_add(seed, (WST_LIVE_ROWS + row) * WST_LIVE_PORTS + remote, 1)
        wst_live_add(seed, wst_live_totals_base + row, 1)
    }

    /// The local port, or the remote one when the query matches remote ports (host byte order).
    @inline(__always)
    func port(_ msg: UnsafeRawPointer) -> UInt16 {
        UInt16(
            bigEndian: msg.load(
                fromByteOffset: remote ? DiagTally.dportOffset : DiagTally.sportOffset,
                as: UInt16.self))
    }

    mutating func addPeer(_ msg: UnsafeRawPointer) {
        let family = msg.load(fromByteOffset: 0, as: UInt8.self) == UInt8(AF_INET) ? UInt8(4) : UInt8(6)
        let w = (
            msg.load(fromByteOffset: DiagTally.dstOffset, as: UInt32.self),
            msg.load(fromByteOffset: DiagTally.dstOffset + 4, as: UInt32.self),
            msg.load(fromByteOffset: DiagTally.dstOffset + 8, as: UInt32.self),
            msg.load(fromByteOffset: DiagTally.dstOffset + 12, as: UInt32.self)
        )
        peers[PeerAddress(family: family, words: w), default: 0] += 1
    }

    /// The tally as public counts; every state in `mask` appears, zero or not.
    func counts(states mask: UInt32) -> SocketCounts {
        var c = SocketCounts(queue: queue, dumps: 1)
        for s in TCPState.allCases where mask & s.maskBit != 0 { c.byState[s] = states[s.rawValue] }
        // A NEW_SYN_RECV request socket is reported as SYN-RECV; any other state number counts where it says.
        if let ports {
            for p in 0..<65536 where ports[p] != 0 { c.byPort[UInt16(p)] = ports[p] }
        }
        if let establishedPorts {
            for p in 0..<65536 where establishedPorts[p] != 0 { c.establishedByPort[UInt16(p)] = establishedPorts[p] }
        }
        c.byPeer = peers
        c.establishedCookies = cookies
        return c
    }
}
