import Foundation

/// A flag that can be claimed once, from any thread (a connection's outcome is decided by whichever of
/// upgrade, error or timeout comes first).
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
