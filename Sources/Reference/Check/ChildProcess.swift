import Foundation

/// A child process of `check` (a server or a load worker): stdin kept open for commands, stdout read line by
/// line on a background thread, the tail of stderr kept for error messages. `stop` is bounded in time.
public final class ChildProcess: @unchecked Sendable {
    public let arguments: [String]
    private let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let lock = NSLock()
    private var stderrTail = Data()
    private let onLine: (@Sendable (Data) -> Void)?
    private let readersDone = DispatchGroup()

    /// Starts `arguments[0]` (a path, or a name looked up in PATH) with the rest as arguments.
    public init(
        _ arguments: [String], environment: [String: String]? = nil,
        onLine: (@Sendable (Data) -> Void)? = nil
    ) throws {
        self.arguments = arguments
        self.onLine = onLine
        if arguments[0].contains("/") {
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        if let environment { process.environment = environment }
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        try process.run()
        startReaders()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }
    public var commandLine: String { arguments.joined(separator: " ") }

    /// The last few KB of the child's standard error.
    public var stderrText: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stderrTail, as: UTF8.self)
    }

    /// Writes one command line to the child's stdin (ignored once it has exited).
    public func send(_ line: String) {
        guard process.isRunning else { return }
        try? stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    public func closeStdin() {
        try? stdinPipe.fileHandleForWriting.close()
    }

    /// Waits up to `seconds` for the child to exit on its own; true when it did.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if !process.isRunning { _ = readersDone.wait(timeout: .now() + 2) }
        return !process.isRunning
    }

    /// SIGTERM, then SIGKILL after `graceSeconds`; returns when the child is gone (bounded).
    public func stop(graceSeconds: Double = 5) {
        closeStdin()
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if !wait(seconds: graceSeconds) {
            kill(pid, SIGKILL)
            wait(seconds: 5)
        }
    }

    private func startReaders() {
        let out = stdoutPipe.fileHandleForReading
        let err = stderrPipe.fileHandleForReading
        let onLine = self.onLine
        readersDone.enter()
        Thread {
            var pending = Data()
            while true {
                let chunk = out.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 0x0a) {
                    let line = pending[pending.startIndex..<nl]
                    onLine?(Data(line))
                    pending.removeSubrange(pending.startIndex...nl)
                }
            }
            if !pending.isEmpty { onLine?(pending) }
            self.readersDone.leave()
        }.start()
        readersDone.enter()
        Thread {
            while true {
                let chunk = err.availableData
                if chunk.isEmpty { break }
                self.lock.lock()
                self.stderrTail.append(chunk)
                if self.stderrTail.count > 8192 { self.stderrTail = self.stderrTail.suffix(4096) }
                self.lock.unlock()
            }
            self.readersDone.leave()
        }.start()
    }
}
