import Foundation

/// MemTotal, MemAvailable, page size and CPU count.
public struct MemoryInfo: Sendable, Equatable, Codable {
    public var totalBytes: Int
    public var availableBytes: Int
    public var pageSize: Int
    public var cpus: Int

    public static func read(root: HostRoot) throws -> MemoryInfo? {
        guard let text = try root.readText("proc/meminfo") else { return nil }
        var info = try parse(text, path: root.resolve("proc/meminfo"))
        info.pageSize = pageSize(root: root)
        info.cpus = try cpuCount(root: root)
        return info
    }

    public static func parse(_ text: String, path: String = "meminfo") throws -> MemoryInfo {
        var total: Int?
        var available: Int?
        for (i, line) in text.hostLines().enumerated() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 2 else { continue }
            if f[0] == "MemTotal:" || f[0] == "MemAvailable:" {
                guard let kb = Int(f[1]), kb >= 0 else {
                    throw HostFactsError.malformed(
                        path: path, line: i + 1, reason: "\(f[0].dropLast()): not a number: \(f[1])")
                }
                let (bytes, overflow) = kb.multipliedReportingOverflow(by: 1024)
                guard !overflow else {
                    throw HostFactsError.malformed(
                        path: path, line: i + 1, reason: "\(f[0].dropLast()): \(f[1]) kB is out of range")
                }
                if f[0] == "MemTotal:" { total = bytes } else { available = bytes }
            }
        }
        guard let total else { throw HostFactsError.malformed(path: path, line: 1, reason: "no MemTotal") }
        return MemoryInfo(
            totalBytes: total, availableBytes: available ?? total, pageSize: 4096,
            cpus: 1)
    }
}
