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

    /// The file's text, or nil when it does not exist (absent is a fact, not an error). Regular files only, at most
    /// `RegularFile.maxBytes` (kernel files under proc/: `RegularFile.kernelFileMaxBytes`), CR LF read as LF.
    public func readText(_ relative: String) throws -> String? {
        try RegularFile.readText(atPath: resolve(relative), maxBytes: Self.cap(for: relative))
    }

    /// The kernel writes /proc, and some of it grows with the load this tool is for: /proc/net/tcp of a host holding
    /// a million sockets is ~150 MB. Files people write (etc/, usr/lib/…) keep the 16 MiB cap.
    static func cap(for relative: String) -> Int {
        let rel = relative.hasPrefix("/") ? relative.dropFirst() : Substring(relative)
        return rel.hasPrefix("proc/") ? RegularFile.kernelFileMaxBytes : RegularFile.maxBytes
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
    /// A FIFO, device, socket or directory where a text file was expected (reading it could block forever).
    case notRegularFile(path: String, kind: String)
    case tooLarge(path: String, limitBytes: Int)
    /// A root without the kernel files a command needs (a copied /etc without /proc).
    case missingKernelFiles(root: String, missing: [String])
    case unknownUser(name: String, path: String)

    /// The message without the path (for errors that name the file themselves).
    public var reason: String {
        let d = description
        if case .unreadable(_, let e) = self { return String(cString: strerror(e)) }
        if case .notRegularFile(let path, _) = self, d.hasPrefix(path + ": ") {
            return String(d.dropFirst(path.count + 2))
        }
        if case .tooLarge(let path, _) = self, d.hasPrefix(path + ": ") { return String(d.dropFirst(path.count + 2)) }
        return d
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let e): return "\(path): cannot read: \(String(cString: strerror(e)))"
        case .malformed(let path, let line, let reason):
            return line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        case .notRegularFile(let path, let kind): return "\(path): is \(kind), not a regular file; refusing to read it"
        case .tooLarge(let path, let limit):
            return "\(path): larger than \(limit / 1024 / 1024) MiB; refusing to read it"
        case .missingKernelFiles(let root, let missing):
            return
                "\(root): not a host root: missing \(missing.joined(separator: ", ")); a host root has /proc and /proc/sys"
        case .unknownUser(let name, let path): return "user '\(name)' not found in \(path)"
        }
    }
}
