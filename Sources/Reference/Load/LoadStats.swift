import Foundation

/// Counters and histograms of one load run, shared by every event loop (one lock; updates are rare next to I/O).
public final class LoadStats: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var started = 0
    private(set) var connected = 0
    private(set) var open = 0
    private(set) var inFlight = 0
    private(set) var failures: [ConnectionFailure: Int] = [:]
    /// The first error text of each kind, as evidence.
    private(set) var firstErrors: [ConnectionFailure: String] = [:]
    private(set) var closedByPeerAfterUpgrade = 0
    private(set) var echoSent = 0
    private(set) var broadcastDelivered = 0
    private var connections: [ObjectIdentifier: LoadConnectionHandler] = [:]
    private var lastConnectedNanos: UInt64 = 0

    public let handshakeLatency = LatencyRecorder()
    public let echoLatency = LatencyRecorder()
    public let broadcastLatency = LatencyRecorder()

    public init() {}

    func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func noteStarted() {
        withLock {
            started += 1
            inFlight += 1
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

    func noteFailed(_ kind: ConnectionFailure, _ error: Error) {
        withLock {
            inFlight -= 1
            failures[kind, default: 0] += 1
            if firstErrors[kind] == nil { firstErrors[kind] = "\(error)" }
        }
    }

    func noteDisconnected(_ handler: LoadConnectionHandler, byPeer: Bool) {
        withLock {
            guard connections.removeValue(forKey: ObjectIdentifier(handler)) != nil else { return }
            open -= 1
            if byPeer {
                closedByPeerAfterUpgrade += 1
                failures[.closedByPeer, default: 0] += 1
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

    /// Marks a sender as delivered (it holds the message whether or not the server echoes it back).
    func markSender(_ handler: LoadConnectionHandler) {
        withLock {
            if !handler.receivedBroadcast {
                handler.receivedBroadcast = true
                broadcastDelivered += 1
            }
        }
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
        failures: [ConnectionFailure: Int], firstErrors: [ConnectionFailure: String],
        closedByPeer: Int, echoSent: Int, broadcastDelivered: Int
    ) {
        withLock {
            (
                started, connected, open, inFlight, failures.values.reduce(0, +) - closedByPeerAfterUpgrade, failures,
                firstErrors, closedByPeerAfterUpgrade, echoSent, broadcastDelivered
            )
        }
    }
}
