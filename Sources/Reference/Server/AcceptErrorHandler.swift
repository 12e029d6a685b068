import Foundation
import HostFacts
import NIOCore

/// On the listening socket: counts accept() failures by errno for /metrics, logs them on standard error (the
/// first at once, then one line per second with the count while they go on), and pauses accepting for a moment
/// after EMFILE, ENFILE, ENOBUFS or ENOMEM instead of retrying on a listen queue it cannot drain. A capacity
/// check that ends in handshake timeouts then shows why in the server's log.
///
/// The pause turns autoRead off and on again: NIO's `AcceptBackoffHandler` holds back `read()`, but when the
/// first accept() of a read fails NIO stays registered for readability and retries at once (measured: 30,000
/// EMFILE a second on one event loop), so only unregistering stops the spin.
final class AcceptErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Channel

    private unowned let state: LoopState
    /// Failures since the last log line, by errno name; a summary is scheduled while this is not empty.
    private var unlogged: [String: Int] = [:]
    private var summaryScheduled = false
    private var paused = false

    init(state: LoopState) {
        self.state = state
    }

    /// How long accepting pauses after a failure: short, so freed descriptors are used soon.
    static let backoff = TimeAmount.milliseconds(50)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let io = error as? IOError else {
            context.fireErrorCaught(error)
            return
        }
        let name = Self.errnoName(io.errnoCode)
        state.counters.acceptErrors[name, default: 0] += 1
        if [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(io.errnoCode) { pause(context) }
        if summaryScheduled {
            unlogged[name, default: 0] += 1
            return
        }
        Self.log("accept() failed: \(Self.describe(name))")
        scheduleSummary(context.eventLoop)
    }

    private func pause(_ context: ChannelHandlerContext) {
        guard !paused, let options = context.channel.syncOptions else { return }
        paused = true
        try? options.setOption(.autoRead, value: false)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.backoff) { [weak self] in
            self?.paused = false
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    private func scheduleSummary(_ loop: EventLoop) {
        summaryScheduled = true
        loop.scheduleTask(in: .seconds(1)) { [weak self] in
            guard let self else { return }
            self.summaryScheduled = false
            guard !self.unlogged.isEmpty else { return }
            let parts = self.unlogged.keys.sorted().map { "\(self.unlogged[$0]!) × \(Self.describe($0))" }
            self.unlogged = [:]
            Self.log("accept() failed \(parts.joined(separator: ", ")) in the last second")
            self.scheduleSummary(loop)
        }
    }

    static func errnoName(_ code: Int32) -> String {
        switch code {
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case ENOBUFS: return "ENOBUFS"
        case ENOMEM: return "ENOMEM"
        case ECONNABORTED: return "ECONNABORTED"
        default: return "errno \(code)"
        }
    }

    static func describe(_ name: String) -> String {
        switch name {
        case "EMFILE": return "EMFILE (the server's open-file limit, RLIMIT_NOFILE, is reached)"
        case "ENFILE": return "ENFILE (the system-wide file limit, fs.file-max, is reached)"
        case "ENOBUFS", "ENOMEM": return "\(name) (kernel memory for sockets ran out)"
        default: return name
        }
    }

    /// One line on standard error with a single write(2), so lines from several loops never interleave.
    static func log(_ message: String) {
        Array("wstune serve: \(message)\n".utf8).withUnsafeBytes { try? Syscall.writeAll(STDERR_FILENO, $0) }
    }
}
