import Foundation

/// The mount point every host read goes through (like procfs's `NewFS(mountPoint)`): "/" on a real host, a
/// fixture tree in tests, a copied tree for users auditing another machine's files.
public struct HostRoot: Sendable, Equatable {
    public let path: String

    public init(_ path: String = "/") {
        var p = path.isEmpty ? "/" : path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.path = p
    }

    /// True when this is the live host's root, where subprocesses (systemctl) and syscalls describe the same host.
    public var isLiveRoot: Bool { path == "/" }

    /// Absolute path of `relative` (given with or without a leading "/") under the root.
    public func resolve(_ relative: String) -> String {
        let rel = relative.hasPrefix("/") ? String(relative.dropFirst()) : relative
        return path == "/" ? "/" + rel : path + "/" + rel
    }

    /// The file's text, or nil when it does not exist (absent is a fact, not an error).
    public func readText(_ relative: String) throws -> String? {
        let full = resolve(relative)
        let fd = open(full, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw HostFactsError.unreadable(path: full, errno: e)
        }
        defer { close(fd) }
        // /proc and /sys files report size 0: read until EOF in chunks.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 16384) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                // Some kernels answer EIO/EACCES for keys that exist but cannot be read in this namespace.
                throw HostFactsError.unreadable(path: full, errno: e)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func exists(_ relative: String) -> Bool {
        access(resolve(relative), F_OK) == 0
    }

    public func isWritable(_ relative: String) -> Bool {
        var st = stat()
        guard stat(resolve(relative), &st) == 0 else { return false }
        return st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH) != 0
    }

    /// Names in a directory, sorted; empty when it does not exist.
    public func listDirectory(_ relative: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: resolve(relative)) else { return [] }
        return names.sorted()
    }

    /// Target of a symbolic link (e.g. /proc/self/ns/net), or nil.
    public func readLink(_ relative: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: resolve(relative))
    }
}

/// Why a host read failed. Absence is not an error; these are.
public enum HostFactsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, errno: Int32)
    case malformed(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let e): return "\(path): cannot read: \(String(cString: strerror(e)))"
        case .malformed(let path, let line, let reason): return line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        }
    }
}
