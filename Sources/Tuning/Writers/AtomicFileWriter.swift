import Foundation
import Glibc
import HostFacts

/// The one file writer of wstune (apply, rollback, the journal, `render --output`). Whole files are written
/// atomically: a temporary file in the same directory, fsync, rename over the target, fsync of the directory; a
/// crash leaves either the old or the new file, never a mix. Every path is resolved beneath its root from the root's
/// descriptor (see `RootedPath`). Hand-written on POSIX calls because Foundation's `.atomic` write neither fsyncs
/// nor sets the mode before the rename, and follows symlinks.
public enum AtomicFileWriter {
    public struct FileState: Sendable, Equatable, Codable {
        public var content: Data
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        /// The link's target when the path is a symbolic link (only on the live root; `content` is empty then).
        public var linkTarget: String?
    }

    // MARK: reading

    /// The file's bytes and ownership, nil when it does not exist. Below a root other than "/" a symbolic link
    /// (as the file or on the way to it) is refused, naming the path.
    public static func state(of path: RootedPath) throws -> FileState? {
        guard let dfd = try openDirectory(path, path.components.dropLast(), create: false) else { return nil }
        defer { close(dfd) }
        return try state(in: dfd, path)
    }

    /// `state(of:)` for an absolute path on the live host.
    public static func state(of path: String) throws -> FileState? { try state(of: RootedPath.live(path)) }

    static func state(in dfd: Int32, _ path: RootedPath) throws -> FileState? {
        var st = stat()
        do {
            try Syscall.call("fstatat") { fstatat(dfd, path.name, &st, AT_SYMLINK_NOFOLLOW) }
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw WriterError.syscall(function: error.function, path: path.absolute, errno: error.errno)
        }
        switch st.st_mode & S_IFMT {
        case S_IFLNK:
            guard path.isLiveRoot else { throw linkRefused(path.absolute, path.root) }
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try syscallRetrying("readlinkat", path.absolute) { readlinkat(dfd, path.name, &buf, Int(PATH_MAX)) }
            let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return FileState(content: Data(), mode: 0o777, uid: st.st_uid, gid: st.st_gid, linkTarget: target)
        case S_IFREG: break
        default: throw WriterError.refused(path: path.absolute, reason: "not a regular file")
        }
        let fd = try syscallRetrying("openat", path.absolute) {
            openat(dfd, path.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        }
        defer { close(fd) }
        var bytes = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try syscallRetrying("read", path.absolute) {
                chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return FileState(
            content: bytes, mode: UInt32(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid, linkTarget: nil)
    }

    /// Directories missing on the way to `path`'s parent, outermost first (created by `write`, removed by rollback).
    public static func missingDirectories(for path: RootedPath) throws -> [RootedPath] {
        var fd = try openRoot(path)
        defer { close(fd) }
        let dirs = Array(path.components.dropLast())
        for (i, c) in dirs.enumerated() {
            let here = try RootedPath(root: path.root, relative: dirs[...i].joined(separator: "/"))
            guard let next = try openChild(fd, c, here, create: false) else {
                return try (i..<dirs.count).map {
                    try RootedPath(root: path.root, relative: dirs[...$0].joined(separator: "/"))
                }
            }
            close(fd)
            fd = next
        }
        return []
    }

    // MARK: writing

    /// Writes `content` to `path` with `mode` (and owner, if given), creating missing directories (0755). Returns
    /// false, writing nothing, when the file already has exactly this content and mode. A symbolic link at `path`
    /// (live root only) is replaced by the file, never written through.
    @discardableResult
    public static func write(
        _ content: Data, to path: RootedPath, mode: UInt32 = 0o644,
        owner: (uid: UInt32, gid: UInt32)? = nil, createDirectories: Bool = true
    ) throws -> Bool {
        guard let dfd = try openDirectory(path, path.components.dropLast(), create: createDirectories) else {
            throw WriterError.syscall(function: "openat", path: path.absolute, errno: ENOENT)
        }
        defer { close(dfd) }
        if let current = try state(in: dfd, path), current.linkTarget == nil, current.content == content,
            current.mode == mode, owner.map({ $0.uid == current.uid && $0.gid == current.gid }) ?? true
        {
            return false
        }
        let (fd, temp) = try createTemporary(in: dfd, for: path)
        var renamed = false
        defer { if !renamed { unlinkat(dfd, temp, 0) } }
        do {
            defer { close(fd) }
            var offset = 0
            try content.withUnsafeBytes { raw in
                while offset < raw.count {
                    let n = try syscallRetrying("write", path.absolute) {
                        Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    }
                    if n == 0 {
                        throw WriterError.syscall(function: "write (no progress)", path: path.absolute, errno: EIO)
                    }
                    offset += n
                }
            }
            try syscallRetrying("fchmod", path.absolute) { fchmod(fd, mode_t(mode)) }
            if let owner { try syscallRetrying("fchown", path.absolute) { fchown(fd, owner.uid, owner.gid) } }
            try syscallRetrying("fsync", path.absolute) { fsync(fd) }
        }
        try syscallRetrying("renameat", path.absolute) { renameat(dfd, temp, dfd, path.name) }
        renamed = true
        try syscallRetrying("fsync", path.parent?.absolute ?? path.root) { fsync(dfd) }
        return true
    }

    /// `write` to an absolute (or working-directory-relative) path on the live host.
    @discardableResult
    public static func write(
        _ content: Data, to path: String, mode: UInt32 = 0o644,
        owner: (uid: UInt32, gid: UInt32)? = nil, createDirectories: Bool = true
    ) throws -> Bool {
        try write(content, to: RootedPath.live(path), mode: mode, owner: owner, createDirectories: createDirectories)
    }

    /// Puts a symbolic link at `path` (atomically: a temporary link renamed over it), with the given owner.
    public static func writeLink(_ target: String, to path: RootedPath, owner: (uid: UInt32, gid: UInt32)?) throws {
        guard let dfd = try openDirectory(path, path.components.dropLast(), create: true) else {
            throw WriterError.syscall(function: "openat", path: path.absolute, errno: ENOENT)
        }
        defer { close(dfd) }
        if let current = try state(in: dfd, path), current.linkTarget == target { return }
        var temp = ""
        for _ in 0..<100 {
            temp = temporaryName(for: path.name)
            do {
                try Syscall.call("symlinkat") { symlinkat(target, dfd, temp) }
                break
            } catch {
                if error.errno != EEXIST {
                    throw WriterError.syscall(function: "symlinkat", path: path.absolute, errno: error.errno)
                }
            }
        }
        var renamed = false
        defer { if !renamed { unlinkat(dfd, temp, 0) } }
        if let owner {
            try syscallRetrying("fchownat", path.absolute) {
                fchownat(dfd, temp, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW)
            }
        }
        try syscallRetrying("renameat", path.absolute) { renameat(dfd, temp, dfd, path.name) }
        renamed = true
        try syscallRetrying("fsync", path.parent?.absolute ?? path.root) { fsync(dfd) }
    }

    /// Removes a file or link (never what a link points to; absent is fine) and fsyncs its directory.
    @discardableResult
    public static func remove(_ path: RootedPath) throws -> Bool {
        guard let dfd = try openDirectory(path, path.components.dropLast(), create: false) else { return false }
        defer { close(dfd) }
        do {
            try Syscall.call("unlinkat") { unlinkat(dfd, path.name, 0) }
        } catch {
            if error.errno == ENOENT { return false }
            throw WriterError.syscall(function: error.function, path: path.absolute, errno: error.errno)
        }
        try syscallRetrying("fsync", path.parent?.absolute ?? path.root) { fsync(dfd) }
        return true
    }

    @discardableResult
    public static func remove(_ path: String) throws -> Bool { try remove(RootedPath.live(path)) }

    /// Removes a directory this tool created, if it is empty now (absent or not empty is fine: nothing happens).
    public static func removeDirectoryIfEmpty(_ path: RootedPath) throws {
        guard let dfd = try openDirectory(path, path.components.dropLast(), create: false) else { return }
        defer { close(dfd) }
        do {
            try Syscall.call("unlinkat") { unlinkat(dfd, path.name, AT_REMOVEDIR) }
        } catch {
            if [ENOENT, ENOTEMPTY, EEXIST].contains(error.errno) { return }
            throw WriterError.syscall(function: error.function, path: path.absolute, errno: error.errno)
        }
        try syscallRetrying("fsync", path.parent?.absolute ?? path.root) { fsync(dfd) }
    }

    /// Deletes temporary files a killed run of ours left in `directory` (`.NAME.wstune-XXXXXX`, regular files
    /// only). Returns their paths.
    @discardableResult
    public static func removeStaleTemporaries(in directory: RootedPath) throws -> [String] {
        guard let dfd = try openDirectory(directory, directory.components[...], create: false) else { return [] }
        defer { close(dfd) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.absolute)) ?? []
        var removed: [String] = []
        for name in names where isTemporaryName(name) {
            var st = stat()
            guard fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0,
                st.st_mode & S_IFMT == S_IFREG || st.st_mode & S_IFMT == S_IFLNK
            else { continue }
            if unlinkat(dfd, name, 0) == 0 { removed.append(directory.absolute + "/" + name) }
        }
        if !removed.isEmpty { try syscallRetrying("fsync", directory.absolute) { fsync(dfd) } }
        return removed
    }

    /// `.NAME.wstune-XXXXXX` with six letters or digits (what `createTemporary` makes).
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let r = name.range(of: ".wstune-", options: .backwards),
            r.lowerBound > name.index(after: name.startIndex)
        else { return false }
        let suffix = name[r.upperBound...]
        return suffix.count == 6 && suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    // MARK: descriptors

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func temporaryName(for name: String) -> String {
        ".\(name).wstune-" + String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    static func createTemporary(in dfd: Int32, for path: RootedPath) throws -> (Int32, String) {
        for _ in 0..<100 {
            let name = temporaryName(for: path.name)
            do {
                let fd = try Syscall.call("openat") {
                    openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                }
                return (fd, name)
            } catch {
                if error.errno != EEXIST {
                    throw WriterError.syscall(function: "openat", path: path.absolute, errno: error.errno)
                }
            }
        }
        throw WriterError.syscall(function: "openat", path: path.absolute, errno: EEXIST)
    }

    static func openRoot(_ path: RootedPath) throws -> Int32 {
        try syscallRetrying("openat", path.root) { openat(AT_FDCWD, path.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    /// The directory made of `dirs` below `path`'s root, one component at a time; nil when one is missing and
    /// `create` is false. Below a root other than "/" a symbolic link on the way is refused: it could lead anywhere.
    static func openDirectory(_ path: RootedPath, _ dirs: ArraySlice<String>, create: Bool) throws -> Int32? {
        var fd = try openRoot(path)
        var done: [String] = []
        for c in dirs {
            done.append(c)
            let here = try RootedPath(root: path.root, relative: done.joined(separator: "/"))
            let next: Int32?
            do { next = try openChild(fd, c, here, create: create) } catch { close(fd); throw error }
            close(fd)
            guard let next else { return nil }
            fd = next
        }
        return fd
    }

    /// One step of the walk: the child directory `name` of `fd` (made first when missing and `create`).
    static func openChild(_ fd: Int32, _ name: String, _ here: RootedPath, create: Bool) throws -> Int32? {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (here.isLiveRoot ? 0 : O_NOFOLLOW)
        var madeIt = false
        while true {
            do {
                return try Syscall.call("openat") { openat(fd, name, flags) }
            } catch {
                switch error.errno {
                case ENOENT where create && !madeIt:
                    do {
                        try Syscall.call("mkdirat") { mkdirat(fd, name, 0o755) }
                    } catch {
                        if error.errno != EEXIST {
                            throw WriterError.syscall(function: "mkdirat", path: here.absolute, errno: error.errno)
                        }
                    }
                    madeIt = true
                case ENOENT: return nil
                case ELOOP, ENOTDIR:
                    var st = stat()
                    if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFLNK {
                        throw linkRefused(here.absolute, here.root)
                    }
                    // Reading: nothing can be below a file (absent). Writing: refused, naming it.
                    if !create { return nil }
                    throw WriterError.refused(path: here.absolute, reason: "not a directory")
                default:
                    throw WriterError.syscall(function: "openat", path: here.absolute, errno: error.errno)
                }
            }
        }
    }

    static func linkRefused(_ path: String, _ root: String) -> WriterError {
        .refused(
            path: path,
            reason: "a symbolic link below the root \(root): wstune follows no link there (it could lead outside)")
    }
}
