import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Errors starting or running the reference server.
public enum ReferenceServerError: Error, CustomStringConvertible {
    case invalidConfiguration([String])
    case bindFailed(host: String, port: Int, underlying: String)
    case notStarted

    public var description: String {
        switch self {
        case .invalidConfiguration(let problems): return problems.joined(separator: "; ")
        case .bindFailed(let host, let port, let underlying): return "cannot listen on \(host):\(port): \(underlying)"
        case .notStarted: return "the server is not running"
        }
    }
}

/// The reference WebSocket server: SwiftNIO on `threads` event loops, `/ws` echo, `/ws/broadcast` fan-out,
/// `/healthz`, `/readyz`, `/metrics`, shared-sweep heartbeats, bounded outbound queues and a graceful drain.
///
/// In-process use (tests, `check`): `let s = ReferenceServer(configuration: c); try s.start();
/// s.localPort; try s.metricsSnapshot(); s.drain(); ` — or `shutdown()` to stop at once.
public final class ReferenceServer: @unchecked Sendable {
    public let configuration: ServerConfiguration
    private let context: ServerContext
    private let lock = NSLock()
    private var group: MultiThreadedEventLoopGroup?
    private var listener: Channel?

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        self.context = ServerContext(configuration: configuration)
    }

    /// The bound port (useful with port 0), nil before `start()`.
    public var localPort: Int? {
        lock.withLock { listener?.localAddress?.port }
    }

    public var isDraining: Bool { context.isDraining }

    /// WebSocket connections currently holding a slot.
    public var activeConnections: Int { context.slotsInUse }

    /// Binds and starts serving; returns once the socket listens.
    public func start() throws {
        let problems = configuration.problems()
        guard problems.isEmpty else { throw ReferenceServerError.invalidConfiguration(problems) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)
        var states: [LoopState] = []
        for loop in group.makeIterator() { states.append(LoopState(eventLoop: loop, server: context)) }
        context.install(states)
        let firstLoop = states[0].eventLoop

        let context = self.context
        let upgrader = WebSocketUpgrader()
        let metrics: @Sendable () -> EventLoopFuture<ServerMetricsSnapshot> = { [weak self] in
            guard let self else {
                return firstLoop.makeFailedFuture(ReferenceServerError.notStarted)
            }
            return self.metrics()
        }
        let queue = configuration.sendQueueBytes
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(clamping: configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        if configuration.reusePort {
            bootstrap = bootstrap.serverChannelOption(
                ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEPORT), value: 1)
        }
        bootstrap =
            bootstrap
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // NIO's ServerBootstrap.bind adds no accept backoff; AcceptErrorHandler pauses instead.
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptErrorHandler(state: context.loopState(for: channel.eventLoop)))
                }
            }
            // TCP_NODELAY: NIO sets it on the listening socket and Linux hands it down to accepted sockets,
            // so setting it per child again would only cost a system call per handshake.
            // Each channel keeps its last receive buffer for reuse (NIOPooledRecvBufferAllocator), so the first
            // read's size is what an idle connection keeps: NIO's default 2048 is most of the bare server's
            // per-connection memory. 256 bytes holds a typical handshake (measured: 2.5 KB per idle connection
            // against 2.8 KB with 512, 2.9 KB with 128, which grows on the first read); busier clients grow it.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536)
            )
            .childChannelOption(
                .writeBufferWaterMark, value: ChannelOptions.Types.WriteBufferWaterMark(low: queue / 2, high: queue)
            )
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let state = context.loopState(for: channel.eventLoop)
                    let sync = channel.pipeline.syncOperations
                    // The handshake fast path first (FastUpgradeHandler): a plain upgrade becomes one
                    // WebSocketConnection with no HTTP parser; anything else gets NIO's HTTP encoder and decoder
                    // in front of HTTPEndpointHandler. No pipelining, upgrade or protocol-error handler:
                    // HTTPEndpointHandler does what this server needs of them (upgrades on any request, see
                    // WebSocketUpgrader), and every handler less is one less to add and remove per handshake.
                    let http = HTTPEndpointHandler(state: state, upgrader: upgrader, metrics: metrics)
                    try sync.addHandler(FastUpgradeHandler(state: state, http: http))
                    try sync.addHandler(http)
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw ReferenceServerError.bindFailed(
                host: configuration.host, port: configuration.port, underlying: "\(error)")
        }
        for s in states { s.eventLoop.execute { s.startSweeps() } }
        lock.withLock {
            self.group = group
            self.listener = channel
        }
    }

    /// All loops' counters added up, plus RSS and open descriptors.
    public func metrics() -> EventLoopFuture<ServerMetricsSnapshot> {
        let states = context.allLoopStates
        guard let first = states.first else {
            return MultiThreadedEventLoopGroup.singleton.next().makeFailedFuture(ReferenceServerError.notStarted)
        }
        let futures = states.map { s in s.eventLoop.submit { s.snapshot() } }
        let context = self.context
        let maxConnections = configuration.maxConnections
        return EventLoopFuture.whenAllSucceed(futures, on: first.eventLoop).map { parts in
            var total = ServerCounters()
            for p in parts { total.add(p) }
            return ServerMetricsSnapshot(
                counters: total, draining: context.isDraining, maxConnections: maxConnections,
                residentMemoryBytes: ProcessStats.residentMemoryBytes(),
                openFileDescriptors: ProcessStats.openFileDescriptors())
        }
    }

    /// Blocking form of `metrics()`; never call it from an event loop.
    public func metricsSnapshot() throws -> ServerMetricsSnapshot {
        try metrics().wait()
    }

    /// Starts a drain: /readyz turns 503, new upgrades get 503, every client gets a 1001 close.
    public func beginDrain() {
        context.setDraining()
        for s in context.allLoopStates { s.eventLoop.execute { s.closeAllGoingAway() } }
    }

    /// Drains (see `beginDrain`), waits until every client has gone or `timeoutSeconds` passed, then shuts
    /// down. Returns the number of connections that were still open when the wait ended. Blocking.
    @discardableResult
    public func drain(timeoutSeconds: Double? = nil) -> Int {
        beginDrain()
        let deadline = Date().addingTimeInterval(timeoutSeconds ?? configuration.drainTimeoutSeconds)
        while context.slotsInUse > 0 && Date() < deadline { usleep(20_000) }
        let left = context.slotsInUse
        shutdown()
        return left
    }

    /// Closes the listener and every connection, then stops the event loops. Blocking; idempotent.
    public func shutdown() {
        let (group, listener) = lock.withLock { () -> (MultiThreadedEventLoopGroup?, Channel?) in
            defer {
                self.group = nil
                self.listener = nil
            }
            return (self.group, self.listener)
        }
        guard let group else { return }
        try? listener?.close().wait()
        let done = context.allLoopStates.map { s in
            s.eventLoop.submit {
                s.stopSweeps()
                s.closeEverything()
            }
        }
        for f in done { _ = try? f.wait() }
        try? group.syncShutdownGracefully()
    }

    deinit { shutdown() }
}
