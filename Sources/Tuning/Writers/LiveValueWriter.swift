import Foundation
import Glibc
import HostFacts

/// Writes a live kernel value (/proc/sys key, /sys/module parameter) and reads it back to verify. The path is
/// resolved beneath the live root like every write (no symlink followed below a root other than "/").
public enum LiveValueWriter {
    /// Writes `value` to `path` and returns the value read back. Throws `WriterError.syscall` when the kernel
    /// rejects it (EINVAL, EACCES, EROFS …) and `.notKept` when it reads back differently. The file is truncated
    /// first (as procps' sysctl does): a caller restores the previous value after any failure.
    @discardableResult
    public static func write(_ value: String, for change: LiveChange, at path: RootedPath) throws -> String {
        guard let dfd = try AtomicFileWriter.openDirectory(path, path.components.dropLast(), create: false) else {
            throw WriterError.syscall(function: "openat", path: path.absolute, errno: ENOENT)
        }
        defer { close(dfd) }
        // No O_CREAT: a key that does not exist is not created. O_NOFOLLOW: a link is never written through.
        let fd = try syscallRetrying("openat", path.absolute) {
            openat(dfd, path.name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
        }
        do {
            defer { close(fd) }
            let bytes = Array((value + "\n").utf8)
            try bytes.withUnsafeBytes { raw in
                let n = try syscallRetrying("write", path.absolute) { Glibc.write(fd, raw.baseAddress, raw.count) }
                if n != raw.count {
                    throw WriterError.syscall(function: "write (short)", path: path.absolute, errno: EIO)
                }
            }
        }
        let back = try readBack(path)
        guard change.kept(readBack: back, wrote: value) else {
            throw WriterError.notKept(path: path.absolute, wrote: value, readBack: back)
        }
        return back
    }

    /// The value as the kernel reports it now.
    public static func readBack(_ path: RootedPath) throws -> String {
        SysctlValue(try readRaw(path)).text
    }

    /// The file's text as read, newline included.
    public static func readRaw(_ path: RootedPath) throws -> String {
        guard let state = try AtomicFileWriter.state(of: path), state.linkTarget == nil else {
            throw WriterError.syscall(function: "openat", path: path.absolute, errno: ENOENT)
        }
        return String(decoding: state.content, as: UTF8.self)
    }
}
