import HostFacts

/// The value the kernel itself starts with on this machine, the floor `apply --exact` never goes below: fixed
/// defaults, and the ones the kernel computes from memory at boot (or at module load), computed the same way from
/// MemTotal. MemTotal is at least the kernel's own page count, so the floor is never under the kernel's value.
public enum KernelFloor {
    /// The floor of `key` as sysctl prints it, and where it comes from; nil when the kernel has none to keep.
    public static func floor(_ key: String, memory: MemoryInfo?) -> (value: String, source: String)? {
        if let fixed = fixed[key] { return (String(fixed.0), fixed.1) }
        guard let m = memory, m.totalBytes > 0, m.pageSize > 0 else { return nil }
        let pages = m.totalBytes / m.pageSize
        switch key {
        case "fs.file-max":
            // fs/file_table.c files_maxfiles_init: 10% of memory in KiB, at least NR_FILE (8192).
            return (
                String(Swift.max(8192, m.totalBytes / 1024 / 10)),
                "kernel default for this memory (files_maxfiles_init)"
            )
        case "net.ipv4.tcp_mem":
            // net/ipv4/tcp.c tcp_init_mem: limit = free buffer pages / 16 (at least 128); min, pressure, max.
            let limit = Swift.max(128, pages / 16)
            return ("\(limit / 4 * 3) \(limit) \(limit / 4 * 3 * 2)", "kernel default for this memory (tcp_init_mem)")
        case "net.netfilter.nf_conntrack_max":
            return (
                String(conntrackBuckets(pages: pages, pageSize: m.pageSize)),
                "kernel default for this memory (nf_conntrack_init_start)"
            )
        default:
            return nil
        }
    }

    /// The hash size nf_conntrack picks at load (net/netfilter/nf_conntrack_core.c), also its default max (factor 1).
    public static func conntrackBuckets(pages: Int, pageSize: Int) -> Int {
        let gib = 1024 * 1024 * 1024 / pageSize
        var size = pages * pageSize / 16384 / 8
        if pages > 4 * gib { size = 262_144 } else if pages > gib { size = 65_536 }
        return Swift.max(size, 1024)
    }

    static let fixed: [String: (Int, String)] = [
        "fs.nr_open": (1_048_576, "kernel default (sysctl_nr_open)"),
        "net.core.somaxconn": (4096, "kernel default (SOMAXCONN)"),
        "net.core.netdev_max_backlog": (1000, "kernel default"),
        "net.ipv4.tcp_max_syn_backlog": (128, "kernel minimum"),
    ]

    /// `target` raised to the floor where it is below (element-wise for tcp_mem); nil when it already is not.
    public static func raise(_ target: String, to floor: String) -> String? {
        let t = SysctlValue(target).ints ?? []
        let f = SysctlValue(floor).ints ?? []
        guard !t.isEmpty, t.count == f.count, zip(t, f).contains(where: { $0 < $1 }) else { return nil }
        return zip(t, f).map { String(Swift.max($0, $1)) }.joined(separator: " ")
    }
}
