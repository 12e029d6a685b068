import Foundation
import Reference

/// Writes worker-protocol lines to standard output, one JSON object per line, from any thread.
final class LoadWorkerLineWriter: @unchecked Sendable {
    private let lock = NSLock()
    private let stdout: any OutputSink

    init(in context: CommandContext = .live) { stdout = context.stdout }

    func write(_ line: LoadWorkerLine) {
        guard let data = try? line.encoded() else { return }
        lock.lock()
        defer { lock.unlock() }
        stdout.write(data)
    }
}
