import Foundation

/// Commands from outside a running load client (check's coordinator, over a worker's stdin): broadcast now,
/// stop holding. Thread-safe; the client polls it in its bounded loops.
public final class LoadControl: @unchecked Sendable {
    private let lock = NSLock()
    private var broadcastRequests = 0
    private var stopRequested = false

    public init() {}

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

    /// Reads commands, one per line ("broadcast", "stop"), from a file descriptor until EOF or "stop", on a
    /// background thread. EOF counts as stop: a coordinator that dies does not leave workers holding forever.
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
                    default: break
                    }
                }
            }
        }
        thread.start()
    }
}
