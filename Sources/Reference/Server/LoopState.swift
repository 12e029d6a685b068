import NIOCore

/// What one event loop knows about its connections: the lists the shared sweeps walk, the broadcast
/// members, and the loop's counters. Only `eventLoop` touches it, so nothing here is locked.
///
/// Timers are shared: one repeated task per loop sends heartbeats to all its WebSocket clients, and one
/// checks HTTP-phase deadlines and unanswered close handshakes, instead of a timer per connection.
final class LoopState: @unchecked Sendable {
    let eventLoop: EventLoop
    unowned let server: ServerContext
    var counters = ServerCounters()

    var echoClients = IntrusiveList<WebSocketConnection>(tag: 1)
    var broadcastClients = IntrusiveList<WebSocketConnection>(tag: 2)
    /// Connections that sent or got a close frame and wait for the other side; closed after `closeTimeout`.
    var closingClients = IntrusiveList<WebSocketConnection>(tag: 3)
    var httpConnections = IntrusiveList<HTTPEndpointHandler>(tag: 1)

    /// An empty ping frame shared by every heartbeat of this loop (written many times, never copied).
    let pingFrame: ByteBuffer
    let closeTimeoutNanos: UInt64 = 5_000_000_000
    private var heartbeatTask: RepeatedTask?
    private var deadlineTask: RepeatedTask?

    init(eventLoop: EventLoop, server: ServerContext) {
        self.eventLoop = eventLoop
        self.server = server
        var ping = ByteBufferAllocator().buffer(capacity: 2)
        ping.writeBytes([0x89, 0x00])
        self.pingFrame = ping
    }

    static func nowNanos() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    func startSweeps() {
        let config = server.configuration
        if config.pingIntervalSeconds > 0 {
            let interval = Int64(config.pingIntervalSeconds * 1e9)
            let slice = TimeAmount.nanoseconds(interval / Int64(Self.heartbeatSlices))
            heartbeatTask = eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(interval), delay: slice) { _ in
                self.heartbeatSweep()
            }
        }
        let deadlineEvery = max(0.05, min(1.0, config.httpDeadlineSeconds / 4))
        let d = TimeAmount.nanoseconds(Int64(deadlineEvery * 1e9))
        deadlineTask = eventLoop.scheduleRepeatedTask(initialDelay: d, delay: d) { _ in self.deadlineSweep() }
    }

    func stopSweeps() {
        heartbeatTask?.cancel()
        deadlineTask?.cancel()
        heartbeatTask = nil
        deadlineTask = nil
    }

    /// A heartbeat sweep runs in this many slices per interval, each visiting about 1/slices of the clients,
    /// so 50,000 pings do not go out in one turn of the loop (which would stall every message behind them).
    static let heartbeatSlices = 10

    /// One slice of the heartbeat: pings the clients it visits; closes those silent for two intervals (less a
    /// little slack for timer jitter). Each client is visited about once per interval.
    func heartbeatSweep() {
        let intervalNanos = UInt64(server.configuration.pingIntervalSeconds * 1e9)
        let limit = 2 * intervalNanos - intervalNanos / 10
        let now = Self.nowNanos()
        let visit: (WebSocketConnection) -> Void = { conn in
            if now &- conn.lastSeenNanos >= limit {
                self.counters.pongTimeouts += 1
                conn.closeSilentPeer()
            } else {
                conn.sendPing(self.pingFrame)
            }
        }
        // Each call to nextForSweep is its own short access to the list, so `visit` may close (and unlink)
        // the connection it is given.
        let slices = Self.heartbeatSlices
        var budget = (echoClients.count + slices - 1) / slices
        while budget > 0, let conn = echoClients.nextForSweep() {
            budget -= 1
            visit(conn)
        }
        budget = (broadcastClients.count + slices - 1) / slices
        while budget > 0, let conn = broadcastClients.nextForSweep() {
            budget -= 1
            visit(conn)
        }
    }

    /// Closes connections still in the HTTP phase after `--http-deadline`, and close handshakes the peer
    /// never finished.
    func deadlineSweep() {
        let now = Self.nowNanos()
        let httpLimit = UInt64(server.configuration.httpDeadlineSeconds * 1e9)
        Self.each(httpConnections) { h in
            if now &- h.phaseStartNanos >= httpLimit { h.closeForDeadline() }
        }
        Self.each(closingClients) { c in
            if now &- c.lastSeenNanos >= closeTimeoutNanos { c.closeNow() }
        }
    }

    /// Walks a copy of a list's handle, so the walk holds no access to the stored list and the visited
    /// connection may unlink itself (Swift's exclusivity rule forbids that during an access).
    private static func each<Node>(_ list: IntrusiveList<Node>, _ body: (Node) -> Void) {
        list.forEach(body)
    }

    func deliverBroadcast(_ frame: ByteBuffer, payloadBytes: Int) {
        Self.each(broadcastClients) { $0.send(frame: frame, payloadBytes: payloadBytes) }
    }

    /// Drain: every open client gets a 1001 close and moves to the closing list.
    func closeAllGoingAway() {
        let visit: (WebSocketConnection) -> Void = {
            $0.startClose(code: WebSocketCloseCode.goingAway, reason: "server shutting down")
        }
        Self.each(echoClients, visit)
        Self.each(broadcastClients, visit)
    }

    /// Shutdown: closes every channel this loop still has.
    func closeEverything() {
        Self.each(echoClients) { $0.closeNow() }
        Self.each(broadcastClients) { $0.closeNow() }
        Self.each(closingClients) { $0.closeNow() }
        Self.each(httpConnections) { $0.closeNow() }
    }

    /// This loop's counters, with queued outbound bytes summed over its clients now.
    func snapshot() -> ServerCounters {
        var c = counters
        var queued = 0
        let visit: (WebSocketConnection) -> Void = { queued += $0.bufferedOutboundBytes }
        Self.each(echoClients, visit)
        Self.each(broadcastClients, visit)
        Self.each(closingClients, visit)
        c.queuedOutboundBytes = queued
        return c
    }
}
