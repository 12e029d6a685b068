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
            let interval = TimeAmount.nanoseconds(Int64(config.pingIntervalSeconds * 1e9))
            heartbeatTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
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

    /// Pings every open client; closes those silent for two intervals (a little slack for timer jitter).
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
        echoClients.forEach(visit)
        broadcastClients.forEach(visit)
    }

    /// Closes connections still in the HTTP phase after `--http-deadline`, and close handshakes the peer
    /// never finished.
    func deadlineSweep() {
        let now = Self.nowNanos()
        let httpLimit = UInt64(server.configuration.httpDeadlineSeconds * 1e9)
        httpConnections.forEach { h in
            if now &- h.phaseStartNanos >= httpLimit { h.closeForDeadline() }
        }
        closingClients.forEach { c in
            if now &- c.lastSeenNanos >= closeTimeoutNanos { c.closeNow() }
        }
    }

    func deliverBroadcast(_ frame: ByteBuffer, payloadBytes: Int) {
        broadcastClients.forEach { $0.send(frame: frame, payloadBytes: payloadBytes) }
    }

    /// Drain: every open client gets a 1001 close and moves to the closing list.
    func closeAllGoingAway() {
        let visit: (WebSocketConnection) -> Void = {
            $0.startClose(code: WebSocketCloseCode.goingAway, reason: "server shutting down")
        }
        echoClients.forEach(visit)
        broadcastClients.forEach(visit)
    }

    /// Shutdown: closes every channel this loop still has.
    func closeEverything() {
        echoClients.forEach { $0.closeNow() }
        broadcastClients.forEach { $0.closeNow() }
        closingClients.forEach { $0.closeNow() }
        httpConnections.forEach { $0.closeNow() }
    }

    /// This loop's counters, with queued outbound bytes summed over its clients now.
    func snapshot() -> ServerCounters {
        var c = counters
        var queued = 0
        let visit: (WebSocketConnection) -> Void = { queued += $0.bufferedOutboundBytes }
        echoClients.forEach(visit)
        broadcastClients.forEach(visit)
        closingClients.forEach(visit)
        c.queuedOutboundBytes = queued
        return c
    }
}
