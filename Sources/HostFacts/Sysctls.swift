/// Reads sysctls from `<root>/proc/sys`. A key this kernel lacks (or not visible in this namespace) is nil.
public struct Sysctls: Sendable {
    public let root: HostRoot
    public init(root: HostRoot) { self.root = root }

    public func read(_ key: SysctlKey) throws -> SysctlValue? {
        try root.readText(key.procPath).map(SysctlValue.init)
    }

    /// All keys in `SysctlKey.all`, absent ones left out.
    public func readAll(_ keys: [SysctlKey] = SysctlKey.all) throws -> [SysctlKey: SysctlValue] {
        var out: [SysctlKey: SysctlValue] = [:]
        for k in keys {
            if let v = try read(k) { out[k] = v }
        }
        return out
    }

    /// Whether the key's file is writable by its mode bits (a read-only key in a child namespace is global).
    public func isWritable(_ key: SysctlKey) -> Bool { root.isWritable(key.procPath) }
}
