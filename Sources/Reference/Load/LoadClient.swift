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

    /// Linux's IP_BIND_ADDRESS_NO_PORT (linux/in.h; Glibc's module does not export it): bind the source address
    /// now, pick the port at connect() time by the whole 4-tuple, so each source address gets the full ephemeral
    /// range per destination.
    static let ipBindAddressNoPort: CInt = 24

    public init(options: LoadOptions, control: LoadControl = LoadControl()) {
        self.options = options
        self.control = control
    }

    static func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

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

        // One `LoadLoop` per event loop; connection i goes to loop i % loops (and source i % sources).
        var loops: [LoadLoop] = []
        for eventLoop in group.makeIterator() {
            loops.append(
                LoadLoop(
                    eventLoop: eventLoop, stats: stats, options: options, destination: destination,
                    sources: sourceAddresses))
        }
        defer { for l in loops { l.stop() } }

        // Ramp: start handshake i at t0 + i/rate (or at the rate check's closed loop sets, `RampPacer`), never
        // more than maxInFlight at once, never past the deadline. The connections due now go to the loops in one
        // batch each (a few hundred at most per turn).
        let rampDeadline = options.rampTimeoutSeconds
        let batchLimit = 128 * loops.count
        var pacer = RampPacer()
        var i = 0
        while i < options.connections {
            if control.shouldStop || elapsed() > rampDeadline { break }
            let now = elapsed()
            if pacer.nextDueSeconds > now {
                report(.ramp)
                let wait = min(pacer.nextDueSeconds - now, 0.05)
                if wait > 0.0002 { usleep(UInt32(wait * 1e6)) }
                continue
            }
            let room = options.maxInFlight - stats.withLock({ stats.inFlight })
            if room <= 0 {
                report(.ramp)
                usleep(500)
                continue
            }
            let limit = min(options.connections - i, room, batchLimit)
            var n = 0
            while n < limit && pacer.nextDueSeconds <= now {
                pacer.started(at: now, control: control, defaultRate: options.ratePerSecond)
                n += 1
            }
            stats.noteStarted(n)
            for k in 0..<min(n, loops.count) {
                loops[(i + k) % loops.count].start(
                    first: i + k, count: (n - k + loops.count - 1) / loops.count, stride: loops.count)
            }
            i += n
            report(.ramp)
        }
        // Settle: wait for the handshakes in flight (the loops' sweeps time them out), bounded.
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
        let stillOpen = stats.openConnections
        for l in loops { l.close(stillOpen.filter { $0.loop === l }) }
        let closeDeadline = elapsed() + 10
        while stats.withLock({ stats.open }) > 0 && elapsed() < closeDeadline {
            report(.closing)
            usleep(20_000)
        }
        report(.done, force: true)
        withExtendedLifetime(loops) {}

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
}
