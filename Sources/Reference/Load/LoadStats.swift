import Foundation

/// Counters and histograms of one load run, shared by every event loop (one lock; updates are rare next to I/O).
public final class LoadStats: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var started = 0
    private(set) var connected = 0
    private(set) var open = 0
    private(set) var inFlight = 0
    /// By report key: a `ConnectionFailure` raw value, or "HTTP-<status>" (`ConnectionFailure.reportKey`).
    private(set) var failures: [String: Int] = [:]
    /// The first error text of each key, as evidence (sentences for people, `ConnectionFailure.describe`).
    private(set) var firstErrors: [String: String] = [:]
    private(set) var closedByPeerAfterUpgrade = 0
    /// Open connections lost to a protocol error from the server (closed by the client).
    private(set) var protocolErrorsAfterUpgrade = 0
    /// Open clients the broadcast did not reach (set once the broadcast is over).
    private(set) var broadcastMissed = 0
    private(set) var echoSent = 0
    private(set) var broadcastDelivered = 0
    private var connections: [ObjectIdentifier: LoadConnectionHandler] = [:]
    private var lastConnectedNanos: UInt64 = 0

    public let handshakeLatency = LatencyRecorder()
    /// The last second of handshake latency, for check's closed-loop ramp.
    public let handshakeWindow = LatencyWindow()
    public let echoLatency = LatencyRecorder()
    public let broadcastLatency = LatencyRecorder()

    public init() {}

    func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func noteStarted(_ count: Int = 1) {
        withLock {
            started += count
            inFlight += count
        }
    }

    func noteConnected(_ handler: LoadConnectionHandler, atNanos: UInt64) {
        withLock {
            lastConnectedNanos = max(lastConnectedNanos, atNanos)
            connected += 1
            open += 1
            inFlight -= 1
            connections[ObjectIdentifier(handler)] = handler
        }
    }

    func noteFailed(_ error: Error) {
        let key = ConnectionFailure.reportKey(error)
        let text = ConnectionFailure.describe(error)
        withLock {
            inFlight -= 1
            failures[key, default: 0] += 1
            if firstErrors[key] == nil { firstErrors[key] = text }
        }
    }

    /// An open connection ends: by the peer (counted as closed-by-peer) unless the client closed it, either
    /// at the end of the run or because of `protocolError` (counted as protocol-error, with its text).
    func noteDisconnected(
        _ handler: LoadConnectionHandler, byPeer: Bool, protocolError: Error? = nil, evidence: String? = nil
    ) {
        withLock {
            guard connections.removeValue(forKey: ObjectIdentifier(handler)) != nil else { return }
            open -= 1
            if let protocolError {
                protocolErrorsAfterUpgrade += 1
                let key = ConnectionFailure.protocolError.rawValue
                failures[key, default: 0] += 1
                if firstErrors[key] == nil { firstErrors[key] = ConnectionFailure.describe(protocolError) }
            } else if byPeer {
                closedByPeerAfterUpgrade += 1
                let key = ConnectionFailure.closedByPeer.rawValue
                failures[key, default: 0] += 1
                if firstErrors[key] == nil, let evidence { firstErrors[key] = evidence }
            }
        }
    }

    /// The broadcast is over: open clients that did not get it are counted as errors, with the figures.
    func noteBroadcastMissed(_ missed: Int, expected: Int, seconds: Double) {
        guard missed > 0 else { return }
        withLock {
            broadcastMissed += missed
            let key = ConnectionFailure.broadcastUndelivered.rawValue
            failures[key, default: 0] += missed
            if firstErrors[key] == nil {
                firstErrors[key] = String(
                    format: "%d of %d open clients received nothing within %.1f s", missed, expected, seconds)
            }
        }
    }

    /// Seconds from `startNanos` to the last completed handshake (0 when none completed).
    func lastHandshakeSeconds(since startNanos: UInt64) -> Double {
        withLock { lastConnectedNanos > startNanos ? Double(lastConnectedNanos - startNanos) / 1e9 : 0 }
    }

    func noteEchoSent() {
        withLock { echoSent += 1 }
    }

    func noteBroadcastReceived(by handler: LoadConnectionHandler, latencyMicros: UInt64) {
        let first: Bool = withLock {
            guard !handler.receivedBroadcast else { return false }
            handler.receivedBroadcast = true
            broadcastDelivered += 1
            return true
        }
        if first { broadcastLatency.record(micros: latencyMicros) }
    }

    /// Open connections that have not seen the broadcast yet, at most `limit`, chosen at random.
    func missingBroadcast(limit: Int) -> [LoadConnectionHandler] {
        withLock {
            Array(connections.values.lazy.filter { !$0.receivedBroadcast }.prefix(limit * 16).shuffled().prefix(limit))
        }
    }

    var openConnections: [LoadConnectionHandler] {
        withLock { Array(connections.values) }
    }

    /// A consistent snapshot for progress and reports.
    func snapshot() -> (
        started: Int, connected: Int, open: Int, inFlight: Int, failed: Int,
        failures: [String: Int], firstErrors: [String: String],
        closedByPeer: Int, echoSent: Int, broadcastDelivered: Int
    ) {
        withLock {
            (
                started, connected, open, inFlight,
                failures.values.reduce(0, +) - closedByPeerAfterUpgrade - protocolErrorsAfterUpgrade - broadcastMissed,
                failures,
                firstErrors, closedByPeerAfterUpgrade, echoSent, broadcastDelivered
            )
        }
    }
}
