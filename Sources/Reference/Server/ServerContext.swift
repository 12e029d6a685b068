import NIOCore
import NIOHTTP1
import Synchronization

/// State shared by every event loop of one server: the configuration, the drain flag, the connection-slot
/// count behind `--max-connections`, and each loop's `LoopState`. The atomics are touched once per handshake
/// and once per disconnect, never per message.
final class ServerContext: @unchecked Sendable {
    let configuration: ServerConfiguration
    let allowedOrigins: Set<String>
    private let drainingFlag = Atomic<Bool>(false)
    private let slots = Atomic<Int>(0)
    private let nextID = Atomic<Int>(0)
    /// Filled once before the listening socket opens; read-only afterwards.
    private(set) var loopStates: [ObjectIdentifier: LoopState] = [:]
    private(set) var allLoopStates: [LoopState] = []

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
        self.allowedOrigins = Set(configuration.allowedOrigins.map { $0.lowercased() })
    }

    func install(_ states: [LoopState]) {
        allLoopStates = states
        for s in states { loopStates[ObjectIdentifier(s.eventLoop)] = s }
    }

    func loopState(for loop: EventLoop) -> LoopState {
        // Every channel runs on one of the group's loops, all of which were installed at start.
        loopStates[ObjectIdentifier(loop)]!
    }

    var isDraining: Bool { drainingFlag.load(ordering: .relaxed) }
    func setDraining() { drainingFlag.store(true, ordering: .relaxed) }

    /// WebSocket connections holding a slot (upgraded, or upgrading).
    var slotsInUse: Int { slots.load(ordering: .relaxed) }
    var isAtCapacity: Bool { slotsInUse >= configuration.maxConnections }

    func makeConnectionID() -> Int { nextID.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Decides an upgrade request: endpoint, origin, drain, then capacity. On success one slot is taken;
    /// the caller hands it back with `releaseSlot()` when the connection ends.
    func admit(_ head: HTTPRequestHead) -> Result<WebSocketEndpoint, RefusalReason> {
        admit(target: head.uri, origin: allowedOrigins.isEmpty ? nil : head.headers.first(name: "origin"))
    }

    /// `admit` for a request target and its Origin header (the handshake fast path has no HTTPRequestHead).
    func admit(target: String, origin: String?) -> Result<WebSocketEndpoint, RefusalReason> {
        guard let endpoint = WebSocketEndpoint(path: target) else { return .failure(.notFound) }
        if !allowedOrigins.isEmpty {
            guard let origin, allowedOrigins.contains(origin.lowercased()) else { return .failure(.origin) }
        }
        if isDraining { return .failure(.draining) }
        var current = slots.load(ordering: .relaxed)
        while true {
            if current >= configuration.maxConnections { return .failure(.capacity) }
            let (exchanged, original) = slots.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return .success(endpoint) }
            current = original
        }
    }

    func releaseSlot() { slots.wrappingSubtract(1, ordering: .relaxed) }

    /// Sends an encoded frame to every broadcast client on every loop.
    func broadcast(_ frame: ByteBuffer, payloadBytes: Int, from origin: LoopState) {
        for state in allLoopStates {
            if state === origin {
                state.deliverBroadcast(frame, payloadBytes: payloadBytes)
            } else {
                state.eventLoop.execute { state.deliverBroadcast(frame, payloadBytes: payloadBytes) }
            }
        }
    }
}
