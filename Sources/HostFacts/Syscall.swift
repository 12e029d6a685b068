import Glibc

/// A failed system call: the function's name and errno (the swift-nio pattern: one wrapper, one error).
public struct SyscallError: Error, Equatable, Sendable, CustomStringConvertible {
    public var function: String
    public var errno: Int32

    public init(function: String, errno: Int32) {
        self.function = function
        self.errno = errno
    }

    public var description: String { "\(function): \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// The one wrapper for calls that return -1 and set errno: retries EINTR, throws `SyscallError` otherwise.
public enum Syscall {
    @discardableResult
    public static func call<T: FixedWidthInteger & SignedInteger>(_ function: String, _ body: () -> T)
        throws(SyscallError) -> T
    {
        while true {
            let r = body()
            if r >= 0 { return r }
            let e = Glibc.errno
            if e == EINTR { continue }
            throw SyscallError(function: function, errno: e)
        }
    }

    /// Writes all of `bytes` to `fd` (write(2) may take fewer bytes than asked), retrying EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SyscallError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            offset += try call("write") { write(fd, base + offset, bytes.count - offset) }
        }
    }
}
