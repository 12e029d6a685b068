import Foundation

/// The full-screen terminal state `top` takes over: alternate screen, hidden cursor, keys unbuffered. `leave()`
/// restores everything (called on normal exit, after SIGINT/SIGTERM and on errors; safe to call twice).
final class TopScreenSession {
    private var saved = termios()
    private var hasSaved = false
    private var active = false
    private(set) var size: (rows: Int, columns: Int) = (24, 80)

    func enter() {
        if tcgetattr(STDIN_FILENO, &saved) == 0 {
            hasSaved = true
            var raw = saved
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        }
        active = true
        size = TopScreenSession.querySize()
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J\u{1B}[H")
    }

    func leave() {
        guard active else { return }
        active = false
        write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
        if hasSaved { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
    }

    /// After SIGWINCH: new size, whole screen cleared before the next frame.
    func resized() {
        size = TopScreenSession.querySize()
        write("\u{1B}[2J")
    }

    /// Draws a frame in place: home, each line cleared to its end, then the rest of the screen cleared.
    func draw(_ lines: [String], rows: Int) {
        var out = "\u{1B}[H"
        for line in lines.prefix(max(1, rows - 1)) { out += line + "\u{1B}[K\r\n" }
        out += "\u{1B}[J"
        write(out)
    }

    private func write(_ s: String) {
        Output.out(Data(s.utf8))
    }

    static func querySize() -> (rows: Int, columns: Int) {
        var w = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0, w.ws_row > 0, w.ws_col > 0 {
            return (Int(w.ws_row), Int(w.ws_col))
        }
        return (24, 80)
    }
}

/// SIGINT/SIGTERM end `top` cleanly (the screen is restored by the normal exit path); SIGWINCH asks for a redraw.
enum TopSignals {
    enum Outcome { case timeout, quit }

    nonisolated(unsafe) static var stopRequested: Int32 = 0
    nonisolated(unsafe) static var resizeRequested: Int32 = 0

    static func install() {
        signal(SIGINT) { _ in TopSignals.stopRequested = 1 }
        signal(SIGTERM) { _ in TopSignals.stopRequested = 1 }
        signal(SIGHUP) { _ in TopSignals.stopRequested = 1 }
        signal(SIGWINCH) { _ in TopSignals.resizeRequested = 1 }
    }

    static func takeResize() -> Bool {
        defer { resizeRequested = 0 }
        return resizeRequested != 0
    }

    /// Waits up to `seconds`, returning early on a stop signal, on 'q' (when watching keys) or on a resize.
    static func wait(seconds: Double, watchKeys: Bool) -> Outcome {
        let deadline = Date().addingTimeInterval(seconds)
        while stopRequested == 0 {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return .timeout }
            if resizeRequested != 0 { return .timeout }
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
            // Rounded up: a timeout truncated to 0 ms in the last millisecond would spin.
            let rc = poll(&fds, watchKeys ? 1 : 0, Int32((min(left, 0.2) * 1000).rounded(.up)))
            if rc > 0 && fds[0].revents & Int16(POLLIN) != 0 {
                var byte: UInt8 = 0
                let n = read(STDIN_FILENO, &byte, 1)
                if n == 1 && (byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 3) { return .quit }
                if n == 0 { return .quit }
            }
        }
        return .quit
    }
}
