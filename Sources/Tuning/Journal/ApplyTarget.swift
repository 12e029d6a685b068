import Foundation
import Glibc

/// Where an apply ran: the live root, the files root and the network namespace. Recorded in the journal so a
/// rollback run from anywhere else (another namespace, another tree) is refused instead of writing one place's
/// old values into another.
public struct ApplyTarget: Sendable, Codable, Equatable {
    public struct NetworkNamespace: Sendable, Codable, Equatable {
        /// Inode of /proc/self/ns/net (what `ls -L -i /proc/self/ns/net` shows).
        public var inode: UInt64
        /// Its `ip netns` name when one of /run/netns/* is this namespace.
        public var name: String?

        public var description: String { "net:[\(inode)]" + (name.map { " (ip netns \($0))" } ?? "") }
    }

    /// Canonical paths (realpath) of the roots.
    public var liveRoot: String
    public var filesRoot: String
    public var namespace: NetworkNamespace?

    public init(liveRoot: String, filesRoot: String, namespace: NetworkNamespace?) {
        self.liveRoot = liveRoot
        self.filesRoot = filesRoot
        self.namespace = namespace
    }

    /// This process's target for the given roots.
    public static func current(liveRoot: String, filesRoot: String) -> ApplyTarget {
        ApplyTarget(liveRoot: canonical(liveRoot), filesRoot: canonical(filesRoot), namespace: currentNamespace())
    }

    public static func canonical(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }

    /// The namespace of this process and its name from /run/netns (where `ip netns add` bind-mounts them).
    public static func currentNamespace(netnsDirectory: String = "/run/netns") -> NetworkNamespace? {
        var st = stat()
        guard stat("/proc/self/ns/net", &st) == 0 else { return nil }
        var name: String?
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: netnsDirectory)) ?? []).sorted()
        for n in names {
            var other = stat()
            if stat(netnsDirectory + "/" + n, &other) == 0 && other.st_ino == st.st_ino && other.st_dev == st.st_dev {
                name = n
                break
            }
        }
        return NetworkNamespace(inode: UInt64(st.st_ino), name: name)
    }

    /// Why a rollback from `self` must not undo an apply made at `recorded`, nil when it may. The namespace matters
    /// only when live values went to the kernel (live root "/").
    public func mismatch(with recorded: ApplyTarget) -> String? {
        var why: [String] = []
        if recorded.liveRoot != liveRoot {
            why.append("live root: applied under \(recorded.liveRoot), this run \(liveRoot)")
        }
        if recorded.filesRoot != filesRoot {
            why.append("files root: applied under \(recorded.filesRoot), this run \(filesRoot)")
        }
        if recorded.liveRoot == "/", let a = recorded.namespace, let b = namespace, a.inode != b.inode {
            why.append("network namespace: applied in \(a.description), this run in \(b.description)")
        }
        return why.isEmpty ? nil : why.joined(separator: "; ")
    }

    /// The exact command that undoes an apply made here, as the user pastes it.
    public func undoCommand(program: String) -> String {
        var parts: [String] = []
        if liveRoot == "/" || filesRoot == "/" { parts.append("sudo") }
        if liveRoot == "/", let ns = namespace, let name = ns.name, ns.inode != Self.initialNamespaceInode() {
            parts += ["ip", "netns", "exec", name]
        }
        parts.append(program)
        parts.append("rollback")
        if liveRoot != "/" { parts += ["--root", liveRoot] }
        if filesRoot != liveRoot { parts += ["--files-root", filesRoot] }
        return parts.map(Self.shellWord).joined(separator: " ")
    }

    static func initialNamespaceInode() -> UInt64? {
        var st = stat()
        return stat("/proc/1/ns/net", &st) == 0 ? UInt64(st.st_ino) : nil
    }

    static func shellWord(_ a: String) -> String {
        !a.isEmpty && a.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,@+".contains($0)) })
            ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
