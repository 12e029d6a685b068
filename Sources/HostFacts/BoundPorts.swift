/// Ports of the ephemeral range that connect()'s own port choice skips while they are held: ports whose bind
/// bucket was created by bind() (net/ipv4/inet_hashtables.c, `__inet_hash_connect` goes to the next port when
/// `tb->fastreuse >= 0 || tb->fastreuseport >= 0`; only buckets connect() itself creates carry -1). The bucket is
/// per port and namespace, not per address, so a socket bound to 127.0.0.2:0 costs 127.0.0.1 → any destination
/// that port too, and it lives as long as any owner does, TIME-WAIT included. Measured (issue 19,
/// `BoundPortReproductionTests`): 500 such sockets in a 2,000-port range left 1,500 connections to one
/// destination, held bound, connected or in TIME-WAIT alike; 500 connect()-chosen TIME-WAIT sockets cost none.
///
/// On the live root SocketDiag's `BoundPortCensus` fills this from one sock_diag dump; HostFacts imports no netlink.
public struct BoundPorts: Sendable, Equatable {
    /// Listening sockets' ports inside the range (a listener always owns a bind() bucket).
    public var listening: Set<Int>
    /// Ports of sockets bound and nothing else (Linux ≥ 6.7 dumps them as TCP_CLOSE for TCPF_BOUND_INACTIVE).
    public var boundOnly: Set<Int>
    /// Ports of connected, closing or TIME-WAIT sockets that got their port from bind(0), as far as a dump can
    /// tell: sock_diag does not say who created the bucket, so the census goes by parity. bind(0) first tries ports
    /// whose offset from the range's low end is odd, connect() those whose offset is even
    /// (`inet_csk_find_open_port`, `__inet_hash_connect`). A destination holding more than half the range filled
    /// one half first: the fuller half says who chose all its ports. Once bind(0)'s half is full it spills into
    /// the other: then single-socket ports of connect()'s parity are counted too (the safe side).
    public var connectedAfterBind: Set<Int>
    /// Whether the kernel dumped bound-only sockets (false before 6.7: `boundOnly` is then unknown, not empty).
    public var boundOnlyDumped: Bool

    public init(
        listening: Set<Int> = [], boundOnly: Set<Int> = [], connectedAfterBind: Set<Int> = [],
        boundOnlyDumped: Bool = true
    ) {
        self.listening = listening
        self.boundOnly = boundOnly
        self.connectedAfterBind = connectedAfterBind
        self.boundOnlyDumped = boundOnlyDumped
    }

    /// Every port counted, once.
    public var all: Set<Int> { listening.union(boundOnly).union(connectedAfterBind) }

    /// The census for the live namespace, given ip_local_port_range (HostFacts does not import netlink).
    public typealias Live = @Sendable (_ range: ClosedRange<Int>) throws -> BoundPorts
}
