import Foundation

/// Why a write failed: the syscall, the path and errno, or a value the kernel did not keep.
public enum WriterError: Error, Equatable, CustomStringConvertible {
    /// A syscall failed (`open`, `write`, `fsync`, `rename`, …) on a path.
    case syscall(function: String, path: String, errno: Int32)
    /// The kernel accepted the write but reading back shows another value.
    case notKept(path: String, wrote: String, readBack: String)

    public var errnoValue: Int32? {
        if case .syscall(_, _, let e) = self { return e }
        return nil
    }

    public var description: String {
        switch self {
        case .syscall(let f, let p, let e): return "\(p): \(f): \(String(cString: strerror(e)))"
        case .notKept(let p, let w, let r): return "\(p): wrote '\(w)' but the kernel reports '\(r)'"
        }
    }
}

/// Runs a syscall that returns -1 on failure, retrying EINTR, throwing `WriterError.syscall` otherwise
/// (the swift-nio pattern: one wrapper carrying the function name and errno).
@discardableResult
func syscallRetrying(_ function: String, _ path: String, _ body: () -> Int) throws -> Int {
    while true {
        let r = body()
        if r >= 0 { return r }
        let e = errno
        if e == EINTR { continue }
        throw WriterError.syscall(function: function, path: path, errno: e)
    }
}
