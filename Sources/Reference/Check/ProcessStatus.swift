import HostFacts

/// What check reads of one server process under /proc/PID: resident memory, open fds and the nofile limit.
public struct ProcessStatus: Sendable, Equatable {
    public var rssBytes: Int
    public var openFds: Int
    public var nofileSoft: Int?

    /// nil when the process is gone.
    public static func read(root: HostRoot, pid: Int32) throws -> ProcessStatus? {
        guard let status = try? root.readText("proc/\(pid)/status") else { return nil }
        let fds = root.listDirectory("proc/\(pid)/fd").count
        let limit = try? ProcessLimits.readNofile(root: root, pid: "\(pid)")
        return ProcessStatus(rssBytes: parseRSS(status) ?? 0, openFds: fds, nofileSoft: limit?.soft)
    }

    /// "VmRSS:    12345 kB" → bytes; nil when the line is missing (kernel threads, zombies).
    public static func parseRSS(_ status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kb = Int(fields[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }
}
