/// A sysctl key the checks read, and whether the kernel keeps it per network namespace.
public struct SysctlKey: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    /// Path below the root: `net.core.somaxconn` → `proc/sys/net/core/somaxconn`. Keys may also be written with
    /// slashes (as sysctl.d allows); a dot inside an element (interface names) is not used by our keys.
    public var procPath: String { "proc/sys/" + name.replacingOccurrences(of: ".", with: "/") }

    public var description: String { name }

    /// Scope as the kernel registers it (kernel 6.x sources: net/core/sysctl_net_core.c, net/ipv4/sysctl_net_ipv4.c,
    /// net/netfilter/nf_conntrack_standalone.c). Used only where the run-time detection in `NamespaceScope` cannot
    /// tell (in the initial namespace every key is visible and writable).
    public var catalogScope: SysctlScope {
        if name.hasPrefix("fs.") || name.hasPrefix("vm.") || name.hasPrefix("kernel.") { return .global }
        if Self.globalNetKeys.contains(name) { return .global }
        return .perNamespace
    }

    /// net.* keys registered only for init_net (or read-only elsewhere): one value for the whole host. Newer kernels
    /// made net.core.{r,w}mem_{default,max} per namespace (6.x shows them in a child); inside a child namespace
    /// `NamespaceInfo.scope` decides from what the kernel shows, so this list matters only in the initial one.
    static let globalNetKeys: Set<String> = [
        "net.ipv4.tcp_mem", "net.ipv4.udp_mem", "net.ipv4.tcp_max_orphans",
        "net.core.rmem_default", "net.core.rmem_max", "net.core.wmem_default", "net.core.wmem_max",
        "net.core.netdev_max_backlog", "net.core.optmem_max",
        // Since 5.12 writable only in the initial namespace (nf_conntrack_standalone.c).
        "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_buckets",
    ]

    /// Every key HostFacts reads for the checks.
    public static let all: [SysctlKey] = [
        "net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog", "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_mem", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
        "net.core.rmem_default", "net.core.rmem_max", "net.core.wmem_default", "net.core.wmem_max",
        "net.core.netdev_max_backlog", "net.ipv4.tcp_max_orphans", "net.ipv4.tcp_max_tw_buckets",
        "fs.file-max", "fs.nr_open", "fs.file-nr",
        "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_count", "net.netfilter.nf_conntrack_buckets",
    ]
}

public enum SysctlScope: String, Sendable, Codable {
    /// One value for the whole host; set it in the initial namespace.
    case global
    /// Each network namespace has its own value.
    case perNamespace = "per-namespace"
}
