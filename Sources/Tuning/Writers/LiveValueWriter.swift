import Foundation
import Glibc
import HostFacts

/// Writes a live kernel value (/proc/sys key, /sys/module parameter) and reads it back to verify.
public enum LiveValueWriter {
    /// Writes `value` to the file at `change.path` and returns the value read back. Throws `WriterError.syscall`
    /// when the kernel rejects it (EINVAL, EACCES, EROFS …) and `.notKept` when it reads back differently.
    @discardableResult
    public static func write(_ value: String, for change: LiveChange) throws -> String {
        let path = change.path
        // O_TRUNC as procps' sysctl does (fopen "w"); no O_CREAT: a key that does not exist is not created.
        let fd = try syscallRetrying("open", path) { Int(open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) }
        do {
            defer { close(Int32(fd)) }
            let bytes = Array((value + "\n").utf8)
            try bytes.withUnsafeBytes { raw in
                let n = try syscallRetrying("write", path) { Glibc.write(Int32(fd), raw.baseAddress, raw.count) }
                if n != raw.count { throw WriterError.syscall(function: "write (short)", path: path, errno: EIO) }
            }
        }
        let back = try readBack(path)
        guard change.kept(readBack: back, wrote: value) else { throw WriterError.notKept(path: path, wrote: value, readBack: back) }
        return back
    }

    /// The value as the kernel reports it now.
    public static func readBack(_ path: String) throws -> String {
        guard let state = try AtomicFileWriter.state(of: path) else {
            throw WriterError.syscall(function: "open", path: path, errno: ENOENT)
        }
        return SysctlValue(String(decoding: state.content, as: UTF8.self)).text
    }
}
