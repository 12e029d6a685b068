extension ConntrackFacts {
    /// Only /proc/net/stat/nf_conntrack (world-readable), for samplers that need the drop counters but not the
    /// hash size, whose /sys file only root may read. nil when the module is not loaded.
    public static func readStats(root: HostRoot) throws -> [String: Int]? {
        let path = "proc/net/stat/nf_conntrack"
        guard let text = try root.readText(path) else { return nil }
        return try parseStats(text, path: root.resolve(path))
    }
}
