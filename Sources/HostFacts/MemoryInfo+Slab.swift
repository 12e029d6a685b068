extension MemoryInfo {
    /// /proc/meminfo's Slab line in bytes (kernel objects, sockets included); nil when the file is absent.
    /// Apart from `MemoryInfo.read` because check samples it twice a second and needs nothing else of the file.
    public static func readSlabBytes(root: HostRoot) throws -> Int? {
        guard let text = try root.readText("proc/meminfo") else { return nil }
        return try parseSlabBytes(text, path: root.resolve("proc/meminfo"))
    }

    /// "Slab:  123456 kB" → bytes; nil without a Slab line (a trimmed fixture tree); a line that is not "N kB"
    /// is malformed.
    public static func parseSlabBytes(_ text: String, path: String = "meminfo") throws -> Int? {
        try KilobyteField.bytes("Slab", in: text, path: path)
    }
}
