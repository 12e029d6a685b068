import NIOCore

/// What a slow consumer's overflow does once its outbound queue is full.
public enum OverflowPolicy: String, Sendable, CaseIterable {
    /// Drop the message for that client and count it.
    case drop
    /// Close that client's connection and count it.
    case disconnect
}

/// Everything `ReferenceServer` needs to run; `wstune serve` fills it from its options.
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    /// 0 asks the kernel for a free port (read it back from `ReferenceServer.localPort`).
    public var port: Int
    /// Event-loop threads; defaults to the core count.
    public var threads: Int
    /// SO_REUSEPORT on the listening socket, so several processes can share one port.
    public var reusePort: Bool
    /// WebSocket connections held at once; further upgrades get 503 and /readyz turns 503.
    public var maxConnections: Int
    /// A ping to every client each interval; a client silent for two intervals is closed. 0 turns heartbeats off.
    public var pingIntervalSeconds: Double
    /// Time a connection may spend before its upgrade (or plain HTTP request) is done; then it is closed.
    public var httpDeadlineSeconds: Double
    /// Bytes that may wait in one connection's outbound queue before `onOverflow` applies.
    public var sendQueueBytes: Int
    public var onOverflow: OverflowPolicy
    /// Largest message (after reassembling fragments) accepted; larger ones get close code 1009.
    public var maxMessageBytes: Int
    /// Allowed `Origin` values (exact, case-insensitive); empty allows every origin.
    public var allowedOrigins: [String]
    /// How long a drain waits for clients to answer the 1001 close before closing what is left.
    public var drainTimeoutSeconds: Double
    /// One JSON line per connect and disconnect on standard output.
    public var logConnections: Bool
    /// listen(2) backlog.
    public var backlog: Int
    /// Accept permessage-deflate (RFC 7692) when a client offers it.
    public var deflate = false
    /// With `deflate`: answer every offer with server_ and client_no_context_takeover, so a connection keeps
    /// no zlib state between messages (less memory, less compression).
    public var deflateNoContextTakeover = false

    public init(
        host: String = "127.0.0.1", port: Int = 8080, threads: Int = System.coreCount,
        reusePort: Bool = false, maxConnections: Int = 100_000, pingIntervalSeconds: Double = 30,
        httpDeadlineSeconds: Double = 10, sendQueueBytes: Int = 256 * 1024, onOverflow: OverflowPolicy = .drop,
        maxMessageBytes: Int = 1 << 20, allowedOrigins: [String] = [], drainTimeoutSeconds: Double = 10,
        logConnections: Bool = false, backlog: Int = 4096
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.reusePort = reusePort
        self.maxConnections = maxConnections
        self.pingIntervalSeconds = pingIntervalSeconds
        self.httpDeadlineSeconds = httpDeadlineSeconds
        self.sendQueueBytes = sendQueueBytes
        self.onOverflow = onOverflow
        self.maxMessageBytes = maxMessageBytes
        self.allowedOrigins = allowedOrigins
        self.drainTimeoutSeconds = drainTimeoutSeconds
        self.logConnections = logConnections
        self.backlog = backlog
    }

    /// Every problem with the values, one line each; empty when the configuration can run.
    public func problems() -> [String] {
        var out: [String] = []
        if !(0...65535).contains(port) { out.append("--port \(port): must be 0…65535") }
        if threads < 1 || threads > 1024 { out.append("--threads \(threads): must be 1…1024") }
        if maxConnections < 1 { out.append("--max-connections \(maxConnections): must be at least 1") }
        if pingIntervalSeconds < 0 || !pingIntervalSeconds.isFinite {
            out.append("--ping-interval \(pingIntervalSeconds): must be 0 (off) or a positive number of seconds")
        }
        if httpDeadlineSeconds <= 0 || !httpDeadlineSeconds.isFinite {
            out.append("--http-deadline \(httpDeadlineSeconds): must be a positive number of seconds")
        }
        if sendQueueBytes < 1024 { out.append("--send-queue \(sendQueueBytes): must be at least 1024 bytes") }
        if maxMessageBytes < 125 || maxMessageBytes > Int(UInt32.max) {
            out.append("--max-message \(maxMessageBytes): must be 125…\(UInt32.max) bytes")
        }
        if drainTimeoutSeconds < 0 || !drainTimeoutSeconds.isFinite {
            out.append("--drain-timeout \(drainTimeoutSeconds): must be 0 or more seconds")
        }
        if backlog < 1 { out.append("--backlog \(backlog): must be at least 1") }
        return out
    }
}
