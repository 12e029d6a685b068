import Foundation
import HostFacts

/// Why a write failed: the syscall, the path and errno, a value the kernel did not keep, or a path refused
/// because it leads outside the root.
public enum WriterError: Error, Equatable, CustomStringConvertible {
    /// A syscall failed (`openat`, `write`, `fsync`, `renameat`, …) on a path.
    case syscall(function: String, path: String, errno: Int32)
    /// The kernel accepted the write but reading back shows another value.
    case notKept(path: String, wrote: String, readBack: String)
    /// The path is absolute or holds "..", or a component is a symbolic link (or not a directory) below a root.
    case refused(path: String, reason: String)

    public var errnoValue: Int32? {
        if case .syscall(_, _, let e) = self { return e }
        return nil
    }

    public var description: String {
        switch self {
        case .syscall(let f, let p, let e): return "\(p): \(f): \(String(cString: strerror(e)))"
        case .notKept(let p, let w, let r): return "\(p): wrote '\(w)' but the kernel reports '\(r)'"
        case .refused(let p, let why): return "\(p): refused: \(why)"
        }
    }
}

/// `Syscall.call` (HostFacts' one EINTR-retrying wrapper) with the path the call was about.
@discardableResult
func syscallRetrying<T: FixedWidthInteger & SignedInteger>(_ function: String, _ path: String, _ body: () -> T) throws
    -> T
{
    do {
        return try Syscall.call(function, body)
    } catch {
        throw WriterError.syscall(function: error.function, path: path, errno: error.errno)
    }
}
