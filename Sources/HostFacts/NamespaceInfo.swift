/// The network namespace the audit looks at, and how each key's scope was decided.
public struct NamespaceInfo: Sendable, Equatable, Codable {
    /// Inode text of the namespace read (e.g. "net:[4026531840]"), nil when unreadable.
    public var current: String?
    /// The initial namespace (PID 1's), nil when unreadable (not root).
    public var initial: String?

    public init(current: String?, initial: String?) {
        self.current = current
        self.initial = initial
    }

    /// True when the namespace is known to differ from PID 1's.
    public var isChild: Bool {
        guard let current, let initial else { return false }
        return current != initial
    }

    /// Reads /proc/<pid>/ns/net (pid "self" by default) and /proc/1/ns/net under the root.
    public static func read(root: HostRoot, pid: String = "self") -> NamespaceInfo {
        NamespaceInfo(current: root.readLink("proc/\(pid)/ns/net"), initial: root.readLink("proc/1/ns/net"))
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
