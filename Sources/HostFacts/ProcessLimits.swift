/// Reads `/proc/<pid>/limits` and `/proc/<pid>/status` (capabilities).
public enum ProcessLimits {
    public static func readNofile(root: HostRoot, pid: String = "self") throws -> FileLimit? {
        let path = "proc/\(pid)/limits"
        guard let text = try root.readText(path) else { return nil }
        return try parseNofile(text, path: root.resolve(path))
    }

    /// Parses the "Max open files  SOFT  HARD  files" row.
    public static func parseNofile(_ text: String, path: String = "limits") throws -> FileLimit {
        for (i, line) in text.hostLines().enumerated()
        where line.hasPrefix("Max open files") {
            let fields = line.dropFirst("Max open files".count).split(separator: " ")
            guard fields.count >= 2 else {
                throw HostFactsError.malformed(path: path, line: i + 1, reason: "expected soft and hard values")
            }
            func value(_ s: Substring) throws -> Int? {
                if s == "unlimited" { return nil }
                guard let v = Int(s) else {
                    throw HostFactsError.malformed(path: path, line: i + 1, reason: "not a number: \(s)")
                }
                return v
            }
            return FileLimit(soft: try value(fields[0]), hard: try value(fields[1]))
        }
        throw HostFactsError.malformed(path: path, line: 1, reason: "no 'Max open files' row")
    }

    /// CAP_SYS_RESOURCE (bit 24) in the effective set: needed to raise a hard limit above its current value.
    public static func hasSysResource(root: HostRoot, pid: String = "self") throws -> Bool? {
        guard let text = try root.readText("proc/\(pid)/status") else { return nil }
        return parseCapability(text, bit: 24)
    }

    public static func parseCapability(_ status: String, bit: Int) -> Bool? {
        for line in status.hostLines(omittingEmpty: true) where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces)
            guard let mask = UInt64(hex, radix: 16) else { return nil }
            return mask & (1 << UInt64(bit)) != 0
        }
        return nil
    }
}
