import Glibc

/// The tally of one or more sock_diag dumps: sockets per state, and the groupings and queue figures asked for.
public struct SocketCounts: Sendable, Equatable {
    /// Sockets per state (only states that were dumped appear; zero counts are kept for dumped states).
    public var byState: [TCPState: Int]
    /// Sockets per port (local, or remote when the query matched remote ports); only with grouping `.port`.
    public var byPort: [UInt16: Int]
    /// Sockets per peer address; only with grouping `.peer`.
    public var byPeer: [PeerAddress: Int]
    /// Established sockets per port (local, or remote when the query matched remote ports); kept when ports were
    /// given or the query asked for it.
    public var establishedByPort: [UInt16: Int]
    public var queue: QueuePressure
    /// Cookies of established sockets, when the query asked for them.
    public var establishedCookies: Set<UInt64>
    /// How many netlink dumps produced this (families × partitions).
    public var dumps: Int
    /// Sockets that entered / left ESTABLISHED since a live counter started (LiveCounter; nil from a dump).
    public var openedTotal: Int?
    public var closedTotal: Int?

    public init(
        byState: [TCPState: Int] = [:], byPort: [UInt16: Int] = [:], byPeer: [PeerAddress: Int] = [:],
        establishedByPort: [UInt16: Int] = [:], queue: QueuePressure = QueuePressure(thresholdBytes: 0),
        establishedCookies: Set<UInt64> = [], dumps: Int = 0
    ) {
        self.byState = byState
        self.byPort = byPort
        self.byPeer = byPeer
        self.establishedByPort = establishedByPort
        self.queue = queue
        self.establishedCookies = establishedCookies
        self.dumps = dumps
    }

    public var established: Int { byState[.established] ?? 0 }
    public var total: Int { byState.values.reduce(0, +) }

    /// Adds another tally (of a disjoint dump) into this one.
    public mutating func merge(_ other: SocketCounts) {
        for (k, v) in other.byState { byState[k, default: 0] += v }
        for (k, v) in other.byPort { byPort[k, default: 0] += v }
        for (k, v) in other.byPeer { byPeer[k, default: 0] += v }
        for (k, v) in other.establishedByPort { establishedByPort[k, default: 0] += v }
        queue.merge(other.queue)
        establishedCookies.formUnion(other.establishedCookies)
        dumps += other.dumps
    }
}

/// The slow-consumer signal: established sockets whose kernel queues hold more than a threshold.
public struct QueuePressure: Sendable, Equatable, Codable {
    public var thresholdBytes: UInt32
    /// Established sockets with more than `thresholdBytes` unread (idiag_rqueue: the application is not reading).
    public var receiveQueueOver: Int = 0
    /// Established sockets with more than `thresholdBytes` unsent or unacknowledged (idiag_wqueue: the peer is
    /// not draining).
    public var sendQueueOver: Int = 0
    public var largestReceiveQueueBytes: UInt32 = 0
    public var largestSendQueueBytes: UInt32 = 0
    /// Established sockets holding any unsent byte at all.
    public var sendQueueNonEmpty: Int = 0

    public init(thresholdBytes: UInt32) {
        self.thresholdBytes = thresholdBytes
    }

    public mutating func merge(_ o: QueuePressure) {
        receiveQueueOver += o.receiveQueueOver
        sendQueueOver += o.sendQueueOver
        sendQueueNonEmpty += o.sendQueueNonEmpty
        largestReceiveQueueBytes = max(largestReceiveQueueBytes, o.largestReceiveQueueBytes)
        largestSendQueueBytes = max(largestSendQueueBytes, o.largestSendQueueBytes)
    }
}

/// A peer's address: IPv4 in the first word (family 4), or IPv6 in four words in network order (family 6).
/// IPv4-mapped IPv6 addresses are folded into IPv4, so a dual-stack listener's peers group by their real address.
public struct PeerAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let family: UInt8
    public let words: (UInt32, UInt32, UInt32, UInt32)

    public init(family: UInt8, words: (UInt32, UInt32, UInt32, UInt32)) {
        // ::ffff:a.b.c.d → a.b.c.d (words are in network byte order as the kernel sent them).
        if family == 6 && words.0 == 0 && words.1 == 0 && words.2 == UInt32(0xffff).bigEndian {
            self.family = 4
            self.words = (words.3, 0, 0, 0)
        } else {
            self.family = family
            self.words = family == 4 ? (words.0, 0, 0, 0) : words
        }
    }

    public static func == (a: PeerAddress, b: PeerAddress) -> Bool {
        a.family == b.family && a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
            && a.words.3 == b.words.3
    }

    public func hash(into h: inout Hasher) {
        h.combine(family)
        h.combine(words.0)
        h.combine(words.1)
        h.combine(words.2)
        h.combine(words.3)
    }

    var bytes: [UInt8] {
        let ws = family == 4 ? [words.0] : [words.0, words.1, words.2, words.3]
        return ws.flatMap { w -> [UInt8] in
            let b = UInt32(bigEndian: w)
            return [UInt8(b >> 24), UInt8((b >> 16) & 0xff), UInt8((b >> 8) & 0xff), UInt8(b & 0xff)]
        }
    }

    public static func < (a: PeerAddress, b: PeerAddress) -> Bool {
        a.family != b.family ? a.family < b.family : a.bytes.lexicographicallyPrecedes(b.bytes)
    }

    /// Dotted quad, or RFC 5952 text for IPv6 (inet_ntop).
    public var description: String {
        var storage = [CChar](repeating: 0, count: 64)
        var raw = bytes
        let af = family == 4 ? AF_INET : AF_INET6
        let ok = raw.withUnsafeMutableBytes { src in
            storage.withUnsafeMutableBufferPointer { inet_ntop(af, src.baseAddress, $0.baseAddress, 64) != nil }
        }
        return ok ? String(cString: storage) : "?"
    }
}
