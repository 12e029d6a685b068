import Foundation

/// Stopping what a test started, always bounded.
public enum ChildProcesses {
    /// SIGTERM, up to `graceSeconds` for the process to exit, then SIGKILL; reaps it.
    public static func stop(_ p: Process, graceSeconds: Double = 5) {
        guard p.isRunning else { return }
        p.terminate()
        let deadline = Date().addingTimeInterval(graceSeconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }
}
