/// The network namespace the audit looks at, and how each key's scope was decided.
public struct NamespaceInfo: Sendable, Equatable, Codable {
    /// Inode text of the namespace read (e.g. "net:[4026531840]"), nil when unreadable.
    public var current: String?
    /// The initial namespace (PID 1's), nil when unreadable (not root).
    public var initial: String?

    /// The kernel tells directly: keys it registers for the initial namespace only (net.ipv4.tcp_mem) are missing
    /// from a child's /proc/sys. This holds where PID 1's namespace cannot be read (no ptrace rights over PID 1) and
    /// in a container whose PID 1 shares the child namespace.
    public var childByMissingGlobalKeys: Bool

    public init(current: String?, initial: String?, childByMissingGlobalKeys: Bool = false) {
        self.current = current
        self.initial = initial
        self.childByMissingGlobalKeys = childByMissingGlobalKeys
    }

    /// True when the namespace is known to differ from the initial one.
    public var isChild: Bool {
        if let current, let initial, current != initial { return true }
        return childByMissingGlobalKeys
    }

    /// Reads /proc/<pid>/ns/net (pid "self" by default) and /proc/1/ns/net under the root.
    public static func read(root: HostRoot, pid: String = "self") -> NamespaceInfo {
        let missing = root.exists("proc/sys/net/ipv4/tcp_rmem") && !root.exists("proc/sys/net/ipv4/tcp_mem")
        return NamespaceInfo(
            current: root.readLink("proc/\(pid)/ns/net"), initial: root.readLink("proc/1/ns/net"),
            childByMissingGlobalKeys: missing)
    }

    /// Scope of a key, detected at run time where the kernel lets it be told: inside a child namespace a net.*
    /// key that is absent or read-only here is global (registered for init_net only, or read-only outside it).
    /// In the initial namespace everything is visible and writable, so the catalog decides.
    public func scope(of key: SysctlKey, sysctls: Sysctls) -> SysctlScope {
        guard key.name.hasPrefix("net.") else { return .global }
        if isChild {
            if !sysctls.root.exists(key.procPath) { return .global }
            if key.name.hasSuffix("_count") { return key.catalogScope }  // counters are read-only everywhere
            return sysctls.isWritable(key) ? .perNamespace : .global
        }
        return key.catalogScope
    }
}
