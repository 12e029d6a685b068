import Glibc

/// What `/proc/PID/status` and `/proc/PID/fd` say of one process's size: resident memory and open fds.
public struct ProcessStatus: Sendable, Equatable {
    /// VmRSS in bytes; nil for processes without a user address space (kernel threads, zombies).
    public var rssBytes: Int?
    public var openFds: Int

    public init(rssBytes: Int?, openFds: Int) {
        self.rssBytes = rssBytes
        self.openFds = openFds
    }

    /// nil when the process is gone, also when it exits between the open and the read (ESRCH).
    public static func read(root: HostRoot, pid: Int32) throws -> ProcessStatus? {
        guard let text = try root.readProcessText(pid: pid, "status") else { return nil }
        let rss = try parseRSS(text, path: root.resolve("proc/\(pid)/status"))
        return ProcessStatus(rssBytes: rss, openFds: root.listDirectory("proc/\(pid)/fd").count)
    }

    /// "VmRSS:    12345 kB" → bytes; nil when the line is missing; a line that is not "N kB" is malformed.
    public static func parseRSS(_ status: String, path: String = "status") throws -> Int? {
        try KilobyteField.bytes("VmRSS", in: status, path: path)
    }
}
