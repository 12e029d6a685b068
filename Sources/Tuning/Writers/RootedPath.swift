import Foundation

/// A path beneath a root, kept as the root and its components: every write resolves it one component at a time
/// with openat(O_NOFOLLOW) from the root's own descriptor, so no symlink or ".." in the tree can lead outside it.
/// (The same guarantee as openat2's RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, which Glibc does not wrap and Swift
/// cannot reach through the variadic syscall(2).)
public struct RootedPath: Sendable, Equatable, CustomStringConvertible {
    /// The root as given (absolute or relative to the working directory); "/" for the live host.
    public let root: String
    /// Components below the root: never empty, ".", ".." or containing "/" or NUL.
    public let components: [String]

    /// `relative` must be a plain relative path ("etc/sysctl.d/90-wstune.conf"); anything else is refused.
    public init(root: String, relative: String) throws {
        var r = root.isEmpty ? "/" : root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        guard !relative.hasPrefix("/") else {
            throw WriterError.refused(
                path: relative, reason: "an absolute path where a path below the root is expected")
        }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty else { throw WriterError.refused(path: relative, reason: "an empty path") }
        for p in parts where p == ".." || p == "." || p.contains("\0") {
            throw WriterError.refused(path: relative, reason: "'\(p)' is not allowed in a path below the root")
        }
        components = parts
    }

    /// Components known to be valid (constants of this module).
    init(root: String, constant components: [String]) {
        self.root = HostRootText.normalized(root)
        self.components = components
    }

    /// An absolute path that must lie below `root` (by its text: the walk still refuses links).
    public init(root: String, absolute: String) throws {
        let r = HostRootText.normalized(root)
        let prefix = r == "/" ? "/" : r + "/"
        guard absolute.hasPrefix(prefix) else {
            throw WriterError.refused(path: absolute, reason: "not below the root \(r)")
        }
        try self.init(root: r, relative: String(absolute.dropFirst(prefix.count)))
    }

    /// An absolute or working-directory-relative path on the live host ("/" as the root).
    public static func live(_ path: String) throws -> RootedPath {
        let abs = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return try RootedPath(root: "/", relative: String(abs.drop(while: { $0 == "/" })))
    }

    public var relative: String { components.joined(separator: "/") }
    public var absolute: String { root == "/" ? "/" + relative : root + "/" + relative }
    public var description: String { absolute }
    public var name: String { components[components.count - 1] }
    public var isLiveRoot: Bool { root == "/" }

    /// The parent directory, nil for a top-level name.
    public var parent: RootedPath? {
        components.count > 1 ? try? RootedPath(root: root, relative: components.dropLast().joined(separator: "/")) : nil
    }

    public func appending(_ name: String) throws -> RootedPath {
        try RootedPath(root: root, relative: relative + "/" + name)
    }
}

/// Root path text as HostRoot keeps it (no trailing slash, "/" for empty).
enum HostRootText {
    static func normalized(_ path: String) -> String {
        var p = path.isEmpty ? "/" : path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}

extension RootedPath {
    /// `relative` under `root` as text, for messages (no checks).
    public static func display(root: String, _ relative: String) -> String {
        root == "/" ? "/" + relative : root + "/" + relative
    }
}
