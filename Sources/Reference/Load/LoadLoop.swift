import Glibc
import NIOCore
import NIOPosix
import NIOWebSocket

/// What one event loop of the load client keeps: one bootstrap for all its connections, the handshakes in
/// progress (a list threaded through them), one repeated sweep that times out connects and handshakes past their
/// deadlines instead of a timer per connection, and the nonces for the handshake keys. Each connection's socket
/// is made and connected here with plain system calls (`connectNonBlocking`) and handed to NIO with
/// `withConnectedSocket`: NIO's `connect` adds a future chain and a connect-timeout task per connection, which
/// measured 14 % of the client's CPU per handshake (Benchmarks/check/README.md, issue 17 item 4). Only
/// `eventLoop` touches the mutable parts; the ramp hands it batches of connections to start (`start`).
final class LoadLoop: @unchecked Sendable {
    let eventLoop: EventLoop
    let stats: LoadStats
    let handshake: ClientHandshake
    private let destination: SocketAddress
    private let sources: [SocketAddress]
    private let handshakeTimeoutNanos: UInt64
    private let connectTimeoutNanos: UInt64
    private let maxFrameSize: Int
    private var bootstrap: ClientBootstrap
    private var pending = IntrusiveList<HandshakeRequestHandler>(tag: 1)
    /// Handed from `startOne` to the channel initializer, which NIO runs within `connect` on this loop.
    private var starting: HandshakeRequestHandler?
    private var sweepTask: RepeatedTask?
    private var rng: SplitMix64
    /// The echo wheel: every open connection sits in one slot; each tick sends from one slot, so each
    /// connection sends once per interval, phases spread over the slots.
    private var echoSlots: [IntrusiveList<LoadConnectionHandler>] = []
    private var echoTask: RepeatedTask?
    private var echoTicks = 0
    private var echoSize = 32

    init(
        eventLoop: EventLoop, stats: LoadStats, options: LoadOptions, destination: SocketAddress,
        sources: [SocketAddress]
    ) {
        self.eventLoop = eventLoop
        self.stats = stats
        self.handshake = ClientHandshake(target: options.target, origin: options.origin)
        self.destination = destination
        self.sources = sources
        self.handshakeTimeoutNanos = UInt64(max(options.handshakeTimeoutSeconds, 0) * 1e9)
        self.connectTimeoutNanos = UInt64(max(options.connectTimeoutSeconds, 0) * 1e9)
        self.maxFrameSize = max(1 << 14, options.messageSizeBytes + 64)
        var seed = SystemRandomNumberGenerator()
        self.rng = SplitMix64(state: seed.next())
        self.bootstrap = ClientBootstrap(group: eventLoop)
        bootstrap = bootstrap.channelInitializer { [unowned self] channel in
            self.initialize(channel)
        }
        // Deadlines are checked 20 times per timeout (at most every 100 ms, at least every 10 ms).
        let every = max(0.01, min(0.1, min(options.handshakeTimeoutSeconds, options.connectTimeoutSeconds) / 20))
        let d = TimeAmount.nanoseconds(Int64(every * 1e9))
        eventLoop.execute {
            self.sweepTask = eventLoop.scheduleRepeatedTask(initialDelay: d, delay: d) { _ in self.sweep() }
        }
    }

    /// Starts connections `first`, `first + stride`, … (`count` of them) on this loop; each binds to the
    /// source address its index picks (round robin over the pool, with IP_BIND_ADDRESS_NO_PORT). Call from any
    /// thread.
    func start(first: Int, count: Int, stride: Int) {
        eventLoop.execute {
            for k in 0..<count { self.startOne(index: first + k * stride) }
        }
    }

    private func startOne(index: Int) {
        let h = HandshakeRequestHandler(
            loop: self, connection: LoadConnectionHandler(stats: stats, loop: self), startNanos: LoadClient.nowNanos())
        pending.append(h)
        let fd: CInt
        do {
            fd = try Self.connectNonBlocking(
                to: destination, from: sources.isEmpty ? nil : sources[index % sources.count])
        } catch {
            h.decide(.failure(error))
            return
        }
        starting = h
        bootstrap.withConnectedSocket(fd).whenFailure { error in h.decide(.failure(error)) }
        starting = nil
    }

    /// A non-blocking TCP socket to `destination`, bound first to `source` (address only: IP_BIND_ADDRESS_NO_PORT,
    /// so the port is picked at connect() by the whole 4-tuple), with connect() issued: connected or in progress.
    /// A failure is the system call's errno as an IOError, which `ConnectionFailure` classifies as NIO's were.
    static func connectNonBlocking(to destination: SocketAddress, from source: SocketAddress?) throws -> CInt {
        let fd = socket(
            destination.protocol.rawValue,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        if let source {
            var one: CInt = 1
            _ = setsockopt(
                fd, CInt(IPPROTO_IP), LoadClient.ipBindAddressNoPort, &one, socklen_t(MemoryLayout<CInt>.size))
            let rc = source.withSockAddr { Glibc.bind(fd, $0, socklen_t($1)) }
            if rc != 0 {
                let e = errno
                Glibc.close(fd)
                throw IOError(errnoCode: e, reason: "bind")
            }
        }
        let rc = destination.withSockAddr { Glibc.connect(fd, $0, socklen_t($1)) }
        if rc != 0 && errno != EINPROGRESS {
            let e = errno
            Glibc.close(fd)
            throw IOError(errnoCode: e, reason: "connect")
        }
        return fd
    }

    private func initialize(_ channel: Channel) -> EventLoopFuture<Void> {
        guard let h = starting else {
            return channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)
        }
        starting = nil
        do {
            try channel.pipeline.syncOperations.addHandlers([
                h, ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize)), WebSocketFrameEncoder(),
                h.connection,
            ])
            return channel.eventLoop.makeSucceededVoidFuture()
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    /// A handshake's outcome (from the handler, once): leaves the list, counted in the stats.
    func handshakeDecided(_ h: HandshakeRequestHandler, _ result: Result<Void, Error>) {
        pending.remove(h)
        switch result {
        case .success:
            stats.handshakeLatency.recordSince(uptimeNanos: h.startNanos)
            stats.handshakeWindow.record(micros: (LoadClient.nowNanos() - h.startNanos) / 1000)
            stats.noteConnected(h.connection, atNanos: LoadClient.nowNanos())
        case .failure(let error):
            stats.noteFailed(error)
        }
    }

    /// Times out the handshakes past their deadline.
    /// Times out the connects (the request not yet written: TCP is not up) and the handshakes past their deadline.
    private func sweep() {
        let now = LoadClient.nowNanos()
        let limit = handshakeTimeoutNanos
        let connectLimit = connectTimeoutNanos
        Self.each(pending) { h in
            let age = now &- h.startNanos
            if !h.requestWritten && age >= connectLimit {
                h.connectTimedOut(after: connectLimit)
            } else if age >= limit {
                h.timedOut()
            }
        }
    }

    /// Walks a copy of the list's handle, so the visited handshake may unlink itself (see `LoopState.each`).
    private static func each(_ list: IntrusiveList<HandshakeRequestHandler>, _ body: (HandshakeRequestHandler) -> Void)
    {
        list.forEach(body)
    }

    /// 128 bits for a Sec-WebSocket-Key: a fresh nonce per connection without a system call for each.
    func nextNonce() -> (UInt64, UInt64) {
        (rng.next(), rng.next())
    }

    /// A masking key for a frame to the server (RFC 6455 §5.3), from the same generator.
    func maskKey() -> WebSocketMaskingKey {
        .random(using: &rng)
    }

    /// Closes `connections` (this loop's) with a close frame each, in one turn of the loop.
    func close(_ connections: [LoadConnectionHandler]) {
        guard !connections.isEmpty else { return }
        eventLoop.execute {
            for c in connections { c.closeOnLoop() }
        }
    }

    /// Puts `c` on the echo wheel (started with the first connection: `perSecond` per connection, in at most
    /// 200 slots of at least 1 ms).
    func addEcho(_ c: LoadConnectionHandler, perSecond: Double, sizeBytes: Int) {
        if echoTask == nil {
            let intervalNanos = Int64(1e9 / perSecond)
            let slots = Int(max(1, min(200, intervalNanos / 1_000_000)))
            echoSlots = (0..<slots).map { IntrusiveList(tag: UInt8($0 + 1)) }
            echoSize = sizeBytes
            let tick = TimeAmount.nanoseconds(max(intervalNanos / Int64(slots), 1))
            echoTask = eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in self.echoTick() }
        }
        guard c.listTag == 0 else { return }
        echoSlots[Int(nextNonce().0 % UInt64(echoSlots.count))].append(c)
    }

    /// Takes `c` off the echo wheel (it closes).
    func removeEcho(_ c: LoadConnectionHandler) {
        let slot = Int(c.listTag) - 1
        if slot >= 0 && slot < echoSlots.count { echoSlots[slot].remove(c) }
    }

    private func echoTick() {
        guard !echoSlots.isEmpty else { return }
        let slot = echoTicks % echoSlots.count
        echoTicks &+= 1
        let size = echoSize
        // A copy of the slot's handle: a connection that closes while sending may unlink itself.
        let list = echoSlots[slot]
        list.forEach { $0.sendEcho(sizeBytes: size) }
    }

    /// Stops the sweep and the echo wheel (the run is over).
    func stop() {
        eventLoop.execute {
            self.sweepTask?.cancel()
            self.sweepTask = nil
            self.echoTask?.cancel()
            self.echoTask = nil
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a fast generator seeded from the system's, for handshake nonces and
/// masking keys, which must be unpredictable to proxies, not secret.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
