import Foundation
import Glibc

/// Writes whole files atomically: a temporary file in the same directory, fsync, rename over the target, fsync of
/// the directory; a crash leaves either the old or the new file, never a mix. Hand-written on POSIX calls because
/// Foundation's `.atomic` write neither fsyncs the file and directory nor sets the mode before the rename.
public enum AtomicFileWriter {
    public struct FileState: Sendable, Equatable, Codable {
        public var content: Data
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
    }

    /// The file's bytes and ownership, nil when it does not exist.
    public static func state(of path: String) throws -> FileState? {
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw WriterError.syscall(function: "stat", path: path, errno: e)
        }
        let fd = try syscallRetrying("open", path) { Int(open(path, O_RDONLY | O_CLOEXEC)) }
        defer { close(Int32(fd)) }
        var bytes = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try syscallRetrying("read", path) { chunk.withUnsafeMutableBytes { read(Int32(fd), $0.baseAddress, 65536) } }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return FileState(content: bytes, mode: UInt32(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid)
    }

    /// Directories missing on the way to `path`'s parent, outermost first (created by `write`, removed by rollback).
    public static func missingDirectories(for path: String) -> [String] {
        var missing: [String] = []
        var dir = (path as NSString).deletingLastPathComponent
        while !dir.isEmpty && dir != "/" && access(dir, F_OK) != 0 {
            missing.insert(dir, at: 0)
            dir = (dir as NSString).deletingLastPathComponent
        }
        return missing
    }

    /// Writes `content` to `path` with `mode` (and owner, if given). Returns false, writing nothing, when the
    /// file already has exactly this content and mode.
    @discardableResult
    public static func write(_ content: Data, to path: String, mode: UInt32 = 0o644, owner: (uid: UInt32, gid: UInt32)? = nil) throws -> Bool {
        if let current = try state(of: path), current.content == content, current.mode == mode,
           owner == nil || (current.uid == owner!.uid && current.gid == owner!.gid) {
            return false
        }
        let dir = (path as NSString).deletingLastPathComponent
        for d in missingDirectories(for: path) {
            try syscallRetrying("mkdir", d) { Int(mkdir(d, 0o755)) }
        }
        let base = (path as NSString).lastPathComponent
        var template = Array("\(dir)/.\(base).wstune-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let tempPath = String(cString: template)
        if fd < 0 { throw WriterError.syscall(function: "mkstemp", path: tempPath, errno: errno) }
        var renamed = false
        defer { if !renamed { unlink(tempPath) } }
        do {
            defer { close(fd) }
            var offset = 0
            try content.withUnsafeBytes { raw in
                while offset < raw.count {
                    let n = try syscallRetrying("write", tempPath) { Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset) }
                    offset += n
                }
            }
            try syscallRetrying("fchmod", tempPath) { Int(fchmod(fd, mode_t(mode))) }
            if let owner { try syscallRetrying("fchown", tempPath) { Int(fchown(fd, owner.uid, owner.gid)) } }
            try syscallRetrying("fsync", tempPath) { Int(fsync(fd)) }
        }
        try syscallRetrying("rename", path) { Int(rename(tempPath, path)) }
        renamed = true
        try syncDirectory(dir)
        return true
    }

    /// Removes a file (absent is fine) and fsyncs its directory. Returns whether something was removed.
    @discardableResult
    public static func remove(_ path: String) throws -> Bool {
        if unlink(path) != 0 {
            let e = errno
            if e == ENOENT { return false }
            throw WriterError.syscall(function: "unlink", path: path, errno: e)
        }
        try syncDirectory((path as NSString).deletingLastPathComponent)
        return true
    }

    /// Removes a directory this tool created, if it is empty now (absent is fine).
    public static func removeDirectoryIfEmpty(_ path: String) {
        if rmdir(path) == 0 { try? syncDirectory((path as NSString).deletingLastPathComponent) }
    }

    /// fsync of a directory makes a rename or unlink in it durable.
    static func syncDirectory(_ dir: String) throws {
        let fd = try syscallRetrying("open", dir) { Int(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) }
        defer { close(Int32(fd)) }
        try syscallRetrying("fsync", dir) { Int(fsync(Int32(fd))) }
    }
}
