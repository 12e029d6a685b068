import Glibc

/// The one reader of host and user files (HostRoot, profiles): regular files only, a bounded number of bytes, and
/// CR LF line ends turned into LF so every parser sees the same lines.
///
/// A FIFO would block `read` forever, a character device (/dev/zero) never reaches EOF, a directory or socket has no
/// text: they are refused by name. The file is opened with O_NONBLOCK so opening a FIFO does not wait for a writer,
/// and checked with fstat on the opened descriptor (no race between check and read). /proc and /sys files report
/// size 0, so the cap counts bytes read, not `st_size`.
public enum RegularFile {
    /// Largest file read: 16 MiB (a real sysctl.d, limits.conf, unit, profile or proxy config is a few KiB).
    public static let maxBytes = 16 * 1024 * 1024
    /// Cap for kernel-written files under proc/ (/proc/net/tcp with millions of sockets): 4 GiB.
    public static let kernelFileMaxBytes = 4 * 1024 * 1024 * 1024

    /// The file's text with line ends normalised, or nil when it does not exist. Invalid UTF-8 becomes U+FFFD.
    public static func readText(atPath path: String, maxBytes: Int = maxBytes) throws -> String? {
        try readBytes(atPath: path, maxBytes: maxBytes).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The file's bytes with line ends normalised, or nil when it does not exist.
    public static func readBytes(atPath path: String, maxBytes: Int = maxBytes) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            // Opening a socket fails with ENXIO: name what it is.
            if e == ENXIO, let kind = kind(atPath: path) { throw HostFactsError.notRegularFile(path: path, kind: kind) }
            throw HostFactsError.unreadable(path: path, errno: e)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw HostFactsError.unreadable(path: path, errno: errno) }
        let type = st.st_mode & S_IFMT
        if type == S_IFCHR && st.st_rdev == 0x103 {  // makedev(1, 3)
            // /dev/null: systemd's way to mask a file (a sysctl.d or unit symlinked to /dev/null) reads as empty.
            return []
        }
        guard type == S_IFREG else { throw HostFactsError.notRegularFile(path: path, kind: describe(type)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n: Int
            do {
                n = try Syscall.call("read") { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            } catch {
                // Some kernels answer EIO/EACCES for keys that exist but cannot be read in this namespace.
                throw HostFactsError.unreadable(path: path, errno: error.errno)
            }
            if n == 0 { break }
            if bytes.count + n > maxBytes { throw HostFactsError.tooLarge(path: path, limitBytes: maxBytes) }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return normalizingLineEnds(bytes)
    }

    /// CR LF becomes LF, and a CR at the very end goes: Windows editors write CR LF, and Swift's `Character`
    /// "\r\n" is a single grapheme that never equals "\n", so a parser splitting on "\n" would see one line.
    public static func normalizingLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(13) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 13 && (i + 1 == bytes.count || bytes[i + 1] == 10) {
                i += 1
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    /// The same for text that did not come from a file (standard input, a test's string).
    public static func normalizingLineEnds(_ text: String) -> String {
        guard text.utf8.contains(13) else { return text }
        return String(decoding: normalizingLineEnds(Array(text.utf8)), as: UTF8.self)
    }

    static func kind(atPath path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return describe(st.st_mode & S_IFMT)
    }

    static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}

extension StringProtocol {
    /// Lines split at LF and at CR LF (one `Character` in Swift), without their line ends; a CR ending the last
    /// line is dropped too. For parsers handed text that did not come through `RegularFile` (stdin, tests).
    public func hostLines(omittingEmpty: Bool = false) -> [SubSequence] {
        split(omittingEmptySubsequences: omittingEmpty, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            $0.last == "\r" ? $0.dropLast() : $0
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs: what procps and pam_limits skip (C's isblank), and much
    /// cheaper than Foundation's `trimmingCharacters` on files of hundreds of thousands of lines.
    public func trimmingBlanks() -> SubSequence {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
