import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The SwiftNIO load client: ramps `connections` WebSocket handshakes at a fixed rate (binding each to a source
/// address from the pool first), holds them open, optionally sends echo messages and one broadcast, then closes.
/// Blocking API: `run` returns when the run is over. Every loop below is bounded by a count and a deadline.
public final class LoadClient: @unchecked Sendable {
    public let options: LoadOptions
    public let stats = LoadStats()
    public let control: LoadControl
    /// When true (check's workers), the broadcast waits for `control.requestBroadcast()` and the hold lasts
    /// until `control.requestStop()` or `holdSeconds`.
    public var awaitCommands = false
    /// Include raw histograms in the report (for merging).
    public var includeHistograms = false

    /// Linux's IP_BIND_ADDRESS_NO_PORT: bind the source address now, pick the port at connect() time by the
    /// whole 4-tuple, so each source address gets the full ephemeral range per destination.
    static let ipBindAddressNoPort = ChannelOptions.Types.SocketOption(
        level: NIOBSDSocket.OptionLevel(rawValue: CInt(IPPROTO_IP)), name: NIOBSDSocket.Option(rawValue: 24))

    public init(options: LoadOptions, control: LoadControl = LoadControl()) {
        self.options = options
        self.control = control
    }

    private static func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    public func run(progress: ((LoadProgress) -> Void)? = nil) throws -> LoadReport {
        try options.validate()
        let destination = try SocketAddress.makeAddressResolvingHost(options.target.host, port: options.target.port)
        let sourceAddresses = try (options.sources?.addresses ?? []).map { try SocketAddress(ipAddress: $0, port: 0) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        defer { try? group.syncShutdownGracefully() }

        let t0 = Self.nowNanos()
        func elapsed() -> Double { Double(Self.nowNanos() - t0) / 1e9 }
        var lastTick = 0.0
        var lastConnected = 0
        var peakOpen = 0
        func report(_ phase: LoadProgress.Phase, force: Bool = false) {
            let e = elapsed()
            guard force || e - lastTick >= 0.25 else { return }
            let s = stats.snapshot()
            peakOpen = max(peakOpen, s.open)
            let rate = e > lastTick ? Double(s.connected - lastConnected) / (e - lastTick) : 0
            lastTick = e
            lastConnected = s.connected
            var p = LoadProgress(
                phase: phase, elapsedSeconds: e, requested: options.connections,
                started: s.started, connected: s.connected, open: s.open, failed: s.failed,
                handshakesPerSecond: rate)
            p.inFlight = s.inFlight
            p.handshakeWindow = stats.handshakeWindow.summary()
            progress?(p)
        }

        // Ramp: start handshake i at t0 + i/rate (or at the rate check's closed loop sets, `RampPacer`), never
        // more than maxInFlight at once, never past the deadline.
        let rampDeadline = options.rampTimeoutSeconds
        var pacer = RampPacer()
        for i in 0..<options.connections {
            if control.shouldStop || elapsed() > rampDeadline { break }
            let due = pacer.nextDueSeconds
            while elapsed() < due && elapsed() < rampDeadline {
                report(.ramp)
                let wait = min(due - elapsed(), 0.05)
                if wait > 0.0002 { usleep(UInt32(wait * 1e6)) }
            }
            while stats.withLock({ stats.inFlight }) >= options.maxInFlight && elapsed() < rampDeadline {
                report(.ramp)
                usleep(500)
            }
            if elapsed() > rampDeadline { break }
            let source = sourceAddresses.isEmpty ? nil : sourceAddresses[i % sourceAddresses.count]
            startConnection(group: group, destination: destination, source: source)
            pacer.started(at: elapsed(), control: control, defaultRate: options.ratePerSecond)
            if i % 64 == 0 { report(.ramp) }
        }
        // Settle: wait for the handshakes in flight (each has its own timeout), bounded.
        let settleDeadline = elapsed() + options.handshakeTimeoutSeconds + 2
        while stats.withLock({ stats.inFlight }) > 0 && elapsed() < settleDeadline {
            report(.settle)
            usleep(10_000)
        }
        let rampSeconds = max(stats.lastHandshakeSeconds(since: t0), 0.000_001)
        report(.hold, force: true)

        // Hold: echo traffic, one broadcast (now, or when told), until the hold ends or a stop command.
        if options.messageRatePerConnection > 0 {
            for c in stats.openConnections {
                c.startEcho(perSecond: options.messageRatePerConnection, sizeBytes: options.messageSizeBytes)
            }
        }
        var broadcast: BroadcastResult?
        let wantsBroadcast = options.broadcast && options.target.isBroadcast
        let holdStart = elapsed()
        // A worker holds until told to stop, bounded by holdSeconds; a plain run holds holdSeconds.
        // A pending broadcast goes out before a stop is honoured ("broadcast" then "stop" does both).
        while elapsed() - holdStart < options.holdSeconds {
            if wantsBroadcast && broadcast == nil && (!awaitCommands || control.takeBroadcastRequest()) {
                broadcast = runBroadcast(report: { report(.broadcast) })
                report(.hold, force: true)
                continue
            }
            if control.shouldStop { break }
            report(.hold)
            usleep(20_000)
        }
        if wantsBroadcast && broadcast == nil && !awaitCommands {
            broadcast = runBroadcast(report: { report(.broadcast) })
        }
        let holdSeconds = elapsed() - holdStart
        let openAtEnd = stats.withLock { stats.open }
        peakOpen = max(peakOpen, openAtEnd)

        // Close: a close frame to each, then wait (bounded) for the channels to go.
        for c in stats.openConnections { c.close() }
        let closeDeadline = elapsed() + 10
        while stats.withLock({ stats.open }) > 0 && elapsed() < closeDeadline {
            report(.closing)
            usleep(20_000)
        }
        report(.done, force: true)

        let s = stats.snapshot()
        return LoadReport(
            url: options.target.urlString, requested: options.connections, started: s.started, connected: s.connected,
            openAtEnd: openAtEnd, peakOpen: peakOpen, failed: s.failed,
            failures: s.failures, firstErrors: s.firstErrors,
            closedByPeer: s.closedByPeer, sourceAddresses: max(sourceAddresses.count, 1),
            rampSeconds: rampSeconds, handshakesPerSecond: Double(s.connected) / rampSeconds,
            handshake: stats.handshakeLatency.summary, echoSent: s.echoSent, echo: stats.echoLatency.summary,
            broadcast: broadcast, holdSeconds: holdSeconds,
            handshakeHistogram: includeHistograms ? stats.handshakeLatency.histogramCopy : nil,
            broadcastHistogram: includeHistograms && broadcast != nil ? stats.broadcastLatency.histogramCopy : nil)
    }

    /// Sends a broadcast from a few clients, then waits (bounded) for it to reach every open client. Behind one
    /// port, several server processes each fan out only to their own clients, so a later round goes out from
    /// clients that have not seen it yet (they sit on a process no sender reached); at most 4 rounds.
    private func runBroadcast(report: () -> Void) -> BroadcastResult {
        let expected = stats.withLock { stats.open }
        let startNanos = Self.nowNanos()
        var rounds = 0
        var senders = 0
        let size = max(options.messageSizeBytes, 17)
        for round in 1...4 {
            let missing = stats.missingBroadcast(limit: options.broadcastSenders)
            if missing.isEmpty { break }
            rounds = round
            senders += missing.count
            // A sender counts only when the message comes back to it too: every client of the endpoint,
            // senders included, must receive it (the reference server and `websockets` broadcast do that).
            for m in missing {
                m.sendBroadcast(round: UInt64(round), sizeBytes: size)
            }
            let wait = round == 1 ? options.broadcastWaitSeconds : options.broadcastWaitSeconds / 2
            let deadline = Self.nowNanos() + UInt64(wait * 1e9)
            while Self.nowNanos() < deadline {
                if stats.withLock({ stats.broadcastDelivered >= stats.open }) { break }
                report()
                usleep(10_000)
            }
        }
        let delivered = stats.withLock { stats.broadcastDelivered }
        stats.noteBroadcastMissed(
            max(expected - delivered, 0), expected: expected,
            seconds: Double(Self.nowNanos() - startNanos) / 1e9)
        return BroadcastResult(
            expected: expected, delivered: min(delivered, expected), rounds: rounds,
            senders: senders, latency: stats.broadcastLatency.summary)
    }

    private func startConnection(group: EventLoopGroup, destination: SocketAddress, source: SocketAddress?) {
        stats.noteStarted()
        let startNanos = Self.nowNanos()
        let stats = self.stats
        let options = self.options
        let once = OnceFlag()
        // Runs once per connection: success when the upgrade completes, failure on any error or timeout.
        let finish: @Sendable (Result<LoadConnectionHandler, Error>) -> Void = { result in
            guard once.claim() else { return }
            switch result {
            case .success(let handler):
                stats.handshakeLatency.recordSince(uptimeNanos: startNanos)
                stats.handshakeWindow.record(micros: (Self.nowNanos() - startNanos) / 1000)
                stats.noteConnected(handler, atNanos: Self.nowNanos())
            case .failure(let error):
                stats.noteFailed(error)
            }
        }
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(options.connectTimeoutSeconds * 1000)))
            .channelInitializer { channel in
                let connection = LoadConnectionHandler(stats: stats)
                let handshake = HandshakeRequestHandler(target: options.target, origin: options.origin) { result in
                    if case .failure(let e) = result { finish(.failure(e)) }
                }
                let upgrader = NIOWebSocketClientUpgrader(
                    maxFrameSize: max(1 << 14, options.messageSizeBytes + 64), automaticErrorHandling: false
                ) { channel, _ in
                    handshake.upgraded = true
                    return channel.pipeline.addHandler(connection)
                }
                let timeout = channel.eventLoop.scheduleTask(
                    in: .milliseconds(Int64(options.handshakeTimeoutSeconds * 1000))
                ) {
                    finish(.failure(HandshakeFailure(kind: .handshakeTimeout)))
                    channel.close(promise: nil)
                }
                channel.closeFuture.whenComplete { _ in timeout.cancel() }
                let config: NIOHTTPClientUpgradeSendableConfiguration = (
                    upgraders: [upgrader],
                    completionHandler: { _ in
                        timeout.cancel()
                        finish(.success(connection))
                    }
                )
                return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: config).flatMap {
                    channel.pipeline.addHandler(handshake)
                }
            }
        if let source {
            bootstrap = bootstrap.channelOption(Self.ipBindAddressNoPort, value: 1).bind(to: source)
        }
        bootstrap.connect(to: destination).whenFailure { error in finish(.failure(error)) }
    }
}
