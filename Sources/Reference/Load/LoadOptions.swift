import Foundation

/// What one `load` run does. Every phase is bounded in time as well as count.
public struct LoadOptions: Sendable {
    public var target: WebSocketTarget
    public var connections: Int
    /// Handshakes started per second; 0 starts them as fast as the in-flight cap allows.
    public var ratePerSecond: Double
    /// Local addresses to bind before connecting; nil lets the kernel choose.
    public var sources: SourceAddressPool?
    public var holdSeconds: Double
    /// Echo messages per second per connection (0: none) and their size in bytes (at least 17).
    public var messageRatePerConnection: Double
    public var messageSizeBytes: Int
    /// Seconds for TCP connect, and for the whole handshake (connect + HTTP upgrade).
    public var connectTimeoutSeconds: Double
    public var handshakeTimeoutSeconds: Double
    /// Most handshakes in flight at once.
    public var maxInFlight: Int
    /// Event loop threads.
    public var threads: Int
    /// On /ws/broadcast: send one message to all after the ramp (automatically, or when told so by `broadcastNow`).
    public var broadcast: Bool
    /// Senders per broadcast round (several cover several server processes behind one port; receivers dedupe).
    public var broadcastSenders: Int
    /// How long to wait for a broadcast to reach every client.
    public var broadcastWaitSeconds: Double
    /// Upper bound on the ramp phase; past it, remaining connections are not started.
    public var rampTimeoutSeconds: Double
    /// Origin header sent with the upgrade (nil: none).
    public var origin: String?

    public init(
        target: WebSocketTarget, connections: Int, ratePerSecond: Double = 1000,
        sources: SourceAddressPool? = nil, holdSeconds: Double = 0, messageRatePerConnection: Double = 0,
        messageSizeBytes: Int = 32, connectTimeoutSeconds: Double = 10, handshakeTimeoutSeconds: Double = 15,
        maxInFlight: Int = 2000, threads: Int = ProcessInfo.processInfo.activeProcessorCount, broadcast: Bool = false,
        broadcastSenders: Int = 1, broadcastWaitSeconds: Double = 10, rampTimeoutSeconds: Double? = nil,
        origin: String? = nil
    ) {
        self.target = target
        self.connections = connections
        self.ratePerSecond = ratePerSecond
        self.sources = sources
        self.holdSeconds = holdSeconds
        self.messageRatePerConnection = messageRatePerConnection
        self.messageSizeBytes = messageSizeBytes
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.handshakeTimeoutSeconds = handshakeTimeoutSeconds
        self.maxInFlight = maxInFlight
        self.threads = threads
        self.broadcast = broadcast
        self.broadcastSenders = broadcastSenders
        self.broadcastWaitSeconds = broadcastWaitSeconds
        self.origin = origin
        // Default bound: the planned ramp time twice over, plus the handshake timeout, at least 30 s.
        let planned = ratePerSecond > 0 ? Double(connections) / ratePerSecond : Double(connections) / 2000
        self.rampTimeoutSeconds = rampTimeoutSeconds ?? max(30, planned * 2 + handshakeTimeoutSeconds)
    }

    /// Checks the values a user can get wrong.
    public func validate() throws {
        guard connections >= 1 && connections <= 10_000_000 else {
            throw LoadError.invalidOption("--connections", reason: "must be 1...10,000,000 (got \(connections))")
        }
        guard ratePerSecond >= 0 else { throw LoadError.invalidOption("--rate", reason: "must be >= 0") }
        guard holdSeconds >= 0 && holdSeconds <= 86_400 else {
            throw LoadError.invalidOption("--hold", reason: "must be 0...86400 seconds")
        }
        guard messageRatePerConnection >= 0 && messageRatePerConnection <= 1000 else {
            throw LoadError.invalidOption("--message-rate", reason: "must be 0...1000 per connection per second")
        }
        guard messageSizeBytes >= 17 && messageSizeBytes <= 1 << 20 else {
            throw LoadError.invalidOption("--message-size", reason: "must be 17...1048576 bytes")
        }
        guard threads >= 1 && threads <= 256 else {
            throw LoadError.invalidOption("--threads", reason: "must be 1...256")
        }
        guard maxInFlight >= 1 else { throw LoadError.invalidOption("--max-in-flight", reason: "must be >= 1") }
        guard broadcastWaitSeconds > 0 && broadcastWaitSeconds <= 600 else {
            throw LoadError.invalidOption("--broadcast-wait", reason: "must be more than 0 and at most 600 seconds")
        }
    }
}
