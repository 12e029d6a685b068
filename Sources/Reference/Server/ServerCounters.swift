/// Counters one event loop keeps for the connections it serves. Only that loop touches them, so they are
/// plain integers: no atomics on the message path. `ReferenceServer.metrics()` adds the loops up.
public struct ServerCounters: Sendable, Equatable {
    public var activeConnections = 0
    public var handshakes = 0
    public var refused: [RefusalReason: Int] = [:]
    public var messagesIn = 0
    public var messagesOut = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var pingsSent = 0
    public var pingsReceived = 0
    public var pongsReceived = 0
    public var pongTimeouts = 0
    public var slowConsumerDrops = 0
    public var slowConsumerDisconnects = 0
    /// Connections closed with 1008 because their pings (control frames) outpaced their reading.
    public var controlFloodDisconnects = 0
    /// accept() failures of the listening socket, by errno name (EMFILE, ENFILE, …).
    public var acceptErrors: [String: Int] = [:]
    /// Close frames the server sent, by status code.
    public var closesSent: [UInt16: Int] = [:]
    /// Close frames peers sent, by status code (1005 when the frame had no code).
    public var closesReceived: [UInt16: Int] = [:]
    public var httpRequests = 0
    /// Bytes waiting in outbound queues, summed when the snapshot was taken.
    public var queuedOutboundBytes = 0

    public init() {}

    mutating func add(_ o: ServerCounters) {
        activeConnections += o.activeConnections
        handshakes += o.handshakes
        refused.merge(o.refused, uniquingKeysWith: +)
        messagesIn += o.messagesIn
        messagesOut += o.messagesOut
        bytesIn += o.bytesIn
        bytesOut += o.bytesOut
        pingsSent += o.pingsSent
        pingsReceived += o.pingsReceived
        pongsReceived += o.pongsReceived
        pongTimeouts += o.pongTimeouts
        slowConsumerDrops += o.slowConsumerDrops
        slowConsumerDisconnects += o.slowConsumerDisconnects
        controlFloodDisconnects += o.controlFloodDisconnects
        acceptErrors.merge(o.acceptErrors, uniquingKeysWith: +)
        closesSent.merge(o.closesSent, uniquingKeysWith: +)
        closesReceived.merge(o.closesReceived, uniquingKeysWith: +)
        httpRequests += o.httpRequests
        queuedOutboundBytes += o.queuedOutboundBytes
    }
}
