import Foundation

/// The write end of the self-pipe that `serveSignalHandler` writes to; set once before the handler is installed.
private nonisolated(unsafe) var serveSignalPipeWriteEnd: Int32 = -1

/// Async-signal-safe: one byte into the pipe, nothing else.
private func serveSignalHandler(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(serveSignalPipeWriteEnd, &byte, 1)
}

/// SIGTERM and SIGINT for `wstune serve`, by the self-pipe trick: a sigaction handler writes a byte, a thread
/// reads it. Hand-written because a libdispatch signal source was seen to miss the first SIGTERM on Linux
/// here (libdispatch's main thread unblocks every signal, so delivery races with the source), and the package
/// that wraps this (swift-service-lifecycle) is not a dependency of this project.
final class ServeSignals: @unchecked Sendable {
    private let firstSignal = DispatchSemaphore(value: 0)

    /// Installs the handlers; `onSecond` runs (on the watcher thread) for every signal after the first.
    init(onSecond: @escaping @Sendable () -> Void) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        serveSignalPipeWriteEnd = fds[1]
        for sig in [SIGTERM, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = serveSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            guard sigaction(sig, &action, nil) == 0 else { throw POSIXError(.EINVAL) }
        }
        let readEnd = fds[0]
        let first = firstSignal
        let thread = Thread {
            var seen = 0
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                seen += 1
                if seen == 1 { first.signal() } else { onSecond() }
            }
        }
        thread.name = "wstune-serve-signals"
        thread.start()
    }

    /// Blocks until the first SIGTERM or SIGINT.
    func waitForFirst() { firstSignal.wait() }
}
