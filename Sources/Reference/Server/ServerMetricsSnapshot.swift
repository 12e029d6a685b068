/// The server's counters at one moment plus process figures, rendered as Prometheus text for /metrics.
public struct ServerMetricsSnapshot: Sendable, Equatable {
    public var counters: ServerCounters
    public var draining: Bool
    public var maxConnections: Int
    public var residentMemoryBytes: Int?
    public var openFileDescriptors: Int?

    public init(
        counters: ServerCounters, draining: Bool, maxConnections: Int, residentMemoryBytes: Int?,
        openFileDescriptors: Int?
    ) {
        self.counters = counters
        self.draining = draining
        self.maxConnections = maxConnections
        self.residentMemoryBytes = residentMemoryBytes
        self.openFileDescriptors = openFileDescriptors
    }

    /// Prometheus text exposition format 0.0.4.
    public func prometheusText() -> String {
        var s = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            s += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                s += sample.labels.isEmpty ? "\(name) \(sample.value)\n" : "\(name){\(sample.labels)} \(sample.value)\n"
            }
        }
        let c = counters
        metric("wstune_connections_active", "gauge", "WebSocket connections open now.", [("", c.activeConnections)])
        metric("wstune_connections_max", "gauge", "The --max-connections cap.", [("", maxConnections)])
        metric("wstune_draining", "gauge", "1 while the server drains.", [("", draining ? 1 : 0)])
        metric("wstune_handshakes_total", "counter", "WebSocket upgrades completed.", [("", c.handshakes)])
        metric(
            "wstune_handshakes_refused_total", "counter", "Upgrades or connections refused, by reason.",
            RefusalReason.allCases.map { ("reason=\"\($0.rawValue)\"", c.refused[$0, default: 0]) })
        metric("wstune_http_requests_total", "counter", "Plain HTTP requests served.", [("", c.httpRequests)])
        metric("wstune_messages_received_total", "counter", "Messages received.", [("", c.messagesIn)])
        metric("wstune_messages_sent_total", "counter", "Messages sent.", [("", c.messagesOut)])
        metric("wstune_bytes_received_total", "counter", "Message payload bytes received.", [("", c.bytesIn)])
        metric("wstune_bytes_sent_total", "counter", "Message payload bytes sent.", [("", c.bytesOut)])
        metric("wstune_pings_sent_total", "counter", "Heartbeat pings sent.", [("", c.pingsSent)])
        metric("wstune_pings_received_total", "counter", "Pings received from clients.", [("", c.pingsReceived)])
        metric("wstune_pongs_received_total", "counter", "Pongs received from clients.", [("", c.pongsReceived)])
        metric(
            "wstune_pong_timeouts_total", "counter", "Clients closed after two silent ping intervals.",
            [("", c.pongTimeouts)])
        metric(
            "wstune_slow_consumer_drops_total", "counter", "Messages dropped because a send queue was full.",
            [("", c.slowConsumerDrops)])
        metric(
            "wstune_slow_consumer_disconnects_total", "counter",
            "Connections closed because a send queue was full.", [("", c.slowConsumerDisconnects)])
        metric(
            "wstune_control_flood_disconnects_total", "counter",
            "Connections closed with 1008 because their pings outpaced their reading.",
            [("", c.controlFloodDisconnects)])
        // EMFILE and ENFILE always present (0 until they happen), so a dashboard can alert on their rate.
        let acceptErrors = c.acceptErrors.merging(["EMFILE": 0, "ENFILE": 0]) { a, _ in a }
        metric(
            "wstune_accept_errors_total", "counter", "accept() failures of the listening socket, by errno.",
            acceptErrors.keys.sorted().map { ("errno=\"\($0)\"", acceptErrors[$0]!) })
        metric(
            "wstune_outbound_queued_bytes", "gauge", "Bytes waiting in outbound queues.",
            [("", c.queuedOutboundBytes)])
        metric(
            "wstune_close_frames_sent_total", "counter", "Close frames sent, by status code.",
            c.closesSent.keys.sorted().map { ("code=\"\($0)\"", c.closesSent[$0]!) })
        metric(
            "wstune_close_frames_received_total", "counter", "Close frames received, by status code.",
            c.closesReceived.keys.sorted().map { ("code=\"\($0)\"", c.closesReceived[$0]!) })
        if let rss = residentMemoryBytes {
            metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [("", rss)])
        }
        if let fds = openFileDescriptors {
            metric("process_open_fds", "gauge", "Number of open file descriptors.", [("", fds)])
        }
        return s
    }
}
