import Glibc
import HostFacts

/// One sample of everything `top` (and live checks) show, taken at a monotonic time.
public struct LiveSample: Sendable {
    public let seconds: Double
    public let sockets: SocketCounts
    public let conntrack: ConntrackSummary
    public let host: HostLoad
    /// Where the socket counts came from: the live counter's map, or a full sock_diag dump.
    public let source: Source

    public enum Source: String, Sendable, Codable {
        case bpf, netlink
    }

    /// Takes a sample: the live counter's counts when there is one, else a sock_diag dump over every state
    /// (cookies of established sockets kept for the open and close rates); conntrack's fast figures (no dump)
    /// and the host files under `root`.
    public static func take(query: SocketQuery, root: HostRoot = HostRoot(), live: LiveCounter? = nil) throws
        -> LiveSample
    {
        var q = query
        q.states = TCPState.allCases
        q.collectCookies = live == nil
        q.establishedByPort = true
        let sockets = try live?.counts(q) ?? SocketCounter.count(q)
        let conntrack = (try? ConntrackReader.read(root: root)) ?? ConntrackSummary(loaded: false)
        let host = (try? HostLoad.read(root: root)) ?? HostLoad()
        return LiveSample(
            seconds: monotonicSeconds(), sockets: sockets, conntrack: conntrack, host: host,
            source: live == nil ? .netlink : .bpf)
    }

    public init(
        seconds: Double, sockets: SocketCounts, conntrack: ConntrackSummary, host: HostLoad,
        source: Source = .netlink
    ) {
        self.seconds = seconds
        self.sockets = sockets
        self.conntrack = conntrack
        self.host = host
        self.source = source
    }

    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// What changed between two samples, per second where it is a rate.
public struct LiveDelta: Sendable, Equatable {
    public let intervalSeconds: Double
    /// Established sockets (matching the filter) present now but not before, and gone since, per second. A
    /// connection that opens and closes between two samples is seen by neither.
    public let openedPerSecond: Double
    public let closedPerSecond: Double
    /// Change in each state's count since the previous sample.
    public let stateChange: [TCPState: Int]
    /// Increase of TcpExt.ListenOverflows and TcpExt.ListenDrops over the interval.
    public let listenOverflows: Int?
    public let listenDrops: Int?

    public init(from a: LiveSample, to b: LiveSample) {
        intervalSeconds = max(b.seconds - a.seconds, 1e-6)
        var opened = b.sockets.establishedCookies.subtracting(a.sockets.establishedCookies).count
        var closed = a.sockets.establishedCookies.subtracting(b.sockets.establishedCookies).count
        // The live counter counts every entry into and exit from ESTABLISHED, short-lived ones included.
        if let o0 = a.sockets.openedTotal, let o1 = b.sockets.openedTotal { opened = o1 - o0 }
        if let c0 = a.sockets.closedTotal, let c1 = b.sockets.closedTotal { closed = c1 - c0 }
        openedPerSecond = Double(opened) / intervalSeconds
        closedPerSecond = Double(closed) / intervalSeconds
        var change: [TCPState: Int] = [:]
        for s in TCPState.allCases { change[s] = (b.sockets.byState[s] ?? 0) - (a.sockets.byState[s] ?? 0) }
        stateChange = change
        listenOverflows = LiveDelta.difference(a.host.listenOverflows, b.host.listenOverflows)
        listenDrops = LiveDelta.difference(a.host.listenDrops, b.host.listenDrops)
    }

    static func difference(_ a: Int?, _ b: Int?) -> Int? {
        guard let a, let b else { return nil }
        return b - a
    }
}
