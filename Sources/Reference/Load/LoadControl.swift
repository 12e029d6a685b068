import Foundation

/// Commands from outside a running load client (check's coordinator, over a worker's stdin): broadcast now,
/// stop holding, and the offered handshake rate of check's closed-loop ramp ("rate 1234.5").
/// Thread-safe; the client polls it in its bounded loops.
public final class LoadControl: @unchecked Sendable {
    private let lock = NSLock()
    private var broadcastRequests = 0
    private var stopRequested = false
    private var commandedRate: Double?

    public init() {}

    /// Sets the handshakes per second the ramp offers from now on (check's `RampController` decides it).
    public func setRate(_ perSecond: Double) {
        guard perSecond.isFinite && perSecond > 0 else { return }
        lock.lock()
        commandedRate = perSecond
        lock.unlock()
    }

    /// The rate of the last "rate" command, nil before any (the client's own --rate applies).
    public var rateCommand: Double? {
        lock.lock()
        defer { lock.unlock() }
        return commandedRate
    }

    public func requestBroadcast() {
        lock.lock()
        broadcastRequests += 1
        lock.unlock()
    }

    public func requestStop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    /// Takes one pending broadcast request, if any.
    func takeBroadcastRequest() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard broadcastRequests > 0 else { return false }
        broadcastRequests -= 1
        return true
    }

    var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    /// Reads commands, one per line ("broadcast", "stop", "rate N"), from a file descriptor until EOF or "stop",
    /// on a background thread. EOF counts as stop: a coordinator that dies does not leave workers holding forever.
    public func listen(fd: Int32) {
        let thread = Thread { [self] in
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty {
                    requestStop()
                    return
                }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                        .trimmingCharacters(in: .whitespaces)
                    pending.removeSubrange(pending.startIndex...nl)
                    switch line {
                    case "broadcast": requestBroadcast()
                    case "stop":
                        requestStop()
                        return
                    default:
                        if line.hasPrefix("rate "), let r = Double(line.dropFirst(5)) { setRate(r) }
                    }
                }
            }
        }
        thread.start()
    }
}

/// When the ramp starts its next handshake: one every 1/rate seconds at the rate in force at each start, so a
/// new "rate" command takes effect at once. A client that falls behind its schedule catches up by at most
/// `catchUpSeconds` of it: without rate commands that is unbounded (the open-loop schedule i/rate of a fixed-rate
/// ramp); under check's closed loop it is 0.1 s, so a stall does not turn into a burst that overdrives the host.
public struct RampPacer: Sendable, Equatable {
    /// How far behind a closed-loop ramp may catch up.
    public static let closedLoopCatchUpSeconds = 0.1

    public private(set) var nextDueSeconds: Double = 0

    public init() {}

    /// A handshake started at `nowSeconds` with `ratePerSecond` in force (0: unpaced, nothing to wait for).
    public mutating func started(at nowSeconds: Double, ratePerSecond: Double, catchUpSeconds: Double = .infinity) {
        guard ratePerSecond > 0 else {
            nextDueSeconds = nowSeconds
            return
        }
        nextDueSeconds = max(nextDueSeconds, nowSeconds - catchUpSeconds) + 1 / ratePerSecond
    }

    /// As above, with the rate `control` was last told, else `defaultRate` (the client's --rate).
    public mutating func started(at nowSeconds: Double, control: LoadControl, defaultRate: Double) {
        if let r = control.rateCommand {
            started(at: nowSeconds, ratePerSecond: r, catchUpSeconds: Self.closedLoopCatchUpSeconds)
        } else {
            started(at: nowSeconds, ratePerSecond: defaultRate)
        }
    }
}
